//! Danbao codes on the server: issuing a caller's merchant or receive code, resolving a scanned
//! code to the payee the database knows, and paying it exactly once (DESIGN.md §1, §5).
//!
//! The codec, the signature and the validity window are `danbao_domain::qr::danbao`'s; this
//! module adds what only the server knows: who the payee really is, and which signed codes
//! were already paid (their nonces, recorded in the same job as the payment).

use std::collections::HashMap;

use danbao_domain::escrow::OrderState;
use danbao_domain::money::{Currency, Money};
use danbao_domain::protocol::wire::{
    AmountView, CodePaid, IssueKind, IssuedCode, NewCode, PartyView, PayCode, PayeeStanding,
    PaymentKind, Resolved, ScannedCode, amount_for_code, positive_amount,
};
use danbao_domain::qr::danbao::{
    self, DanbaoCode, DanbaoError, DanbaoSigner, MerchantCode, Nonce, ReceiveCode,
    VerifiedDanbaoCode,
};
use danbao_domain::qr::render::{RenderOptions, render_svg};

use crate::app::App;
use crate::service::users::caller_user;
use crate::service::wallet::{Payment, balance_after, check_memo, pay_user};
use crate::service::{self, Answer, Caller, ServiceError, ServiceResult, ledger};
use crate::store::{Store, Tx, User};

pub use danbao_domain::protocol::limits::{
    DEFAULT_CODE_TTL_SECS, MAX_CODE_TTL_SECS, MIN_CODE_TTL_SECS,
};
/// Longest name EMV tag 59 holds; longer display names are shortened when printed.
pub use danbao_domain::qr::danbao::MAX_NAME_CHARS as MAX_PRINTED_NAME_CHARS;
/// Merchant category code written when the caller names none ("miscellaneous retail").
pub const DEFAULT_MCC: &str = "5999";
/// City written when the caller names none (EMV requires one).
pub const DEFAULT_CITY: &str = "Online";
/// Country written when the caller names none.
pub const DEFAULT_COUNTRY: &str = "CN";

/// The name a code prints for a user: the display name, cut to what tag 59 holds and trimmed.
/// Resolving compares a code's printed name with this, so a long display name is no mismatch.
pub fn printed_name(display_name: &str) -> String {
    let cut: String = display_name
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_PRINTED_NAME_CHARS)
        .collect();
    match cut.trim() {
        "" => "Danbao user".to_owned(),
        trimmed => trimmed.to_owned(),
    }
}

/// What to put into a new code (already validated amounts).
#[derive(Debug, Clone)]
pub struct IssueRequest {
    /// Merchant or receive code.
    pub kind: IssueKind,
    /// The currency of the code.
    pub currency: Currency,
    /// The amount, if the code fixes one.
    pub amount: Option<Money>,
    /// City printed in tag 60.
    pub city: String,
    /// Country printed in tag 58.
    pub country: String,
    /// Merchant category code (merchant codes only).
    pub mcc: String,
    /// Lifetime of a signed code, seconds.
    pub ttl_secs: i64,
}

/// Builds and (when it carries an amount) signs a code for `owner`. `nonce` comes from the
/// caller's random source so this stays a function of its inputs.
pub fn issue(
    signer: &DanbaoSigner,
    owner: &User,
    request: &IssueRequest,
    nonce: Nonce,
    now: i64,
) -> ServiceResult<IssuedCode> {
    let name = printed_name(&owner.display_name);
    let amount_minor = request.amount.map(Money::minor);
    let code = match request.kind {
        IssueKind::Merchant => DanbaoCode::Merchant(MerchantCode {
            merchant_id: owner.handle.clone(),
            merchant_name: name.clone(),
            merchant_city: request.city.clone(),
            country: request.country.clone(),
            mcc: request.mcc.clone(),
            currency: request.currency,
            amount_minor,
        }),
        IssueKind::Receive => DanbaoCode::Receive(ReceiveCode {
            handle: owner.handle.clone(),
            name: name.clone(),
            city: request.city.clone(),
            country: request.country.clone(),
            currency: request.currency,
            amount_minor,
        }),
    };
    let invalid =
        |error: DanbaoError| ServiceError::unprocessable("invalid_code_request", error.to_string());
    let (text, expires_at) = if code.needs_signature() {
        let issued_at = u64::try_from(now).unwrap_or_default();
        let expires_at = now.saturating_add(request.ttl_secs);
        let text = danbao::issue(
            &code,
            signer,
            nonce,
            issued_at,
            u64::try_from(expires_at).unwrap_or_default(),
        )
        .map_err(invalid)?;
        (text, Some(expires_at))
    } else {
        (danbao::encode_unsigned(&code).map_err(invalid)?, None)
    };
    Ok(IssuedCode {
        code: text,
        kind: code.kind().to_owned(),
        signed: expires_at.is_some(),
        amount: request.amount.map(AmountView::from),
        currency: request.currency.code().to_owned(),
        payee: owner.handle.clone(),
        printed_name: name,
        expires_at,
        svg: None,
    })
}

/// The keys this server trusts for Danbao codes: its own code signer.
pub fn trusted_keys(signer: &DanbaoSigner, public_key: [u8; 32]) -> HashMap<String, [u8; 32]> {
    HashMap::from([(signer.key_id().to_owned(), public_key)])
}

/// Maps a refusal of `danbao_domain` to the API's stable codes.
pub fn code_error(error: DanbaoError) -> ServiceError {
    let code = match &error {
        DanbaoError::Structure { .. }
        | DanbaoError::NotDanbao
        | DanbaoError::Malformed { .. }
        | DanbaoError::InvalidInput { .. }
        | DanbaoError::Key { .. } => "invalid_code",
        DanbaoError::MissingSignature { .. } => "code_unsigned",
        DanbaoError::UnknownKey { .. } => "code_unknown_key",
        DanbaoError::BadSignature { .. } => "code_signature_invalid",
        DanbaoError::Expired { .. } => "code_expired",
        DanbaoError::NotYetValid { .. } => "code_not_yet_valid",
    };
    ServiceError::unprocessable(code, error.to_string())
}

/// Verifies a scanned code: structure, signature under a trusted key, validity at `now`.
pub fn verify(
    text: &str,
    keys: &HashMap<String, [u8; 32]>,
    now: i64,
) -> ServiceResult<VerifiedDanbaoCode> {
    danbao::verify(text, keys, u64::try_from(now).unwrap_or_default()).map_err(code_error)
}

/// A verified code together with its payee, read in the caller's transaction.
#[derive(Debug, Clone)]
pub struct CodeTarget {
    /// The verified code.
    pub verified: VerifiedDanbaoCode,
    /// The payee as stored.
    pub payee: User,
}

fn payee_handle(code: &DanbaoCode) -> &str {
    match code {
        DanbaoCode::Merchant(m) => &m.merchant_id,
        DanbaoCode::Order(o) => &o.merchant_id,
        DanbaoCode::Receive(r) => &r.handle,
    }
}

fn printed(code: &DanbaoCode) -> &str {
    match code {
        DanbaoCode::Merchant(m) => &m.merchant_name,
        DanbaoCode::Order(o) => &o.merchant_name,
        DanbaoCode::Receive(r) => &r.name,
    }
}

/// Finds the payee of a verified code and refuses a signed code whose nonce was already used.
pub fn target(tx: &mut dyn Tx, verified: VerifiedDanbaoCode) -> ServiceResult<CodeTarget> {
    let handle = payee_handle(&verified.code).to_ascii_lowercase();
    let payee = tx.user_by_handle(&handle)?.ok_or_else(|| {
        ServiceError::not_found(
            "unknown_payee",
            format!("the code names {handle:?}, which is not a Danbao user; do not pay it"),
        )
    })?;
    if let Some(seal) = &verified.seal
        && tx.code_nonce_used(&seal.nonce.to_text())?
    {
        return Err(used_code());
    }
    Ok(CodeTarget { verified, payee })
}

fn used_code() -> ServiceError {
    ServiceError::conflict(
        "code_used",
        "this signed code was already paid; each signed code pays once, ask for a new code",
    )
}

/// What the confirm screen shows for a verified code: its payee as the database knows them.
/// The code of an order that was cancelled, paid or settled is refused here, so no phone shows
/// it as payable. (A genuine code naming no stored order still resolves; paying it is refused
/// with `unknown_order`.)
pub fn resolve(tx: &mut dyn Tx, verified: VerifiedDanbaoCode) -> ServiceResult<Resolved> {
    if let DanbaoCode::Order(code) = &verified.code
        && let Some(record) = tx.order(&code.order_id)?
        && record.order.state != OrderState::AwaitingPayment
    {
        return Err(ServiceError::conflict(
            "order_not_payable",
            format!(
                "order {} {}; its code can no longer be paid",
                code.order_id,
                not_payable_because(record.order.state)
            ),
        ));
    }
    let target = target(tx, verified)?;
    let mut answer = resolved(&target);
    answer.standing = super::merchant_profiles::standing(tx, &target.payee)?;
    Ok(answer)
}

/// Why an order that left `AwaitingPayment` takes no payment, in words.
fn not_payable_because(state: OrderState) -> &'static str {
    match state {
        OrderState::AwaitingPayment => "waits for payment",
        OrderState::Paid
        | OrderState::Shipped
        | OrderState::RefundRequested
        | OrderState::Disputed => "is already paid",
        OrderState::Completed => "is completed",
        OrderState::Cancelled => "was cancelled",
        OrderState::Refunded => "was refunded",
    }
}

/// The confirm screen for a code whose payee was found.
pub fn resolved(target: &CodeTarget) -> Resolved {
    let code = &target.verified.code;
    let printed_name = printed(code).to_owned();
    Resolved {
        kind: code.kind().to_owned(),
        payee: PartyView::from(&target.payee),
        name_mismatch: printed_name != printed_name_of(&target.payee),
        printed_name,
        amount: code.amount().map(AmountView::from),
        currency: code.currency().code().to_owned(),
        signed: target.verified.seal.is_some(),
        expires_at: target
            .verified
            .seal
            .as_ref()
            .and_then(|seal| i64::try_from(seal.expires_at).ok()),
        order_id: match code {
            DanbaoCode::Order(o) => Some(o.order_id.clone()),
            _ => None,
        },
        standing: PayeeStanding::default(),
    }
}

fn printed_name_of(user: &User) -> String {
    printed_name(&user.display_name)
}

/// The amount to pay for a code: the protocol's rule ([`amount_for_code`]).
pub fn amount_to_pay(code: &DanbaoCode, given: Option<&str>) -> ServiceResult<Money> {
    Ok(amount_for_code(code.amount(), code.currency(), given)?)
}

/// A seal's expiry as the store keeps it (unix seconds; a time past `i64` never comes).
pub fn expiry(expires_at: u64) -> i64 {
    i64::try_from(expires_at).unwrap_or(i64::MAX)
}

/// Records a signed code's nonce as used, in the job that pays it.
pub fn use_code(tx: &mut dyn Tx, verified: &VerifiedDanbaoCode, now: i64) -> ServiceResult<()> {
    if let Some(seal) = &verified.seal
        && !tx.use_code_nonce(&seal.nonce.to_text(), now, expiry(seal.expires_at))?
    {
        return Err(used_code());
    }
    Ok(())
}

/// What a [`NewCode`] asks for, checked and with the defaults filled in.
fn issue_request(body: &NewCode) -> ServiceResult<IssueRequest> {
    let currency = Currency::from_code(body.currency.as_deref().unwrap_or("CNY"))?;
    let amount = body
        .amount
        .as_deref()
        .map(|value| positive_amount(value, currency))
        .transpose()?;
    let ttl_secs = body.expires_in_secs.unwrap_or(DEFAULT_CODE_TTL_SECS);
    if !(MIN_CODE_TTL_SECS..=MAX_CODE_TTL_SECS).contains(&ttl_secs) {
        return Err(ServiceError::unprocessable(
            "invalid_expiry",
            format!(
                "expires_in_secs is {ttl_secs}; it must be {MIN_CODE_TTL_SECS} to {MAX_CODE_TTL_SECS}"
            ),
        ));
    }
    if body.kind == IssueKind::Receive && body.mcc.is_some() {
        return Err(ServiceError::unprocessable(
            "invalid_code_request",
            "a receive code has no merchant category code; leave mcc out",
        ));
    }
    Ok(IssueRequest {
        kind: body.kind,
        currency,
        amount,
        city: body.city.clone().unwrap_or_else(|| DEFAULT_CITY.to_owned()),
        country: body
            .country
            .clone()
            .unwrap_or_else(|| DEFAULT_COUNTRY.to_owned()),
        mcc: body.mcc.clone().unwrap_or_else(|| DEFAULT_MCC.to_owned()),
        ttl_secs,
    })
}

/// Issues a code that pays the caller: a static merchant code, a signed merchant code with an
/// amount, or a friend receive code (with an SVG rendering when asked for).
pub async fn issue_code<S: Store>(
    app: &App<S>,
    caller: Caller,
    body: NewCode,
) -> ServiceResult<Answer> {
    let request = issue_request(&body)?;
    let nonce = Nonce::random(&app.rng).map_err(ServiceError::storage)?;
    let now = app.now();
    let state = app.clone();
    service::write_once(&app.store, caller, now, move |tx, caller| {
        let owner = caller_user(tx, caller.user_id, "calling user")?;
        let mut issued = issue(&state.code_signer, &owner, &request, nonce, now)?;
        if body.svg {
            issued.svg = Some(
                render_svg(&issued.code, &RenderOptions::default())
                    .map_err(|e| ServiceError::unprocessable("render_failed", e.to_string()))?,
            );
        }
        Answer::created(&issued)
    })
    .await
}

/// What the confirm screen shows for a scanned code: the payee's real name from the database,
/// the printed name, whether they differ, and the amount. Changes nothing.
pub async fn resolve_code<S: Store>(app: &App<S>, body: ScannedCode) -> ServiceResult<Resolved> {
    let keys = trusted_keys(&app.code_signer, app.code_public_key);
    let verified = verify(&body.code, &keys, app.now())?;
    app.store.read(move |tx| resolve(tx, verified)).await
}

/// Pays a scanned merchant or receive code. The code is decoded and verified once (signature,
/// expiry); its nonce is recorded in the same transaction as the payment, so it pays once. The
/// answer carries the payer's balance afterwards.
pub async fn pay_code<S: Store>(
    app: &App<S>,
    caller: Caller,
    body: PayCode,
) -> ServiceResult<Answer> {
    check_memo("memo_too_long", "memo", &body.memo)?;
    let now = app.now();
    let keys = trusted_keys(&app.code_signer, app.code_public_key);
    service::write_once(&app.store, caller, now, move |tx, caller| {
        let verified = verify(&body.code, &keys, now)?;
        if let DanbaoCode::Order(order) = &verified.code {
            return Err(ServiceError::unprocessable(
                "order_code",
                format!(
                    "this is the code of order {}; pay it into escrow through the orders API",
                    order.order_id
                ),
            ));
        }
        let target = target(tx, verified)?;
        let amount = amount_to_pay(&target.verified.code, body.amount.as_deref())?;
        use_code(tx, &target.verified, now)?;
        let payer = caller_user(tx, caller.user_id, "calling user")?;
        let kind = match target.verified.code {
            DanbaoCode::Receive(_) => PaymentKind::P2p,
            _ => PaymentKind::Merchant,
        };
        let id = ledger::transfer_id(caller.user_id, caller.key(), "code-payment");
        let payment = Payment {
            id,
            kind,
            memo: &body.memo,
        };
        pay_user(tx, &payer, &target.payee, amount, payment, now)?;
        Answer::ok(&CodePaid {
            transfer_id: format!("{:032x}", id.0),
            kind: kind.as_str().to_owned(),
            payee: PartyView::from(&target.payee),
            amount: amount.into(),
            balance: balance_after(tx, payer.id, amount)?,
        })
    })
    .await
}
