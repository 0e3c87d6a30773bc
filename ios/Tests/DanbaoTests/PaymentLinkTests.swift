import Danbao
import DanbaoModel
import Foundation
import XCTest

/// A shop's payment link tapped on the phone (Universal Link or `danbao://`): `WalletModel`
/// shows the confirm screen of the order the link carries, once, and paying from it holds the
/// money in escrow on the real server.
///
/// `@unchecked Sendable`: the class holds no state, and XCTest's Linux runner hands the test
/// case to the main actor that the tests run on.
@MainActor
final class PaymentLinkTests: XCTestCase, @unchecked Sendable {
    func testATappedLinkOpensTheOrdersConfirmScreenAndPaysIntoEscrow() async throws {
        try await withServer { server, dir in
            let seller = try await server.phone(in: dir, role: "seller", displayName: "Lotus Tea House")
            let model = WalletModel(platform: try TestPlatform(server: server, dir: dir))
            await model.open()
            let handle = uniqueHandle("linked")
            _ = await model.signUp(handle: handle, displayName: "Lin Link")
            _ = try await server.topUp(handle, "100.00")
            await model.refresh()
            let created = try await seller.wallet.createOrder(title: "Tea set", amount: "40.00", currency: "CNY")

            // As a browser writes the link: the code percent-encoded, spaces as "+".
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~ ")
            let encoded = try XCTUnwrap(created.code.text.addingPercentEncoding(withAllowedCharacters: allowed))
            let link = "https://pay.danbao.app/pay?code=" + encoded.replacingOccurrences(of: " ", with: "+")
            model.openLink(link)
            XCTAssertEqual(model.openedLink, link)

            let opened = await model.confirmOpenedLink()
            let screen = try XCTUnwrap(opened, model.errorMessage ?? "")
            XCTAssertNil(model.openedLink, "the link is taken once")
            XCTAssertEqual(screen.kind, .danbaoOrder)
            XCTAssertEqual(screen.orderId, created.order.id)
            XCTAssertEqual(screen.code, created.code.text, "the screen holds the code, not the link")
            XCTAssertTrue(screen.payable)
            let again = await model.confirmOpenedLink()
            XCTAssertNil(again, "nothing is left to open")

            let paid = await model.pay(screen, amount: nil)
            XCTAssertEqual(paid?.state, .done, model.errorMessage ?? "")
            XCTAssertEqual(model.home?.balances.first?.available.minor, startMinor - 4_000)
            XCTAssertEqual(model.home?.balances.first?.heldOut.minor, 4_000)
            try await seller.assertBalance(available: startMinor, incoming: 4_000, step: "held for the seller, not yet theirs")
        }
    }

    func testABrokenLinkSaysWhyAndOffersNoPay() async throws {
        try await withServer { server, dir in
            let model = WalletModel(platform: try TestPlatform(server: server, dir: dir))
            await model.open()
            _ = await model.signUp(handle: uniqueHandle("broken"), displayName: "Bo Broken")
            model.openLink("danbao://pay?code=%zz")
            let opened = await model.confirmOpenedLink()
            let screen = try XCTUnwrap(opened, model.errorMessage ?? "")
            XCTAssertEqual(screen.kind, .invalid)
            XCTAssertFalse(screen.payable)
            XCTAssertTrue(screen.reasons.contains { $0.contains("percent-encoded") }, "\(screen.reasons)")
        }
    }
}
