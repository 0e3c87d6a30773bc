//! The operator's reads and the sandbox clock: the ledger invariants checked on a snapshot,
//! and moving the test clock.

use std::collections::BTreeMap;

use danbao_domain::ledger::{Ledger, Transfer};
use danbao_domain::protocol::wire::{AdvanceClock, Invariants, ServerTime};

use super::{ServiceError, ServiceResult};
use crate::app::App;
use crate::store::{Store, Tx};

/// Checks DESIGN.md §3 on a consistent snapshot: replays the journal through the core ledger
/// and compares every stored balance, then checks conservation and no overdrawn wallet.
pub fn check(tx: &mut dyn Tx) -> ServiceResult<Invariants> {
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

/// The invariants on a consistent snapshot of the store.
pub async fn invariants<S: Store>(store: &S) -> ServiceResult<Invariants> {
    store.read(check).await
}

/// Moves the sandbox clock forward so timers can be tested (sandbox only, 0 to 400 days).
/// A store that shares the offset between instances (PostgreSQL) moves it in the database
/// first; the others pick it up with their next timer tick ([`refresh_clock`]).
pub async fn advance_clock<S: Store>(
    app: &App<S>,
    request: AdvanceClock,
) -> ServiceResult<ServerTime> {
    if !app.config.sandbox {
        return Err(ServiceError::forbidden(
            "sandbox_off",
            "the clock moves only in sandbox mode",
        ));
    }
    if !(0..=400 * 24 * 3600).contains(&request.advance_secs) {
        return Err(ServiceError::unprocessable(
            "invalid_advance",
            "advance_secs must be 0 to 400 days",
        ));
    }
    let secs = request.advance_secs;
    let shared = app
        .store
        .write(move |tx| tx.advance_shared_clock(secs))
        .await?;
    match shared {
        Some(offset) => app.clock.set_offset(offset),
        None => app.clock.advance(secs),
    }
    Ok(ServerTime { now: app.now() })
}

/// Takes the sandbox clock offset other instances may have moved (a no-op on a store that
/// keeps none).
pub async fn refresh_clock<S: Store>(app: &App<S>) -> ServiceResult<()> {
    if !app.config.sandbox {
        return Ok(());
    }
    let shared: Option<i64> = app
        .store
        .read(|tx| tx.shared_clock_offset().map_err(ServiceError::from))
        .await?;
    if let Some(offset) = shared {
        app.clock.set_offset(offset);
    }
    Ok(())
}
