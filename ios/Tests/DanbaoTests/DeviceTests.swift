import Danbao
import Foundation
import XCTest

/// Devices: a second device added with a one-time approval code, the list, and a lost device
/// revoked from the other one — its next request and its payment code refused.
final class DeviceTests: XCTestCase {
    private func newWallet(_ server: TestServer, in dir: URL, _ name: String) async throws -> Wallet {
        try await Wallet.open(
            config: WalletConfig(dbPath: dir.appendingPathComponent("\(name).db").path, serverUrl: server.url),
            keyStore: try AesGcmKeyStore(), signer: try P256Signer())
    }

    func testASecondDeviceJoinsIsListedAndOnceRevokedIsRefusedWithItsPaymentCodes() async throws {
        try await withServer { server, dir in
            let people = try await server.people(in: dir)
            let (owner, merchant) = (people.buyer, people.seller)
            let approval = try await owner.wallet.deviceApprovalCode()
            XCTAssertEqual(approval.code.count, 19, approval.code)
            XCTAssertEqual(approval.qrPayload, "DANBAO-JOIN:\(approval.code)")
            XCTAssertContains(approval.svg, "<svg")
            XCTAssertContains(approval.expiresLabel, "Valid until ")

            let tablet = try await newWallet(server, in: dir, "tablet")
            let profile = try await tablet.joinWithApproval(code: approval.qrPayload, deviceName: "Tablet")
            XCTAssertEqual(profile.handle, owner.handle)
            XCTAssertEqual(profile.displayName, "Bea Buyer")
            let ownerDevice = try owner.wallet.profile()?.deviceId
            XCTAssertNotEqual(profile.deviceId, ownerDevice)

            // Used once: another new device is refused.
            let other = try await newWallet(server, in: dir, "other")
            let used = try await danbaoError("join with a used code") {
                try await other.joinWithApproval(code: approval.code, deviceName: "Other")
            }
            guard case .Refused = used else { return XCTFail("\(used)") }
            XCTAssertContains(used.reason, "(409 approval_code_used)")
            let otherProfile = try other.profile()
            XCTAssertNil(otherProfile)

            let devices = try await tablet.devices()
            XCTAssertEqual(devices.map(\.name), ["Swift test", "Tablet"])
            XCTAssertEqual(devices.map(\.thisDevice), [false, true])
            XCTAssertEqual(devices[1].title, "Tablet (this device)")

            try await tablet.enablePaymentCode()
            let shown = try tablet.paymentCode()
            let revoked = try await owner.wallet.revokeDevice(id: profile.deviceId)
            XCTAssertFalse(revoked.active)
            XCTAssertNotNil(revoked.revokedAt)
            XCTAssertContains(revoked.detail, " · revoked ")

            let refused = try await danbaoError("the revoked device lists devices") {
                try await tablet.devices()
            }
            guard case .Refused = refused else { return XCTFail("\(refused)") }
            XCTAssertContains(refused.reason, "(401 device_revoked)")
            try await server.enrol(merchant.handle)
            let charge = try await merchant.wallet.chargePaymentCode(
                paymentCode: shown.digits, amount: "3.00", currency: "CNY"
            ).refused("the lost device's payment code")
            XCTAssertContains(charge, "payment_code_rejected")
            try await owner.assertBalance(available: startMinor, step: "after the lost device's code was refused")

            let last = try await danbaoError("revoke the only active device") {
                try await owner.wallet.revokeDevice(id: ownerDevice ?? 0)
            }
            XCTAssertContains(last.reason, "(409 last_device)")
            let listed = try await owner.wallet.devices()
            XCTAssertEqual(listed.map(\.active), [true, false])
        }
    }
}
