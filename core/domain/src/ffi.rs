//! The UniFFI side of the domain's types (`ffi` feature, enabled only by the bindings crate;
//! the crate's scaffolding, its own namespace `danbao_domain`, is set up in `lib.rs`): the
//! custom types of the values that cross as text. The records and enums carry their derives where they are
//! defined (`#[cfg_attr(feature = "ffi", derive(uniffi::Record))]`), so each type is defined
//! once for Rust, the server, the CLI and the apps.

use crate::money::Currency;
use crate::qr::danbao::Nonce;

/// A currency crosses as its ISO 4217 alphabetic code (`"CNY"`), named `CurrencyCode` on the
/// other side: the bindings' `Currency` record (code, numeric code, exponent, name) is what
/// `currency_from_code` answers.
type CurrencyCode = Currency;

uniffi::custom_type!(CurrencyCode, String, {
    lower: |currency| currency.code().to_owned(),
    try_lift: |code| Ok(Currency::from_code(&code)?),
});

// A signed code's nonce crosses as the 20 Z85 characters it is written with in the code.
uniffi::custom_type!(Nonce, String, {
    lower: |nonce| nonce.to_text(),
    try_lift: |text| Ok(Nonce::from_text(&text)?),
});

#[cfg(test)]
mod tests {
    use super::*;
    use uniffi::{Lift, Lower};

    #[test]
    fn custom_types_cross_as_their_text_and_back() {
        let cny = Currency::from_code("CNY").unwrap();
        let lowered = <Currency as Lower<crate::UniFfiTag>>::lower(cny);
        assert_eq!(
            <Currency as Lift<crate::UniFfiTag>>::try_lift(lowered).unwrap(),
            cny
        );
        let refused =
            <Currency as Lift<crate::UniFfiTag>>::try_lift(
                <String as Lower<crate::UniFfiTag>>::lower("ZZZ".to_owned()),
            );
        assert!(refused.is_err());

        let nonce = Nonce::from_bytes([7; 16]);
        let lowered = <Nonce as Lower<crate::UniFfiTag>>::lower(nonce);
        assert_eq!(
            <Nonce as Lift<crate::UniFfiTag>>::try_lift(lowered).unwrap(),
            nonce
        );
    }
}
