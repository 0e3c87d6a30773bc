import Danbao
import XCTest

/// `scan(text:)` through the generated Swift and the real libdanbao_ffi, without a server.
final class ScanTests: XCTestCase {
    /// An unsigned static code, as danbao_domain::qr::danbao::encode_unsigned writes it.
    static let merchant =
        "00020101021126240010app.danbao0106m-10015204581253031565802CN"
        + "5915Lotus Tea House6008Hangzhou6304D780"

    /// An unsigned friend receive code.
    static let receive =
        "00020101021126250010app.danbao0207alice.w5204000053031565802CN"
        + "5910Alice Wang6008Shanghai63042106"

    /// PromptPay with amount 4.22, from github.com/dtinth/promptpay-qr's tests.
    static let promptPay =
        "00020101021229370016A000000677010111011300660000000005802TH530376454044.226304E469"

    /// A payment code from the core's generator (fixed secret, account 4242).
    static let paymentCode = "293570050498532396"

    /// docs/qr-danbao.md's worked example: a signed per-order code (128.50 CNY), read from
    /// the core's sources (this file is ios/Tests/DanbaoTests/ScanTests.swift).
    static func order() throws -> String {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let file = root.appendingPathComponent("core/domain/src/qr/danbao/worked_example.txt")
        return try String(contentsOf: file, encoding: .utf8)
    }

    func testAnOrderCodeIsADanbaoOrderWithEveryField() throws {
        let expected = ScanOutcome.danbaoOrder(
            code: OrderCode(
                merchantId: "m-1001", orderId: "ord-20250101-0042", merchantName: "Lotus Tea House",
                merchantCity: "Hangzhou", country: "CN", mcc: "5812", currency: "CNY", amountMinor: 12850),
            displayAmount: "128.50 CNY",
            seal: Seal(keyId: "srv1", nonce: "fFLssg=mfIi5$zRv}od.", issuedAt: 1_735_689_600, expiresAt: 1_735_690_500))
        XCTAssertEqual(scan(text: try Self.order()), expected)
    }

    func testAReceiveCodeIsAFriendReceive() {
        guard case .friendReceive(let code, _, _) = scan(text: Self.receive) else {
            return XCTFail("not a friend receive code: \(scan(text: Self.receive))")
        }
        XCTAssertEqual(code.handle, "alice.w")
        XCTAssertEqual(code.name, "Alice Wang")
        XCTAssertNil(code.amountMinor)
    }

    func testAPaymentCode() {
        XCTAssertEqual(scan(text: Self.paymentCode), .paymentCode(code: Self.paymentCode))
    }

    func testPromptPayIsAForeignSchemeNamedWithItsCountry() {
        guard case .foreignScheme(let schemes, let description, _, let country) = scan(text: Self.promptPay) else {
            return XCTFail("not a foreign scheme: \(scan(text: Self.promptPay))")
        }
        XCTAssertEqual(schemes, [ForeignNetwork(id: "promptpay", name: "PromptPay", country: "TH")])
        XCTAssertEqual(description, "PromptPay (TH): not payable with Danbao")
        XCTAssertEqual(country, "TH")
    }

    func testAnEditedCrcIsInvalidWithReasons() {
        let edited = String(Self.promptPay.dropLast(4)) + "0000"
        guard case .invalid(let reasons) = scan(text: edited) else {
            return XCTFail("not invalid: \(scan(text: edited))")
        }
        XCTAssertTrue(reasons.contains { $0.contains("CRC") }, "\(reasons)")
    }

    func testAWebAddressIsInvalidAndAPaymentLinkWithoutACodeSaysSo() {
        guard case .invalid(let reasons) = scan(text: "https://example.com/about") else {
            return XCTFail("not invalid: \(scan(text: "https://example.com/about"))")
        }
        XCTAssertTrue(reasons.first?.hasPrefix("a web address, not a payment code") == true, "\(reasons)")
        guard case .invalid(let empty) = scan(text: "https://example.com/pay") else {
            return XCTFail("not invalid: \(scan(text: "https://example.com/pay"))")
        }
        XCTAssertTrue(empty.first?.hasPrefix("the payment link carries no code") == true, "\(empty)")
    }

    func testAStaticMerchantCodeIsAMerchantPaymentWithoutAmount() {
        guard case .merchantPayment(let code, let displayAmount, let seal) = scan(text: "  \(Self.merchant)\n")
        else {
            return XCTFail("not a merchant payment: \(scan(text: Self.merchant))")
        }
        XCTAssertEqual(code.merchantId, "m-1001")
        XCTAssertEqual(code.merchantName, "Lotus Tea House")
        XCTAssertEqual(code.currency, "CNY")
        XCTAssertNil(code.amountMinor)
        XCTAssertNil(displayAmount)
        XCTAssertNil(seal)
    }
}
