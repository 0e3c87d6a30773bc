//! The user's language: message catalogues and locale-aware amounts and times (issue 14).
//!
//! - Every sentence, label and title the core puts in a screen record is a message of a
//!   [Fluent](https://projectfluent.org) catalogue, `locales/<language>/wallet.ftl`, embedded in
//!   the library. English (`en`) is complete and is the fallback for any message a catalogue
//!   lacks; Simplified Chinese (`zh-Hans`) is complete too (a test compares the two).
//! - Amounts and relative times come from CLDR through ICU4X's compiled data: the locale's
//!   currency symbol and pattern, grouping and decimal separators, the currency's own exponent.
//!   Money stays integer minor units; the decimal handed to ICU4X is exact.
//!
//! A [`Texts`] is built once per locale ([`Texts::new`]) and shared; the wallet holds the
//! current one and swaps it on `set_locale`.

mod format;
mod words;

use std::fmt;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

pub use format::{format_amount, format_date_time, region_name, relative_days};
pub use words::{Arg, Words, problem_sentence};

/// The English catalogue (complete; the fallback).
const EN: &str = include_str!("locales/en/wallet.ftl");
/// The Simplified Chinese catalogue.
const ZH_HANS: &str = include_str!("locales/zh-Hans/wallet.ftl");

/// The catalogues the library carries: (language tag of the catalogue, its Fluent source).
pub const CATALOGUES: [(&str, &str); 2] = [("en", EN), ("zh-Hans", ZH_HANS)];

/// A locale tag that cannot be read as BCP 47.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("locale “{tag}” is not a BCP 47 language tag ({detail}); use e.g. zh-Hans-CN or en-US")]
pub struct LocaleError {
    /// The tag as given.
    pub tag: String,
    /// What the parser said.
    pub detail: String,
}

/// One catalogue that failed to load (a syntax error or a message defined twice).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("catalogue {catalogue}: {detail}")]
pub struct CatalogueError {
    /// The catalogue's language tag.
    pub catalogue: String,
    /// What is wrong, per Fluent's parser.
    pub detail: String,
}

/// The messages and formats of one locale, with English behind them.
pub struct Texts {
    /// The locale as the shell gave it, canonicalised (e.g. `zh-Hans-CN`).
    tag: String,
    /// For ICU4X (amounts, relative times, region names).
    icu: icu_locale_core::Locale,
    /// The catalogue of the locale's language, `None` for English.
    own: Option<FluentBundle<FluentResource>>,
    /// English, for what `own` lacks.
    english: FluentBundle<FluentResource>,
    /// The shell's time zone (dates are written in it).
    zone: Zone,
}

/// The zone dates are written in: an IANA time zone, whose offset is looked up for each
/// instant (daylight saving included), or a fixed offset (the older setting, kept as the
/// fallback for shells that pass only minutes east of UTC).
#[derive(Debug, Clone)]
pub enum Zone {
    /// A fixed offset, minutes east of UTC.
    Fixed(i32),
    /// A zone of the tz database, with its name as given (e.g. `Europe/Berlin`).
    Named(String, jiff::tz::TimeZone),
}

impl Zone {
    /// The zone named `name` in the tz database bundled with the library (`Asia/Shanghai`,
    /// `Europe/Berlin`, `UTC`).
    pub fn named(name: &str) -> Result<Zone, TimeZoneError> {
        let trimmed = name.trim();
        if trimmed.is_empty() {
            return Err(TimeZoneError {
                name: name.to_owned(),
            });
        }
        jiff::tz::TimeZone::get(trimmed)
            .map(|tz| Zone::Named(trimmed.to_owned(), tz))
            .map_err(|_| TimeZoneError {
                name: name.to_owned(),
            })
    }

    /// The offset from UTC at `unix` seconds, in minutes east.
    pub fn offset_minutes_at(&self, unix: i64) -> i32 {
        match self {
            Zone::Fixed(minutes) => *minutes,
            Zone::Named(_, tz) => jiff::Timestamp::from_second(unix)
                .map(|at| tz.to_offset(at).seconds() / 60)
                .unwrap_or(0),
        }
    }

    /// The IANA name, `None` for a fixed offset.
    pub fn name(&self) -> Option<&str> {
        match self {
            Zone::Fixed(_) => None,
            Zone::Named(name, _) => Some(name),
        }
    }
}

/// A time-zone name the tz database does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "time zone “{name}” is not in the tz database; pass an IANA name such as Asia/Shanghai or \
     Europe/Berlin (the device's zone id)"
)]
pub struct TimeZoneError {
    /// The name as given.
    pub name: String,
}

impl fmt::Debug for Texts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Texts").field("tag", &self.tag).finish()
    }
}

/// Parses one catalogue into a bundle for `lang`.
pub fn bundle(
    catalogue: &str,
    source: &str,
    lang: LanguageIdentifier,
) -> Result<FluentBundle<FluentResource>, CatalogueError> {
    let error = |detail: String| CatalogueError {
        catalogue: catalogue.to_owned(),
        detail,
    };
    let resource = FluentResource::try_new(source.to_owned())
        .map_err(|(_, errors)| error(format!("syntax error: {errors:?}")))?;
    let mut bundle = FluentBundle::new_concurrent(vec![lang]);
    // Arguments are not wrapped in bidi isolation marks: both languages are left-to-right and
    // the marks would show up in records, logs and the CLI.
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .map_err(|errors| error(format!("{errors:?}")))?;
    Ok(bundle)
}

/// The catalogue that serves `lang`: Chinese (any script or region; only Simplified is
/// carried) or, for every other language, none (English).
fn catalogue_for(lang: &LanguageIdentifier) -> Option<(&'static str, &'static str)> {
    match lang.language.as_str() {
        "zh" => Some(CATALOGUES[1]),
        _ => None,
    }
}

impl Texts {
    /// The texts of `locale`, a BCP 47 tag (`zh-Hans-CN`, `zh-CN`, `en-US`; POSIX forms such
    /// as `zh_CN.UTF-8` are read too). Languages without a catalogue get English with the
    /// locale's own number formats.
    pub fn new(locale: &str) -> Result<Texts, LocaleError> {
        let cleaned = posix_to_bcp47(locale);
        let lang: LanguageIdentifier = cleaned.parse().map_err(|e| LocaleError {
            tag: locale.to_owned(),
            detail: format!("{e}"),
        })?;
        let icu: icu_locale_core::Locale = lang.to_string().parse().map_err(|e| LocaleError {
            tag: locale.to_owned(),
            detail: format!("{e}"),
        })?;
        let english =
            bundle(CATALOGUES[0].0, CATALOGUES[0].1, english_id()).map_err(|e| LocaleError {
                tag: locale.to_owned(),
                detail: e.to_string(),
            })?;
        let own = match catalogue_for(&lang) {
            Some((name, source)) => {
                Some(bundle(name, source, lang.clone()).map_err(|e| LocaleError {
                    tag: locale.to_owned(),
                    detail: e.to_string(),
                })?)
            }
            None => None,
        };
        Ok(Texts {
            tag: lang.to_string(),
            icu,
            own,
            english,
            zone: Zone::Fixed(0),
        })
    }

    /// English (`en`).
    pub fn english() -> Texts {
        // The embedded English catalogue parses (tested); should that ever break, a wallet
        // shows message ids rather than failing to open.
        Texts::new("en").unwrap_or_else(|_| Texts {
            tag: "en".to_owned(),
            icu: icu_locale_core::Locale::UNKNOWN,
            own: None,
            english: FluentBundle::new_concurrent(vec![english_id()]),
            zone: Zone::Fixed(0),
        })
    }

    /// These texts writing dates in the zone `minutes` east of UTC (the shell's local zone,
    /// e.g. 480 in China). Refused outside ±18 hours (ISO 8601's limit).
    pub fn in_zone(mut self, minutes: i32) -> Result<Texts, String> {
        if !(-18 * 60..=18 * 60).contains(&minutes) {
            return Err(format!(
                "a UTC offset of {minutes} minutes is outside ±1080 (±18 hours); pass the \
                 device's offset, e.g. 480 for China"
            ));
        }
        self.zone = Zone::Fixed(minutes);
        Ok(self)
    }

    /// These texts writing dates in `zone`.
    pub fn in_time_zone(mut self, zone: Zone) -> Texts {
        self.zone = zone;
        self
    }

    /// The zone dates are written in.
    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// `unix` seconds as this locale writes a date and time, in the shell's zone (the zone's
    /// offset at that instant).
    pub fn date_time(&self, unix: i64) -> String {
        format_date_time(&self.icu, unix, self.zone.offset_minutes_at(unix))
    }

    /// The locale tag, canonical (e.g. `zh-Hans-CN`).
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The ICU4X locale (for number, currency and time formats).
    pub fn icu_locale(&self) -> &icu_locale_core::Locale {
        &self.icu
    }

    /// The message `id` without arguments.
    pub fn get(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with named arguments, e.g. `args(&[("who", "@bob")])`.
    pub fn with(&self, id: &str, args: &[(&str, &str)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            fluent.set(*name, FluentValue::from(*value));
        }
        self.format(id, Some(&fluent))
    }

    /// The message `id` with one number argument (for plural selection) and string ones.
    pub fn with_count(&self, id: &str, count: i64, args: &[(&str, &str)]) -> String {
        let mut fluent = FluentArgs::new();
        fluent.set("count", FluentValue::from(count));
        for (name, value) in args {
            fluent.set(*name, FluentValue::from(*value));
        }
        self.format(id, Some(&fluent))
    }

    /// Whether the locale's catalogue (or English) has message `id`.
    pub fn has(&self, id: &str) -> bool {
        self.own.as_ref().is_some_and(|b| b.has_message(id)) || self.english.has_message(id)
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        for bundle in self.own.iter().chain(std::iter::once(&self.english)) {
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, args, &mut errors);
                if errors.is_empty() {
                    return text.into_owned();
                }
                tracing::warn!(message = id, ?errors, "a message did not format cleanly");
                return text.into_owned();
            }
        }
        tracing::warn!(message = id, locale = %self.tag, "no catalogue has this message");
        id.to_owned()
    }

    /// `minor` units of `currency` (ISO 4217 code) as this locale writes an amount:
    /// `¥12.50` in Chinese, `CN¥12.50` in American English, grouping included.
    pub fn amount(&self, minor: i64, currency: &str) -> String {
        format_amount(&self.icu, minor, currency)
    }

    /// "in 9 days" / "9天后" (negative: "3 days ago"), from CLDR.
    pub fn in_days(&self, days: i64) -> String {
        relative_days(&self.icu, days)
    }
}

fn english_id() -> LanguageIdentifier {
    LanguageIdentifier::from_bytes(b"en").unwrap_or_default()
}

/// `zh_CN.UTF-8` → `zh-CN`; `C` and `POSIX` → `en`. BCP 47 tags pass unchanged.
fn posix_to_bcp47(locale: &str) -> String {
    let base = locale.split(['.', '@']).next().unwrap_or_default().trim();
    match base {
        "" | "C" | "POSIX" => "en".to_owned(),
        other => other.replace('_', "-"),
    }
}

#[cfg(test)]
mod tests;
