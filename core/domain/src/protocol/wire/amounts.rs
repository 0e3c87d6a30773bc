//! Amounts and balances as the API shows them, and the amount rules both sides apply: a
//! positive amount in a currency ([`positive_amount`]) and the amount a scanned code requires
//! ([`amount_for_code`]).

use serde::{Deserialize, Serialize};

use crate::ledger::Account;
use crate::money::{Currency, Money, MoneyError};

/// An amount as the API shows it: exact minor units, the currency, and display text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AmountView {
    /// Exact minor units.
    pub minor: i64,
    /// ISO 4217 alpha code.
    pub currency: String,
    /// Decimal text, e.g. "12.50".
    pub value: String,
    /// For display, e.g. "12.50 CNY".
    pub display: String,
}

impl From<Money> for AmountView {
    fn from(money: Money) -> Self {
        Self {
            minor: money.minor(),
            currency: money.currency().code().to_owned(),
            value: money.format(),
            display: money.format_with_code(),
        }
    }
}

impl AmountView {
    /// The amount as [`Money`], refused when the currency code is unknown.
    pub fn money(&self) -> Result<Money, MoneyError> {
        Ok(Money::from_minor(
            self.minor,
            Currency::from_code(&self.currency)?,
        ))
    }
}

/// A wallet balance in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BalanceView {
    /// ISO 4217 alpha code.
    pub currency: String,
    /// What the user can spend now.
    pub available: AmountView,
    /// The user's money held in escrow by their pending payments.
    pub held_out: AmountView,
    /// Others' escrowed payments to the user, not yet released.
    pub incoming: AmountView,
}

impl From<&Account> for BalanceView {
    fn from(account: &Account) -> Self {
        let money = |minor| AmountView::from(Money::from_minor(minor, account.currency));
        Self {
            currency: account.currency.code().to_owned(),
            available: money(account.balances.available()),
            held_out: money(account.balances.debits_pending),
            incoming: money(account.balances.credits_pending),
        }
    }
}

/// Why an amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// The text or the currency is not an amount (decimals, characters, unknown code, ...).
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// The amount is zero.
    #[error(
        "{} is not more than zero; enter a positive amount such as \"12.50\"",
        amount.format_with_code()
    )]
    NotPositive {
        /// What was given.
        amount: Money,
    },
    /// A code fixes an amount and another one was given.
    #[error(
        "the code asks for {}; you entered {} (leave the amount out to pay the code's amount)",
        fixed.format_with_code(),
        given.format_with_code()
    )]
    Mismatch {
        /// The code's amount.
        fixed: Money,
        /// The amount given.
        given: Money,
    },
    /// A code without an amount was paid without one.
    #[error(
        "this code has no amount: enter how much to pay in {}, e.g. \"12.50\"",
        currency.code()
    )]
    Required {
        /// The code's currency.
        currency: Currency,
    },
}

/// A positive amount written as decimal text (surrounding spaces ignored) in `currency`:
/// exact (more decimals than the currency has is an error) and more than zero.
pub fn positive_amount(text: &str, currency: Currency) -> Result<Money, AmountError> {
    let money = Money::parse(text.trim(), currency)?;
    if money.minor() <= 0 {
        return Err(AmountError::NotPositive { amount: money });
    }
    Ok(money)
}

/// [`positive_amount`] with the currency given by its ISO 4217 code, as request bodies carry
/// it.
pub fn parse_amount(text: &str, currency: &str) -> Result<Money, AmountError> {
    positive_amount(text, Currency::from_code(currency.trim())?)
}

/// The amount a payment of a scanned code moves: the code's own amount (`fixed`), which a
/// `given` amount must then equal, or the `given` amount when the code has none. An empty or
/// blank `given` counts as none.
pub fn amount_for_code(
    fixed: Option<Money>,
    currency: Currency,
    given: Option<&str>,
) -> Result<Money, AmountError> {
    let given = given
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(|text| positive_amount(text, currency))
        .transpose()?;
    match (fixed, given) {
        (Some(fixed), None) => Ok(fixed),
        (Some(fixed), Some(given)) if given == fixed => Ok(fixed),
        (Some(fixed), Some(given)) => Err(AmountError::Mismatch { fixed, given }),
        (None, Some(given)) => Ok(given),
        (None, None) => Err(AmountError::Required { currency }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny(text: &str) -> Money {
        Money::parse(text, Currency::from_code("CNY").unwrap()).unwrap()
    }

    #[test]
    fn amount_views_carry_minor_units_and_text() {
        let view = AmountView::from(cny("12.5"));
        assert_eq!(view.minor, 1250);
        assert_eq!(view.value, "12.50");
        assert_eq!(view.display, "12.50 CNY");
        assert_eq!(view.money().unwrap(), cny("12.50"));
    }

    #[test]
    fn amounts_must_be_exact_and_positive() {
        let currency = Currency::from_code("CNY").unwrap();
        assert_eq!(positive_amount(" 3.10 ", currency).unwrap(), cny("3.10"));
        let zero = positive_amount("0.00", currency).unwrap_err();
        assert!(zero.to_string().contains("not more than zero"), "{zero}");
        let decimals = parse_amount("1.234", "CNY").unwrap_err();
        assert!(
            decimals.to_string().contains("3 decimals; CNY allows 2"),
            "{decimals}"
        );
        assert!(matches!(
            parse_amount("1", "CN_Y"),
            Err(AmountError::Money(MoneyError::UnknownCurrency { .. }))
        ));
    }

    #[test]
    fn a_code_amount_is_the_codes_or_the_given_one() {
        let currency = Currency::from_code("CNY").unwrap();
        let fixed = Some(cny("12.50"));
        assert_eq!(amount_for_code(fixed, currency, None), Ok(cny("12.50")));
        assert_eq!(amount_for_code(fixed, currency, Some("")), Ok(cny("12.50")));
        assert_eq!(
            amount_for_code(fixed, currency, Some("12.5")),
            Ok(cny("12.50"))
        );
        let mismatch = amount_for_code(fixed, currency, Some("13")).unwrap_err();
        assert!(
            mismatch
                .to_string()
                .contains("asks for 12.50 CNY; you entered 13.00 CNY"),
            "{mismatch}"
        );
        assert_eq!(amount_for_code(None, currency, Some("2")), Ok(cny("2.00")));
        assert_eq!(
            amount_for_code(None, currency, None),
            Err(AmountError::Required { currency })
        );
    }
}
