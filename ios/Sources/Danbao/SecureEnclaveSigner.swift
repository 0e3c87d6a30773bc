// Apple platforms only, for the Secure Enclave and the Keychain. The Linux build of this package (the
// tests' `cargo xtask swift`) compiles everything else.
#if canImport(Security)

import Foundation
import Security

/// The device key that signs every request to the server: a P-256 key created inside the
/// Secure Enclave, so the private key never exists outside it. Pass it as `signer` to
/// `Wallet.open`.
///
/// The Simulator has no Secure Enclave; there the key is an ordinary Keychain key (same
/// algorithm, same formats), which is fine for development and never ships.
///
/// `SecKey` is an immutable reference that Security framework lets any thread use, hence
/// `@unchecked Sendable`.
public final class SecureEnclaveSigner: Signer, @unchecked Sendable {
    private let privateKey: SecKey

    /// Loads the key stored under `tag`, or creates it on first use.
    ///
    /// Throws `PlatformError.Failed` when the Keychain or the Secure Enclave refuses.
    public init(tag: String = "app.danbao.device-key") throws {
        let tagData = Data(tag.utf8)
        if let existing = try Self.load(tag: tagData) {
            privateKey = existing
        } else {
            privateKey = try Self.create(tag: tagData)
        }
    }

    /// The public key as Security framework exports an EC key: ANSI X9.63 `04 || X || Y`,
    /// 65 bytes, which is exactly the uncompressed SEC1 point the core expects.
    public func publicKey() throws -> Data {
        guard let publicKey = SecKeyCopyPublicKey(privateKey) else {
            throw PlatformError.Failed(reason: "the device key has no public key")
        }
        var error: Unmanaged<CFError>?
        guard let bytes = SecKeyCopyExternalRepresentation(publicKey, &error) as Data? else {
            throw PlatformError.Failed(
                reason: "the device public key cannot be exported: \(securityErrorText(error))")
        }
        return bytes
    }

    /// ECDSA P-256 over SHA-256 of `message`, DER-encoded: what
    /// `ecdsaSignatureMessageX962SHA256` produces and the core verifies.
    public func sign(message: Data) throws -> Data {
        var error: Unmanaged<CFError>?
        guard
            let signature = SecKeyCreateSignature(
                privateKey, .ecdsaSignatureMessageX962SHA256, message as CFData, &error)
                as Data?
        else {
            throw PlatformError.Failed(
                reason: "the device key cannot sign: \(securityErrorText(error))")
        }
        return signature
    }

    private static func load(tag: Data) throws -> SecKey? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag,
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeyClass as String: kSecAttrKeyClassPrivate,
            kSecReturnRef as String: true,
        ]
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            // A CFTypeRef returned for kSecReturnRef on a key query is always a SecKey.
            return (item as! SecKey)
        case errSecItemNotFound:
            return nil
        default:
            throw PlatformError.Failed(
                reason: "the Keychain cannot read the device key (OSStatus \(status))")
        }
    }

    private static func create(tag: Data) throws -> SecKey {
        // Usable after the first unlock (background sync signs too), never restored to another
        // device: a new phone registers a new device key.
        var accessError: Unmanaged<CFError>?
        #if targetEnvironment(simulator)
            let flags: SecAccessControlCreateFlags = []
        #else
            let flags: SecAccessControlCreateFlags = [.privateKeyUsage]
        #endif
        guard
            let access = SecAccessControlCreateWithFlags(
                kCFAllocatorDefault, kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly, flags,
                &accessError)
        else {
            throw PlatformError.Failed(
                reason: "the device key's access control cannot be made: "
                    + securityErrorText(accessError))
        }
        var attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeySizeInBits as String: 256,
            kSecPrivateKeyAttrs as String: [
                kSecAttrIsPermanent as String: true,
                kSecAttrApplicationTag as String: tag,
                kSecAttrAccessControl as String: access,
            ] as [String: Any],
        ]
        #if !targetEnvironment(simulator)
            attributes[kSecAttrTokenID as String] = kSecAttrTokenIDSecureEnclave
        #endif
        var error: Unmanaged<CFError>?
        guard let key = SecKeyCreateRandomKey(attributes as CFDictionary, &error) else {
            throw PlatformError.Failed(
                reason: "the Secure Enclave cannot create the device key: "
                    + securityErrorText(error))
        }
        return key
    }
}

/// The text of a Security framework error, or a placeholder when it gave none.
func securityErrorText(_ error: Unmanaged<CFError>?) -> String {
    guard let error = error?.takeRetainedValue() else { return "no reason given" }
    return (error as Error).localizedDescription
}

#endif
