//! Paying and being paid by code: [`Wallet::scan`] (the confirm screen), [`Wallet::pay`]
//! (merchant, receive and order codes, through the outbox) and the codes this user shows
//! ([`Wallet::receive_code`], [`Wallet::merchant_code`]).

use serde_json::json;

use super::args::{currency, positive_amount, render};
use super::view::{self, Amount, CodeView, CommandOutcome, ScanScreen};
use super::{Wallet, WalletError};
use crate::api::{IssueKind, NewCode, new_idempotency_key};
use crate::transport::TransportError;
use danbao_domain::money::{Currency, Money};
use danbao_domain::qr::{ScanOutcome, scan};

impl Wallet {
    /// What the confirm screen shows for a scanned text. Danbao codes are resolved by the
    /// server (the payee's real name; a warning when the printed name differs; a tampered,
    /// expired or used code comes back [`ScanKind::Invalid`](super::ScanKind::Invalid) with the server's reason).
    /// Payment codes, foreign and invalid codes need no network.
    pub async fn scan(&self, text: &str) -> Result<ScanScreen, WalletError> {
        let code = text.trim();
        let outcome = scan(code);
        if let Some(screen) = view::local_scan_screen(&outcome, code, &self.texts()) {
            return Ok(screen);
        }
        let Some((kind, printed_name)) = view::danbao_kind(&outcome) else {
            return Err(WalletError::Code {
                detail: "the code could not be classified".to_owned(),
            });
        };
        let api = self.api()?;
        let key = new_idempotency_key()?;
        match api.resolve_code(code, &key).await {
            Ok(resolved) => Ok(view::resolved_scan_screen(
                kind,
                &resolved,
                code,
                &self.texts(),
            )),
            Err(TransportError::Http {
                status,
                code: problem,
                detail,
                ..
            }) if (400..500).contains(&status) && status != 429 => Ok(view::refused_scan_screen(
                printed_name,
                &detail,
                &problem,
                code,
                &self.texts(),
            )),
            Err(other) => Err(other.into()),
        }
    }

    /// Pays a scanned merchant code, friend receive code (`POST /v1/payments`) or order code
    /// (`POST /v1/orders/pay-code`, into escrow), through the outbox. `amount` is required
    /// when the code has none, and must equal the code's amount when it has one. The code is
    /// resolved first: a code the server refuses (tampered, expired, used) is refused here,
    /// before anything is queued.
    pub async fn pay(
        &self,
        code: &str,
        amount: Option<&str>,
    ) -> Result<CommandOutcome, WalletError> {
        let code = code.trim();
        let (kind, path, body) = match scan(code) {
            ScanOutcome::MerchantPayment { code: read, .. } => {
                let amount = amount_for_code(amount, read.currency, read.amount_minor)?;
                (
                    "pay_code",
                    "/v1/payments",
                    json!({"code": code, "amount": amount, "memo": ""}),
                )
            }
            ScanOutcome::FriendReceive { code: read, .. } => {
                let amount = amount_for_code(amount, read.currency, read.amount_minor)?;
                (
                    "pay_code",
                    "/v1/payments",
                    json!({"code": code, "amount": amount, "memo": ""}),
                )
            }
            ScanOutcome::DanbaoOrder { code: read, .. } => {
                amount_for_code(amount, read.currency, Some(read.amount_minor))?;
                ("pay_order", "/v1/orders/pay-code", json!({"code": code}))
            }
            ScanOutcome::PaymentCode { .. } => {
                return Err(WalletError::Code {
                    detail: "this is a customer's payment code: a merchant charges it \
                             (charge_payment_code); a wallet cannot pay it"
                        .to_owned(),
                });
            }
            ScanOutcome::ForeignScheme { description, .. } => {
                return Err(WalletError::Code {
                    detail: format!("{description}: this wallet pays Danbao codes only"),
                });
            }
            ScanOutcome::Invalid { reasons } => {
                return Err(WalletError::Code {
                    detail: reasons.join("; "),
                });
            }
        };
        let api = self.api()?;
        // Refuse a code the server will not honour before anything is queued. Offline, the
        // command is queued anyway: the server verifies the code again when it arrives.
        let key = new_idempotency_key()?;
        match api.resolve_code(code, &key).await {
            Ok(_) => {}
            Err(TransportError::Http {
                status,
                code: problem,
                detail,
                ..
            }) if (400..500).contains(&status) && status != 429 => {
                return Err(WalletError::Code {
                    detail: format!("the server refused this code: {detail} ({problem})"),
                });
            }
            Err(error) => {
                tracing::info!(%error, "code not resolved before paying; the server checks it");
            }
        }
        self.run_command(kind, path.to_owned(), Some(body)).await
    }

    /// This user's receive code: a friend scans it to pay. With an amount it is signed,
    /// single use and expires; without, the friend enters the amount.
    pub async fn receive_code(
        &self,
        amount: Option<&str>,
        currency: &str,
    ) -> Result<CodeView, WalletError> {
        self.issue_code(IssueKind::Receive, amount, currency).await
    }

    /// This user's merchant code, for a counter or a checkout page: customers scan it to pay
    /// the user as a merchant. With an amount it is signed, single use and expires; without,
    /// it is the static code printed once and the customer enters the amount.
    pub async fn merchant_code(
        &self,
        amount: Option<&str>,
        currency: &str,
    ) -> Result<CodeView, WalletError> {
        self.issue_code(IssueKind::Merchant, amount, currency).await
    }

    async fn issue_code(
        &self,
        kind: IssueKind,
        amount: Option<&str>,
        currency: &str,
    ) -> Result<CodeView, WalletError> {
        let currency = self::currency(currency)?;
        let money = amount
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| positive_amount(t, currency))
            .transpose()?;
        let api = self.api()?;
        let mut request = NewCode::new(kind, money);
        request.currency = Some(currency.code().to_owned());
        let key = new_idempotency_key()?;
        let issued = api.issue_code(&request, &key).await?;
        Ok(CodeView {
            svg: render(&issued.code)?,
            text: issued.code,
            amount: issued.amount.map(|a| Amount::from_view(&a, &self.texts())),
            expires_at: issued.expires_at,
        })
    }
}

/// The amount a payer gives for a code: checked against the code's own amount, or required
/// when the code has none. `None` means "the code's amount".
pub(super) fn amount_for_code(
    given: Option<&str>,
    currency: Currency,
    fixed: Option<i64>,
) -> Result<Option<String>, WalletError> {
    let given = given.map(str::trim).filter(|t| !t.is_empty());
    match (given, fixed) {
        (None, Some(_)) => Ok(None),
        (None, None) => Err(WalletError::invalid(
            "amount",
            format!(
                "this code has no amount: enter how much to pay in {}, e.g. \"12.50\"",
                currency.code()
            ),
        )),
        (Some(text), fixed) => {
            let money = positive_amount(text, currency)?;
            if let Some(fixed) = fixed
                && fixed != money.minor()
            {
                return Err(WalletError::invalid(
                    "amount",
                    format!(
                        "the code asks for {}; you entered {} (leave the amount out to pay the \
                         code's amount)",
                        Money::from_minor(fixed, currency).format_with_code(),
                        money.format_with_code()
                    ),
                ));
            }
            Ok(Some(money.format()))
        }
    }
}
