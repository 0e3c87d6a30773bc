//! Real-world EMV MPM codes (core/domain/tests/fixtures/emv/real_world.json, each with its source):
//! structure and CRC hold, the registry finds the expected networks, the key fields read as
//! published, the listed spec deviations are reported, and re-encoding keeps the model.

use std::collections::BTreeSet;

use danbao_domain::qr::emv::{self, PointOfInitiation};
use danbao_domain::qr::scheme;
use serde_json::Value;

fn fixtures() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/emv/real_world.json"
    );
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str::<Vec<Value>>(&text).unwrap()
}

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

#[test]
fn fixtures_cover_at_least_six_countries() {
    let countries: BTreeSet<String> = fixtures()
        .iter()
        .map(|f| str_field(f, "country").unwrap().to_owned())
        .collect();
    assert!(countries.len() >= 6, "{countries:?}");
}

#[test]
fn every_real_world_code_decodes_with_its_networks_and_fields() {
    for f in fixtures() {
        let name = str_field(&f, "name").unwrap();
        let text = str_field(&f, "text").unwrap();
        let report = danbao_domain::qr::inspect(text);
        assert!(report.valid, "{name}: {:?}", report.errors);
        assert_eq!(report.crc_ok, Some(true), "{name}");
        let p = report.payload.as_ref().unwrap();

        // Networks: every listed id the registry is expected to know is found, and nothing
        // the fixture does not list is claimed.
        let listed: BTreeSet<&str> = f["scheme_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        // Networks outside the required list are in `scheme_guid`; those the registry knows
        // anyway must be found too.
        let unregistered: BTreeSet<&str> = f
            .get("scheme_guid")
            .and_then(Value::as_object)
            .map(|m| m.keys().map(String::as_str).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .filter(|id| scheme::by_id(id).is_none())
            .collect();
        let found: Vec<&str> = report.schemes.iter().map(|s| s.id).collect();
        for id in listed.difference(&unregistered) {
            assert!(
                found.contains(id),
                "{name}: {id} not recognised (found {found:?})"
            );
        }
        for id in &found {
            assert!(
                listed.contains(id),
                "{name}: claims {id}, fixture lists {listed:?}"
            );
        }
        let mut dedup = found.clone();
        dedup.dedup();
        assert_eq!(dedup.len(), found.len(), "{name}: duplicates in {found:?}");

        // Key fields, as printed.
        let expect = &f["expect"];
        let poi = match &p.point_of_initiation {
            None => None,
            Some(PointOfInitiation::Static) => Some("static"),
            Some(PointOfInitiation::Dynamic) => Some("dynamic"),
            Some(PointOfInitiation::Other(v)) => Some(v.as_str()),
        };
        assert_eq!(poi, str_field(expect, "point_of_initiation"), "{name}: 01");
        assert_eq!(
            p.currency.as_deref(),
            str_field(expect, "currency"),
            "{name}: 53"
        );
        assert_eq!(
            p.amount.as_deref(),
            str_field(expect, "amount"),
            "{name}: 54"
        );
        assert_eq!(
            p.merchant_name.as_deref(),
            str_field(expect, "merchant_name"),
            "{name}: 59"
        );
        assert_eq!(
            p.merchant_city.as_deref(),
            str_field(expect, "merchant_city"),
            "{name}: 60"
        );
        assert_eq!(
            p.country_code.as_deref(),
            str_field(expect, "country"),
            "{name}: 58"
        );

        // Listed deviations are reported under their tag (or a sub-tag of it).
        for d in f["spec_deviations"].as_array().unwrap() {
            let tag = d["tag"].as_str().unwrap();
            assert!(
                report
                    .problems
                    .iter()
                    .any(|p| p.tag == tag || p.tag.starts_with(&format!("{tag}."))),
                "{name}: no problem for {tag} ({}) in {:?}",
                d["problem"],
                report.problems
            );
        }

        // Re-encoding keeps every data object.
        let again = emv::encode(p).unwrap();
        assert_eq!(emv::decode(&again).as_ref(), Ok(p), "{name}");
        assert_eq!(again.chars().count(), text.chars().count(), "{name}");
    }
}

#[test]
fn selected_codes_read_as_their_schemes_define() {
    let all = fixtures();
    let by_name = |n: &str| {
        let f = all
            .iter()
            .find(|f| str_field(f, "name") == Some(n))
            .unwrap();
        emv::decode(str_field(f, "text").unwrap()).unwrap()
    };
    // Pix: the key in 26/01; the composite code's 80 is an unreserved template, not an account.
    let pix = by_name("br-pix-bcb-composite");
    assert_eq!(pix.merchant_accounts.len(), 1);
    assert_eq!(
        pix.merchant_accounts[0].field(1),
        Some("123e4567-e12b-12d1-a456-426655440000")
    );
    assert_eq!(
        pix.unreserved(80).and_then(|t| t.guid.as_deref()),
        Some("br.gov.bcb.pix")
    );
    assert_eq!(pix.transaction_amount().map(|m| m.minor()), Some(10050));
    // JPY with three decimals: kept as printed, refused as money, reported.
    let jp = by_name("jp-jcb-mastercard-dongri");
    assert_eq!(jp.amount.as_deref(), Some("999.123"));
    assert_eq!(jp.transaction_amount(), None);
    // Chinese alternate language: lengths in characters.
    let cn = by_name("cn-emvco-spec-example");
    assert_eq!(
        cn.alternate_language
            .as_ref()
            .and_then(|l| l.merchant_name.as_deref()),
        Some("最佳运输")
    );
}
