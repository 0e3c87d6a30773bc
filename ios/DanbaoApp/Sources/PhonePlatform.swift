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
            // ... and writes dates in the device's zone: its IANA name, so that each date gets
            // the zone's offset at its own instant (daylight saving included); the offset now
            // is the fallback the core uses only without a name.
            utcOffsetMinutes: Int32(TimeZone.current.secondsFromGMT() / 60),
            timeZone: TimeZone.current.identifier)
    }

    var notOpenMessage: String { String(localized: "The wallet is not open yet.") }

    func keyStore() throws -> KeyStore { KeychainKeyStore() }

    func signer() throws -> Signer { try SecureEnclaveSigner() }
}
