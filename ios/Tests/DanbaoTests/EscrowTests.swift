import Danbao
import Foundation
import XCTest

/// Escrow purchases by order code: paid, shipped, confirmed; and a partial refund.
final class EscrowTests: XCTestCase {
    func testPurchasePayIntoEscrowShipConfirmReleasesToTheSeller() async throws {
        try await withPeople { people in
            let (buyer, seller) = (people.buyer, people.seller)
            let created = try await seller.wallet.createOrder(title: "Tea set", amount: "88.00", currency: "CNY")
            let id = created.order.id
            XCTAssertEqual(created.order.role, .seller)
            XCTAssertEqual(created.order.roleLabel, "seller")
            XCTAssertEqual(created.order.state, .awaitingPayment)
            XCTAssertEqual(created.order.amount.minor, 8_800)
            XCTAssertEqual(created.order.amount.display, "CN¥88.00")
            XCTAssertEqual(created.order.actions, [.cancel], "seller, unpaid: \(created.order)")
            XCTAssertEqual(created.code.amount?.minor, 8_800)

            let screen = try await buyer.wallet.scan(text: created.code.text)
            XCTAssertEqual(screen.kind, .danbaoOrder, "\(screen)")
            XCTAssertTrue(screen.payable, "\(screen)")
            XCTAssertFalse(screen.needsAmount, "\(screen)")
            XCTAssertEqual(screen.orderId, id)
            XCTAssertEqual(screen.amount?.minor, 8_800)
            XCTAssertEqual(screen.payeeName, "Lotus Tea House")

            try await buyer.wallet.pay(code: created.code.text, amount: nil).done("pay the order")
            try await buyer.assertBalance(available: startMinor - 8_800, heldOut: 8_800, step: "paid into escrow")
            try await seller.assertBalance(available: startMinor, incoming: 8_800, step: "paid into escrow")

            let toShip = try await seller.wallet.order(id: id)
            XCTAssertEqual(toShip.state, .paid)
            XCTAssertEqual(toShip.counterparty, buyer.handle)
            XCTAssertEqual(toShip.actions, [.ship, .cancel], "seller, paid: \(toShip)")
            XCTAssertEqual(toShip.buttons.map(\.action), toShip.actions, "one button per action: \(toShip)")
            XCTAssertEqual(toShip.buttons.first?.input, .shipment, "ship asks for the shipment")
            XCTAssertFalse(toShip.stateLabel.isEmpty, "\(toShip)")
            XCTAssertTrue(
                try seller.wallet.home().ordersNeedingAction.contains { $0.id == id }, "the seller must ship")
            let waiting = try await buyer.wallet.order(id: id)
            XCTAssertEqual(waiting.role, .buyer)
            XCTAssertEqual(waiting.actions, [.cancel, .requestRefund], "buyer, paid: \(waiting)")
            XCTAssertFalse(
                try buyer.wallet.home().ordersNeedingAction.contains { $0.id == id },
                "a paid order waits for the seller")

            try await seller.wallet.orderAction(id: id, action: .ship(carrier: "SF Express", tracking: "SF1234567890"))
                .done("ship")
            try await buyer.assertBalance(
                available: startMinor - 8_800, heldOut: 8_800, step: "shipped: nothing moves")
            let needing = try buyer.wallet.home().ordersNeedingAction.filter { $0.id == id }
            XCTAssertEqual(needing.count, 1, "the buyer must confirm: \(needing)")
            let toConfirm = try XCTUnwrap(needing.first)
            XCTAssertEqual(toConfirm.state, .shipped)
            XCTAssertEqual(toConfirm.actions, [.confirm, .requestRefund], "buyer, shipped: \(toConfirm)")
            XCTAssertEqual(toConfirm.buttons.map(\.input), [.nothing, .refundAmount], "buyer, shipped: \(toConfirm)")
            XCTAssertNotNil(toConfirm.deadline, "auto-confirm deadline: \(toConfirm)")
            XCTAssertEqual(
                toConfirm.shipment, Shipment(carrier: "SF Express", tracking: "SF1234567890"),
                "the buyer sees the tracking")
            XCTAssertNil(waiting.shipment, "not shipped yet: \(waiting)")
            XCTAssertEqual(toConfirm.counterparty, seller.handle)
            let shippedForSeller = try await seller.wallet.order(id: id)
            XCTAssertEqual(shippedForSeller.actions, [OrderStep](), "seller, shipped: \(shippedForSeller)")

            try await buyer.wallet.orderAction(id: id, action: .confirm).done("confirm receipt")
            try await seller.assertBalance(available: startMinor + 8_800, step: "released to the seller")
            try await buyer.assertBalance(available: startMinor - 8_800, heldOut: 0, step: "released to the seller")
            let finished = try await seller.wallet.order(id: id)
            XCTAssertEqual(finished.state, .completed)
            XCTAssertEqual(finished.actions, [OrderStep]())
            XCTAssertEqual(finished.buttons, [])
            XCTAssertEqual(finished.released?.minor, 8_800, "released in full: \(finished)")
            XCTAssertNil(finished.refunded, "\(finished)")
            XCTAssertEqual(try buyer.wallet.orders().filter { $0.id == id }.map(\.state), [OrderState.completed])
        }
    }

    func testRefundTheBuyerAsks15Of40BackTheSellerAccepts() async throws {
        try await withPeople { people in
            let (buyer, seller) = (people.buyer, people.seller)
            let teapot = try await seller.wallet.createOrder(title: "Teapot", amount: "40.00", currency: "CNY")
            let id = teapot.order.id
            try await buyer.wallet.pay(code: teapot.code.text, amount: nil).done("pay the teapot")
            try await buyer.assertBalance(available: startMinor - 4_000, heldOut: 4_000, step: "teapot paid")

            try await buyer.wallet.orderAction(id: id, action: .requestRefund(amount: "15.00")).done("refund request")
            _ = try await seller.wallet.sync()
            let needing = try seller.wallet.home().ordersNeedingAction.filter { $0.id == id }
            XCTAssertEqual(needing.count, 1, "the seller must answer: \(needing)")
            let toAnswer = try XCTUnwrap(needing.first)
            XCTAssertEqual(toAnswer.state, .refundRequested)
            XCTAssertEqual(toAnswer.actions, [.acceptRefund, .rejectRefund], "seller: \(toAnswer)")
            XCTAssertEqual(toAnswer.buttons.map(\.input), [.nothing, .nothing], "seller: \(toAnswer)")
            XCTAssertEqual(toAnswer.refundAsked?.display, "CN¥15.00", "the seller sees what is asked: \(toAnswer)")

            try await seller.wallet.orderAction(id: id, action: .acceptRefund).done("refund accept")
            try await buyer.assertBalance(available: startMinor - 4_000 + 1_500, step: "15.00 back, the rest released")
            try await seller.assertBalance(available: startMinor + 2_500, step: "15.00 back, the rest released")
            let refunded = try await buyer.wallet.order(id: id)
            XCTAssertEqual(refunded.state, .refunded, "\(refunded)")
            XCTAssertEqual(refunded.actions, [OrderStep]())
            XCTAssertEqual(refunded.released?.minor, 2_500, "\(refunded)")
            XCTAssertEqual(refunded.refunded?.minor, 1_500, "\(refunded)")
            XCTAssertNil(refunded.refundAsked, "the request is answered: \(refunded)")
        }
    }
    func testTheServersTimerConfirmsAShippedOrderAfterItsDeadline() async throws {
        try await withPeople(settings: ["DANBAO_AUTO_CONFIRM_SECS": "1"]) { people in
            let (buyer, seller) = (people.buyer, people.seller)
            let created = try await seller.wallet.createOrder(title: "Tea cups", amount: "30.00", currency: "CNY")
            let id = created.order.id
            try await buyer.wallet.pay(code: created.code.text, amount: nil).done("pay the cups")
            try await seller.wallet.orderAction(id: id, action: .ship(carrier: "SF Express", tracking: "SF42"))
                .done("ship")
            let shipped = try await buyer.wallet.order(id: id)
            XCTAssertEqual(shipped.state, .shipped, "\(shipped)")
            XCTAssertNotNil(shipped.deadline, "\(shipped)")

            // The buyer does nothing; the server's timer (every 100 ms) confirms after 1 s.
            let deadline = Date().addingTimeInterval(15)
            var latest = shipped
            while latest.state == .shipped && Date() < deadline {
                try await Task.sleep(nanoseconds: 100_000_000)
                latest = try await seller.wallet.order(id: id)
            }
            XCTAssertEqual(latest.state, .completed, "auto-confirmed within 15 s: \(latest)")
            XCTAssertEqual(latest.released?.minor, 3_000, "\(latest)")
            XCTAssertEqual(latest.actions, [OrderStep]())
            try await seller.assertBalance(available: startMinor + 3_000, step: "released by the timer")
            try await buyer.assertBalance(available: startMinor - 3_000, step: "released by the timer")
            XCTAssertEqual(try buyer.wallet.orders().first { $0.id == id }?.state, .completed)
        }
    }

    func testAnUnpaidOrderCancelledByTheSellerCannotBePaid() async throws {
        try await withPeople { people in
            let (buyer, seller) = (people.buyer, people.seller)
            let created = try await seller.wallet.createOrder(title: "Tea tin", amount: "9.00", currency: "CNY")
            let id = created.order.id
            try await seller.wallet.orderAction(id: id, action: .cancel).done("cancel")
            let cancelled = try await seller.wallet.order(id: id)
            XCTAssertEqual(cancelled.state, .cancelled, "\(cancelled)")
            XCTAssertEqual(cancelled.actions, [OrderStep](), "\(cancelled)")

            // The confirm screen shows the cancelled order's code as not payable, with the reason,
            // and paying it is refused before anything is queued.
            let screen = try await buyer.wallet.scan(text: created.code.text)
            XCTAssertEqual(screen.kind, .invalid, "\(screen)")
            XCTAssertFalse(screen.payable, "\(screen)")
            XCTAssertContains(screen.reasons.joined(separator: " "), "order \(id) was cancelled; its code can no longer be paid")
            let refused = try await danbaoError("pay a cancelled order") {
                try await buyer.wallet.pay(code: created.code.text, amount: nil)
            }
            guard case .CodeRefused(let message) = refused else { return XCTFail("\(refused)") }
            XCTAssertContains(message, "order_not_payable")
            XCTAssertEqual(try buyer.wallet.outbox().count, 0, "nothing queued")
            try await buyer.assertBalance(available: startMinor, step: "a cancelled order takes nothing")
            try await seller.assertBalance(available: startMinor, step: "a cancelled order takes nothing")
        }
    }
}
