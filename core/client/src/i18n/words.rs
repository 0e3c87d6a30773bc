//! A sentence kept as a catalogue message and its typed arguments ([`Words`]), so that an
//! error made deep in the core is said in the language of whoever shows it: `Display` says it
//! in English (logs, `to_string`), [`Words::say`] in any locale's words. Amounts stay integer
//! minor units until they are written by the locale's formatter; a server problem stays its
//! `code` until the catalogue's sentence for it is chosen.

use std::fmt;
use std::sync::OnceLock;

use super::Texts;

/// One argument of a [`Words`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Text shown as it is (what the user typed, a handle, a number).
    Text(String),
    /// An amount, written by the locale's formatter (`¥500.00`, `CN¥500.00`).
    Amount {
        /// Minor units.
        minor: i64,
        /// ISO 4217 code.
        currency: String,
    },
    /// Another message of the catalogue (e.g. a field's name), said in the same locale.
    Message(String),
    /// The catalogue's sentence for a server problem `code` (`problem-<code>`), or the
    /// general `problem-other` for a code this version does not know.
    Problem(String),
}

/// A catalogue message id with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    /// The message id, e.g. `input-too-long`.
    pub id: String,
    /// Named arguments.
    pub args: Vec<(String, Arg)>,
}

impl Words {
    /// The message `id` without arguments.
    pub fn new(id: &str) -> Words {
        Words {
            id: id.to_owned(),
            args: Vec::new(),
        }
    }

    /// Adds a text argument.
    pub fn text(mut self, name: &str, value: impl ToString) -> Words {
        self.args
            .push((name.to_owned(), Arg::Text(value.to_string())));
        self
    }

    /// Adds an amount argument.
    pub fn amount(mut self, name: &str, minor: i64, currency: &str) -> Words {
        self.args.push((
            name.to_owned(),
            Arg::Amount {
                minor,
                currency: currency.to_owned(),
            },
        ));
        self
    }

    /// Adds an argument that is another message of the catalogue.
    pub fn message(mut self, name: &str, id: &str) -> Words {
        self.args
            .push((name.to_owned(), Arg::Message(id.to_owned())));
        self
    }

    /// Adds the catalogue's sentence for the server problem `code`.
    pub fn problem(mut self, name: &str, code: &str) -> Words {
        self.args
            .push((name.to_owned(), Arg::Problem(code.to_owned())));
        self
    }

    /// The sentence in `texts`' language.
    pub fn say(&self, texts: &Texts) -> String {
        let values: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(name, arg)| (name.as_str(), arg_text(arg, texts)))
            .collect();
        let borrowed: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
        texts.with(&self.id, &borrowed)
    }
}

/// The catalogue's sentence for a server problem `code` in `texts`' language: its own
/// `problem-<code>` message, or `problem-other` for a code this version does not know (the
/// server's English `detail` is never shown in its place).
pub fn problem_sentence(texts: &Texts, code: &str) -> String {
    let id = format!("problem-{code}");
    if texts.has(&id) {
        texts.get(&id)
    } else {
        tracing::info!(code, "a problem code without a catalogue sentence");
        texts.get("problem-other")
    }
}

fn arg_text(arg: &Arg, texts: &Texts) -> String {
    match arg {
        Arg::Text(text) => text.clone(),
        Arg::Amount { minor, currency } => texts.amount(*minor, currency),
        Arg::Message(id) => {
            if texts.has(id) {
                texts.get(id)
            } else {
                id.clone()
            }
        }
        Arg::Problem(code) => problem_sentence(texts, code),
    }
}

/// English, loaded once (for `Display`).
pub(crate) fn english() -> &'static Texts {
    static ENGLISH: OnceLock<Texts> = OnceLock::new();
    ENGLISH.get_or_init(Texts::english)
}

impl fmt::Display for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.say(english()))
    }
}
