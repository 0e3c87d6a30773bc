//! Money across the FFI: amounts as integer minor units plus the ISO 4217 alphabetic code.
//!
//! Parsing and formatting are the core's (`danbao_domain::money`); this module only converts
//! between its types and plain records.

use danbao_domain::money as core;

use crate::error::{DanbaoError, guard};

/// An amount of money: a signed count of the currency's minor units, never a float.
///
/// `Money(minor = 1250, currency = "CNY")` is 12.50 CNY; `Money(minor = 1250, currency = "JPY")`
/// is 1250 JPY.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Money {
    /// The amount in minor units (fen, cents, fils).
    pub minor: i64,
    /// The ISO 4217 alphabetic code, e.g. "CNY".
    pub currency: String,
}

impl From<core::Money> for Money {
    fn from(money: core::Money) -> Self {
        Self {
            minor: money.minor(),
            currency: money.currency().code().to_owned(),
        }
    }
}

impl TryFrom<&Money> for core::Money {
    type Error = DanbaoError;

    fn try_from(money: &Money) -> Result<Self, DanbaoError> {
        let currency = core::Currency::from_code(&money.currency)?;
        Ok(core::Money::from_minor(money.minor, currency))
    }
}

/// An ISO 4217 currency that can carry payment amounts.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Currency {
    /// The alphabetic code, e.g. "CNY".
    pub code: String,
    /// The numeric code, e.g. 156.
    pub numeric: u16,
    /// The number of decimals of the minor unit: 0 for JPY, 2 for CNY, 3 for KWD.
    pub exponent: u8,
    /// The English name from the ISO 4217 data, e.g. "Renminbi (Chinese) yuan" for CNY.
    pub name: String,
}

impl From<core::Currency> for Currency {
    fn from(currency: core::Currency) -> Self {
        Self {
            code: currency.code().to_owned(),
            numeric: currency.numeric(),
            exponent: currency.exponent(),
            name: currency.name().to_owned(),
        }
    }
}

/// Looks a currency up by its alphabetic code ("CNY", any case) or numeric code ("156").
///
/// Fails with `UnknownCurrency` for codes that are not ISO 4217 or that have no minor unit.
#[uniffi::export]
pub fn currency_from_code(code: String) -> Result<Currency, DanbaoError> {
    guard(|| Ok(core::Currency::from_code(&code)?.into()))
}

/// Parses an unsigned decimal amount such as "12.50" in `currency` exactly.
///
/// At most the currency's number of decimals ("12.345" is refused for CNY, never rounded),
/// digits on both sides of a decimal point, no sign, spaces or grouping. Fails with
/// `UnknownCurrency` or `InvalidAmount`, whose message says what was wrong.
#[uniffi::export]
pub fn parse_money(text: String, currency: String) -> Result<Money, DanbaoError> {
    guard(|| {
        let currency = core::Currency::from_code(&currency)?;
        Ok(core::Money::parse(&text, currency)?.into())
    })
}

/// Formats an amount with exactly its currency's number of decimals and no code:
/// "12.50" (CNY), "1250" (JPY), "-0.005" (KWD). [`parse_money`] reads unsigned ones back.
///
/// Fails with `UnknownCurrency` when `money.currency` is not a payable ISO 4217 code.
#[uniffi::export]
pub fn format_money(money: Money) -> Result<String, DanbaoError> {
    guard(|| Ok(core::Money::try_from(&money)?.format()))
}

/// Formats an amount for display with its code: "12.50 CNY".
///
/// Fails with `UnknownCurrency` when `money.currency` is not a payable ISO 4217 code.
#[uniffi::export]
pub fn format_money_with_code(money: Money) -> Result<String, DanbaoError> {
    guard(|| Ok(core::Money::try_from(&money)?.format_with_code()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(minor: i64, currency: &str) -> Money {
        Money {
            minor,
            currency: currency.to_owned(),
        }
    }

    #[test]
    fn parse_and_format_convert_both_ways() {
        assert_eq!(
            parse_money("12.50".into(), "cny".into()),
            Ok(money(1250, "CNY"))
        );
        assert_eq!(format_money(money(1250, "CNY")), Ok("12.50".to_owned()));
        assert_eq!(format_money(money(-5, "KWD")), Ok("-0.005".to_owned()));
        assert_eq!(
            format_money_with_code(money(1250, "JPY")),
            Ok("1250 JPY".to_owned())
        );
    }

    #[test]
    fn currency_carries_the_iso_facts() {
        assert_eq!(
            currency_from_code("156".into()),
            Ok(Currency {
                code: "CNY".into(),
                numeric: 156,
                exponent: 2,
                name: "Renminbi (Chinese) yuan".into(),
            })
        );
    }

    #[test]
    fn errors_map_to_their_kind_with_the_core_message() {
        assert_eq!(
            parse_money("12.345".into(), "CNY".into()),
            Err(DanbaoError::InvalidAmount {
                reason: "amount 12.345 has 3 decimals; CNY allows 2".into()
            })
        );
        assert!(matches!(
            format_money(money(1, "ZZZ")),
            Err(DanbaoError::UnknownCurrency { .. })
        ));
    }
}
