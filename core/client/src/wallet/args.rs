//! Checks of what a user typed (amounts, currencies, handles, notes) and QR drawing, shared by
//! the flows; each refusal is a [`WalletError::InvalidInput`] naming the field.

use super::WalletError;
use super::error::money_words;
use crate::i18n::Words;
use danbao_domain::money::{Currency, Money, normalise_typed};
use danbao_domain::protocol::limits::MAX_MEMO_CHARS;
use danbao_domain::protocol::wire::{self, AmountError};
use danbao_domain::qr::render::{RenderOptions, render_svg};
use danbao_domain::text::{self, TextError};

/// A memo or note: at most [`MAX_MEMO_CHARS`] characters, none hidden from the reader
/// (`danbao_domain::text`, the rule the server applies too).
pub(super) fn check_note(field: &'static str, text: &str) -> Result<(), WalletError> {
    text::check_note(field, text, MAX_MEMO_CHARS).map_err(|error| {
        let reason = match error {
            TextError::TooLong { chars, max, .. } => Words::new("input-too-long")
                .text("chars", chars)
                .text("max", max),
            TextError::Invisible {
                kind,
                code_point,
                position,
                ..
            } => Words::new("input-invisible")
                .text("kind", kind)
                .text("point", format!("{code_point:04X}"))
                .text("position", position),
        };
        WalletError::invalid(field, reason)
    })
}

pub(super) fn currency(code: &str) -> Result<Currency, WalletError> {
    Currency::from_code(code.trim()).map_err(|e| WalletError::invalid("currency", money_words(&e)))
}

/// A positive amount typed by the user, as their locale writes it (full-width digits, `。`,
/// thousands grouping: [`danbao_domain::money::normalise_typed`]), then the protocol's rule
/// ([`wire::positive_amount`]).
pub(super) fn positive_amount(text: &str, currency: Currency) -> Result<Money, WalletError> {
    wire::positive_amount(&normalise_typed(text), currency).map_err(amount_error)
}

/// A refused amount as the wallet reports it: on the `amount` field.
pub(super) fn amount_error(error: AmountError) -> WalletError {
    match error {
        AmountError::Money(error) => error.into(),
        AmountError::NotPositive { amount } => WalletError::invalid(
            "amount",
            Words::new("amount-not-positive").amount(
                "amount",
                amount.minor(),
                amount.currency().code(),
            ),
        ),
        AmountError::Mismatch { fixed, given } => WalletError::invalid(
            "amount",
            Words::new("amount-mismatch")
                .amount("fixed", fixed.minor(), fixed.currency().code())
                .amount("given", given.minor(), given.currency().code()),
        ),
        AmountError::Required { currency } => WalletError::invalid(
            "amount",
            Words::new("amount-required").text("currency", currency.code()),
        ),
    }
}

pub(super) fn handle_arg(field: &str, handle: &str) -> Result<String, WalletError> {
    let handle = handle.trim().trim_start_matches('@');
    if handle.is_empty() {
        return Err(WalletError::invalid(
            field,
            Words::new("input-friend-handle-empty"),
        ));
    }
    Ok(handle.to_ascii_lowercase())
}

pub(super) fn render(text: &str) -> Result<String, WalletError> {
    render_svg(text, &RenderOptions::default()).map_err(|e| WalletError::Code {
        detail: Words::new("code-cannot-draw").text("detail", e),
    })
}
