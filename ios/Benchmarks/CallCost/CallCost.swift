// What one Swift → Rust call costs through the generated Swift bindings: `diagnosticsNoop()`
// (the bare crossing) and `scan(text:)` of a merchant code (a string in, a record tree out).
// A measurement, not a test: `cargo xtask bench ffi` builds it in release against the release
// libdanbao_ffi and reads its one line:
//   CALLCOST swift noop_ns=<median> scan_ns=<median> rounds=<n> noop_calls=<n> scan_calls=<n>
// The same calls from Rust: `cargo bench -p danbao-ffi --bench ffi_calls`; from Kotlin:
// CallCostTest.

import Danbao
import Foundation

/// Median nanoseconds per call of `calls` calls of `call`, over `rounds` rounds.
func medianNanos(rounds: Int, _ calls: Int, _ call: () -> Void) -> Double {
    var perCall: [Double] = []
    for _ in 0..<rounds {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<calls { call() }
        perCall.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(calls))
    }
    perCall.sort()
    return perCall[rounds / 2]
}

@main
struct CallCost {
    static let rounds = 9
    static let noopCalls = 50_000
    static let scanCalls = 10_000
    static let merchant =
        "00020101021126240010app.danbao0106m-10015204581253031565802CN"
        + "5915Lotus Tea House6008Hangzhou6304D780"

    static func main() {
        guard case .merchantPayment = scan(text: merchant) else {
            fatalError("the bench code must be a merchant code")
        }
        var merchants = 0
        let scanOnce = {
            if case .merchantPayment = scan(text: merchant) { merchants += 1 }
        }

        // Warm-up: page in the library and the converters.
        for _ in 0..<noopCalls { diagnosticsNoop() }
        for _ in 0..<scanCalls { scanOnce() }

        let noop = medianNanos(rounds: rounds, noopCalls) { diagnosticsNoop() }
        let scanNs = medianNanos(rounds: rounds, scanCalls, scanOnce)
        // Every scan gave the merchant code back (and the results were used).
        precondition(merchants == scanCalls * (rounds + 1), "\(merchants)")

        print(
            "CALLCOST swift noop_ns=\(Int(noop.rounded())) scan_ns=\(Int(scanNs.rounded())) "
                + "rounds=\(rounds) noop_calls=\(noopCalls) scan_calls=\(scanCalls)")
    }
}
