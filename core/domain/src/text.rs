//! Text a person types and another person reads: display names, memos, notes, titles.
//!
//! Two rules, shared by the server (which refuses) and the client (which checks before it
//! queues):
//!
//! - [`check_visible`]: no character that changes what a reader sees without being seen
//!   itself. Control characters (C0, C1, DEL), line and paragraph separators, bidirectional
//!   controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) and every other Unicode
//!   *default-ignorable* code point (zero-width space and joiners, word joiner, soft hyphen,
//!   Hangul fillers, tag characters, …) are refused. The two emoji variation selectors
//!   (U+FE0E, U+FE0F) are the only default-ignorables allowed: they choose between text and
//!   emoji presentation of the character before them and hide nothing. A right-to-left override
//!   (U+202E) makes the characters after it read backwards; a zero-width space makes two names that look
//!   identical compare different.
//! - [`skeleton`]: the Unicode TR39 confusable skeleton (from the maintained
//!   `unicode-security` crate) of the lower-cased text with white space collapsed, so
//!   "Lotus Tea House", "LOTUS  TEA HOUSE" and "Lоtus Tea House" (Cyrillic о) share one. Two
//!   names with one skeleton look alike to a payer; the server keeps the skeleton of every
//!   display name to find look-alikes.

use unicode_security::GeneralSecurityProfile;
use unicode_security::general_security_profile::IdentifierType;

/// Why a text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// A character a reader cannot see that changes what they see.
    #[error(
        "{field} contains {kind} U+{code_point:04X} at character {position}; \
         remove it (text may not hide characters from the reader)"
    )]
    Invisible {
        /// The field, as the API names it.
        field: &'static str,
        /// The code point.
        code_point: u32,
        /// Its kind, in words.
        kind: &'static str,
        /// 1-based position in characters.
        position: usize,
    },
    /// Longer than its field allows.
    #[error("{field} has {chars} characters; at most {max} are allowed")]
    TooLong {
        /// The field, as the API names it.
        field: &'static str,
        /// Its length in characters.
        chars: usize,
        /// The limit.
        max: usize,
    },
}

/// What kind of hidden character `c` is, or `None` when a reader can see it.
pub fn hidden_kind(c: char) -> Option<&'static str> {
    match c {
        '\u{FE0E}' | '\u{FE0F}' => None,
        '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{061C}' => Some("the bidirectional control"),
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => Some("the zero-width character"),
        '\u{2028}' | '\u{2029}' => Some("the line separator"),
        c if c.is_control() => Some("the control character"),
        c if c.identifier_type() == Some(IdentifierType::Default_Ignorable) => {
            Some("the invisible character")
        }
        _ => None,
    }
}

/// Refuses `text` when it holds a character [`hidden_kind`] names; `field` names it in the
/// error.
pub fn check_visible(field: &'static str, text: &str) -> Result<(), TextError> {
    match text
        .chars()
        .enumerate()
        .find_map(|(index, c)| hidden_kind(c).map(|kind| (index, c, kind)))
    {
        None => Ok(()),
        Some((index, c, kind)) => Err(TextError::Invisible {
            field,
            code_point: u32::from(c),
            kind,
            position: index + 1,
        }),
    }
}

/// A free text of at most `max` characters that hides nothing ([`check_visible`]): a memo,
/// a money request's note, an order title.
pub fn check_note(field: &'static str, text: &str, max: usize) -> Result<(), TextError> {
    let chars = text.chars().count();
    if chars > max {
        return Err(TextError::TooLong { field, chars, max });
    }
    check_visible(field, text)
}

/// The confusable skeleton of `text`: white space runs as one space and trimmed, then TR39's
/// skeleton of it lower-cased. Equal skeletons mean the texts look alike.
pub fn skeleton(text: &str) -> String {
    let spaced = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // Skeleton first (Cherokee Ꮮ becomes L; lower-casing it first would give a Cherokee small
    // letter TR39 does not map), then lower case, then skeleton again (l and I meet here).
    let upper: String = unicode_security::skeleton(&spaced).collect();
    unicode_security::skeleton(&upper.to_lowercase()).collect()
}

/// The key under which display names are compared for look-alikes: the [`skeleton`] without
/// any white space, so "Lotus TeaHouse" and "Lotus  Tea House" meet "Lotus Tea House" too.
pub fn name_key(text: &str) -> String {
    skeleton(text).split_whitespace().collect()
}

/// Whether `a` and `b` look alike ([`skeleton`]s equal).
pub fn confusable(a: &str, b: &str) -> bool {
    skeleton(a) == skeleton(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_keys_ignore_spacing_and_confusable_letters() {
        let key = name_key("Lotus Tea House");
        for look_alike in [
            "Lotus  Tea House",
            "Lotus TeaHouse",
            "\u{a0}Lotus Tea\u{2003}House ",
            "L\u{43e}tus Tea House",
            "Lotus T\u{435}a H\u{3bf}use",
            "LOTUS TEA HOUSE",
        ] {
            assert_eq!(name_key(look_alike), key, "{look_alike:?}");
        }
        for different in ["Lotus Tea Shop", "Lotos Tea House", "莲花茶馆"] {
            assert_ne!(name_key(different), key, "{different:?}");
        }
    }

    #[test]
    fn visible_text_passes_including_chinese_and_emoji() {
        for text in [
            "Lotus Tea House",
            "莲花茶馆",
            "王伟",
            "Café Zoë",
            "Tea ☕️ time", // U+2615 U+FE0F
            "مقهى",
            "",
        ] {
            assert_eq!(check_visible("display_name", text), Ok(()), "{text:?}");
        }
    }

    #[test]
    fn hidden_characters_are_refused_with_their_code_point_and_place() {
        let cases = [
            (
                "Lotus Tea \u{202E}esuoH",
                0x202E,
                "the bidirectional control",
                11,
            ),
            ("Lotus\u{2067}Tea", 0x2067, "the bidirectional control", 6),
            ("Lo\u{200B}tus", 0x200B, "the zero-width character", 3),
            ("Lotus\u{200D}", 0x200D, "the zero-width character", 6),
            ("\u{FEFF}Lotus", 0xFEFF, "the zero-width character", 1),
            ("Lotus\nTea", 0x0A, "the control character", 6),
            ("Lotus\u{7F}", 0x7F, "the control character", 6),
            ("Lotus\u{85}", 0x85, "the control character", 6),
            ("Lotus\u{2028}Tea", 0x2028, "the line separator", 6),
            ("Lo\u{AD}tus", 0xAD, "the invisible character", 3),
            ("\u{3164}", 0x3164, "the invisible character", 1),
            ("Lotus\u{E0041}", 0xE0041, "the invisible character", 6),
        ];
        for (text, code_point, kind, position) in cases {
            assert_eq!(
                check_visible("memo", text),
                Err(TextError::Invisible {
                    field: "memo",
                    code_point,
                    kind,
                    position
                }),
                "{text:?}"
            );
        }
        assert_eq!(
            check_visible("display_name", "Lotus\u{202E}")
                .unwrap_err()
                .to_string(),
            "display_name contains the bidirectional control U+202E at character 6; \
             remove it (text may not hide characters from the reader)"
        );
    }

    #[test]
    fn a_note_is_limited_in_length_and_hides_nothing() {
        let limit = crate::protocol::limits::MAX_MEMO_CHARS;
        assert_eq!(check_note("memo", &"茶".repeat(limit), limit), Ok(()));
        assert_eq!(
            check_note("memo", &"茶".repeat(limit + 1), limit),
            Err(TextError::TooLong {
                field: "memo",
                chars: limit + 1,
                max: limit
            })
        );
        assert!(matches!(
            check_note("note", "for \u{202E}tea", limit),
            Err(TextError::Invisible { field: "note", .. })
        ));
    }

    #[test]
    fn look_alikes_share_a_skeleton_and_different_names_do_not() {
        let shop = "Lotus Tea House";
        for twin in [
            "Lotus Tea House",
            "lotus tea house",
            "LOTUS  TEA   HOUSE",
            " Lotus Tea House ",
            "L\u{043E}tus Tea House", // Cyrillic о
            "Lotus Tea H\u{03BF}use", // Greek ο
            "\u{13DE}otus Tea House", // Cherokee Ꮮ
            "Lotus Tea Hou\u{0455}e", // Cyrillic ѕ
            "Lotu\u{FF53} Tea House", // full-width s
        ] {
            assert!(confusable(shop, twin), "{twin:?} should look like {shop:?}");
        }
        for other in [
            "Lotus Tea Room",
            "Lotus Teas House",
            "Lotos Tea House",
            "莲花茶馆",
        ] {
            assert!(!confusable(shop, other), "{other:?} is another name");
        }
        assert_eq!(skeleton("rn"), skeleton("m"), "TR39 maps rn to m");
    }
}
