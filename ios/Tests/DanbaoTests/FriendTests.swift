import Danbao
import XCTest

/// Between friends: sending by handle, money requests accepted and declined, the listener.
final class FriendTests: XCTestCase {
    func testSendByHandleBothBalancesMoveAndTheFriendsActivityShowsIt() async throws {
        try await withPeople { people in
            let (buyer, friend) = (people.buyer, people.friend)
            let sent = try await buyer.wallet.send(toHandle: friend.handle, amount: "5.00", currency: "CNY", memo: "dinner")
                .done("send")
            XCTAssertNotNil(sent.transferId, "\(sent)")
            XCTAssertEqual(sent.message, "Sent CN¥5.00 to @\(friend.handle)")
            try await buyer.assertBalance(available: startMinor - 500, step: "sent 5.00")
            try await friend.assertBalance(available: startMinor + 500, step: "got 5.00")

            let received = try XCTUnwrap(try friend.wallet.home().recent.first, "the friend's activity is empty")
            XCTAssertEqual(received.direction, Direction.in, "\(received)")
            XCTAssertEqual(received.amount.minor, 500)
            XCTAssertEqual(received.counterparty, buyer.handle)
            XCTAssertEqual(received.counterpartyName, "Bea Buyer")
            XCTAssertEqual(received.memo, "dinner")
            XCTAssertEqual(try friend.wallet.contacts(limit: 10).first?.handle, buyer.handle)
            let spent = try XCTUnwrap(try buyer.wallet.home().recent.first, "the buyer's activity is empty")
            XCTAssertEqual(spent.direction, Direction.out, "\(spent)")
            XCTAssertEqual(spent.amount.minor, 500)
            XCTAssertEqual(spent.counterparty, friend.handle)
        }
    }

    func testMoneyRequestThePayerSyncsSeesItAndAccepts() async throws {
        try await withPeople { people in
            let (buyer, friend) = (people.buyer, people.friend)
            let request = try await friend.wallet.requestMoney(
                fromHandle: buyer.handle, amount: "20.00", currency: "CNY", note: "movie tickets")
            XCTAssertEqual(request.requester, friend.handle)
            XCTAssertEqual(request.payer, buyer.handle)
            XCTAssertEqual(request.amount.minor, 2_000)
            XCTAssertEqual(request.note, "movie tickets")
            XCTAssertEqual(request.status, RequestStatus.open)
            // The status's word comes from the core's catalogue: no table in the app.
            XCTAssertEqual(request.statusLabel, "open")

            _ = try await buyer.wallet.sync()
            let seen = try XCTUnwrap(try buyer.wallet.requests().first { $0.id == request.id }, "the payer sees it")
            XCTAssertEqual(seen.status, RequestStatus.open, "\(seen)")
            XCTAssertEqual(seen.requester, friend.handle)
            XCTAssertTrue(seen.canAnswer, "the payer may answer: \(seen)")
            // The requester's own list has it after a sync (request_money does not cache it).
            _ = try await friend.wallet.sync()
            let own = try XCTUnwrap(try friend.wallet.requests().first { $0.id == request.id })
            XCTAssertFalse(own.canAnswer, "the requester may not: \(own)")

            try await buyer.wallet.answerRequest(id: request.id, accept: true).done("accept")
            try await buyer.assertBalance(available: startMinor - 2_000, step: "request paid")
            try await friend.assertBalance(available: startMinor + 2_000, step: "request paid")
            XCTAssertEqual(try friend.wallet.requests().first { $0.id == request.id }?.status, RequestStatus.paid)

            _ = try await buyer.wallet.sync()
            let answered = try XCTUnwrap(try buyer.wallet.requests().first { $0.id == request.id })
            XCTAssertFalse(answered.canAnswer, "a paid request is answered: \(answered)")
            let again = try await buyer.wallet.answerRequest(id: request.id, accept: true).refused("accept again")
            XCTAssertContains(again, "request_not_open")
            try await buyer.assertBalance(available: startMinor - 2_000, step: "a request is paid once")
            try await friend.assertBalance(available: startMinor + 2_000, step: "a request is paid once")
        }
    }

    func testMoneyRequestDeclinedNothingMoves() async throws {
        try await withPeople { people in
            let (buyer, friend) = (people.buyer, people.friend)
            let request = try await friend.wallet.requestMoney(
                fromHandle: buyer.handle, amount: "1.00", currency: "CNY", note: "gum")
            _ = try await buyer.wallet.sync()
            XCTAssertEqual(try buyer.wallet.requests().first { $0.id == request.id }?.status, RequestStatus.open)
            let declined = try await buyer.wallet.answerRequest(id: request.id, accept: false).done("decline")
            XCTAssertNil(declined.transferId, "\(declined)")
            try await buyer.assertBalance(available: startMinor, step: "declined")
            try await friend.assertBalance(available: startMinor, step: "declined")
            XCTAssertEqual(try friend.wallet.requests().first { $0.id == request.id }?.status, RequestStatus.declined)
        }
    }

    func testTheListenerHearsOfAnIncomingPaymentAtTheNextSync() async throws {
        try await withPeople { people in
            let (buyer, friend) = (people.buyer, people.friend)
            _ = try await friend.wallet.sync()
            _ = friend.listener.take()
            _ = buyer.listener.take()

            try await buyer.wallet.send(toHandle: friend.handle, amount: "7.00", currency: "CNY", memo: "").done("send")
            XCTAssertEqual(friend.listener.take(), [], "nothing is told before a sync")

            let changes = try await friend.wallet.sync()
            let told = friend.listener.take()
            XCTAssertTrue(told.contains(.balances) && told.contains(.activity), "told: \(told)")
            XCTAssertEqual(Set(changes), Set(told), "sync returns what it told")
            XCTAssertEqual(try friend.cny().available.minor, startMinor + 700)

            // The sender's own listener heard about its command and its balance.
            let senderTold = buyer.listener.take()
            XCTAssertTrue(senderTold.contains(.outbox) && senderTold.contains(.balances), "sender told: \(senderTold)")

            let nothingNew = try await friend.wallet.sync()
            XCTAssertEqual(nothingNew, [], "nothing new")
            XCTAssertEqual(friend.listener.take(), [], "nothing new is not told")

            friend.wallet.setListener(listener: nil)
            try await buyer.wallet.send(toHandle: friend.handle, amount: "1.00", currency: "CNY", memo: "").done("send")
            let unheard = try await friend.wallet.sync()
            XCTAssertFalse(unheard.isEmpty, "the sync saw the payment")
            XCTAssertEqual(friend.listener.take(), [], "a removed listener hears nothing")
            XCTAssertEqual(try friend.cny().available.minor, startMinor + 800)
        }
    }

    func testAListenerThatThrowsIsIgnoredAndTheChangeIsStored() async throws {
        try await withPeople { people in
            let (buyer, friend) = (people.buyer, people.friend)
            let throwing = ThrowingListener()
            friend.wallet.setListener(listener: throwing)
            try await buyer.wallet.send(toHandle: friend.handle, amount: "2.00", currency: "CNY", memo: "").done("send")
            let changes = try await friend.wallet.sync()
            XCTAssertTrue(changes.contains(.balances), "\(changes)")
            XCTAssertEqual(throwing.calls(), changes.count, "each change was told, each threw")
            XCTAssertEqual(try friend.cny().available.minor, startMinor + 200, "the change is stored")
        }
    }
}

/// A listener whose `onChange` always throws, counting its calls.
///
/// `@unchecked Sendable`: `count` is read and written only with `lock` held.
private final class ThrowingListener: ChangeListener, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func onChange(change: Change) throws {
        lock.lock()
        count += 1
        lock.unlock()
        throw PlatformError.Failed(reason: "the UI is gone")
    }

    func calls() -> Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
