// Apple platforms only, for the unified logging system. The Linux build of this package (the
// tests' `cargo xtask swift`) compiles everything else.
#if canImport(os)

import os

/// Sends the core's log lines to the unified logging system (Console.app, `log stream`).
/// Install it once at launch: `try setLogger(logger: OSLogLogger(), maxLevel: .info)`.
///
/// `Logger` alone means the core's logging protocol in this module; Apple's is `os.Logger`.
public final class OSLogLogger: Logger {
    private let destination: os.Logger

    /// Logs under `subsystem`, category `core`.
    public init(subsystem: String = "app.danbao.wallet") {
        destination = os.Logger(subsystem: subsystem, category: "core")
    }

    public func log(record: LogRecord) {
        // The core never logs keys, code secrets or signatures (see platform.rs), so its lines
        // may be public: redacting them would leave nothing to read in a bug report.
        destination.log(
            level: Self.osLogType(for: record.level),
            "\(record.target, privacy: .public): \(record.message, privacy: .public)")
    }

    private static func osLogType(for level: LogLevel) -> OSLogType {
        switch level {
        case .error: return .error
        case .warn: return .default
        case .info: return .info
        case .debug, .trace: return .debug
        }
    }
}

#endif
