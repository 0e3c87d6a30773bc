//! Checks of what a user typed (amounts, currencies, handles, notes) and QR drawing, shared by
//! the flows; each refusal is a [`WalletError::InvalidInput`] naming the field.

use super::WalletError;
use danbao_domain::money::{Currency, Money};
use danbao_domain::protocol::limits::MAX_MEMO_CHARS;
use danbao_domain::qr::render::{RenderOptions, render_svg};

pub(super) fn check_note(field: &str, text: &str) -> Result<(), WalletError> {
    let chars = text.chars().count();
    if chars > MAX_MEMO_CHARS {
        return Err(WalletError::invalid(
            field,
            format!("it has {chars} characters; at most {MAX_MEMO_CHARS} are allowed"),
        ));
    }
    Ok(())
}

pub(super) fn currency(code: &str) -> Result<Currency, WalletError> {
    Currency::from_code(code.trim()).map_err(|e| WalletError::invalid("currency", e.to_string()))
}

/// A positive amount typed by the user, as their locale writes it (full-width digits, `。`,
/// thousands grouping: [`Money::parse_typed`]).
pub(super) fn positive_amount(text: &str, currency: Currency) -> Result<Money, WalletError> {
    let money = Money::parse_typed(text, currency)?;
    if money.minor() <= 0 {
        return Err(WalletError::invalid(
            "amount",
            format!(
                "{} is not more than zero; enter a positive amount such as \"12.50\"",
                money.format_with_code()
            ),
        ));
    }
    Ok(money)
}

pub(super) fn handle_arg(field: &str, handle: &str) -> Result<String, WalletError> {
    let handle = handle.trim().trim_start_matches('@');
    if handle.is_empty() {
        return Err(WalletError::invalid(
            field,
            "it is empty; give the friend's handle, e.g. \"bob\"",
        ));
    }
    Ok(handle.to_ascii_lowercase())
}

pub(super) fn render(text: &str) -> Result<String, WalletError> {
    render_svg(text, &RenderOptions::default()).map_err(|e| WalletError::Code {
        detail: format!("the code cannot be drawn as a QR code: {e}"),
    })
}
