//! Operator endpoints: the ledger invariants and the sandbox clock.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;

use super::extract::Json as JsonBody;
use danbao_domain::ledger::{Ledger, Transfer};
use danbao_domain::protocol::wire::{AdvanceClock, Invariants, ServerTime};

use crate::app::App;
use crate::auth::Operator;
use crate::error::{ApiError, ApiResult, Problem};
use crate::store::{Store, Tx};

/// Checks DESIGN.md §3 on a consistent snapshot: replays the journal through the core ledger
/// and compares every stored balance, then checks conservation and no overdrawn wallet.
pub fn check(tx: &mut dyn Tx) -> ApiResult<Invariants> {
    let accounts = tx.all_accounts()?;
    let mut journal: Vec<Transfer> = Vec::new();
    let mut after = 0;
    loop {
        let page = tx.journal(after, 10_000)?;
        let Some((last, _)) = page.last() else { break };
        after = *last;
        journal.extend(page.into_iter().map(|(_, t)| t));
    }
    let mut volume = BTreeMap::new();
    for account in &accounts {
        *volume
            .entry(account.currency.code().to_owned())
            .or_insert(0) += account.balances.credits_posted;
    }
    let violation = match Ledger::replay(&accounts, &journal) {
        Err(error) => Some(format!("the journal does not replay: {error}")),
        Ok(replayed) => {
            let differs = accounts.iter().find(|stored| {
                replayed.account(stored.id).map(|a| a.balances) != Some(stored.balances)
            });
            match differs {
                Some(account) => Some(format!(
                    "stored balances of account {} differ from the journal",
                    account.id.0
                )),
                None => replayed.check_invariants().err().map(|v| v.to_string()),
            }
        }
    };
    Ok(Invariants {
        ok: violation.is_none(),
        violation,
        accounts: accounts.len(),
        transfers: journal.len(),
        posted_volume: volume,
    })
}

/// `GET /v1/admin/invariants` (operator).
#[utoipa::path(
    get,
    path = "/v1/admin/invariants",
    tag = "admin",
    security(("operator" = [])),
    responses(
        (status = 200, description = "The check; `ok` is false with the first violation when one fails", body = Invariants),
        (status = 401, description = super::doc::OPERATOR_401, body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn invariants<S: Store>(
    State(app): State<App<S>>,
    _operator: Operator,
) -> ApiResult<Json<Invariants>> {
    Ok(Json(app.store.read(check).await?))
}

/// `POST /v1/admin/clock` (operator, sandbox): moves the clock so timers can be tested.
#[utoipa::path(
    post,
    path = "/v1/admin/clock",
    tag = "admin",
    request_body = AdvanceClock,
    security(("operator" = [])),
    responses(
        (status = 200, description = "The server clock after the move", body = ServerTime),
        (status = 401, description = super::doc::OPERATOR_401, body = Problem),
        (status = 403, description = "sandbox_off", body = Problem),
        (status = 422, description = "invalid_advance", body = Problem),
    )
)]
pub async fn advance_clock<S: Store>(
    State(app): State<App<S>>,
    _operator: Operator,
    JsonBody(request): JsonBody<AdvanceClock>,
) -> ApiResult<Json<ServerTime>> {
    if !app.config.sandbox {
        return Err(ApiError::forbidden(
            "sandbox_off",
            "the clock moves only in sandbox mode",
        ));
    }
    if !(0..=400 * 24 * 3600).contains(&request.advance_secs) {
        return Err(ApiError::unprocessable(
            "invalid_advance",
            "advance_secs must be 0 to 400 days",
        ));
    }
    app.clock.advance(request.advance_secs);
    Ok(Json(ServerTime { now: app.now() }))
}
