import Danbao
import DanbaoModel
import Foundation
import UIKit

/// The iPhone's side of the wallet model: the database in Application Support, the device key
/// in the Secure Enclave, the data key wrapped by the Keychain, the device's name.
struct PhonePlatform: WalletPlatform {
    let deviceName: String

    @MainActor
    init() {
        deviceName = UIDevice.current.name
    }

    /// The wallet's files and server. The URL is the Info.plist's `DanbaoServerURL`, set
    /// from the `DANBAO_SERVER_URL` build setting in project.yml.
    func config() throws -> WalletConfig {
        let support = try FileManager.default.url(
            for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil,
            create: true)
        let server = Bundle.main.object(forInfoDictionaryKey: "DanbaoServerURL") as? String
        return WalletConfig(
            dbPath: support.appendingPathComponent("wallet.db").path,
            serverUrl: server ?? "http://127.0.0.1:8080",
            // The core writes its records' words and amounts in the device's language.
            locale: Locale.current.identifier(.bcp47),
            // ... and writes dates in the device's zone (its offset now, daylight saving included).
            utcOffsetMinutes: Int32(TimeZone.current.secondsFromGMT() / 60))
    }

    func keyStore() throws -> KeyStore { KeychainKeyStore() }

    func signer() throws -> Signer { try SecureEnclaveSigner() }
}
