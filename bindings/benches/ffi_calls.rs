//! The Rust side of the FFI call-cost comparison (issue 5, point 7): the two calls that
//! `CallCostTest` times from Kotlin through the generated bindings, made here directly on the
//! crate's exported functions, so the difference is what crossing the FFI adds.
//!
//! - `ffi_noop`: `diagnostics_noop()`.
//! - `ffi_noop_c_abi`: the same function through its exported C symbol, the one the Kotlin
//!   bindings call (UniFFI's scaffolding: call status, panic guard), without the foreign side.
//! - `ffi_scan_merchant`: `scan(text)` of a static Danbao merchant code (the same text as the
//!   Kotlin test's `ScanTest.MERCHANT`), the `String` argument made per call as the FFI makes
//!   one from the foreign string.
//!
//! Run with `cargo bench -p danbao-ffi --bench ffi_calls`; the Kotlin side with
//! `mvn -B -ntp test -Ddanbao.bench=true -Dtest=CallCostTest -Ddanbao.library=… ` in
//! bindings/tests/kotlin (it prints `CALLCOST kotlin noop_ns=… scan_ns=…`).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use danbao_ffi::{ScanOutcome, diagnostics_noop, scan};
use uniffi::{RustCallStatus, RustCallStatusCode};

unsafe extern "C" {
    /// UniFFI's scaffolding for `diagnostics_noop` (what the generated Kotlin declares as
    /// `external fun uniffi_danbao_ffi_fn_func_diagnostics_noop`).
    fn uniffi_danbao_ffi_fn_func_diagnostics_noop(status: &mut RustCallStatus);
}

/// One call through the C symbol, as a foreign caller makes it.
fn noop_through_c_abi() -> bool {
    let mut status = RustCallStatus::default();
    // SAFETY: the symbol is the crate's own `extern "C"` scaffolding of a function without
    // arguments; it only writes `status`, which lives for the call.
    unsafe { uniffi_danbao_ffi_fn_func_diagnostics_noop(&mut status) };
    matches!(status.code, RustCallStatusCode::Success)
}

/// An unsigned static merchant code, as `danbao_domain::qr::danbao::encode_unsigned` writes it.
const MERCHANT: &str = "00020101021126240010app.danbao0106m-10015204581253031565802CN\
                        5915Lotus Tea House6008Hangzhou6304D780";

fn bench(c: &mut Criterion) {
    assert!(
        matches!(
            scan(MERCHANT.to_owned()),
            ScanOutcome::MerchantPayment { .. }
        ),
        "the bench code must scan as a merchant code"
    );
    assert!(noop_through_c_abi(), "the C symbol answers success");
    c.bench_function("ffi_noop", |b| b.iter(diagnostics_noop));
    c.bench_function("ffi_noop_c_abi", |b| b.iter(noop_through_c_abi));
    c.bench_function("ffi_scan_merchant", |b| {
        b.iter(|| scan(black_box(MERCHANT).to_owned()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
