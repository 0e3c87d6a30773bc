//! Money: ISO 4217 currencies and amounts as integer minor units.
//!
//! An amount is an `i64` count of the currency's minor units (cents, fen, fils) plus its
//! [`Currency`]. Nothing on a money path uses floating point: decimal text is parsed and
//! formatted digit by digit against the currency's exponent (JPY 0, CNY 2, KWD 3), and a text
//! with more decimals than the currency allows is an error, never a rounding.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a currency or an amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The code is not an ISO 4217 currency.
    #[error("unknown currency {code:?}: expected an ISO 4217 code such as \"CNY\" or \"156\"")]
    UnknownCurrency {
        /// The code as given.
        code: String,
    },
    /// The currency exists but has no minor unit (gold, SDR, testing codes), so no amount of it
    /// can be paid.
    #[error("currency {code} has no minor unit in ISO 4217 and cannot carry payment amounts")]
    NotPayable {
        /// The currency's alphabetic code.
        code: &'static str,
    },
    /// The amount text is empty.
    #[error("amount is empty: expected digits such as \"12.50\"")]
    Empty,
    /// A character other than a digit, the one decimal point or an allowed leading sign.
    #[error(
        "amount {text:?} has {found:?} at position {position}: only digits and one '.' are allowed"
    )]
    InvalidCharacter {
        /// The amount text as given.
        text: String,
        /// The offending character.
        found: char,
        /// Its zero-based character position.
        position: usize,
    },
    /// A sign where the caller does not allow one (payment amounts are never negative).
    #[error("amount {text:?} has a sign: expected an unsigned amount such as \"12.50\"")]
    SignNotAllowed {
        /// The amount text as given.
        text: String,
    },
    /// No digit before or after the decimal point (".5", "5.", "-").
    #[error("amount {text:?} needs digits on both sides of the decimal point, e.g. \"0.50\"")]
    MissingDigits {
        /// The amount text as given.
        text: String,
    },
    /// More decimals than the currency's exponent.
    #[error("amount {text} has {decimals} decimals; {currency} allows {allowed}")]
    TooManyDecimals {
        /// The amount text as given.
        text: String,
        /// How many decimals the text has.
        decimals: usize,
        /// The currency's alphabetic code.
        currency: &'static str,
        /// The currency's exponent.
        allowed: u8,
    },
    /// The amount does not fit in an `i64` of minor units.
    #[error("amount {text} {currency} is too large: the most is {max}")]
    Overflow {
        /// The amount text as given.
        text: String,
        /// The currency's alphabetic code.
        currency: &'static str,
        /// The largest representable amount, formatted.
        max: String,
    },
    /// Arithmetic between two different currencies.
    #[error("cannot combine {left} with {right}: amounts must be in one currency")]
    CurrencyMismatch {
        /// The left operand's currency.
        left: &'static str,
        /// The right operand's currency.
        right: &'static str,
    },
    /// Arithmetic whose result does not fit in an `i64` of minor units.
    #[error("{operation} of {left} and {right} overflows")]
    ArithmeticOverflow {
        /// "addition", "subtraction" or "multiplication".
        operation: &'static str,
        /// The left operand, formatted.
        left: String,
        /// The right operand, formatted.
        right: String,
    },
}

/// An ISO 4217 currency that can carry payment amounts (it has a minor unit).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// Looks a currency up by its alphabetic code ("CNY"; case-insensitive) or its numeric
    /// code ("156").
    pub fn from_code(code: &str) -> Result<Self, MoneyError> {
        let unknown = || MoneyError::UnknownCurrency {
            code: code.to_owned(),
        };
        let found = if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) {
            let numeric: u16 = code.parse().map_err(|_| unknown())?;
            iso_currency::Currency::from_numeric(numeric)
        } else if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
            iso_currency::Currency::from_code(&code.to_ascii_uppercase())
        } else {
            None
        };
        Self::payable(found.ok_or_else(unknown)?)
    }

    /// Looks a currency up by its ISO 4217 numeric code (156 for CNY).
    pub fn from_numeric(numeric: u16) -> Result<Self, MoneyError> {
        let found =
            iso_currency::Currency::from_numeric(numeric).ok_or(MoneyError::UnknownCurrency {
                code: format!("{numeric:03}"),
            })?;
        Self::payable(found)
    }

    fn payable(currency: iso_currency::Currency) -> Result<Self, MoneyError> {
        match currency.exponent() {
            Some(_) => Ok(Self(currency)),
            None => Err(MoneyError::NotPayable {
                code: currency.code(),
            }),
        }
    }

    /// The alphabetic code, e.g. "CNY".
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// The numeric code, e.g. 156.
    pub fn numeric(self) -> u16 {
        self.0.numeric()
    }

    /// The numeric code as the three digits EMV QR codes carry, e.g. "156" or "036".
    pub fn numeric_code(self) -> String {
        format!("{:03}", self.0.numeric())
    }

    /// The number of decimals of the minor unit: 0 for JPY, 2 for CNY, 3 for KWD.
    pub fn exponent(self) -> u8 {
        // `payable` admits only currencies with an exponent; ISO 4217 exponents are 0..=4.
        self.0.exponent().map_or(0, |e| e as u8)
    }

    /// The English name from the ISO 4217 data, e.g. "Euro".
    pub fn name(&self) -> &str {
        self.0.name()
    }

    /// The largest amount of this currency that fits in `i64` minor units.
    pub fn max_amount(self) -> Money {
        Money::from_minor(i64::MAX, self)
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::from_code(code)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Self::from_code(&code).map_err(serde::de::Error::custom)
    }
}

/// An amount of one currency, as a signed count of its minor units.
///
/// Serialised as `{"minor": 1250, "currency": "CNY"}`: the integer is exact in every JSON
/// reader that keeps 64-bit integers, and the currency says where the decimal point goes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

/// The ASCII form of a typed amount (see [`Money::parse_typed`]); text it cannot read is
/// returned with only the character mapping applied, for `parse` to refuse precisely.
pub fn normalise_typed(text: &str) -> String {
    let mapped: String = text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
        .chars()
        .map(|c| match c {
            // Full-width digits U+FF10..U+FF19 are the ASCII digits shifted by 0xFEE0.
            '\u{ff10}'..='\u{ff19}' => char::from_u32(u32::from(c) - 0xfee0).unwrap_or(c),
            '\u{3002}' | '\u{ff0e}' => '.',
            '\u{ff0c}' => ',',
            other => other,
        })
        .collect();
    let (whole, fraction) = match mapped.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mapped.as_str(), None),
    };
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or_default();
    let rest: Vec<&str> = groups.collect();
    let grouped = !rest.is_empty()
        && (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && rest
            .iter()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    if !grouped {
        return mapped;
    }
    let mut plain: String = std::iter::once(first).chain(rest).collect();
    if let Some(fraction) = fraction {
        plain.push('.');
        plain.push_str(fraction);
    }
    plain
}

impl Money {
    /// An amount of `minor` minor units (1250 CNY minor units is 12.50 CNY).
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Zero of `currency`.
    pub fn zero(currency: Currency) -> Self {
        Self::from_minor(0, currency)
    }

    /// Parses an unsigned decimal amount such as "12.50" exactly: at most the currency's
    /// exponent of decimals, digits on both sides of a decimal point, no sign, no spaces, no
    /// grouping. This is how amounts typed by a user or carried in a QR code are read.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        Self::parse_with_sign(text, currency, false)
    }

    /// Parses an amount as a person types it in their locale, exactly: what [`Money::parse`]
    /// reads, and also full-width digits (`１２`), the ideographic and full-width full stops
    /// (`。`, `．`) as the decimal point, spaces around it (including the ideographic space),
    /// and thousands grouping with `,` or `，` when every group after the first has three
    /// digits (`1,234.50`). Anything else is refused as [`Money::parse`] refuses it.
    pub fn parse_typed(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        Self::parse(&normalise_typed(text), currency)
    }

    /// Like [`Money::parse`], but accepts one leading '-' (for balances and adjustments).
    pub fn parse_signed(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        Self::parse_with_sign(text, currency, true)
    }

    // Long (74 lines): one strict left-to-right reading of an amount, each refusal beside the
    // character or part it is about, so the position it reports is the one it read.
    fn parse_with_sign(text: &str, currency: Currency, signed: bool) -> Result<Self, MoneyError> {
        if text.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (negative, unsigned) = match text.as_bytes()[0] {
            b'-' | b'+' if !signed => {
                return Err(MoneyError::SignNotAllowed {
                    text: text.to_owned(),
                });
            }
            b'-' => (true, &text[1..]),
            _ => (false, text),
        };
        let offset = text.len() - unsigned.len();
        for (position, found) in unsigned.chars().enumerate() {
            if !found.is_ascii_digit() && found != '.' {
                return Err(MoneyError::InvalidCharacter {
                    text: text.to_owned(),
                    found,
                    position: position + offset,
                });
            }
        }
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (unsigned, None),
        };
        if let Some(position) = fraction.and_then(|f| f.find('.')) {
            return Err(MoneyError::InvalidCharacter {
                text: text.to_owned(),
                found: '.',
                position: offset + whole.len() + 1 + position,
            });
        }
        let fraction = fraction.map(str::as_bytes);
        if whole.is_empty() || fraction.is_some_and(<[u8]>::is_empty) {
            return Err(MoneyError::MissingDigits {
                text: text.to_owned(),
            });
        }
        let exponent = usize::from(currency.exponent());
        let fraction = fraction.unwrap_or_default();
        if fraction.len() > exponent {
            return Err(MoneyError::TooManyDecimals {
                text: text.to_owned(),
                decimals: fraction.len(),
                currency: currency.code(),
                allowed: currency.exponent(),
            });
        }
        let overflow = || MoneyError::Overflow {
            text: text.to_owned(),
            currency: currency.code(),
            max: currency.max_amount().format(),
        };
        // Accumulate negatively so that i64::MIN minor units parse too.
        let digits = whole
            .bytes()
            .chain(fraction.iter().copied())
            .chain(std::iter::repeat_n(b'0', exponent - fraction.len()));
        let mut minor: i64 = 0;
        for digit in digits {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_sub(i64::from(digit - b'0')))
                .ok_or_else(overflow)?;
        }
        let minor = if negative {
            minor
        } else {
            minor.checked_neg().ok_or_else(overflow)?
        };
        Ok(Self::from_minor(minor, currency))
    }

    /// The count of minor units.
    pub fn minor(self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(self) -> Currency {
        self.currency
    }

    /// True when the amount is zero.
    pub fn is_zero(self) -> bool {
        self.minor == 0
    }

    /// True when the amount is below zero.
    pub fn is_negative(self) -> bool {
        self.minor < 0
    }

    /// The amount as a decimal string with exactly the currency's exponent of decimals and no
    /// code: "12.50" (CNY), "1250" (JPY), "-0.005" (KWD). [`Money::parse_signed`] reads it back.
    pub fn format(self) -> String {
        let exponent = usize::from(self.currency.exponent());
        let digits = self.minor.unsigned_abs().to_string();
        let sign = if self.minor < 0 { "-" } else { "" };
        if exponent == 0 {
            return format!("{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = exponent + 1);
        let (whole, fraction) = padded.split_at(padded.len() - exponent);
        format!("{sign}{whole}.{fraction}")
    }

    /// The amount with its code for display: "12.50 CNY".
    pub fn format_with_code(self) -> String {
        format!("{} {}", self.format(), self.currency.code())
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency.code(),
                right: other.currency.code(),
            })
        }
    }

    fn overflow(self, operation: &'static str, right: String) -> MoneyError {
        MoneyError::ArithmeticOverflow {
            operation,
            left: self.format_with_code(),
            right,
        }
    }

    /// `self + other`, refusing mixed currencies and overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or_else(|| self.overflow("addition", other.format_with_code()))?;
        Ok(Self::from_minor(minor, self.currency))
    }

    /// `self - other`, refusing mixed currencies and overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or_else(|| self.overflow("subtraction", other.format_with_code()))?;
        Ok(Self::from_minor(minor, self.currency))
    }

    /// `self × factor` (a quantity, not money), refusing overflow.
    pub fn checked_mul(self, factor: i64) -> Result<Money, MoneyError> {
        let minor = self
            .minor
            .checked_mul(factor)
            .ok_or_else(|| self.overflow("multiplication", factor.to_string()))?;
        Ok(Self::from_minor(minor, self.currency))
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_with_code())
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_with_code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn currency(code: &str) -> Currency {
        Currency::from_code(code).unwrap()
    }

    #[test]
    fn currencies_carry_iso_data() {
        let cny = currency("CNY");
        assert_eq!((cny.code(), cny.numeric(), cny.exponent()), ("CNY", 156, 2));
        assert_eq!(currency("jpy").exponent(), 0);
        assert_eq!(currency("KWD").exponent(), 3);
        assert_eq!(currency("986").code(), "BRL");
        assert_eq!(currency("AUD").numeric_code(), "036");
        assert_eq!(Currency::from_numeric(764).unwrap().code(), "THB");
    }

    #[test]
    fn unknown_and_unpayable_currencies_are_refused() {
        assert_eq!(
            Currency::from_code("XYZ").unwrap_err().to_string(),
            "unknown currency \"XYZ\": expected an ISO 4217 code such as \"CNY\" or \"156\""
        );
        assert!(matches!(
            Currency::from_code("C N"),
            Err(MoneyError::UnknownCurrency { .. })
        ));
        assert!(matches!(
            Currency::from_numeric(999),
            Err(MoneyError::NotPayable { code: "XXX" }) | Err(MoneyError::UnknownCurrency { .. })
        ));
        assert_eq!(
            Currency::from_code("XAU").unwrap_err(),
            MoneyError::NotPayable { code: "XAU" }
        );
    }

    #[test]
    fn parses_exactly_per_exponent() {
        let cases = [
            ("12.34", "CNY", 1234),
            ("12.3", "CNY", 1230),
            ("12", "CNY", 1200),
            ("0.01", "CNY", 1),
            ("007.50", "CNY", 750),
            ("1234", "JPY", 1234),
            ("1.234", "KWD", 1234),
            ("0", "USD", 0),
        ];
        for (text, code, minor) in cases {
            let parsed = Money::parse(text, currency(code)).unwrap();
            assert_eq!(parsed.minor(), minor, "{text} {code}");
        }
    }

    #[test]
    fn refuses_bad_amounts_precisely() {
        let cny = currency("CNY");
        assert_eq!(
            Money::parse("12.345", cny).unwrap_err().to_string(),
            "amount 12.345 has 3 decimals; CNY allows 2"
        );
        assert_eq!(
            Money::parse("1.5", currency("JPY"))
                .unwrap_err()
                .to_string(),
            "amount 1.5 has 1 decimals; JPY allows 0"
        );
        assert_eq!(Money::parse("", cny), Err(MoneyError::Empty));
        assert!(matches!(
            Money::parse("-1", cny),
            Err(MoneyError::SignNotAllowed { .. })
        ));
        assert!(matches!(
            Money::parse("+1", cny),
            Err(MoneyError::SignNotAllowed { .. })
        ));
        assert_eq!(
            Money::parse("1,000", cny),
            Err(MoneyError::InvalidCharacter {
                text: "1,000".into(),
                found: ',',
                position: 1
            })
        );
        assert_eq!(
            Money::parse("1.2.3", cny),
            Err(MoneyError::InvalidCharacter {
                text: "1.2.3".into(),
                found: '.',
                position: 3
            })
        );
        for text in [".5", "5.", ".", "-"] {
            assert!(
                matches!(
                    Money::parse_signed(text, cny),
                    Err(MoneyError::MissingDigits { .. })
                ),
                "{text}"
            );
        }
        for text in [" 1", "1e3", "١٢", "NaN"] {
            assert!(
                matches!(
                    Money::parse(text, cny),
                    Err(MoneyError::InvalidCharacter { .. })
                ),
                "{text}"
            );
        }
        assert_eq!(
            Money::parse("92233720368547758.08", cny)
                .unwrap_err()
                .to_string(),
            "amount 92233720368547758.08 CNY is too large: the most is 92233720368547758.07"
        );
        assert!(matches!(
            Money::parse("99999999999999999999999", currency("JPY")),
            Err(MoneyError::Overflow { .. })
        ));
    }

    #[test]
    fn signed_parse_reaches_both_ends() {
        let cny = currency("CNY");
        assert_eq!(
            Money::parse_signed("-92233720368547758.08", cny)
                .unwrap()
                .minor(),
            i64::MIN
        );
        assert_eq!(
            Money::parse("92233720368547758.07", cny).unwrap().minor(),
            i64::MAX
        );
        assert_eq!(Money::parse_signed("-0.5", cny).unwrap().minor(), -50);
    }

    #[test]
    fn typed_amounts_accept_what_the_locale_writes_and_stay_exact() {
        let cny = Currency::from_code("CNY").unwrap();
        let jpy = Currency::from_code("JPY").unwrap();
        let kwd = Currency::from_code("KWD").unwrap();
        let minor = |text: &str, currency| Money::parse_typed(text, currency).map(Money::minor);
        assert_eq!(minor("１２。５０", cny), Ok(1250));
        assert_eq!(minor("１２．５", cny), Ok(1250));
        assert_eq!(minor("\u{3000}１２.５０ ", cny), Ok(1250));
        assert_eq!(minor("1,234.50", cny), Ok(123_450));
        assert_eq!(minor("１，２３４。５０", cny), Ok(123_450));
        assert_eq!(minor("12,345,678", jpy), Ok(12_345_678));
        assert_eq!(minor("0。００５", kwd), Ok(5));
        assert_eq!(minor("12.50", cny), Ok(1250), "ASCII as before");
        // Still exact: too many decimals is an error, not a rounding, in any script.
        assert!(matches!(
            Money::parse_typed("１２。３４５", cny),
            Err(MoneyError::TooManyDecimals { decimals: 3, .. })
        ));
        // Grouping that is not thousands is refused, not guessed at.
        assert!(matches!(
            Money::parse_typed("12,50", cny),
            Err(MoneyError::InvalidCharacter { found: ',', .. })
        ));
        assert!(Money::parse_typed("1,2345.00", cny).is_err());
        assert!(Money::parse_typed("1,234,5", cny).is_err());
        assert!(Money::parse_typed("-１", cny).is_err());
        assert!(Money::parse_typed("", cny).is_err());
    }

    #[test]
    fn formats_with_the_exponent() {
        assert_eq!(Money::from_minor(1250, currency("CNY")).format(), "12.50");
        assert_eq!(Money::from_minor(5, currency("CNY")).format(), "0.05");
        assert_eq!(Money::from_minor(-5, currency("KWD")).format(), "-0.005");
        assert_eq!(Money::from_minor(1250, currency("JPY")).format(), "1250");
        assert_eq!(
            Money::from_minor(i64::MIN, currency("CNY")).format(),
            "-92233720368547758.08"
        );
        assert_eq!(
            Money::from_minor(1250, currency("CNY")).to_string(),
            "12.50 CNY"
        );
    }

    #[test]
    fn arithmetic_is_checked() {
        let cny = currency("CNY");
        let a = Money::from_minor(150, cny);
        assert_eq!(a.checked_add(a).unwrap().minor(), 300);
        assert_eq!(a.checked_sub(a).unwrap(), Money::zero(cny));
        assert_eq!(a.checked_mul(3).unwrap().minor(), 450);
        assert_eq!(
            a.checked_add(Money::from_minor(1, currency("USD")))
                .unwrap_err(),
            MoneyError::CurrencyMismatch {
                left: "CNY",
                right: "USD"
            }
        );
        assert!(matches!(
            cny.max_amount().checked_add(Money::from_minor(1, cny)),
            Err(MoneyError::ArithmeticOverflow {
                operation: "addition",
                ..
            })
        ));
        assert!(
            Money::from_minor(i64::MIN, cny)
                .checked_sub(Money::from_minor(1, cny))
                .is_err()
        );
        assert!(cny.max_amount().checked_mul(2).is_err());
    }

    #[test]
    fn serialises_as_minor_units_and_code() {
        let money = Money::from_minor(1250, currency("CNY"));
        let json = serde_json::to_string(&money).unwrap();
        assert_eq!(json, r#"{"minor":1250,"currency":"CNY"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), money);
        assert!(serde_json::from_str::<Money>(r#"{"minor":1,"currency":"ZZZ"}"#).is_err());
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        prop::sample::select(vec!["CNY", "JPY", "KWD", "USD", "BRL", "CLF", "VND"])
            .prop_map(|code| Currency::from_code(code).unwrap())
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(minor in any::<i64>(), currency in any_currency()) {
            let money = Money::from_minor(minor, currency);
            prop_assert_eq!(Money::parse_signed(&money.format(), currency).unwrap(), money);
            if minor >= 0 {
                prop_assert_eq!(Money::parse(&money.format(), currency).unwrap(), money);
            }
        }

        #[test]
        fn full_width_amounts_read_as_their_ascii_form(minor in 0i64.., currency in any_currency()) {
            let money = Money::from_minor(minor, currency);
            let wide: String = money
                .format()
                .chars()
                .map(|c| match c {
                    '0'..='9' => char::from_u32(u32::from(c) + 0xfee0).unwrap(),
                    '.' => '。',
                    other => other,
                })
                .collect();
            prop_assert_eq!(Money::parse_typed(&wide, currency).unwrap(), money);
        }

        #[test]
        fn typed_parse_never_panics(text in "\\PC{0,30}", currency in any_currency()) {
            let _ = Money::parse_typed(&text, currency);
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,30}", currency in any_currency()) {
            let _ = Money::parse_signed(&text, currency);
        }
    }
}
