//! The scheme registry: which payment networks an EMV MPM code carries.
//!
//! The registry is data — [`SCHEMES`], a static table — so adding a network is adding a row.
//! A network is recognised from a merchant-account template's GUID / AID (sub-tag 00, compared
//! ASCII case-insensitively, exactly or as a prefix) or from the primitive account ids EMVCo
//! reserves for a card network (02-16).

use super::emv::{MerchantAccount, MerchantPayload};

/// How a scheme shows up in a merchant account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identifier {
    /// A template (26-51) whose GUID equals this (ASCII case-insensitive), e.g. `br.gov.bcb.pix`.
    Guid(&'static str),
    /// A template whose GUID starts with this (ASCII case-insensitive): an AID's registered
    /// provider id plus whatever application suffix, e.g. `A0000006770101` for `…0111`/`…0112`.
    GuidPrefix(&'static str),
    /// A primitive account whose id is in `first..=last` (ids EMVCo reserves for a card network).
    AccountTags {
        /// First id of the range.
        first: u8,
        /// Last id of the range.
        last: u8,
    },
}

impl Identifier {
    /// Whether `account` carries this identifier.
    pub fn matches(&self, account: &MerchantAccount) -> bool {
        match (self, account) {
            (Self::AccountTags { first, last }, MerchantAccount::Primitive { tag, .. }) => {
                (*first..=*last).contains(tag)
            }
            (Self::Guid(id), MerchantAccount::Template { guid: Some(g), .. }) => {
                g.eq_ignore_ascii_case(id)
            }
            (Self::GuidPrefix(prefix), MerchantAccount::Template { guid: Some(g), .. }) => g
                .as_bytes()
                .get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes())),
            _ => false,
        }
    }
}

/// A payment network that EMV MPM codes can carry.
#[derive(Debug, PartialEq, Eq)]
pub struct Scheme {
    /// Stable lower-case id, e.g. `"pix"`.
    pub id: &'static str,
    /// Name to show a person, e.g. `"Pix"`.
    pub name: &'static str,
    /// ISO 3166-1 alpha-2 country of a domestic scheme; `None` for international card networks.
    pub country: Option<&'static str>,
    /// How the scheme is recognised.
    pub identifiers: &'static [Identifier],
}

const fn guid(g: &'static str) -> Identifier {
    Identifier::Guid(g)
}

const fn prefix(p: &'static str) -> Identifier {
    Identifier::GuidPrefix(p)
}

const fn tags(first: u8, last: u8) -> Identifier {
    Identifier::AccountTags { first, last }
}

/// Every scheme this build recognises.
///
/// Sources for the identifiers: EMV MPM v1.1 §4.4 (primitive ids 02-16), the Banco Central do
/// Brasil Pix manual (`br.gov.bcb.pix`), Thai PromptPay (AIDs `A000000677010111`, `…12`,
/// `…13`, matched by their common prefix), MAS SGQR
/// (`SG.PAYNOW`, `SG.SGQR`), HKICL FPS (`hk.com.hkicl`), NAPAS VietQR (RID `A000000727`), NPCI
/// UPI / Bharat QR (RID `A000000524`), Bank Indonesia QRIS (`ID.CO.QRIS.WWW`), PayNet DuitNow
/// (AID `A0000006150001`); NETS (`SG.COM.NETS`), ShopeePay Indonesia (`ID.CO.SHOPEE.WWW`) and
/// QR Ph person-to-person (`com.p2pqrpay`) as seen in the published codes of
/// `core/domain/tests/fixtures/emv/`.
pub static SCHEMES: &[Scheme] = &[
    Scheme {
        id: "danbao",
        name: "Danbao",
        country: None,
        identifiers: &[guid("app.danbao")],
    },
    Scheme {
        id: "pix",
        name: "Pix",
        country: Some("BR"),
        identifiers: &[guid("br.gov.bcb.pix")],
    },
    Scheme {
        id: "promptpay",
        name: "PromptPay",
        country: Some("TH"),
        identifiers: &[prefix("A0000006770101")],
    },
    Scheme {
        id: "paynow",
        name: "PayNow",
        country: Some("SG"),
        identifiers: &[guid("SG.PAYNOW")],
    },
    Scheme {
        id: "sgqr",
        name: "SGQR",
        country: Some("SG"),
        identifiers: &[guid("SG.SGQR")],
    },
    Scheme {
        id: "fps",
        name: "FPS (Faster Payment System)",
        country: Some("HK"),
        identifiers: &[guid("hk.com.hkicl")],
    },
    Scheme {
        id: "vietqr",
        name: "VietQR",
        country: Some("VN"),
        identifiers: &[prefix("A000000727")],
    },
    Scheme {
        id: "upi",
        name: "UPI",
        country: Some("IN"),
        identifiers: &[prefix("A000000524")],
    },
    Scheme {
        id: "qris",
        name: "QRIS",
        country: Some("ID"),
        identifiers: &[guid("ID.CO.QRIS.WWW")],
    },
    Scheme {
        id: "duitnow",
        name: "DuitNow",
        country: Some("MY"),
        identifiers: &[prefix("A0000006150001")],
    },
    Scheme {
        id: "nets",
        name: "NETS",
        country: Some("SG"),
        identifiers: &[guid("SG.COM.NETS")],
    },
    Scheme {
        id: "shopeepay",
        name: "ShopeePay",
        country: Some("ID"),
        identifiers: &[guid("ID.CO.SHOPEE.WWW")],
    },
    Scheme {
        id: "qrph",
        name: "QR Ph",
        country: Some("PH"),
        identifiers: &[guid("com.p2pqrpay")],
    },
    Scheme {
        id: "visa",
        name: "Visa",
        country: None,
        identifiers: &[tags(2, 3)],
    },
    Scheme {
        id: "mastercard",
        name: "Mastercard",
        country: None,
        identifiers: &[tags(4, 5)],
    },
    Scheme {
        id: "discover",
        name: "Discover",
        country: None,
        identifiers: &[tags(9, 10)],
    },
    Scheme {
        id: "amex",
        name: "American Express",
        country: None,
        identifiers: &[tags(11, 12)],
    },
    Scheme {
        id: "jcb",
        name: "JCB",
        country: None,
        identifiers: &[tags(13, 14)],
    },
    Scheme {
        id: "unionpay",
        name: "UnionPay",
        country: None,
        identifiers: &[tags(15, 16)],
    },
];

/// The scheme with this id, e.g. `by_id("pix")`.
pub fn by_id(id: &str) -> Option<&'static Scheme> {
    SCHEMES.iter().find(|s| s.id == id)
}

/// The scheme a merchant account belongs to, if the registry knows it.
pub fn scheme_of(account: &MerchantAccount) -> Option<&'static Scheme> {
    SCHEMES
        .iter()
        .find(|s| s.identifiers.iter().any(|i| i.matches(account)))
}

/// Every known scheme the payload carries, once each, in the order of its merchant accounts.
pub fn recognise(payload: &MerchantPayload) -> Vec<&'static Scheme> {
    let mut found: Vec<&'static Scheme> = Vec::new();
    for scheme in payload.merchant_accounts.iter().filter_map(scheme_of) {
        if !found.iter().any(|s| std::ptr::eq(*s, scheme)) {
            found.push(scheme);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_countries_are_alpha2() {
        for (i, s) in SCHEMES.iter().enumerate() {
            assert!(
                SCHEMES[i + 1..].iter().all(|o| o.id != s.id),
                "{} twice",
                s.id
            );
            if let Some(c) = s.country {
                assert!(
                    c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()),
                    "{c}"
                );
            }
        }
    }

    #[test]
    fn prefix_matching_is_case_insensitive_and_bounded() {
        let account = |g: &str| MerchantAccount::Template {
            tag: 29,
            guid: Some(g.to_owned()),
            fields: vec![],
        };
        let p = prefix("A0000006770101");
        assert!(p.matches(&account("a000000677010111")));
        assert!(p.matches(&account("A000000677010112")));
        assert!(!p.matches(&account("A00000067701")));
        assert!(!p.matches(&account("Ä000000677010111")));
        assert!(guid("br.gov.bcb.pix").matches(&account("BR.GOV.BCB.PIX")));
        assert!(!guid("br.gov.bcb.pix").matches(&account("br.gov.bcb.pix2")));
    }
}
