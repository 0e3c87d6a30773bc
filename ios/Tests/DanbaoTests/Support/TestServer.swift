import Danbao
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A test's own `danbao-server` process on a free loopback port with its own database
/// directory, stopped (and its directory removed) by `close()`.
///
/// The binary is the environment variable `DANBAO_SERVER_BIN` (`cargo xtask swift` passes
/// `target/debug/danbao-server`). Without it the tests fail: they never skip.
///
/// Sendable so that a main-actor test (the model's) can hand it to the phone helpers: its one
/// mutable field, the running process, is read and replaced only under `lock`.
final class TestServer: @unchecked Sendable {
    /// The operator credential the server is started with (sandbox top-ups need it).
    static let operatorToken = "swift-flow-tests-operator-token"

    private static let startAttempts = 5
    private static let listenTimeout: TimeInterval = 20

    private let binary: URL
    private let settings: [String: String]
    private let dir: URL
    private let port: UInt16
    private let lock = NSLock()
    private var process: Process?

    /// The base URL wallets talk to, `http://127.0.0.1:PORT`.
    var url: String { "http://127.0.0.1:\(port)" }

    private init(binary: URL, settings: [String: String], dir: URL, port: UInt16, process: Process) {
        self.binary = binary
        self.settings = settings
        self.dir = dir
        self.port = port
        self.process = process
    }

    /// Starts a server; a port taken between probing and binding is retried on another.
    /// `settings` are extra environment variables for it, e.g. `DANBAO_AUTO_CONFIRM_SECS`.
    static func start(settings: [String: String] = [:]) async throws -> TestServer {
        let binary = try serverBinary()
        var failures: [String] = []
        for _ in 0..<startAttempts {
            let port = try Loopback.freePort()
            let dir = FileManager.default.temporaryDirectory
                .appendingPathComponent("danbao-server-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            switch try await spawn(binary: binary, settings: settings, dir: dir, port: port) {
            case .listening(let process):
                return TestServer(binary: binary, settings: settings, dir: dir, port: port, process: process)
            case .failed(let why):
                failures.append("port \(port): \(why)")
                try? FileManager.default.removeItem(at: dir)
            }
        }
        throw TestFailure("danbao-server did not start listening:\n" + failures.joined(separator: "\n"))
    }

    private static func serverBinary() throws -> URL {
        guard let path = ProcessInfo.processInfo.environment["DANBAO_SERVER_BIN"], !path.isEmpty else {
            throw TestFailure(
                "the environment variable DANBAO_SERVER_BIN is not set: run the Swift tests with "
                    + "`cargo xtask swift`, or set it to the absolute path of danbao-server "
                    + "(`cargo build -p danbao-server`)")
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestFailure(
                "DANBAO_SERVER_BIN=\(path) is not an executable file: build it with "
                    + "`cargo build -p danbao-server`")
        }
        return URL(fileURLWithPath: path)
    }

    private enum Started {
        case listening(Process)
        case failed(String)
    }

    private static func spawn(
        binary: URL, settings: [String: String], dir: URL, port: UInt16
    ) async throws -> Started {
        let log = dir.appendingPathComponent("server.log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw TestFailure("cannot create \(log.path)")
        }
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = binary
        process.arguments = [
            "--bind", "127.0.0.1:\(port)",
            "--db", dir.appendingPathComponent("server.db").path,
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["DANBAO_OPERATOR_TOKEN"] = operatorToken
        environment["DANBAO_SANDBOX"] = "true"
        environment["DANBAO_RATE_LIMIT"] = "1000000"
        environment["DANBAO_RATE_LIMIT_ADDRESS"] = "1000000"
        environment["DANBAO_SIGN_UP_LIMIT"] = "1000000"
        environment["DANBAO_TIMER_INTERVAL_MS"] = "100"
        environment["RUST_LOG"] = "warn"
        environment.merge(settings) { _, setting in setting }
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = Date().addingTimeInterval(listenTimeout)
        while Date() < deadline {
            if !process.isRunning {
                return .failed("exited with \(process.terminationStatus): \(tail(of: log))")
            }
            if Loopback.accepts(port: port) {
                return .listening(process)
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        stop(process)
        return .failed("not listening after \(listenTimeout) s: \(tail(of: log))")
    }

    private static func tail(of log: URL) -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? "(no log)"
        return String(text.suffix(2000))
    }

    /// Kills the process. Not SIGTERM: the server's graceful shutdown waits for the
    /// wallets' keep-alive connections (over 5 s a test); everything it answered is already
    /// committed to its SQLite database, so a restart on the same database loses nothing.
    private static func stop(_ process: Process) {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    /// Stops the process and keeps its database: the server is unreachable until `restart()`.
    func stop() {
        lock.lock()
        let running = process
        process = nil
        lock.unlock()
        if let running {
            Self.stop(running)
        }
    }

    /// Starts the server again on the same port with the same database.
    func restart() async throws {
        stop()
        switch try await Self.spawn(binary: binary, settings: settings, dir: dir, port: port) {
        case .listening(let started):
            lock.withLock { process = started }
        case .failed(let why):
            throw TestFailure("danbao-server did not start again on port \(port): \(why)")
        }
    }

    /// The operator adds `amount` CNY to `handle` from the sandbox funding account.
    func topUp(_ handle: String, _ amount: String) async throws -> Amount {
        try await sandboxTopUp(
            serverUrl: url, operatorToken: Self.operatorToken, handle: handle, amount: amount,
            currency: "CNY")
    }

    /// The operator enrols `handle` as a merchant: only then does its till charge payment codes.
    func enrol(_ handle: String) async throws {
        try await enrolMerchant(serverUrl: url, operatorToken: Self.operatorToken, handle: handle)
    }

    /// The operator verifies the merchant `handle` under `name`.
    func verify(_ handle: String, _ name: String) async throws {
        try await verifyMerchant(
            serverUrl: url, operatorToken: Self.operatorToken, handle: handle, verifiedName: name)
    }

    /// Stops the process and removes its directory.
    func close() {
        stop()
        try? FileManager.default.removeItem(at: dir)
    }
}

/// Runs `body` with a server of its own and a fresh directory for the phones' databases;
/// stops the server and removes the directory afterwards, whatever `body` did.
/// `body` runs on the caller's actor (the main actor for the model's tests).
func withServer<T: Sendable>(
    settings: [String: String] = [:], isolation: isolated (any Actor)? = #isolation,
    _ body: (TestServer, URL) async throws -> T
) async throws -> T {
    let server = try await TestServer.start(settings: settings)
    defer { server.close() }
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("danbao-phones-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try await body(server, dir)
}

/// Runs `flow` against a server of its own with a buyer, a seller and a friend.
func withPeople(
    settings: [String: String] = [:], _ flow: (People) async throws -> Void
) async throws {
    try await withServer(settings: settings) { server, dir in
        let people = try await server.people(in: dir)
        try await flow(people)
    }
}

/// Loopback TCP: a free port, and whether something accepts on one.
enum Loopback {
    #if canImport(Glibc)
    private static let stream = Int32(SOCK_STREAM.rawValue)
    #else
    private static let stream = SOCK_STREAM
    #endif

    private static func loopbackAddress(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    /// A port the kernel says is free now (it may be taken again before the server binds it;
    /// `TestServer.start` then tries another).
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, stream, 0)
        guard fd >= 0 else { throw TestFailure("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = loopbackAddress(port: 0)
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw TestFailure("bind(127.0.0.1:0) failed: errno \(errno)") }
        var assigned = sockaddr_in()
        var assignedLength = length
        let named = withUnsafeMutablePointer(to: &assigned) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &assignedLength) }
        }
        guard named == 0 else { throw TestFailure("getsockname failed: errno \(errno)") }
        return UInt16(bigEndian: assigned.sin_port)
    }

    /// Whether a TCP connection to 127.0.0.1:`port` is accepted.
    static func accepts(port: UInt16) -> Bool {
        let fd = socket(AF_INET, stream, 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return connected == 0
    }
}

/// A test failure thrown (so XCTest reports it with its text) where a value is missing.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
