//! Amounts, relative times and region names by locale, from CLDR through ICU4X.

use danbao_domain::money::{Currency, Money};
use fixed_decimal::Decimal;
use icu_calendar::Date;
use icu_datetime::DateTimeFormatter;
use icu_datetime::fieldsets::YMD;
use icu_experimental::dimension::currency::CurrencyType;
use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use icu_experimental::displaynames::multi::RegionDisplayNames;
use icu_experimental::relativetime::RelativeTimeFormatter;
use icu_locale_core::Locale;
use icu_locale_core::subtags::Region;
use icu_time::{DateTime, Time};

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

/// `unix` seconds as `locale` writes a date with its time ("Dec 6, 2026, 11:08 AM",
/// "2026年12月6日 11:08"), in the zone `utc_offset_minutes` east of UTC (the shell's). Falls
/// back to ISO 8601 with the offset when ICU4X has no pattern.
pub fn format_date_time(locale: &Locale, unix: i64, utc_offset_minutes: i32) -> String {
    let local = unix.saturating_add(i64::from(utc_offset_minutes) * 60);
    let (year, month, day) = civil_from_days(local.div_euclid(86_400));
    let seconds = local.rem_euclid(86_400);
    let (hour, minute) = ((seconds / 3600) as u8, ((seconds % 3600) / 60) as u8);
    let iso = || {
        let sign = if utc_offset_minutes < 0 { '-' } else { '+' };
        let offset = utc_offset_minutes.unsigned_abs();
        format!(
            "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC{sign}{:02}:{:02}",
            offset / 60,
            offset % 60
        )
    };
    let Ok(year32) = i32::try_from(year) else {
        return iso();
    };
    let (Ok(date), Ok(time)) = (
        Date::try_new_iso(year32, month, day),
        Time::try_new(hour, minute, 0, 0),
    ) else {
        return iso();
    };
    match DateTimeFormatter::try_new(locale.into(), YMD::medium().with_time_hm()) {
        Ok(formatter) => formatter.format(&DateTime { date, time }).to_string(),
        Err(_) => iso(),
    }
}

/// The proleptic Gregorian (year, month, day) of `days` since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, exact for every i64 day count that fits the year in i64).
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
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
