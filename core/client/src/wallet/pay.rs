//! Paying and being paid by code: [`Wallet::scan`] (the confirm screen), [`Wallet::pay`]
//! (merchant, receive and order codes, through the outbox) and the codes this user shows
//! ([`Wallet::receive_code`], [`Wallet::merchant_code`]).

use super::args::{amount_error, currency, positive_amount, render};
use super::view::{self, Amount, CodeView, CommandOutcome, ScanScreen};
use super::{Wallet, WalletError};
use crate::api::{Command, IssueKind, NewCode, PayCode, ScannedCode, new_idempotency_key};
use crate::i18n::Words;
use crate::transport::TransportError;
use danbao_domain::money::{Currency, Money};
use danbao_domain::protocol::wire;
use danbao_domain::qr::link::carried_code;
use danbao_domain::qr::{ScanOutcome, scan};

/// How long after [`Wallet::scan`] had a code accepted by the server [`Wallet::pay`] trusts
/// that answer instead of asking again. The server verifies the code again when it is paid;
/// this only decides whether a code it would refuse is refused before anything is queued
/// (asked again) or by the payment's own answer (trusted).
const SCAN_TRUSTED_SECS: i64 = 120;

/// A code [`Wallet::scan`] decoded once and the server resolved, kept for the payment that
/// follows: the payment reuses the decoded code and skips a second resolve.
#[derive(Debug)]
pub(super) struct Scanned {
    text: String,
    outcome: ScanOutcome,
    resolved_at: i64,
}

impl Wallet {
    /// What the confirm screen shows for a scanned text. Danbao codes are resolved by the
    /// server (the payee's real name; a warning when the printed name differs; a tampered,
    /// expired or used code comes back [`ScanKind::Invalid`](super::ScanKind::Invalid) with the server's reason).
    /// Payment codes, foreign and invalid codes need no network.
    pub async fn scan(&self, text: &str) -> Result<ScanScreen, WalletError> {
        // A payment link is read as the code it carries; the screen and the server see the code.
        let outcome = scan(text);
        let carried = carried_code(text);
        let code = carried.as_str();
        if let Some(screen) = view::local_scan_screen(&outcome, code, &self.texts()) {
            return Ok(screen);
        }
        let Some((kind, printed_name)) = view::danbao_kind(&outcome) else {
            return Err(WalletError::Code {
                detail: Words::new("code-unclassified"),
            });
        };
        let api = self.api()?;
        let key = new_idempotency_key()?;
        match api.resolve_code(code, &key).await {
            Ok(resolved) => {
                let paid_before = self.store.paid_before(&resolved.payee.handle)?;
                let screen =
                    view::resolved_scan_screen(kind, &resolved, code, paid_before, &self.texts());
                self.keep_scan(Some(Scanned {
                    text: code.to_owned(),
                    outcome,
                    resolved_at: self.now(),
                }));
                Ok(screen)
            }
            Err(TransportError::Http {
                status,
                code: problem,
                detail,
                ..
            }) if (400..500).contains(&status) && status != 429 => {
                self.keep_scan(None);
                Ok(view::refused_scan_screen(
                    printed_name,
                    &detail,
                    &problem,
                    code,
                    &self.texts(),
                ))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Pays a scanned merchant code, friend receive code (`POST /v1/payments`) or order code
    /// (`POST /v1/orders/pay-code`, into escrow), through the outbox. `amount` is required
    /// when the code has none, and must equal the code's amount when it has one. The code is
    /// resolved first: a code the server refuses (tampered, expired, used) is refused here,
    /// before anything is queued — unless [`Wallet::scan`] had the server accept this very
    /// code within the last two minutes: then the payment reuses that scan's decoded code and
    /// answer, and makes one request (the payment) instead of two. A scan serves one payment.
    pub async fn pay(
        &self,
        code: &str,
        amount: Option<&str>,
    ) -> Result<CommandOutcome, WalletError> {
        let carried = carried_code(code);
        let code = carried.as_str();
        let (outcome, resolved) = match self.scanned(code) {
            Some(outcome) => (outcome, true),
            None => (scan(code), false),
        };
        let command = payment_command(code, &outcome, amount)?;
        if !resolved {
            self.resolve_before_paying(code).await?;
        }
        self.keep_scan(None);
        self.run_command(command).await
    }

    /// Refuses a code the server will not honour before anything is queued. Offline, the
    /// command is queued anyway: the server verifies the code again when it arrives.
    async fn resolve_before_paying(&self, code: &str) -> Result<(), WalletError> {
        let api = self.api()?;
        let key = new_idempotency_key()?;
        match api.resolve_code(code, &key).await {
            Ok(_) => Ok(()),
            Err(TransportError::Http {
                status,
                code: problem,
                detail,
                ..
            }) if (400..500).contains(&status) && status != 429 => Err(WalletError::Code {
                detail: Words::new("code-refused")
                    .text("detail", detail)
                    .text("code", &problem)
                    .problem("reason", &problem),
            }),
            Err(error) => {
                tracing::info!(%error, "code not resolved before paying; the server checks it");
                Ok(())
            }
        }
    }

    /// The decoded code of the last scan, if it is `code` and the server accepted it within
    /// [`SCAN_TRUSTED_SECS`].
    fn scanned(&self, code: &str) -> Option<ScanOutcome> {
        let now = self.now();
        let last = self.last_scan.lock().unwrap_or_else(|p| p.into_inner());
        last.as_ref()
            .filter(|s| s.text == code && (0..=SCAN_TRUSTED_SECS).contains(&(now - s.resolved_at)))
            .map(|s| s.outcome.clone())
    }

    fn keep_scan(&self, scanned: Option<Scanned>) {
        *self.last_scan.lock().unwrap_or_else(|p| p.into_inner()) = scanned;
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

/// The payment command for a decoded code, with the amount checked against the code (the
/// amount text is parsed once, here).
fn payment_command(
    code: &str,
    outcome: &ScanOutcome,
    amount: Option<&str>,
) -> Result<Command, WalletError> {
    let pay_code = |amount: Option<Money>| {
        Command::PayCode(PayCode {
            code: code.to_owned(),
            amount: amount.map(Money::format),
            memo: String::new(),
        })
    };
    match outcome {
        ScanOutcome::MerchantPayment { code: read, .. } => Ok(pay_code(amount_for_code(
            amount,
            read.currency,
            read.amount_minor,
        )?)),
        ScanOutcome::FriendReceive { code: read, .. } => Ok(pay_code(amount_for_code(
            amount,
            read.currency,
            read.amount_minor,
        )?)),
        ScanOutcome::DanbaoOrder { code: read, .. } => {
            amount_for_code(amount, read.currency, Some(read.amount_minor))?;
            Ok(Command::PayOrderCode(ScannedCode {
                code: code.to_owned(),
            }))
        }
        ScanOutcome::PaymentCode { .. } => Err(WalletError::Code {
            detail: Words::new("scan-payment-code"),
        }),
        ScanOutcome::ForeignScheme { .. } => Err(WalletError::Code {
            detail: Words::new("code-foreign"),
        }),
        ScanOutcome::Invalid { reasons } => Err(WalletError::Code {
            detail: Words::new("scan-invalid-reason").text("reason", reasons.join("; ")),
        }),
    }
}

/// The amount a payer gives for a code, by the protocol's rule
/// ([`wire::amount_for_code`]): checked against the code's own amount, or required when the
/// code has none. `None` means "the code's amount" (the request then names none).
pub(super) fn amount_for_code(
    given: Option<&str>,
    currency: Currency,
    fixed: Option<i64>,
) -> Result<Option<Money>, WalletError> {
    let fixed = fixed.map(|minor| Money::from_minor(minor, currency));
    let given = given.map(str::trim).filter(|t| !t.is_empty());
    let money = wire::amount_for_code(fixed, currency, given).map_err(amount_error)?;
    Ok(given.map(|_| money))
}
