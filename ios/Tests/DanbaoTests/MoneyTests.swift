import Danbao
import XCTest

/// Money and library facts through the generated Swift and the real libdanbao_ffi.
final class MoneyTests: XCTestCase {
    func testVersionIsTheCratesSemanticVersion() {
        let parts = version().split(separator: ".", omittingEmptySubsequences: false)
        XCTAssertEqual(parts.count, 3, version())
        XCTAssertTrue(parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }, version())
    }

    func testCurrencyLookupByAlphaAndNumericCode() throws {
        XCTAssertEqual(
            try currencyFromCode(code: "cny"),
            Currency(code: "CNY", numeric: 156, exponent: 2, name: "Renminbi (Chinese) yuan"))
        XCTAssertEqual(try currencyFromCode(code: "414").code, "KWD")
        XCTAssertEqual(try currencyFromCode(code: "JPY").exponent, 0)
    }

    func testParseIsExactInMinorUnits() throws {
        XCTAssertEqual(try parseMoney(text: "12.50", currency: "CNY"), Money(minor: 1250, currency: "CNY"))
        XCTAssertEqual(try parseMoney(text: "1250", currency: "JPY"), Money(minor: 1250, currency: "JPY"))
        XCTAssertEqual(try parseMoney(text: "0.001", currency: "KWD"), Money(minor: 1, currency: "KWD"))
        XCTAssertEqual(
            try parseMoney(text: "92233720368547758.07", currency: "CNY"), Money(minor: Int64.max, currency: "CNY"))
    }

    func testFormatWritesTheCurrencysDecimals() throws {
        XCTAssertEqual(try formatMoney(money: Money(minor: 1250, currency: "CNY")), "12.50")
        XCTAssertEqual(try formatMoney(money: Money(minor: -5, currency: "KWD")), "-0.005")
        XCTAssertEqual(try formatMoneyWithCode(money: Money(minor: 1250, currency: "JPY")), "1250 JPY")
    }

    func testTooManyDecimalsIsAnInvalidAmountWithAReadableMessage() async throws {
        let error = try await danbaoError("parse 12.345") { try parseMoney(text: "12.345", currency: "CNY") }
        XCTAssertEqual(error, .InvalidAmount(message: "amount 12.345 has 3 decimals; CNY allows 2"))
        XCTAssertEqual(error.reason, "amount 12.345 has 3 decimals; CNY allows 2")
    }

    func testASignIsRefusedForPaymentAmounts() async throws {
        let error = try await danbaoError("parse -1.00") { try parseMoney(text: "-1.00", currency: "CNY") }
        guard case .InvalidAmount(let message) = error else { return XCTFail("\(error)") }
        XCTAssertContains(message, "has a sign")
    }

    func testAnUnknownCurrencyIsAnUnknownCurrencyNamingTheCode() async throws {
        let error = try await danbaoError("format ZZZ") { try formatMoney(money: Money(minor: 1, currency: "ZZZ")) }
        XCTAssertEqual(
            error,
            .UnknownCurrency(message: "unknown currency \"ZZZ\": expected an ISO 4217 code such as \"CNY\" or \"156\""))
        // Every kind is a DanbaoError, so a shell can catch them all in one place.
        let gold = try await danbaoError("currency XAU") { try currencyFromCode(code: "XAU") }
        XCTAssertFalse(gold.reason.isEmpty, "\(gold)")
    }
}
