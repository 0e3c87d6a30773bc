use std::collections::BTreeSet;

use fluent_syntax::ast::Entry;
use fluent_syntax::parser;

use super::*;

/// The message ids of a catalogue, failing on any syntax error and on an id defined twice
/// (a bundle refuses such a catalogue, and every message of the language would fall back).
fn ids(name: &str, source: &str) -> BTreeSet<String> {
    let resource = parser::parse(source)
        .unwrap_or_else(|(_, errors)| panic!("catalogue {name} has syntax errors: {errors:?}"));
    let all: Vec<String> = resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            Entry::Message(m) => Some(m.id.name.to_owned()),
            Entry::Term(t) => Some(format!("-{}", t.id.name)),
            _ => None,
        })
        .collect();
    let mut unique = BTreeSet::new();
    let twice: Vec<_> = all.iter().filter(|id| !unique.insert(*id)).collect();
    assert!(twice.is_empty(), "catalogue {name} defines {twice:?} twice");
    unique.into_iter().cloned().collect()
}

#[test]
fn every_catalogue_loads_into_a_bundle() {
    for (name, source) in CATALOGUES {
        let lang = if name.starts_with("zh") {
            "zh-Hans"
        } else {
            "en"
        };
        if let Err(error) = bundle(name, source, lang.parse().unwrap()) {
            panic!("{error}");
        }
    }
}

#[test]
fn every_catalogue_parses_and_has_exactly_the_english_messages() {
    let english = ids(CATALOGUES[0].0, CATALOGUES[0].1);
    assert!(english.len() > 100, "{} messages", english.len());
    for (name, source) in CATALOGUES {
        let own = ids(name, source);
        let missing: Vec<_> = english.difference(&own).collect();
        let extra: Vec<_> = own.difference(&english).collect();
        assert!(missing.is_empty(), "{name} lacks {missing:?}");
        assert!(
            extra.is_empty(),
            "{name} has messages English lacks: {extra:?}"
        );
        bundle(name, source, name.parse().unwrap()).expect("loads into a bundle");
    }
}

#[test]
fn the_chinese_catalogue_is_chinese() {
    // Every Chinese message holds at least one Han character, except those that are only
    // arguments and punctuation (a handle).
    let resource = parser::parse(CATALOGUES[1].1).unwrap();
    let zh = Texts::new("zh-Hans-CN").unwrap();
    for entry in resource.body {
        if let Entry::Message(m) = entry {
            let id = m.id.name;
            let text = zh.with(
                id,
                &[
                    ("who", "@bob"),
                    ("name", "Bob"),
                    ("handle", "bob"),
                    ("state", "x"),
                ],
            );
            if matches!(
                id,
                "party-handle"
                    | "party-name-handle"
                    | "scan-foreign-scheme"
                    | "error-not-ready"
                    | "field-other"
            ) {
                continue;
            }
            assert!(
                text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{id} is not Chinese: {text}"
            );
        }
    }
}

#[test]
fn a_syntax_error_is_reported_with_the_catalogue() {
    let Err(error) = bundle("broken", "greeting = { $who\n", english_id()) else {
        panic!("a broken catalogue loaded");
    };
    assert_eq!(error.catalogue, "broken");
    assert!(error.detail.contains("syntax"), "{error}");
}

#[test]
fn messages_take_their_arguments_from_fluent() {
    let en = Texts::new("en-US").unwrap();
    let zh = Texts::new("zh-Hans-CN").unwrap();
    assert_eq!(
        en.with("activity-p2p-out", &[("who", "@bob")]),
        "Sent to @bob"
    );
    assert_eq!(
        zh.with("activity-p2p-out", &[("who", "@bob")]),
        "转账给 @bob"
    );
    assert_eq!(zh.get("order-button-confirm"), "确认收货");
    assert_eq!(en.get("order-button-confirm"), "Confirm receipt");
}

#[test]
fn locales_are_read_as_bcp47_or_posix_and_fall_back_to_english() {
    assert_eq!(
        Texts::new("zh_CN.UTF-8").unwrap().get("activity-top-up"),
        "充值"
    );
    assert_eq!(Texts::new("zh-CN").unwrap().tag(), "zh-CN");
    assert_eq!(Texts::new("C").unwrap().get("activity-top-up"), "Top-up");
    // No French catalogue: English words, French numbers.
    let fr = Texts::new("fr-FR").unwrap();
    assert_eq!(fr.get("activity-top-up"), "Top-up");
    assert_eq!(fr.amount(123_456, "EUR"), "1\u{202f}234,56\u{a0}€");
    let error = Texts::new("not a locale!").unwrap_err();
    assert!(error.to_string().contains("not a locale!"), "{error}");
    // A message no catalogue has shows its id (and logs), never panics.
    assert_eq!(Texts::english().get("no-such-message"), "no-such-message");
}

#[test]
fn amounts_follow_the_locale_and_the_currency_exponent() {
    let zh = Texts::new("zh-Hans-CN").unwrap();
    let en = Texts::new("en-US").unwrap();
    assert_eq!(zh.amount(1250, "CNY"), "¥12.50");
    assert_eq!(zh.amount(123_456_789, "CNY"), "¥1,234,567.89");
    assert_eq!(en.amount(1250, "CNY"), "CN¥12.50");
    assert_eq!(en.amount(1250, "USD"), "$12.50");
    assert_eq!(en.amount(1_234_500, "JPY"), "¥1,234,500");
    assert_eq!(en.amount(1_234_567, "KWD"), "KWD\u{a0}1,234.567");
    assert_eq!(zh.amount(-5, "CNY"), "-¥0.05");
    assert_eq!(zh.amount(0, "CNY"), "¥0.00");
    // i64's extremes stay exact (no float anywhere).
    assert_eq!(en.amount(i64::MAX, "USD"), "$92,233,720,368,547,758.07");
    // Not ISO 4217 (a damaged cache): the bare minor units and the code.
    assert_eq!(zh.amount(7, "QQQ"), "7 QQQ");
}

#[test]
fn relative_days_come_from_cldr() {
    let zh = Texts::new("zh-Hans-CN").unwrap();
    let en = Texts::new("en").unwrap();
    assert_eq!(en.in_days(9), "in 9 days");
    assert_eq!(en.in_days(1), "in 1 day");
    assert_eq!(en.in_days(-3), "3 days ago");
    assert_eq!(zh.in_days(9), "9天后");
    assert_eq!(zh.in_days(-3), "3天前");
}

#[test]
fn dates_follow_the_locale_in_the_shells_zone() {
    // 2026-12-06 03:08:00 UTC.
    let at = 1_796_526_480;
    let zh = Texts::new("zh-Hans-CN").unwrap().in_zone(480).unwrap();
    let en = Texts::new("en-US").unwrap();
    assert_eq!(zh.date_time(at), "2026年12月6日 11:08");
    assert_eq!(en.date_time(at), "Dec 6, 2026, 3:08\u{202f}AM");
    let west = Texts::new("en-US").unwrap().in_zone(-300).unwrap();
    assert_eq!(west.date_time(at), "Dec 5, 2026, 10:08\u{202f}PM");
    assert_eq!(en.date_time(0), "Jan 1, 1970, 12:00\u{202f}AM");
    assert!(Texts::english().in_zone(24 * 60).is_err());
    // An IANA zone: each instant with its own offset (CET +1 in winter, CEST +2 in summer).
    let berlin = Texts::new("en-US")
        .unwrap()
        .in_time_zone(Zone::named("Europe/Berlin").unwrap());
    let winter = 1_767_268_800; // 2026-01-01 12:00 UTC
    let summer = 1_782_907_200; // 2026-07-01 12:00 UTC
    assert_eq!(berlin.zone().offset_minutes_at(winter), 60);
    assert_eq!(berlin.zone().offset_minutes_at(summer), 120);
    assert_eq!(berlin.date_time(winter), "Jan 1, 2026, 1:00\u{202f}PM");
    assert_eq!(berlin.date_time(summer), "Jul 1, 2026, 2:00\u{202f}PM");
    // The hour the clocks go forward: 2026-03-29 00:59:59 UTC is 01:59 CET, a second later
    // 03:00 CEST.
    let spring = 1_774_746_000;
    assert_eq!(berlin.zone().offset_minutes_at(spring - 1), 60);
    assert_eq!(berlin.zone().offset_minutes_at(spring), 120);
    let shanghai = Zone::named("Asia/Shanghai").unwrap();
    assert_eq!(shanghai.offset_minutes_at(winter), 480);
    assert_eq!(shanghai.offset_minutes_at(summer), 480);
    assert_eq!(shanghai.name(), Some("Asia/Shanghai"));
    let unknown = Zone::named("Europe/Atlantis").unwrap_err();
    assert_eq!(unknown.name, "Europe/Atlantis");
    assert!(
        unknown.to_string().contains("not in the tz database"),
        "{unknown}"
    );
    assert!(Zone::named("").is_err());
    assert!(
        Zone::named("+08:00").is_err(),
        "an offset is not a zone name"
    );
    // Far outside any calendar ICU4X formats: ISO 8601, never a panic.
    assert!(en.date_time(i64::MAX).contains("UTC+00:00"));
}

#[test]
fn region_names_come_from_cldr() {
    let zh = Texts::new("zh-Hans-CN").unwrap();
    assert_eq!(format::region_name(zh.icu_locale(), "th"), "泰国");
    assert_eq!(
        format::region_name(Texts::english().icu_locale(), "TH"),
        "Thailand"
    );
    assert_eq!(format::region_name(zh.icu_locale(), "ZZZ"), "ZZZ");
}

/// The Chinese catalogue's own words hold no English: outside the `{ … }` placeables (the
/// arguments: amounts, handles, what the user typed), no run of three or more ASCII letters
/// except currency codes in examples.
#[test]
fn the_chinese_catalogue_has_no_english_words() {
    let allowed = ["CNY"];
    for line in CATALOGUES[1].1.lines() {
        let Some((id, pattern)) = line.split_once(" = ") else {
            continue;
        };
        if line.starts_with('#') {
            continue;
        }
        let mut words = String::new();
        let mut depth = 0;
        for c in pattern.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ if depth == 0 => words.push(c),
                _ => words.push(' '),
            }
        }
        let english: Vec<&str> = words
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() >= 3 && !allowed.contains(w))
            .collect();
        assert!(english.is_empty(), "{id}: {english:?} in {pattern}");
    }
}

/// Every problem `code` the server can send (its `ServiceError` constructors and the codes
/// it maps domain errors to, read from `server/src`) has a sentence in both catalogues, so a
/// refusal is never shown with the server's English `detail` in its place.
#[test]
fn every_problem_code_of_the_server_has_a_sentence() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../server/src");
    let mut files = vec![root];
    let mut codes = BTreeSet::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                files.push(entry.unwrap().path());
            }
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        // Test modules invent codes of their own.
        let source = source.split("#[cfg(test)]").next().unwrap_or_default();
        codes.extend(server_codes(source));
    }
    assert!(codes.len() > 60, "found only {codes:?}");
    for code in [
        "insufficient_funds",
        "handle_taken",
        "storage_unavailable",
        "code_expired",
        "overloaded",
        "body_too_large",
    ] {
        assert!(
            codes.contains(code),
            "{code} not found in the server's sources"
        );
    }
    let english = ids(CATALOGUES[0].0, CATALOGUES[0].1);
    let chinese = ids(CATALOGUES[1].0, CATALOGUES[1].1);
    let missing: Vec<_> = codes
        .iter()
        .filter(|code| {
            let id = format!("problem-{code}");
            !english.contains(&id) || !chinese.contains(&id)
        })
        .collect();
    assert!(missing.is_empty(), "no catalogue sentence for {missing:?}");
}

/// The codes in one server source file: the first argument of a `ServiceError`/`ApiError`
/// constructor, and the snake_case strings a `match` arm maps an error to (`=> "code"`).
fn server_codes(source: &str) -> Vec<String> {
    const CONSTRUCTORS: [&str; 9] = [
        "bad_request(",
        "unauthorized(",
        "forbidden(",
        "not_found(",
        "conflict(",
        "unprocessable(",
        "payload_too_large(",
        "too_many_requests(",
        "new(",
    ];
    let snake = |s: &str| {
        s.contains('_')
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let first_string = |rest: &str| -> Option<String> {
        let rest = rest.trim_start();
        // `new(Refusal::Conflict, "code", …)`: skip the class of refusal.
        let rest = rest.trim_start_matches(|c: char| {
            c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == ',' || c.is_whitespace()
        });
        let rest = rest.strip_prefix('"')?;
        Some(rest[..rest.find('"')?].to_owned())
    };
    let mut codes = Vec::new();
    for owner in ["ServiceError::", "ApiError::", "Self::"] {
        for (at, _) in source.match_indices(owner) {
            let after = &source[at + owner.len()..];
            for constructor in CONSTRUCTORS {
                if let Some(rest) = after.strip_prefix(constructor)
                    && let Some(code) = first_string(rest)
                    && (snake(&code) || code.chars().all(|c| c.is_ascii_lowercase()))
                    && !code.is_empty()
                {
                    codes.push(code);
                }
            }
        }
    }
    for (at, _) in source.match_indices("=> ") {
        let rest = source[at + 3..].trim_start_matches(['{', ' ', '\n']);
        if let Some(code) = first_string(rest)
            && snake(&code)
        {
            codes.push(code);
        }
    }
    for (at, _) in source.match_indices(": &str = \"") {
        let rest = &source[at + 9..];
        if let Some(code) = first_string(rest)
            && snake(&code)
        {
            codes.push(code);
        }
    }
    codes
}
