//! Ledger operations on a [`Tx`]: the rules are `danbao_domain::ledger::decide`, applied to rows
//! read in the same transaction, so the database holds the authoritative balances.

use danbao_domain::ledger::{
    self, Account, Applied, LedgerError, PendingStatus, Transfer, TransferId, TransferKind,
};
use danbao_domain::money::{Currency, Money};

use crate::service::{ServiceError, ServiceResult};
use crate::store::{AccountKind, Tx};

/// Applies one transfer: validates it against the current rows and writes the new counters,
/// the journal entry and the hold's status. Re-applying the identical transfer is a no-op.
pub fn apply(tx: &mut dyn Tx, t: Transfer, now: i64) -> ServiceResult<Applied> {
    apply_to(tx, t, None, now)
}

/// [`apply`] for a transfer between two accounts the job has just read in this transaction
/// (`debit` and `credit` are the current rows of `t.debit` and `t.credit`, e.g. from
/// [`wallet`]): the same rules on the same rows, without reading both rows a second time.
pub fn apply_between(
    tx: &mut dyn Tx,
    t: Transfer,
    debit: &Account,
    credit: &Account,
    now: i64,
) -> ServiceResult<Applied> {
    if debit.id != t.debit || credit.id != t.credit {
        tracing::error!(
            transfer = %format_args!("{:032x}", t.id.0),
            "apply_between got the rows of accounts {} and {} for a transfer between {} and {}",
            debit.id.0, credit.id.0, t.debit.0, t.credit.0
        );
        return Err(ServiceError::internal(
            "the server loaded the wrong accounts for this transfer; nothing was changed",
        ));
    }
    apply_to(tx, t, Some((debit, credit)), now)
}

fn apply_to(
    tx: &mut dyn Tx,
    t: Transfer,
    loaded: Option<(&Account, &Account)>,
    now: i64,
) -> ServiceResult<Applied> {
    if let Some(existing) = tx.transfer(t.id)? {
        return if existing.transfer == t {
            Ok(Applied::AlreadyExists)
        } else {
            Err(LedgerError::IdReused { id: t.id }.into())
        };
    }
    let find = |tx: &mut dyn Tx, account| -> ServiceResult<Account> {
        tx.account(account)?
            .ok_or_else(|| LedgerError::AccountNotFound { id: t.id, account }.into())
    };
    let fetched: (Account, Account);
    let (debit, credit) = match loaded {
        Some(rows) => rows,
        None => {
            fetched = (find(tx, t.debit)?, find(tx, t.credit)?);
            (&fetched.0, &fetched.1)
        }
    };
    let hold = match t.kind.pending_id() {
        Some(pending_id) => tx.transfer(pending_id)?.map(|stored| {
            (
                stored.transfer,
                stored.status.unwrap_or(PendingStatus::Open),
            )
        }),
        None => None,
    };
    let decision = ledger::decide(&t, debit, credit, hold.as_ref().map(|(h, s)| (h, *s)))?;
    // In account-id order: two transfers between the same accounts in opposite directions
    // then lock the rows in the same order instead of waiting for each other (a deadlock on
    // PostgreSQL, found only after its `deadlock_timeout`).
    let mut saves = [(t.debit, &decision.debit), (t.credit, &decision.credit)];
    saves.sort_by_key(|(account, _)| account.0);
    for (account, balances) in saves {
        tx.save_balances(account, balances)?;
    }
    tx.insert_transfer(&t, now)?;
    if let Some((pending_id, status)) = decision.pending
        && pending_id != t.id
    {
        tx.set_pending_status(pending_id, status)?;
    }
    Ok(Applied::Created)
}

/// The user's wallet in `currency`, opened on first use.
pub fn wallet(tx: &mut dyn Tx, user_id: i64, currency: Currency) -> ServiceResult<Account> {
    match tx.find_account(Some(user_id), AccountKind::Wallet, currency)? {
        Some(account) => Ok(account),
        None => Ok(tx.create_account(Some(user_id), AccountKind::Wallet, currency)?),
    }
}

/// A system account (funding or withdrawal) in `currency`, opened on first use.
pub fn system(tx: &mut dyn Tx, kind: AccountKind, currency: Currency) -> ServiceResult<Account> {
    match tx.find_account(None, kind, currency)? {
        Some(account) => Ok(account),
        None => Ok(tx.create_account(None, kind, currency)?),
    }
}

/// A transfer id derived from the caller's idempotency scope: the same request always maps
/// to the same transfer, so a retried request can never move money twice.
pub fn transfer_id(user_id: i64, idempotency_key: &str, leg: &str) -> TransferId {
    // SHA-256 of "danbao-transfer\n{user_id}\n{idempotency_key}\n{leg}", fed in pieces so
    // no string is built per request (the bytes, and so the ids, are the same as before).
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    for piece in [
        b"danbao-transfer\n".as_slice(),
        user_id.to_string().as_bytes(),
        b"\n",
        idempotency_key.as_bytes(),
        b"\n",
        leg.as_bytes(),
    ] {
        context.update(piece);
    }
    id_of(context.finish())
}

/// A transfer id derived from `seed`: the first 16 bytes of its SHA-256. Every id the server
/// derives (a request's, an order leg's, a payment fee's) is one of these, so a job run again
/// writes the same transfer.
pub fn derived_id(seed: &str) -> TransferId {
    id_of(ring::digest::digest(&ring::digest::SHA256, seed.as_bytes()))
}

fn id_of(digest: ring::digest::Digest) -> TransferId {
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_ref()[..16]);
    TransferId(u128::from_be_bytes(bytes))
}

/// A posted transfer between two accounts, with its id derived from the request.
pub fn posted(id: TransferId, debit: &Account, credit: &Account, amount: Money) -> Transfer {
    Transfer {
        id,
        debit: debit.id,
        credit: credit.id,
        amount,
        kind: TransferKind::Posted,
    }
}

/// A transfer id of an order's leg ("hold", "post", "void"): one of each at most.
pub fn order_transfer_id(order_id: &str, leg: &str) -> TransferId {
    derived_id(&format!("danbao-order-transfer\n{order_id}\n{leg}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_ids_are_the_sha256_of_the_documented_seed() {
        for (user, key, leg) in [(7, "key-0001", "p2p"), (-1, "op-key-42", "top-up")] {
            let seed = format!("danbao-transfer\n{user}\n{key}\n{leg}");
            let digest = ring::digest::digest(&ring::digest::SHA256, seed.as_bytes());
            let mut expected = [0u8; 16];
            expected.copy_from_slice(&digest.as_ref()[..16]);
            assert_eq!(
                transfer_id(user, key, leg),
                TransferId(u128::from_be_bytes(expected))
            );
        }
        assert_ne!(
            transfer_id(7, "key-0001", "p2p"),
            transfer_id(7, "key-0001", "withdrawal")
        );
    }
}
