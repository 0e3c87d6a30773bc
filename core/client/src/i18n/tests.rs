use std::collections::BTreeSet;

use fluent_syntax::ast::Entry;
use fluent_syntax::parser;

use super::*;

/// The message ids of a catalogue, failing on any syntax error.
fn ids(name: &str, source: &str) -> BTreeSet<String> {
    let resource = parser::parse(source)
        .unwrap_or_else(|(_, errors)| panic!("catalogue {name} has syntax errors: {errors:?}"));
    resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            Entry::Message(m) => Some(m.id.name.to_owned()),
            Entry::Term(t) => Some(format!("-{}", t.id.name)),
            _ => None,
        })
        .collect()
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
                "party-handle" | "party-name-handle" | "scan-foreign-scheme"
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
