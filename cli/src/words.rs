//! The CLI's own words (labels around the wallet's records) in the run's language: Fluent
//! catalogues `locales/<lang>/cli.ftl` (English complete and the fallback, Simplified
//! Chinese), loaded with the core's `i18n::bundle`. The records themselves come from the core
//! already in that language.

use std::sync::OnceLock;

use danbao_client::i18n::bundle;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// The zone the CLI writes dates in: `TZ` when it names a zone of the tz database
/// (`TZ=Asia/Shanghai`), else UTC.
pub fn cli_time_zone() -> String {
    std::env::var("TZ")
        .ok()
        .map(|tz| tz.trim_start_matches(':').to_owned())
        .filter(|tz| danbao_client::i18n::Zone::named(tz).is_ok())
        .unwrap_or_default()
}

/// The CLI's catalogues: (language tag, Fluent source).
pub const CATALOGUES: [(&str, &str); 2] = [
    ("en", include_str!("locales/en/cli.ftl")),
    ("zh-Hans", include_str!("locales/zh-Hans/cli.ftl")),
];

/// The bundles of this run: its language's (if not English), then English.
static BUNDLES: OnceLock<Vec<FluentBundle<FluentResource>>> = OnceLock::new();

/// Chooses the language of the CLI's words for this run (`tag` is the BCP 47 locale the
/// wallet speaks). Called once, before any word is read; English until then.
pub fn choose(tag: &str) {
    let _ = BUNDLES.set(load(tag));
}

fn load(tag: &str) -> Vec<FluentBundle<FluentResource>> {
    let mut bundles = Vec::new();
    let chinese = tag.split(['-', '_']).next() == Some("zh");
    for (name, source) in CATALOGUES {
        if name == "en" || chinese {
            let Ok(lang) = name.parse() else { continue };
            match bundle(name, source, lang) {
                Ok(loaded) => bundles.push(loaded),
                Err(error) => eprintln!("warning: {error}"),
            }
        }
    }
    // Its own language first, English behind it.
    bundles.reverse();
    bundles
}

/// The word `id` with `args` (`count` as a number for plural selection).
pub fn word(id: &str, args: &[(&str, &str)]) -> String {
    let bundles = BUNDLES.get_or_init(|| load("en"));
    let mut fluent = FluentArgs::new();
    for (name, value) in args {
        match value.parse::<i64>() {
            Ok(number) if *name == "count" => fluent.set(*name, FluentValue::from(number)),
            _ => fluent.set(*name, FluentValue::from(*value)),
        }
    }
    for bundle in bundles {
        if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            return bundle
                .format_pattern(pattern, Some(&fluent), &mut errors)
                .into_owned();
        }
    }
    id.to_owned()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn ids(source: &str) -> BTreeSet<String> {
        source
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split(" =").next())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn the_catalogues_load_and_hold_the_same_words() {
        let english = ids(CATALOGUES[0].1);
        assert!(english.len() > 30, "{english:?}");
        for (name, source) in CATALOGUES {
            assert_eq!(ids(source), english, "{name}");
            bundle(name, source, name.parse().unwrap()).expect("parses");
        }
    }

    #[test]
    fn words_in_both_languages() {
        let zh = load("zh-Hans-CN");
        let en = load("en-US");
        let say = |bundles: &[FluentBundle<FluentResource>], id: &str, count: i64| {
            let mut args = FluentArgs::new();
            args.set("count", FluentValue::from(count));
            let pattern = bundles[0].get_message(id).unwrap().value().unwrap();
            bundles[0]
                .format_pattern(pattern, Some(&args), &mut Vec::new())
                .into_owned()
        };
        assert_eq!(say(&en, "outbox-attempts", 1), "1 attempt");
        assert_eq!(say(&en, "outbox-attempts", 2), "2 attempts");
        assert_eq!(say(&zh, "outbox-attempts", 2), "已尝试 2 次");
        assert_eq!(say(&zh, "scan-not-payable", 0), "可付款：  否");
    }
}
