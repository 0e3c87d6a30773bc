//! Amounts, relative times and region names by locale, from CLDR through ICU4X.

use danbao_domain::money::{Currency, Money};
use fixed_decimal::Decimal;
use icu_experimental::dimension::currency::CurrencyType;
use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use icu_experimental::displaynames::multi::RegionDisplayNames;
use icu_experimental::relativetime::RelativeTimeFormatter;
use icu_locale_core::Locale;
use icu_locale_core::subtags::Region;

/// `minor` units of `currency` as `locale` writes them (`¥1,234.50` for `zh-Hans-CN`,
/// `CN¥1,234.50` for `en-US`), with the currency's ISO 4217 exponent of decimals. The
/// decimal is built from the integer minor units by moving the point, so it is exact. A code
/// that is not ISO 4217 (only possible from a damaged cache), or a locale ICU4X has no data
/// for, falls back to `12.50 CNY`.
pub fn format_amount(locale: &Locale, minor: i64, currency: &str) -> String {
    let Ok(known) = Currency::from_code(currency) else {
        return format!("{minor} {currency}");
    };
    let plain = || Money::from_minor(minor, known).format_with_code();
    let Ok(code) = CurrencyType::try_from_str(known.code()) else {
        return plain();
    };
    let Ok(formatter) = CurrencyFormatter::try_new_symbol(locale.into(), code, Default::default())
    else {
        return plain();
    };
    let mut value = Decimal::from(minor);
    value.multiply_pow10(-i16::from(known.exponent()));
    value.pad_end(-i16::from(known.exponent()));
    formatter.format_fixed_decimal(&value).to_string()
}

/// `days` from now in words, as `locale` says it: "in 9 days", "9天后"; negative is the past.
pub fn relative_days(locale: &Locale, days: i64) -> String {
    match RelativeTimeFormatter::try_new_long_day(locale.into(), Default::default()) {
        Ok(formatter) => formatter.format(Decimal::from(days)).to_string(),
        Err(_) => format!("{days:+} d"),
    }
}

/// The name of the region `code` (ISO 3166 alpha-2) in `locale`'s language, from CLDR, or
/// the code when unknown.
pub fn region_name(locale: &Locale, code: &str) -> String {
    let upper = code.to_ascii_uppercase();
    let Ok(region) = upper.parse::<Region>() else {
        return code.to_owned();
    };
    RegionDisplayNames::try_new(locale.into(), Default::default())
        .ok()
        .and_then(|names| names.of(region).map(str::to_owned))
        .unwrap_or(upper)
}
