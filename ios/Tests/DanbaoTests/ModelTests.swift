import Danbao
import DanbaoModel
import Foundation
import Observation
import XCTest

/// The app's state holder, `WalletModel`, driven as the SwiftUI views drive it, against a real
/// server: sign-up, paying a code, order buttons, the change listener, errors shown to the
/// user.
///
/// `@unchecked Sendable`: the class holds no state, and XCTest's Linux runner hands the test
/// case to the main actor that the tests run on.
@MainActor
final class ModelTests: XCTestCase, @unchecked Sendable {
    func testSignUpTakesTheModelFromSignUpToReady() async throws {
        try await withServer { server, dir in
            let model = WalletModel(platform: try TestPlatform(server: server, dir: dir))
            XCTAssertEqual(model.phase, .opening)
            await model.open()
            XCTAssertEqual(model.phase, .signUp, "a new wallet asks for sign-up")
            XCTAssertNil(model.home?.profile)

            let handle = uniqueHandle("model")
            let profile = await model.signUp(handle: handle, displayName: "Mo Model")
            XCTAssertEqual(profile?.handle, handle, model.errorMessage ?? "")
            XCTAssertEqual(model.phase, .ready)
            XCTAssertEqual(model.home?.profile?.displayName, "Mo Model")
            XCTAssertEqual(model.currency, "CNY", "the core's currency for a wallet with no balance")
            XCTAssertEqual(model.busy, 0, "no call left in flight")
            XCTAssertNil(model.errorMessage)
        }
    }

    func testPayingAMerchantCodeMovesTheMoneyOnTheServer() async throws {
        try await withServer { server, dir in
            let seller = try await server.phone(in: dir, role: "seller", displayName: "Lotus Tea House")
            let model = try await readyModel(server: server, dir: dir)
            let code = try await seller.wallet.merchantCode(amount: nil, currency: "CNY")

            let scanned = await model.scan(code.text)
            let screen = try XCTUnwrap(scanned, model.errorMessage ?? "")
            XCTAssertEqual(screen.kind, .merchantPayment)
            XCTAssertEqual(screen.payeeName, "Lotus Tea House")
            XCTAssertTrue(screen.needsAmount)

            let paid = await model.pay(screen, amount: "12.30")
            let outcome = try XCTUnwrap(paid, model.errorMessage ?? "")
            XCTAssertEqual(outcome.state, .done, "\(outcome)")
            XCTAssertEqual(model.home?.balances.first?.available.minor, startMinor - 1_230)
            // The activity row comes with the next sync of the feed.
            await model.refresh()
            let row = try XCTUnwrap(model.home?.recent.first)
            XCTAssertEqual(row.direction, .out, "\(row)")
            XCTAssertEqual(row.amount.minor, 1_230)
            try await seller.assertBalance(available: startMinor + 1_230, step: "paid by the model")
        }
    }

    func testOrderButtonsDriveTheirStepsAndAStepThatNeedsInputSaysWhich() async throws {
        try await withServer { server, dir in
            let seller = try await server.phone(in: dir, role: "seller", displayName: "Lotus Tea House")
            let model = try await readyModel(server: server, dir: dir)
            let created = try await seller.wallet.createOrder(title: "Teapot", amount: "40.00", currency: "CNY")
            let id = created.order.id

            let scanned = await model.scan(created.code.text)
            let screen = try XCTUnwrap(scanned)
            XCTAssertEqual(screen.orderId, id)
            let paid = await model.pay(screen, amount: nil)
            XCTAssertEqual(paid?.state, .done, model.errorMessage ?? "")
            XCTAssertEqual(model.home?.balances.first?.heldOut.minor, 4_000, "held, not paid")
            try await seller.wallet.orderAction(
                id: id, action: .ship(carrier: "SF Express", tracking: "SF1234567890")
            ).done("ship")

            await model.refresh()
            let order = try XCTUnwrap(model.orders.first { $0.id == id }, "\(model.orders)")
            XCTAssertEqual(order.role, .buyer)
            XCTAssertEqual(order.state, .shipped)
            XCTAssertEqual(order.buttons.map(\.action), [.confirm, .requestRefund])

            // "Ask for a refund" needs an amount: without one nothing is sent.
            let refund = try XCTUnwrap(order.buttons.first { $0.action == .requestRefund })
            XCTAssertEqual(refund.input, .refundAmount)
            let refused = await model.orderStep(id: id, step: refund.action, input: StepInput())
            XCTAssertNil(refused)
            XCTAssertEqual(model.errorMessage, "the amount to ask back is needed to ask for a refund")
            model.errorMessage = nil

            // "Confirm receipt" needs nothing: the money goes to the seller.
            let confirm = try XCTUnwrap(order.buttons.first { $0.action == .confirm })
            XCTAssertEqual(confirm.input, .nothing)
            let outcome = await model.orderStep(id: id, step: confirm.action, input: StepInput())
            XCTAssertEqual(outcome?.state, .done, model.errorMessage ?? "")
            let fetched = await model.order(id: id)
            let fresh = try XCTUnwrap(fetched)
            XCTAssertEqual(fresh.state, .completed)
            XCTAssertEqual(fresh.actions, [OrderStep]())
            XCTAssertEqual(model.home?.balances.first?.available.minor, startMinor - 4_000)
            XCTAssertEqual(model.home?.balances.first?.heldOut.minor, 0)
            try await seller.assertBalance(available: startMinor + 4_000, step: "confirmed from the model")
        }
    }

    func testTheChangeListenerRefreshesTheModelAndObserversHearIt() async throws {
        try await withServer { server, dir in
            let friend = try await server.phone(in: dir, role: "friend", displayName: "Fay Friend")
            let model = try await readyModel(server: server, dir: dir)
            let handle = try XCTUnwrap(model.home?.profile?.handle)
            let noticesBefore = model.changeNotices

            try await friend.wallet.send(
                toHandle: handle, amount: "5.00", currency: "CNY", memo: "noodles"
            ).done("friend sends")

            let heard = ObservedFlag()
            withObservationTracking {
                _ = model.home
            } onChange: {
                heard.set()
            }
            await model.refresh()
            // The notices arrive on the core's thread and hop to the main actor: wait for them.
            let deadline = Date().addingTimeInterval(10)
            while model.changeNotices == noticesBefore && Date() < deadline {
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            XCTAssertGreaterThan(model.changeNotices, noticesBefore, "the core told the model")
            XCTAssertTrue(heard.isSet, "an observer of home was told")
            XCTAssertEqual(model.home?.balances.first?.available.minor, startMinor + 500)
            let received = try XCTUnwrap(model.home?.recent.first)
            XCTAssertEqual(received.direction, .in)
            XCTAssertEqual(received.amount.minor, 500)
            XCTAssertTrue(model.contacts.contains { $0.handle == friend.handle }, "\(model.contacts)")
        }
    }

    func testFailuresReachTheUserAndMoveNothing() async throws {
        try await withServer { server, dir in
            let friend = try await server.phone(in: dir, role: "friend", displayName: "Fay Friend")
            let model = try await readyModel(server: server, dir: dir)

            let badAmount = await model.send(to: friend.handle, amount: "1.234", memo: "")
            XCTAssertNil(badAmount)
            XCTAssertEqual(model.errorMessage, "invalid amount: amount 1.234 has 3 decimals; CNY allows 2")
            model.errorMessage = nil

            let tooMuch = await model.send(to: friend.handle, amount: "1000.00", memo: "")
            XCTAssertEqual(tooMuch?.state, .failed, "\(String(describing: tooMuch))")
            XCTAssertEqual(tooMuch?.problem, "insufficient_funds")
            XCTAssertEqual(model.busy, 0)
            XCTAssertEqual(model.home?.balances.first?.available.minor, startMinor, "nothing moved")
            try await friend.assertBalance(available: startMinor, step: "refused send")
        }
    }

    func testAMoneyRequestIsAnsweredFromTheModel() async throws {
        try await withServer { server, dir in
            let friend = try await server.phone(in: dir, role: "friend", displayName: "Fay Friend")
            let model = try await readyModel(server: server, dir: dir)
            let handle = try XCTUnwrap(model.home?.profile?.handle)
            let request = try await friend.wallet.requestMoney(
                fromHandle: handle, amount: "8.00", currency: "CNY", note: "tickets")

            await model.refresh()
            let seen = try XCTUnwrap(model.requests.first { $0.id == request.id }, "\(model.requests)")
            XCTAssertEqual(seen.status, .open)
            XCTAssertTrue(seen.canAnswer)
            let outcome = await model.answerRequest(id: request.id, accept: true)
            XCTAssertEqual(outcome?.state, .done, model.errorMessage ?? "")
            XCTAssertEqual(model.requests.first { $0.id == request.id }?.status, .paid)
            XCTAssertEqual(model.home?.balances.first?.available.minor, startMinor - 800)
            try await friend.assertBalance(available: startMinor + 800, step: "request paid")
        }
    }

    /// A model signed up and topped up with `startMinor`, its cache synced.
    private func readyModel(server: TestServer, dir: URL) async throws -> WalletModel {
        let model = WalletModel(platform: try TestPlatform(server: server, dir: dir))
        await model.open()
        let handle = uniqueHandle("model")
        guard await model.signUp(handle: handle, displayName: "Mo Model") != nil else {
            throw ModelTestError.failed("sign-up: \(model.errorMessage ?? "")")
        }
        _ = try await server.topUp(handle, "100.00")
        await model.refresh()
        XCTAssertEqual(model.home?.balances.first?.available.minor, startMinor)
        return model
    }
}

enum ModelTestError: Error {
    case failed(String)
}

/// The phone a test model runs on: a fresh database, software keys, the test server.
struct TestPlatform: WalletPlatform {
    let dbPath: String
    let serverUrl: String
    let store: AesGcmKeyStore
    let key: P256Signer
    let deviceName = "Swift model test"
    let notOpenMessage = "钱包尚未打开。"

    init(server: TestServer, dir: URL) throws {
        dbPath = dir.appendingPathComponent("model-\(UUID().uuidString).db").path
        serverUrl = server.url
        store = try AesGcmKeyStore()
        key = try P256Signer()
    }

    func config() throws -> WalletConfig { WalletConfig(dbPath: dbPath, serverUrl: serverUrl) }
    func keyStore() throws -> KeyStore { store }
    func signer() throws -> Signer { key }
}

/// Set once from an observation callback (any thread), read by the test.
final class ObservedFlag: @unchecked Sendable {
    // The lock guards `value`; that is all the state.
    private let lock = NSLock()
    private var value = false

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
