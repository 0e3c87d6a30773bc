import Danbao
import XCTest

/// Paying a merchant: its QR code (with and without an amount, with a forged name) and its
/// till charging a payment code.
final class MerchantPaymentTests: XCTestCase {
    func testStaticMerchantCodeTheBuyerSeesTheServersPayeeNameEntersTheAmountPays() async throws {
        try await withPeople { people in
            let (buyer, seller) = (people.buyer, people.seller)
            let code = try await seller.wallet.merchantCode(amount: nil, currency: "CNY")
            XCTAssertNil(code.amount, "a static code has no amount: \(code)")
            XCTAssertNil(code.expiresAt, "a static code does not expire: \(code)")
            XCTAssertContains(code.svg, "<svg")

            let screen = try await buyer.wallet.scan(text: code.text)
            XCTAssertEqual(screen.kind, .merchantPayment, "\(screen)")
            XCTAssertTrue(screen.payable && screen.needsAmount, "\(screen)")
            XCTAssertEqual(screen.payeeHandle, seller.handle)
            XCTAssertEqual(screen.payeeName, "Lotus Tea House")
            XCTAssertNil(screen.nameWarning, "\(screen)")
            XCTAssertNil(screen.amount)
            XCTAssertEqual(screen.currency, "CNY")
            XCTAssertEqual(screen.code, code.text)

            let noAmount = try await danbaoError("pay a static code without an amount") {
                try await buyer.wallet.pay(code: code.text, amount: nil)
            }
            guard case .InvalidInput = noAmount else { return XCTFail("\(noAmount)") }
            XCTAssertContains(noAmount.reason, "amount")
            let decimals = try await danbaoError("pay 12.345") {
                try await buyer.wallet.pay(code: code.text, amount: "12.345")
            }
            guard case .InvalidInput = decimals else { return XCTFail("\(decimals)") }
            XCTAssertContains(decimals.reason, "12.345")
            try await buyer.assertBalance(available: startMinor, step: "refused amounts moved nothing")

            let paid = try await buyer.wallet.pay(code: code.text, amount: "25.00").done("pay the static code")
            XCTAssertNotNil(paid.transferId, "\(paid)")
            XCTAssertContains(paid.message, "25.00")
            try await buyer.assertBalance(available: startMinor - 2_500, step: "buyer paid 25.00")
            try await seller.assertBalance(available: startMinor + 2_500, step: "merchant got 25.00")
        }
    }

    func testAForgedNameIsShownWithTheServersNameAndAWarning() async throws {
        try await withPeople { people in
            let (buyer, seller) = (people.buyer, people.seller)
            let code = try await seller.wallet.merchantCode(amount: nil, currency: "CNY")
            XCTAssertEqual(Emv.field(code.text, "59"), "Lotus Tea House")
            // Reprinted with another shop's name and a correct CRC: only the server can tell.
            let forged = try Emv.withField(code.text, "59", "Bamboo Grove")
            guard case .merchantPayment(let printed, _, _) = scan(text: forged) else {
                return XCTFail("the forgery is well-formed: \(scan(text: forged))")
            }
            XCTAssertEqual(printed.merchantName, "Bamboo Grove")

            let screen = try await buyer.wallet.scan(text: forged)
            XCTAssertEqual(screen.kind, .merchantPayment, "\(screen)")
            XCTAssertEqual(screen.printedName, "Bamboo Grove")
            XCTAssertEqual(screen.payeeHandle, seller.handle)
            XCTAssertEqual(screen.payeeName, "Lotus Tea House")
            let warning = try XCTUnwrap(screen.nameWarning, "a mismatched name warns: \(screen)")
            XCTAssertContains(warning, "“Bamboo Grove”")
            XCTAssertContains(warning, "Lotus Tea House (@\(seller.handle))")

            // The honest code warns of nothing; paying the forged one pays the real payee.
            let honest = try await buyer.wallet.scan(text: code.text)
            XCTAssertNil(honest.nameWarning, "\(honest)")
            try await buyer.wallet.pay(code: forged, amount: "3.00").done("pay the reprinted code")
            try await buyer.assertBalance(available: startMinor - 300, step: "paid the reprinted code")
            try await seller.assertBalance(available: startMinor + 300, step: "the real payee got it")
        }
    }

    func testMerchantCodeWithAnAmountShownAndPaidAsSignedOnce() async throws {
        try await withPeople { people in
            let (buyer, seller) = (people.buyer, people.seller)
            let code = try await seller.wallet.merchantCode(amount: "12.34", currency: "CNY")
            XCTAssertEqual(code.amount?.minor, 1_234, "\(code)")
            XCTAssertNotNil(code.expiresAt, "a code with an amount expires: \(code)")
            XCTAssertEqual(Emv.field(code.text, "54"), "12.34")

            let screen = try await buyer.wallet.scan(text: code.text)
            XCTAssertEqual(screen.kind, .merchantPayment, "\(screen)")
            XCTAssertTrue(screen.payable, "\(screen)")
            XCTAssertFalse(screen.needsAmount, "\(screen)")
            XCTAssertEqual(screen.payeeName, "Lotus Tea House")
            XCTAssertEqual(screen.payeeHandle, seller.handle)
            XCTAssertEqual(screen.amount?.minor, 1_234)
            XCTAssertEqual(screen.amount?.display, "CN¥12.34")

            let other = try await danbaoError("pay another amount") {
                try await buyer.wallet.pay(code: code.text, amount: "1.00")
            }
            guard case .InvalidInput = other else { return XCTFail("\(other)") }
            XCTAssertContains(other.reason, "12.34")

            try await buyer.wallet.pay(code: code.text, amount: nil).done("pay the signed code")
            try await buyer.assertBalance(available: startMinor - 1_234, step: "buyer paid 12.34")
            try await seller.assertBalance(available: startMinor + 1_234, step: "merchant got 12.34")

            // A signed code is single use: the second payment is refused and moves nothing.
            let again: String
            do {
                again = try await buyer.wallet.pay(code: code.text, amount: nil).refused("pay the same code again")
            } catch DanbaoError.CodeRefused(let message) {
                again = message
            }
            XCTAssertContains(again, "code_used")
            let used = try await buyer.wallet.scan(text: code.text)
            XCTAssertEqual(used.kind, .invalid, "\(used)")
            XCTAssertFalse(used.payable, "\(used)")
            try await buyer.assertBalance(available: startMinor - 1_234, step: "after the refused second payment")
            try await seller.assertBalance(available: startMinor + 1_234, step: "after the refused second payment")
        }
    }

    func testPaymentCodeChargedByTheMerchantOnce() async throws {
        try await withPeople { people in
            let (buyer, seller) = (people.buyer, people.seller)
            let notYet = try await danbaoError("a payment code before enabling") { try buyer.wallet.paymentCode() }
            guard case .NotReady = notYet else { return XCTFail("\(notYet)") }
            XCTAssertContains(notYet.reason, "enable_payment_code")
            XCTAssertFalse(try buyer.wallet.home().paymentCodeEnabled, "not enabled yet")

            try await buyer.wallet.enablePaymentCode()
            XCTAssertTrue(try buyer.wallet.home().paymentCodeEnabled, "enabled")
            let code = try buyer.wallet.paymentCode()
            XCTAssertEqual(code.digits.count, 18, code.digits)
            XCTAssertTrue(code.digits.allSatisfy(\.isASCII) && code.digits.allSatisfy(\.isNumber), code.digits)
            XCTAssertTrue((1...60).contains(code.secondsRemaining), "\(code.secondsRemaining)")
            XCTAssertContains(code.svg, "<svg")
            XCTAssertEqual(scan(text: code.digits), .paymentCode(code: code.digits))

            // Not enrolled yet: the till is refused, learning nothing about the customer.
            let notEnrolled = try await seller.wallet.chargePaymentCode(
                paymentCode: code.digits, amount: "3.00", currency: "CNY"
            ).refused("charge unenrolled")
            XCTAssertContains(notEnrolled, "merchant_not_enrolled")
            XCTAssertFalse(notEnrolled.contains(buyer.handle), notEnrolled)
            try await people.server.enrol(seller.handle)

            let charged = try await seller.wallet.chargePaymentCode(paymentCode: code.digits, amount: "3.00", currency: "CNY")
                .done("charge")
            XCTAssertNotNil(charged.transferId, "\(charged)")
            XCTAssertContains(charged.message, "3.00")
            try await buyer.assertBalance(available: startMinor - 300, step: "customer charged 3.00")
            try await seller.assertBalance(available: startMinor + 300, step: "merchant charged 3.00")

            let again = try await seller.wallet.chargePaymentCode(paymentCode: code.digits, amount: "3.00", currency: "CNY")
                .refused("charge again")
            XCTAssertContains(again, "payment_code_used")
            try await buyer.assertBalance(available: startMinor - 300, step: "after the refused second charge")
            try await seller.assertBalance(available: startMinor + 300, step: "after the refused second charge")
        }
    }

    func testTheConfirmScreenBadgesAVerifiedMerchantAndWarnsOfLookAlikesAndFirstPayments() async throws {
        try await withPeople { people in
            let (buyer, server) = (people.buyer, people.server)
            let dir = URL(fileURLWithPath: buyer.dbPath).deletingLastPathComponent()
            let name = "Jade Pavilion " + String(buyer.handle.suffix(6))
            // The impostor took a look-alike name (Cyrillic а) before the shop was verified.
            let impostor = try await server.phone(
                in: dir, role: "fake", displayName: name.replacingOccurrences(of: "a", with: "\u{430}"),
                topUp: false)
            let shop = try await server.phone(in: dir, role: "jade", displayName: name, topUp: false)
            try await server.enrol(shop.handle)
            try await server.verify(shop.handle, name)

            let sticker = try await impostor.wallet.merchantCode(amount: nil, currency: "CNY")
            let fake = try await buyer.wallet.scan(text: sticker.text)
            XCTAssertFalse(fake.payeeVerified, "\(fake)")
            XCTAssertNil(fake.verifiedLabel, "\(fake)")
            XCTAssertTrue(fake.lookAlikeWarning?.hasPrefix("Not a verified merchant") ?? false, "\(fake)")
            XCTAssertNotNil(fake.firstPaymentWarning, "\(fake)")

            let code = try await shop.wallet.merchantCode(amount: "2.00", currency: "CNY")
            let real = try await buyer.wallet.scan(text: code.text)
            XCTAssertTrue(real.payeeVerified, "\(real)")
            XCTAssertEqual(real.verifiedLabel, "Verified merchant: \(name)")
            XCTAssertNil(real.lookAlikeWarning, "\(real)")
            XCTAssertEqual(
                real.firstPaymentWarning,
                "You have never paid @\(shop.handle) before. Check the name and handle before you pay.")
            try await buyer.wallet.pay(code: code.text, amount: nil).done("pay the verified shop")
            let next = try await shop.wallet.merchantCode(amount: "3.00", currency: "CNY")
            let again = try await buyer.wallet.scan(text: next.text)
            XCTAssertNil(again.firstPaymentWarning, "paid once: \(again)")

            let friend = try await buyer.wallet.checkPayee(toHandle: people.friend.handle)
            XCTAssertEqual(friend.name, "Fay Friend")
            XCTAssertFalse(friend.verified)
            XCTAssertNotNil(friend.firstPaymentWarning, "\(friend)")
        }
    }
}
