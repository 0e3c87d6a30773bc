import Danbao
import Foundation
import XCTest

/// Each user starts with this much sandbox money, in fen.
let startMinor: Int64 = 10_000

/// One user's phone: a `Wallet` opened with a Swift signer and key store, its own database
/// file, and a listener that records what the core said changed.
final class Phone: Sendable {
    let wallet: Wallet
    let handle: String
    let displayName: String
    let listener: RecordingListener
    let keyStore: AesGcmKeyStore
    let dbPath: String

    init(
        wallet: Wallet, handle: String, displayName: String, listener: RecordingListener,
        keyStore: AesGcmKeyStore, dbPath: String
    ) {
        self.wallet = wallet
        self.handle = handle
        self.displayName = displayName
        self.listener = listener
        self.keyStore = keyStore
        self.dbPath = dbPath
    }

    /// The cached CNY balance line (no network).
    func cny() throws -> BalanceLine {
        let balances = try wallet.home().balances
        let lines = balances.filter { $0.currency == "CNY" }
        guard lines.count == 1 else {
            throw TestFailure("\(handle) has no single CNY balance line: \(balances)")
        }
        return lines[0]
    }

    /// Syncs, then the CNY balance line.
    func syncedCny() async throws -> BalanceLine {
        _ = try await wallet.sync()
        return try cny()
    }

    /// Syncs and checks available, held-out and incoming CNY in fen.
    func assertBalance(
        available: Int64, heldOut: Int64 = 0, incoming: Int64 = 0, step: String,
        file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let balance = try await syncedCny()
        XCTAssertEqual(
            [balance.available.minor, balance.heldOut.minor, balance.incoming.minor],
            [available, heldOut, incoming],
            "\(step): \(handle)'s CNY (available, held out, incoming): \(balance)",
            file: file, line: line)
    }
}

/// A handle unique to this run: `role`, an underscore and six random characters (a-z0-9).
func uniqueHandle(_ role: String) -> String {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    return role + "_" + String((0..<6).map { _ in alphabet.randomElement()! })
}

extension TestServer {
    /// Opens a wallet in `dir`, signs `role` up under a fresh handle with `displayName`, and
    /// tops it up with `startMinor` fen (unless `topUp` is false).
    func phone(
        in dir: URL, role: String, displayName: String, topUp: Bool = true,
        signer: (any Signer)? = nil
    ) async throws -> Phone {
        let handle = uniqueHandle(role)
        let keyStore = try AesGcmKeyStore()
        let dbPath = dir.appendingPathComponent("\(handle).db").path
        let wallet = try await Wallet.open(
            config: WalletConfig(dbPath: dbPath, serverUrl: url), keyStore: keyStore,
            signer: try signer ?? P256Signer())
        let listener = RecordingListener()
        wallet.setListener(listener: listener)
        let profile = try await wallet.signUp(
            handle: handle, displayName: displayName, deviceName: "Swift test")
        XCTAssertEqual(profile.handle, handle)
        XCTAssertEqual(profile.displayName, displayName)
        if topUp {
            let balance = try await self.topUp(handle, "100.00")
            XCTAssertEqual(balance.minor, startMinor, "top-up of \(handle): \(balance)")
        }
        return Phone(
            wallet: wallet, handle: handle, displayName: displayName, listener: listener,
            keyStore: keyStore, dbPath: dbPath)
    }

    /// A buyer, a seller (also the merchant, "Lotus Tea House") and a friend, each with
    /// 100.00 CNY.
    func people(in dir: URL) async throws -> People {
        People(
            buyer: try await phone(in: dir, role: "buyer", displayName: "Bea Buyer"),
            seller: try await phone(in: dir, role: "seller", displayName: "Lotus Tea House"),
            friend: try await phone(in: dir, role: "friend", displayName: "Fay Friend"),
            server: self)
    }
}

/// The three users of the flows, and their server.
struct People {
    let buyer: Phone
    let seller: Phone
    let friend: Phone
    let server: TestServer
}

extension CommandOutcome {
    /// Asserts the command was applied by the server, and returns it.
    @discardableResult
    func done(_ step: String, file: StaticString = #filePath, line: UInt = #line) -> CommandOutcome {
        XCTAssertEqual(state, .done, "\(step): \(self)", file: file, line: line)
        return self
    }

    /// Asserts the server refused the command for good, moving nothing; returns its message.
    func refused(_ step: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        XCTAssertEqual(state, .failed, "\(step): \(self)", file: file, line: line)
        XCTAssertNil(transferId, "\(step) moved money: \(self)", file: file, line: line)
        XCTAssertFalse(message.isEmpty, "\(step): no message: \(self)", file: file, line: line)
        return message
    }
}

/// The `DanbaoError` that `body` throws; a test failure when it returns instead. Any other
/// error propagates (and fails the test).
func danbaoError<T>(
    _ what: String, _ body: () async throws -> T
) async throws -> DanbaoError {
    let value: T
    do {
        value = try await body()
    } catch let error as DanbaoError {
        return error
    }
    throw TestFailure("\(what): expected a DanbaoError, got \(value)")
}

/// Asserts that `text` contains `part`, showing both when it does not.
func XCTAssertContains(
    _ text: String?, _ part: String, _ context: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    let text = text ?? "(nil)"
    XCTAssertTrue(
        text.contains(part), "\(context()) «\(text)» does not contain «\(part)»", file: file,
        line: line)
}
