package app.danbao.core

import app.danbao.core.domain.*
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.condition.EnabledIfSystemProperty

/**
 * What one Kotlin → Rust call costs through the generated JVM bindings (JNA): `diagnosticsNoop()`
 * (the bare crossing) and `scan(MERCHANT)` (a string in, a record tree out). A measurement,
 * not a timed test: it runs only with -Ddanbao.bench=true and asserts nothing about time.
 * It prints one line for `cargo xtask bench ffi` to read:
 *   CALLCOST kotlin noop_ns=<median> scan_ns=<median> status_alloc_ns=<median>
 *     raw_noop_ns=<median> rounds=<n> noop_calls=<n> scan_calls=<n>
 * where the last two split the no-op: `status_alloc_ns` makes the JNA call-status structure
 * the generated code allocates for every call, `raw_noop_ns` calls the C symbol through JNA
 * with one status reused (UniFFI 0.32.2's internal names, pinned with the crate).
 * The same two calls from Rust: `cargo bench -p danbao-ffi --bench ffi_calls`.
 */
@EnabledIfSystemProperty(named = "danbao.bench", matches = "true")
class CallCostTest {
    private companion object {
        const val ROUNDS = 9
        const val NOOP_CALLS = 50_000
        const val SCAN_CALLS = 10_000

        /** Median nanoseconds per call of `calls` calls of `call`, over [ROUNDS] rounds. */
        inline fun medianNanos(calls: Int, call: () -> Unit): Double {
            val perCall = DoubleArray(ROUNDS) {
                val start = System.nanoTime()
                repeat(calls) { call() }
                (System.nanoTime() - start).toDouble() / calls
            }
            perCall.sort()
            return perCall[ROUNDS / 2]
        }
    }

    @Test
    fun `cost of a no-op call and of scan from Kotlin`() {
        val merchant = ScanTest.MERCHANT
        assertTrue(scan(merchant) is ScanOutcome.MerchantPayment, "the bench code must be a merchant code")

        // Warm-up: JIT compilation of the generated converters and JNA's call path.
        repeat(NOOP_CALLS) { diagnosticsNoop() }
        var kinds = 0
        repeat(SCAN_CALLS) { if (scan(merchant) is ScanOutcome.MerchantPayment) kinds++ }

        val noop = medianNanos(NOOP_CALLS) { diagnosticsNoop() }
        var statuses = 0
        val statusAlloc = medianNanos(NOOP_CALLS) { if (UniffiRustCallStatus().isSuccess()) statuses++ }
        val reused = UniffiRustCallStatus()
        val rawNoop = medianNanos(NOOP_CALLS) { UniffiLib.uniffi_danbao_ffi_fn_func_diagnostics_noop(reused) }
        assertTrue(reused.isSuccess() && statuses == NOOP_CALLS * ROUNDS, "$statuses")
        val scanNs = medianNanos(SCAN_CALLS) { if (scan(merchant) is ScanOutcome.MerchantPayment) kinds++ }
        // Every scan gave the merchant code back (and the results were used).
        assertTrue(kinds == SCAN_CALLS * (ROUNDS + 1), "$kinds")

        println(
            (
                "CALLCOST kotlin noop_ns=%.0f scan_ns=%.0f status_alloc_ns=%.0f raw_noop_ns=%.0f " +
                    "rounds=%d noop_calls=%d scan_calls=%d"
                ).format(noop, scanNs, statusAlloc, rawNoop, ROUNDS, NOOP_CALLS, SCAN_CALLS),
        )
    }
}
