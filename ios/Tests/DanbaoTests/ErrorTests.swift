import Danbao
import XCTest

/// Failures reach Swift as thrown `DanbaoError`s with readable messages, and move no money.
final class ErrorTests: XCTestCase {
    func testBadAmountsAreRefusedWithAMessageNamingThem() async throws {
        try await withPeople { people in
            let (buyer, friend) = (people.buyer, people.friend)
            let decimals = try await danbaoError("send 12.345") {
                try await buyer.wallet.send(toHandle: friend.handle, amount: "12.345", currency: "CNY", memo: "")
            }
            switch decimals {
            case .InvalidInput, .InvalidAmount: break
            default: XCTFail("not an amount error: \(decimals)")
            }
            XCTAssertContains(decimals.reason, "12.345")
            XCTAssertContains(decimals.reason, "decimals")

            let words = try await danbaoError("an order for ten") {
                try await buyer.wallet.createOrder(title: "Tea", amount: "ten", currency: "CNY")
            }
            guard case .InvalidInput = words else { return XCTFail("\(words)") }
            XCTAssertContains(words.reason, "ten")
            let zero = try await danbaoError("send 0.00") {
                try await buyer.wallet.send(toHandle: friend.handle, amount: "0.00", currency: "CNY", memo: "")
            }
            guard case .InvalidInput = zero else { return XCTFail("\(zero)") }
            XCTAssertFalse(zero.reason.isEmpty)

            try await buyer.assertBalance(available: startMinor, step: "refused amounts moved nothing")
            try await friend.assertBalance(available: startMinor, step: "refused amounts moved nothing")
            XCTAssertEqual(try buyer.wallet.outbox(), [], "nothing was queued")
        }
    }

    func testATamperedCodeIsRefusedAtScanAndAtPayAndNoMoneyMoves() async throws {
        try await withPeople { people in
            let (buyer, seller) = (people.buyer, people.seller)
            let genuine = try await seller.wallet.merchantCode(amount: "50.00", currency: "CNY")
            XCTAssertEqual(Emv.field(genuine.text, "54"), "50.00")
            let forged = try Emv.withField(genuine.text, "54", "0.50")
            guard case .merchantPayment(let code, _, _) = scan(text: forged) else {
                return XCTFail("the forgery is well-formed: \(scan(text: forged))")
            }
            XCTAssertEqual(code.amountMinor, 50)

            let screen = try await buyer.wallet.scan(text: forged)
            XCTAssertEqual(screen.kind, .invalid, "\(screen)")
            XCTAssertFalse(screen.payable, "\(screen)")
            XCTAssertFalse(screen.reasons.isEmpty, "\(screen)")
            let refused = try await danbaoError("pay the forged code") {
                try await buyer.wallet.pay(code: forged, amount: nil)
            }
            guard case .CodeRefused = refused else { return XCTFail("\(refused)") }
            XCTAssertContains(refused.reason, "refused this code")
            XCTAssertEqual(try buyer.wallet.outbox(), [], "nothing was queued")

            try await buyer.assertBalance(available: startMinor, step: "forged code")
            try await seller.assertBalance(available: startMinor, step: "forged code")
            // The genuine code still pays: the refusal was about the edit.
            try await buyer.wallet.pay(code: genuine.text, amount: nil).done("genuine code")
            try await buyer.assertBalance(available: startMinor - 5_000, step: "genuine code")
            try await seller.assertBalance(available: startMinor + 5_000, step: "genuine code")
        }
    }

    func testAPanicInsideRustIsDanbaoErrorInternalAndSwiftCarriesOn() async throws {
        try await withPeople { people in
            let (buyer, friend) = (people.buyer, people.friend)
            let panic = try await danbaoError("diagnosticsPanic") { try diagnosticsPanic(message: "swift probe 42") }
            guard case .Internal = panic else { return XCTFail("\(panic)") }
            XCTAssertContains(panic.reason, "swift probe 42")
            diagnosticsNoop()
            XCTAssertFalse(version().isEmpty)
            XCTAssertEqual(try buyer.wallet.profile()?.handle, buyer.handle)
            try await buyer.wallet.send(toHandle: friend.handle, amount: "1.00", currency: "CNY", memo: "after the panic")
                .done("a call after the panic")
            try await buyer.assertBalance(available: startMinor - 100, step: "after the panic")
            try await friend.assertBalance(available: startMinor + 100, step: "after the panic")
        }
    }

    func testASwiftSignerThatThrowsBecomesDanbaoErrorSecretsNotACrash() async throws {
        try await withServer { server, dir in
            let cancelled = try FailingSigner { PlatformError.Failed(reason: "the user cancelled the biometric prompt") }
            let error = try await danbaoError("sign up with a cancelled signer") {
                try await server.phone(in: dir, role: "nosign", displayName: "No Sign", signer: cancelled)
            }
            guard case .Secrets = error else { return XCTFail("\(error)") }
            XCTAssertContains(error.reason, "the user cancelled the biometric prompt")

            // Any other Swift error arrives as PlatformError.Unexpected, with its description.
            let broken = try FailingSigner { KeystoreServiceDied() }
            let unexpected = try await danbaoError("sign up with a broken signer") {
                try await server.phone(in: dir, role: "broken", displayName: "Broken", signer: broken)
            }
            switch unexpected {
            case .Secrets, .Refused: break
            default: XCTFail("\(unexpected)")
            }
            XCTAssertContains(unexpected.reason, "keystore service died")
        }
    }

    func testASwiftKeyStoreThatThrowsBecomesDanbaoErrorSecrets() async throws {
        try await withServer { server, dir in
            let config = WalletConfig(dbPath: dir.appendingPathComponent("locked.db").path, serverUrl: server.url)
            let locked = try FailingKeyStore(wrap: true, unwrap: true) {
                PlatformError.Failed(reason: "the keychain is locked")
            }
            let wrapping = try await danbaoError("open a new wallet with a locked key store") {
                try await Wallet.open(config: config, keyStore: locked, signer: try P256Signer())
            }
            guard case .Secrets = wrapping else { return XCTFail("\(wrapping)") }
            XCTAssertContains(wrapping.reason, "the keychain is locked")

            // A wallet made with a working key store, reopened when unwrapping fails.
            let phone = try await server.phone(in: dir, role: "keys", displayName: "Kay Keys", topUp: false)
            let (dbPath, handle) = (phone.dbPath, phone.handle)
            let existing = WalletConfig(dbPath: dbPath, serverUrl: server.url)
            let unwrapFails = try FailingKeyStore(wrap: false, unwrap: true) { KeystoreServiceDied() }
            let unwrapping = try await danbaoError("reopen with a key store that cannot unwrap") {
                try await Wallet.open(config: existing, keyStore: unwrapFails, signer: try P256Signer())
            }
            guard case .Secrets = unwrapping else { return XCTFail("\(unwrapping)") }
            XCTAssertContains(unwrapping.reason, "keystore service died")
            // Nothing was lost: its own key store still opens it.
            let reopened = try await Wallet.open(config: existing, keyStore: phone.keyStore, signer: try P256Signer())
            XCTAssertEqual(try reopened.profile()?.handle, handle)
        }
    }

    func testTheDataKeyOpensOnlyWithItsKeyStore() async throws {
        try await withServer { server, dir in
            let first = try await server.phone(in: dir, role: "keys", displayName: "Kay Keys", topUp: false)
            let (handle, dbPath, keyStore) = (first.handle, first.dbPath, first.keyStore)
            let config = WalletConfig(dbPath: dbPath, serverUrl: server.url)

            let reopened = try await Wallet.open(config: config, keyStore: keyStore, signer: try P256Signer())
            XCTAssertEqual(try reopened.profile()?.handle, handle, "reopened with its key store")
            let wrongStore = try await danbaoError("open with another key store") {
                try await Wallet.open(config: config, keyStore: try AesGcmKeyStore(), signer: try P256Signer())
            }
            guard case .Secrets = wrongStore else { return XCTFail("\(wrongStore)") }
            XCTAssertContains(wrongStore.reason, "does not open with this key store's key")
        }
    }

    func testInsufficientFundsRefusedWithItsCodeNothingMoves() async throws {
        try await withPeople { people in
            let (buyer, friend) = (people.buyer, people.friend)
            let message = try await buyer.wallet.send(
                toHandle: friend.handle, amount: "100.01", currency: "CNY", memo: "too much"
            ).refused("send too much")
            XCTAssertTrue(message.hasPrefix("Refused:"), message)
            XCTAssertContains(message, "insufficient_funds")
            try await buyer.assertBalance(available: startMinor, step: "refused send")
            try await friend.assertBalance(available: startMinor, step: "refused send")

            // A call answered at once (not through the outbox) throws Refused with the code.
            let unknown = try await danbaoError("request money from nobody") {
                try await buyer.wallet.requestMoney(
                    fromHandle: "nobody_\(uniqueHandle("x"))", amount: "1.00", currency: "CNY", note: "")
            }
            guard case .Refused = unknown else { return XCTFail("\(unknown)") }
            XCTAssertTrue(unknown.reason.contains("404") || unknown.reason.contains("not_found"), unknown.reason)
        }
    }

    func testCallsBeforeSignUpAndToADeadServerSayWhatIsWrong() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("danbao-offline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Nothing listens there: the wallet opens (it works offline), sign-up cannot.
        let deadPort = try Loopback.freePort()
        let config = WalletConfig(
            dbPath: dir.appendingPathComponent("offline.db").path, serverUrl: "http://127.0.0.1:\(deadPort)",
            connectTimeoutMs: 2_000)
        let wallet = try await Wallet.open(config: config, keyStore: try AesGcmKeyStore(), signer: try P256Signer())
        let account = try await danbaoError("sync before sign-up") { try await wallet.sync() }
        guard case .Account = account else { return XCTFail("\(account)") }
        XCTAssertContains(account.reason, "sign")
        let offline = try await danbaoError("sign up to a dead server") {
            try await wallet.signUp(handle: "offline_x", displayName: "Off Line", deviceName: "Swift")
        }
        guard case .Offline = offline else { return XCTFail("\(offline)") }
        XCTAssertFalse(offline.reason.isEmpty)
        XCTAssertNil(try wallet.profile(), "no user after a failed sign-up")
        let notSignedUp = try await danbaoError("request money before sign-up") {
            try await wallet.requestMoney(fromHandle: "someone", amount: "1.00", currency: "CNY", note: "")
        }
        guard case .Account = notSignedUp else { return XCTFail("\(notSignedUp)") }
    }

    func testASendWhileTheServerIsDownIsQueuedAndSentOnceWhenItIsBack() async throws {
        try await withPeople { people in
            let (buyer, friend, server) = (people.buyer, people.friend, people.server)
            try await buyer.assertBalance(available: startMinor, step: "before the server stops")
            server.stop()
            _ = buyer.listener.take()

            let queued = try await buyer.wallet.send(toHandle: friend.handle, amount: "4.00", currency: "CNY", memo: "later")
            XCTAssertEqual(queued.state, CommandState.queued, "\(queued)")
            XCTAssertTrue(queued.message.hasPrefix("queued: cannot reach the server"), queued.message)
            // The transport's cause ("connection refused", "it was not applied") is for the log;
            // the sentence is the catalogue's.
            XCTAssertEqual(
                queued.message, "queued: cannot reach the server; it is sent when the connection is back")
            XCTAssertNil(queued.transferId, "\(queued)")
            let waiting = try buyer.wallet.outbox()
            XCTAssertEqual(waiting.map(\.id), [queued.commandId], "\(waiting)")
            XCTAssertEqual(waiting.first?.kind, .send)
            XCTAssertEqual(waiting.first?.state, OutboxState.pending)
            XCTAssertEqual(waiting.first?.summary, "Send CN¥4.00 to @\(friend.handle)")
            XCTAssertEqual(try buyer.wallet.home().outbox.map(\.id), [queued.commandId])
            XCTAssertTrue(buyer.listener.take().contains(.outbox), "the outbox changed")
            XCTAssertEqual(try buyer.cny().available.minor, startMinor, "nothing moved yet")

            let offline = try await danbaoError("sync while the server is down") { try await buyer.wallet.sync() }
            guard case .Offline = offline else { return XCTFail("\(offline)") }
            XCTAssertEqual(try buyer.wallet.outbox().map(\.id), [queued.commandId], "still queued")

            try await server.restart()
            let flushed = try await buyer.wallet.flushOutbox()
            XCTAssertEqual(flushed.map(\.commandId), [queued.commandId], "\(flushed)")
            XCTAssertEqual(flushed.first?.state, CommandState.done, "\(flushed)")
            XCTAssertEqual(flushed.first?.idempotencyKey, queued.idempotencyKey, "sent with its stored key")
            XCTAssertNotNil(flushed.first?.transferId, "\(flushed)")
            let nothingLeft = try await buyer.wallet.flushOutbox()
            XCTAssertEqual(nothingLeft, [], "nothing left, nothing sent twice")
            XCTAssertEqual(try buyer.wallet.home().outbox, [])
            try await buyer.assertBalance(available: startMinor - 400, step: "sent once the server is back")
            try await friend.assertBalance(available: startMinor + 400, step: "sent once the server is back")
        }
    }

    func testCommandsQueuedWhileSendingIsPausedAreSentOnceByFlush() async throws {
        try await withPeople { people in
            let (buyer, friend) = (people.buyer, people.friend)
            buyer.wallet.pauseSending(paused: true)
            XCTAssertTrue(buyer.wallet.sendingPaused())
            let queued = try await buyer.wallet.send(toHandle: friend.handle, amount: "4.00", currency: "CNY", memo: "later")
            XCTAssertEqual(queued.state, CommandState.queued, "\(queued)")
            XCTAssertEqual(queued.message, "queued: sending is paused")
            XCTAssertEqual(try buyer.wallet.outbox().map(\.state), [OutboxState.pending])
            try await friend.assertBalance(available: startMinor, step: "paused: nothing sent")

            buyer.wallet.pauseSending(paused: false)
            XCTAssertFalse(buyer.wallet.sendingPaused())
            let flushed = try await buyer.wallet.flushOutbox()
            XCTAssertEqual(flushed.map(\.commandId), [queued.commandId])
            XCTAssertEqual(flushed.map(\.state), [CommandState.done])
            XCTAssertEqual(flushed.first?.idempotencyKey, queued.idempotencyKey)
            let nothingLeft = try await buyer.wallet.flushOutbox()
            XCTAssertEqual(nothingLeft, [])
            try await buyer.assertBalance(available: startMinor - 400, step: "flushed")
            try await friend.assertBalance(available: startMinor + 400, step: "flushed")
        }
    }
}

/// What a platform service might throw that is not a `PlatformError`.
private struct KeystoreServiceDied: Error, CustomStringConvertible {
    var description: String { "keystore service died" }
}
