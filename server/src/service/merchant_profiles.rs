//! Merchant profiles the operator controls, and look-alike display names (issue 12 points 1
//! and 2, docs/security.md).
//!
//! Only an enrolled, enabled merchant charges payment codes ([`may_charge_codes`]): a fresh
//! account cannot, and the operator can switch a merchant off. The operator verifies a
//! merchant under the name it checked. Display names are compared by their look-alike key
//! (`danbao_domain::text::name_key`, the TR39 skeleton without spaces): a new or changed name
//! that looks like a verified merchant's is refused ([`check_display_name`]); one that looks
//! like an ordinary user's is allowed, and the resolve answers flag it ([`standing`]).

use danbao_domain::protocol::limits::MAX_DISPLAY_NAME_CHARS;
use danbao_domain::protocol::wire::{
    MerchantAction, MerchantChange, MerchantProfile, PayeeStanding, PublicProfile, Rename,
};
use danbao_domain::text::{check_visible, name_key};

use super::users::{caller_user, user_by_handle};
use super::{Answer, Caller, ServiceError, ServiceResult};
use crate::store::{MerchantRecord, Store, Tx, User, Verification};

/// Refuses a charge by a caller who is not an enrolled, enabled merchant: `403
/// merchant_not_enrolled` or `403 merchant_disabled`. Checked before the code is read, so the
/// refusal says nothing about the customer, and counts against no failure budget.
pub fn may_charge_codes(tx: &mut dyn Tx, merchant_id: i64) -> ServiceResult<()> {
    match tx.merchant(merchant_id)? {
        None => Err(ServiceError::forbidden(
            "merchant_not_enrolled",
            "only an enrolled merchant charges payment codes, and this account is not one; \
             ask the operator to enrol it",
        )),
        Some(record) if !record.enabled => Err(ServiceError::forbidden(
            "merchant_disabled",
            "the operator switched this merchant off: it cannot charge payment codes until \
             the operator enables it again",
        )),
        Some(_) => Ok(()),
    }
}

/// Checks a display name (sign-up or rename) and returns it trimmed with its look-alike key:
/// 1–64 visible characters (`422 invalid_display_name`), and not a look-alike of a verified
/// merchant's verified or display name (`409 display_name_confusable`) unless `user_id` is
/// that merchant. A look-alike of an ordinary user's name is allowed.
pub fn check_display_name(
    tx: &mut dyn Tx,
    user_id: Option<i64>,
    display_name: &str,
) -> ServiceResult<(String, String)> {
    let display_name = display_name.trim().to_owned();
    check_name_text("invalid_display_name", "display_name", &display_name)?;
    let key = name_key(&display_name);
    let clash = tx
        .verified_merchants_with_key(&key)?
        .into_iter()
        .any(|merchant| Some(merchant) != user_id);
    if clash {
        return Err(ServiceError::conflict(
            "display_name_confusable",
            format!(
                "the display name {display_name:?} looks like the name of a verified merchant \
                 (letters from other scripts or different spacing read the same); choose a \
                 name that cannot be mistaken for it"
            ),
        ));
    }
    Ok((display_name, key))
}

fn check_name_text(code: &'static str, field: &'static str, name: &str) -> ServiceResult<()> {
    if name.is_empty() || name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(ServiceError::unprocessable(
            code,
            format!("{field} must be 1 to {MAX_DISPLAY_NAME_CHARS} characters"),
        ));
    }
    check_visible(field, name)
        .map_err(|hidden| ServiceError::unprocessable(code, hidden.to_string()))
}

/// What a payer should know about `payee`: verified by the operator (and under which name),
/// whether another account's name looks the same, and whether it looks like a verified
/// merchant it is not.
pub fn standing(tx: &mut dyn Tx, payee: &User) -> ServiceResult<PayeeStanding> {
    let verified = tx.merchant(payee.id)?.and_then(|record| record.verified);
    let key = name_key(&payee.display_name);
    let like_verified = tx
        .verified_merchants_with_key(&key)?
        .into_iter()
        .any(|merchant| merchant != payee.id);
    let like_someone = tx
        .users_with_name_key(&key, 2)?
        .into_iter()
        .any(|user| user != payee.id);
    Ok(PayeeStanding {
        verified: verified.is_some(),
        resembles_verified: like_verified && verified.is_none(),
        verified_name: verified.map(|v| v.name),
        look_alike: like_someone || like_verified,
    })
}

/// The profile a payer resolves by handle (`GET /v1/users/{handle}`).
pub fn public_profile(tx: &mut dyn Tx, user: &User) -> ServiceResult<PublicProfile> {
    Ok(PublicProfile {
        handle: user.handle.clone(),
        display_name: user.display_name.clone(),
        standing: standing(tx, user)?,
    })
}

/// `POST /v1/me/display-name`: the caller changes its display name, checked like a sign-up's
/// (a look-alike of a verified merchant is refused). Answers the caller's public profile.
pub async fn rename<S: Store>(
    store: &S,
    caller: Caller,
    body: Rename,
    now: i64,
) -> ServiceResult<Answer> {
    let trimmed = body.display_name.trim().to_owned();
    check_name_text("invalid_display_name", "display_name", &trimmed)?;
    super::write_once(store, caller, now, move |tx, caller| {
        let user = caller_user(tx, caller.user_id, "user")?;
        let (display_name, key) = check_display_name(tx, Some(user.id), &trimmed)?;
        tx.set_display_name(user.id, &display_name, &key)?;
        let renamed = User {
            display_name,
            ..user
        };
        Answer::ok(&public_profile(tx, &renamed)?)
    })
    .await
}

const MAX_CATEGORY_DIGITS: usize = 4;

/// Checks a change's fields against its action: a verified name only (and always) with
/// `verify`, a category only with `enrol`.
fn check_change(change: &MerchantChange) -> ServiceResult<()> {
    match (&change.verified_name, change.action) {
        (None, MerchantAction::Verify) => {
            return Err(ServiceError::unprocessable(
                "invalid_merchant_change",
                "verify needs verified_name: the name the operator checked",
            ));
        }
        (Some(name), MerchantAction::Verify) => {
            check_name_text("invalid_merchant_change", "verified_name", name.trim())?;
        }
        (Some(_), action) => {
            return Err(ServiceError::unprocessable(
                "invalid_merchant_change",
                format!(
                    "verified_name is given with verify only, not {}",
                    action.as_str()
                ),
            ));
        }
        (None, _) => {}
    }
    if let Some(category) = &change.category {
        if change.action != MerchantAction::Enrol {
            return Err(ServiceError::unprocessable(
                "invalid_merchant_change",
                format!(
                    "category is given with enrol only, not {}",
                    change.action.as_str()
                ),
            ));
        }
        if category.len() != MAX_CATEGORY_DIGITS || !category.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ServiceError::unprocessable(
                "invalid_merchant_change",
                format!("category {category:?} must be a 4-digit merchant category code"),
            ));
        }
    }
    Ok(())
}

fn profile(user: &User, record: &MerchantRecord) -> MerchantProfile {
    MerchantProfile {
        handle: user.handle.clone(),
        display_name: user.display_name.clone(),
        enrolled_at: record.enrolled_at,
        enabled: record.enabled,
        verified: record.verified.is_some(),
        verified_name: record.verified.as_ref().map(|v| v.name.clone()),
        verified_at: record.verified.as_ref().map(|v| v.at),
        category: record.category.clone(),
    }
}

fn not_enrolled(handle: &str) -> ServiceError {
    ServiceError::not_found(
        "unknown_merchant",
        format!("@{handle} is not an enrolled merchant; enrol it first"),
    )
}

/// `POST /v1/admin/merchants/{handle}` (operator): enrols, enables, disables, verifies or
/// unverifies a merchant and answers its profile. Each action sets a state, so repeating it
/// changes nothing (no idempotency key is needed).
pub async fn change<S: Store>(
    store: &S,
    handle: String,
    change: MerchantChange,
    now: i64,
) -> ServiceResult<MerchantProfile> {
    check_change(&change)?;
    store
        .write(move |tx| {
            let user = user_by_handle(tx, &handle)?;
            let existing = tx.merchant(user.id)?;
            let mut record = match (existing, change.action) {
                (Some(record), _) => record,
                (None, MerchantAction::Enrol) => MerchantRecord {
                    user_id: user.id,
                    enrolled_at: now,
                    enabled: true,
                    verified: None,
                    category: None,
                },
                (None, _) => return Err(not_enrolled(&user.handle)),
            };
            match change.action {
                MerchantAction::Enrol => {
                    if let Some(category) = &change.category {
                        record.category = Some(category.clone());
                    }
                }
                MerchantAction::Enable => record.enabled = true,
                MerchantAction::Disable => record.enabled = false,
                MerchantAction::Verify => {
                    let name = change.verified_name.as_deref().unwrap_or_default().trim();
                    let same = record.verified.as_ref().is_some_and(|v| v.name == name);
                    if !same {
                        record.verified = Some(Verification {
                            name: name.to_owned(),
                            key: name_key(name),
                            at: now,
                        });
                    }
                }
                MerchantAction::Unverify => record.verified = None,
            }
            tx.put_merchant(&record, now)?;
            tracing::info!(
                merchant = user.id,
                action = change.action.as_str(),
                enabled = record.enabled,
                verified = record.verified.is_some(),
                "merchant profile changed by the operator"
            );
            Ok(profile(&user, &record))
        })
        .await
}

/// `GET /v1/admin/merchants/{handle}` (operator): a merchant's profile.
pub async fn show<S: Store>(store: &S, handle: String) -> ServiceResult<MerchantProfile> {
    store
        .read(move |tx| {
            let user = user_by_handle(tx, &handle)?;
            let record = tx
                .merchant(user.id)?
                .ok_or_else(|| not_enrolled(&user.handle))?;
            Ok(profile(&user, &record))
        })
        .await
}
