//! The one entry point for everything a camera can hand the wallet: `scan(text)`.
//!
//! The classification and its outcome are the core's (`danbao_domain::qr::scan`,
//! `ScanOutcome` and the code records in `danbao_domain::qr::danbao`): they cross the FFI as
//! they are defined there (a sealed class in Kotlin, an enum with associated values in Swift),
//! with their UniFFI derives behind the domain's `ffi` feature. A currency crosses as its
//! ISO 4217 code (`CurrencyCode`), a seal's nonce as its 20 Z85 characters.

use danbao_domain::qr::{self as core, ScanOutcome};

use crate::error::catch_panic;

/// What a scanned text is, as far as can be told without keys, a clock or the network.
///
/// Never fails: anything unusable is `Invalid` with its reasons. Surrounding whitespace is
/// ignored. Pure: no I/O, no clock, no keys. The signature and expiry of a Danbao code are
/// **not** checked by `scan`: the server checks them before any payment.
#[uniffi::export]
pub fn scan(text: String) -> ScanOutcome {
    catch_panic(|| core::scan(&text)).unwrap_or_else(|reason| ScanOutcome::Invalid {
        // A bug must not look like a payable code; say so instead.
        reasons: vec![reason],
    })
}

#[cfg(test)]
mod tests {
    use danbao_domain::money::Currency;
    use danbao_domain::qr::danbao::{Nonce, OrderCode, Seal};

    use super::*;

    /// docs/qr-danbao.md's worked example: a signed per-order code.
    const ORDER: &str = include_str!("../../core/domain/src/qr/danbao/worked_example.txt");

    #[test]
    fn order_code_reads_every_field() {
        assert_eq!(
            scan(ORDER.to_owned()),
            ScanOutcome::DanbaoOrder {
                code: OrderCode {
                    merchant_id: "m-1001".into(),
                    order_id: "ord-20250101-0042".into(),
                    merchant_name: "Lotus Tea House".into(),
                    merchant_city: "Hangzhou".into(),
                    country: "CN".into(),
                    mcc: "5812".into(),
                    currency: Currency::from_code("CNY").unwrap(),
                    amount_minor: 12_850,
                },
                display_amount: "128.50 CNY".into(),
                seal: Seal {
                    key_id: "srv1".into(),
                    nonce: Nonce::from_text("fFLssg=mfIi5$zRv}od.").unwrap(),
                    issued_at: 1_735_689_600,
                    expires_at: 1_735_690_500,
                },
            }
        );
    }

    /// The domain's outcome (with its custom types: a currency as its code, a nonce as its
    /// text) crosses through this crate's functions: it lowers and lifts back unchanged.
    #[test]
    fn the_domains_outcome_crosses_unchanged() {
        use uniffi::{Lift, Lower};
        let outcome = scan(ORDER.to_owned());
        let lowered = <ScanOutcome as Lower<crate::UniFfiTag>>::lower(outcome.clone());
        assert_eq!(
            <ScanOutcome as Lift<crate::UniFfiTag>>::try_lift(lowered).unwrap(),
            outcome
        );
    }

    #[test]
    fn foreign_and_invalid_keep_the_cores_words() {
        let promptpay =
            "00020101021229370016A000000677010111011300660000000005802TH530376454044.226304E469";
        match scan(promptpay.into()) {
            ScanOutcome::ForeignScheme {
                schemes, country, ..
            } => {
                assert_eq!(schemes[0].id, "promptpay");
                assert_eq!(schemes[0].country.as_deref(), Some("TH"));
                assert_eq!(country.as_deref(), Some("TH"));
            }
            other => panic!("expected ForeignScheme, got {other:?}"),
        }
        assert_eq!(
            scan(String::new()),
            ScanOutcome::Invalid {
                reasons: vec!["nothing was scanned: the text is empty".into()]
            }
        );
    }
}
