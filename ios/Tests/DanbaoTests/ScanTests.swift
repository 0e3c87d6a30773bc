import Danbao
import XCTest

/// `scan(text:)` through the generated Swift and the real libdanbao_ffi, without a server.
final class ScanTests: XCTestCase {
    /// An unsigned static code, as danbao_core::qr::danbao::encode_unsigned writes it.
    static let merchant =
        "00020101021126240010app.danbao0106m-10015204581253031565802CN"
        + "5915Lotus Tea House6008Hangzhou6304D780"

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
