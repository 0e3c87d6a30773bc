// Apple platforms only, for the Keychain and CryptoKit. The Linux build of this package (the
// tests' `cargo xtask swift`) compiles everything else.
#if canImport(Security) && canImport(CryptoKit)

import CryptoKit
import Foundation
import Security

/// Wraps the wallet database's 32-byte data key with an AES-256-GCM key kept in the Keychain.
/// Pass it as `keyStore` to `Wallet.open`.
///
/// The wrapping key is created on first use and stored as a generic password that is readable
/// after the first unlock (so background sync can open the wallet) and never leaves this
/// device (not in backups restored elsewhere, not in iCloud Keychain). The wrapped form is
/// CryptoKit's combined box, `nonce (12) || ciphertext (32) || tag (16)`, so the nonce travels
/// with it.
public final class KeychainKeyStore: KeyStore {
    private let service: String
    private let account: String

    /// Uses the Keychain item `service`/`account` for the wrapping key.
    public init(service: String = "app.danbao.wallet", account: String = "data-key-wrapping") {
        self.service = service
        self.account = account
    }

    public func wrap(plaintextKey: Data) throws -> Data {
        let key = try wrappingKey()
        do {
            let box = try AES.GCM.seal(plaintextKey, using: key, authenticating: Self.context)
            // `combined` is nil only for a nonce that is not 12 bytes; seal's own is 12.
            guard let combined = box.combined else {
                throw PlatformError.Failed(reason: "AES-GCM gave no combined box")
            }
            return combined
        } catch let error as PlatformError {
            throw error
        } catch {
            throw PlatformError.Failed(reason: "the data key cannot be wrapped: \(error)")
        }
    }

    public func unwrap(wrappedKey: Data) throws -> Data {
        let key = try wrappingKey()
        do {
            let box = try AES.GCM.SealedBox(combined: wrappedKey)
            return try AES.GCM.open(box, using: key, authenticating: Self.context)
        } catch {
            throw PlatformError.Failed(
                reason: "the data key cannot be unwrapped (\(error)): the wrapped bytes were "
                    + "altered or the Keychain's wrapping key was replaced")
        }
    }

    /// Bound into every box, so a box made for another purpose with the same key is refused.
    private static let context = Data("danbao data key v1".utf8)

    /// The wrapping key from the Keychain, created and stored on first use.
    private func wrappingKey() throws -> SymmetricKey {
        if let stored = try readKey() {
            return SymmetricKey(data: stored)
        }
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        var item = baseQuery()
        item[kSecValueData as String] = bytes
        item[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        let status = SecItemAdd(item as CFDictionary, nil)
        switch status {
        case errSecSuccess:
            return key
        case errSecDuplicateItem:
            // Another call stored one first: use that one, so both agree.
            guard let stored = try readKey() else {
                throw PlatformError.Failed(reason: "the Keychain wrapping key vanished")
            }
            return SymmetricKey(data: stored)
        default:
            throw PlatformError.Failed(
                reason: "the Keychain cannot store the wrapping key (OSStatus \(status))")
        }
    }

    private func readKey() throws -> Data? {
        var query = baseQuery()
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            guard let data = item as? Data, data.count == 32 else {
                throw PlatformError.Failed(
                    reason: "the Keychain wrapping key is not 32 bytes; delete the app's "
                        + "Keychain item \(service)/\(account) only if the wallet is empty")
            }
            return data
        case errSecItemNotFound:
            return nil
        default:
            throw PlatformError.Failed(
                reason: "the Keychain cannot read the wrapping key (OSStatus \(status))")
        }
    }

    private func baseQuery() -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
        ]
    }
}

#endif
