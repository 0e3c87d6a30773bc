import Danbao
import Foundation
import TestCrypto

/// The device key as a test holds it on Linux (no Secure Enclave): a P-256 key pair in
/// OpenSSL's libcrypto, signing SHA-256 of the message with ECDSA (DER, what the core expects).
///
/// `@unchecked Sendable`: the only state is `key`, set once in `init` and freed in `deinit`;
/// the key is never modified after it is generated, and OpenSSL (1.1 and later) allows
/// concurrent signing with one const `EVP_PKEY`, each call making its own `EVP_MD_CTX`. The
/// core may call `sign` from several threads at once.
final class P256Signer: Signer, @unchecked Sendable {
    private let key: OpaquePointer

    init() throws {
        guard let key = danbao_p256_generate() else {
            throw PlatformError.Failed(reason: "libcrypto could not make a P-256 key")
        }
        self.key = key
    }

    deinit {
        danbao_p256_free(key)
    }

    func publicKey() throws -> Data {
        var point = [UInt8](repeating: 0, count: 65)
        guard danbao_p256_public_key(key, &point) == 0 else {
            throw PlatformError.Failed(reason: "libcrypto could not write the public key")
        }
        return Data(point)
    }

    func sign(message: Data) throws -> Data {
        try callCrypto(message, capacity: 72, failure: "libcrypto could not sign") {
            danbao_p256_sign(key, $0, $1, $2, $3)
        }
    }
}

/// A signer with a real public key whose `sign` fails the way a platform signer does: by
/// throwing `failure()` (a `PlatformError`, or any other Swift error).
final class FailingSigner: Signer {
    private let real: P256Signer
    private let failure: @Sendable () -> any Error

    init(_ failure: @escaping @Sendable () -> any Error) throws {
        real = try P256Signer()
        self.failure = failure
    }

    func publicKey() throws -> Data {
        try real.publicKey()
    }

    func sign(message: Data) throws -> Data {
        throw failure()
    }
}

/// The data key wrapped with AES-256-GCM under a key made per instance (a test's stand-in
/// for the Keychain): 12 random nonce bytes, then ciphertext and tag.
final class AesGcmKeyStore: KeyStore {
    private let key: [UInt8]

    init() throws {
        var key = [UInt8](repeating: 0, count: 32)
        guard danbao_random_bytes(&key, key.count) == 0 else {
            throw PlatformError.Failed(reason: "libcrypto gave no random bytes")
        }
        self.key = key
    }

    func wrap(plaintextKey: Data) throws -> Data {
        let overhead = Int(DANBAO_AES256GCM_NONCE_LEN + DANBAO_AES256GCM_TAG_LEN)
        return try callCrypto(
            plaintextKey, capacity: plaintextKey.count + overhead,
            failure: "AES-256-GCM could not seal the data key"
        ) { danbao_aes256gcm_seal(key, $0, $1, $2, $3) }
    }

    func unwrap(wrappedKey: Data) throws -> Data {
        let overhead = Int(DANBAO_AES256GCM_NONCE_LEN + DANBAO_AES256GCM_TAG_LEN)
        guard wrappedKey.count >= overhead else {
            throw PlatformError.Failed(
                reason: "the wrapped key has \(wrappedKey.count) bytes; too short for AES-GCM")
        }
        return try callCrypto(
            wrappedKey, capacity: wrappedKey.count - overhead,
            failure: "the wrapped key does not open with this key store's key"
        ) { danbao_aes256gcm_open(key, $0, $1, $2, $3) }
    }
}

/// A key store that fails the way a platform key store does (a locked Keychain): `wrap`,
/// `unwrap` or both throw `failure()`; what does not fail is done by a real key store.
final class FailingKeyStore: KeyStore {
    private let real: AesGcmKeyStore
    private let failWrap: Bool
    private let failUnwrap: Bool
    private let failure: @Sendable () -> any Error

    init(
        wrap failWrap: Bool, unwrap failUnwrap: Bool,
        _ failure: @escaping @Sendable () -> any Error
    ) throws {
        real = try AesGcmKeyStore()
        self.failWrap = failWrap
        self.failUnwrap = failUnwrap
        self.failure = failure
    }

    func wrap(plaintextKey: Data) throws -> Data {
        if failWrap { throw failure() }
        return try real.wrap(plaintextKey: plaintextKey)
    }

    func unwrap(wrappedKey: Data) throws -> Data {
        if failUnwrap { throw failure() }
        return try real.unwrap(wrappedKey: wrappedKey)
    }
}

/// Collects what the core says changed.
///
/// `@unchecked Sendable`: `seen` is read and written only with `lock` held; the core calls
/// `onChange` on its own threads while the test reads with `take()`.
final class RecordingListener: ChangeListener, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [Change] = []

    func onChange(change: Change) {
        lock.lock()
        defer { lock.unlock() }
        seen.append(change)
    }

    /// The changes told since the last call, in order, and forgets them.
    func take() -> [Change] {
        lock.lock()
        defer { lock.unlock() }
        let told = seen
        seen = []
        return told
    }
}

/// Calls one TestCrypto function that reads `input` and writes at most `capacity` bytes:
/// `call(input, inputLength, output, &outputLength)` returns 0 on success. Anything else
/// throws `PlatformError.Failed(failure)`, as a platform service would.
private func callCrypto(
    _ input: Data, capacity: Int, failure: String,
    _ call: (UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<Int>) -> Int32
) throws -> Data {
    var output = [UInt8](repeating: 0, count: max(capacity, 1))
    var length = 0
    let status = input.withUnsafeBytes { bytes in
        output.withUnsafeMutableBufferPointer { out in
            call(bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, out.baseAddress!, &length)
        }
    }
    guard status == 0 else { throw PlatformError.Failed(reason: failure) }
    return Data(output.prefix(length))
}
