//! The facade's side of the outbox (the rows and their transitions are
//! [`LocalStore`]'s, client/store/outbox.rs): how a command is built, attempted and how an
//! attempt's result becomes the recorded outcome.
//!
//! Guarantees, in order of the steps:
//!
//! 1. [`enqueue`]: the command is on disk (`synchronous=FULL`) with its idempotency key before
//!    the first byte goes to the network.
//! 2. [`attempt`]: `mark_sending` commits before the send, so two senders never send one
//!    command at once; a process that dies here leaves it `sending`, and the next
//!    [`LocalStore::open`] makes it pending again.
//! 3. Every attempt sends the same stored command — its method, path and body — under the same
//!    key (freshly signed), so the server applies it once and answers repeats with its first
//!    answer. A row that is not a command this build reads is never sent: it is recorded
//!    failed with the reason.
//! 4. [`classify`]: a 2xx is `done`; a final 4xx is `failed` with the server's code and
//!    detail; anything that may succeed later (offline, timeouts, 5xx, 429, an unusable key
//!    for now) stays `pending` with a backoff time and the reason.

use std::future::Future;
use std::sync::Arc;

use serde_json::json;

use super::WalletError;
use crate::store::{
    AttemptOutcome, CommandAnswer, CommandState, LocalStore, NewCommand, OutboxEntry, StoreError,
    StoredCommand,
};
use crate::transport::{Answer, TransportError};
use danbao_domain::protocol::Command;

/// The longest wait between two automatic attempts, seconds.
pub const MAX_BACKOFF_SECS: i64 = 300;

/// Seconds to wait before the next automatic attempt after `attempts` failed ones: 5, 10,
/// 20, ... up to [`MAX_BACKOFF_SECS`]. (`flush_outbox` ignores it: "retry now" means now.)
pub fn backoff_secs(attempts: u32) -> i64 {
    let doublings = attempts.saturating_sub(1).min(16);
    (5_i64 << doublings).min(MAX_BACKOFF_SECS)
}

/// What an attempt's result means for the command.
pub fn classify(result: Result<Answer, TransportError>, attempts: u32, now: i64) -> AttemptOutcome {
    match result {
        Ok(answer) => AttemptOutcome::Accepted(CommandAnswer {
            status: answer.status,
            body: String::from_utf8_lossy(&answer.body).into_owned(),
        }),
        Err(TransportError::Http {
            status,
            code,
            detail,
            ..
        }) if (400..500).contains(&status) && status != 429 && status != 408 => {
            AttemptOutcome::Refused(CommandAnswer {
                status,
                body: json!({"code": code, "detail": detail}).to_string(),
            })
        }
        // The request can never be sent as stored (e.g. a damaged key in the database):
        // retrying would fail the same way forever.
        Err(error @ TransportError::InvalidRequest { .. }) => {
            AttemptOutcome::Refused(CommandAnswer {
                status: 0,
                body: json!({"code": "not_sent", "detail": error.to_string()}).to_string(),
            })
        }
        Err(error) => {
            let note = if error.outcome_unknown() {
                "; it may have been applied — the retry uses the same key, so it applies once"
            } else {
                "; it was not applied"
            };
            AttemptOutcome::Retry {
                error: format!("{error}{note}"),
                next_attempt_at: now.saturating_add(backoff_secs(attempts)),
            }
        }
    }
}

/// Runs `work` on the store off the async executor (a blocking-pool thread) when a Tokio
/// runtime is running, inline otherwise.
pub(crate) async fn on_store<T, F>(store: &Arc<LocalStore>, work: F) -> Result<T, WalletError>
where
    T: Send + 'static,
    F: FnOnce(&LocalStore) -> Result<T, StoreError> + Send + 'static,
{
    let store = Arc::clone(store);
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => handle
            .spawn_blocking(move || work(&store))
            .await
            .map_err(|error| WalletError::Storage {
                detail: format!("the local database task stopped: {error}"),
            })?
            .map_err(WalletError::from),
        Err(_) => work(&store).map_err(WalletError::from),
    }
}

/// Stores `command` (before any network). The same key and request again returns the stored
/// entry unchanged.
pub(crate) async fn enqueue(
    store: &Arc<LocalStore>,
    command: NewCommand,
    now: i64,
) -> Result<OutboxEntry, WalletError> {
    on_store(store, move |s| s.enqueue(&command, now)).await
}

/// One attempt of command `id`: mark it sending (committed), send it with `send`, record the
/// classified result. If another sender holds the command (it is not pending), nothing is
/// sent and its current entry is returned.
pub(crate) async fn attempt<F, Fut>(
    store: &Arc<LocalStore>,
    id: i64,
    now: impl Fn() -> i64,
    send: F,
) -> Result<OutboxEntry, WalletError>
where
    F: FnOnce(String, Command) -> Fut,
    Fut: Future<Output = Result<Answer, TransportError>>,
{
    let started = now();
    let marked = on_store(store, move |s| match s.mark_sending(id, started) {
        Ok(entry) => Ok(Ok(entry)),
        Err(StoreError::CommandState { .. }) => s
            .outbox_entry(id)?
            .ok_or(StoreError::NoSuchCommand { id })
            .map(Err),
        Err(other) => Err(other),
    })
    .await?;
    let entry = match marked {
        Ok(entry) => entry,
        Err(current) => return Ok(current),
    };
    debug_assert_eq!(entry.state, CommandState::Sending);
    let mut guard = Interrupted {
        store: Arc::clone(store),
        id,
        at: started,
        armed: true,
    };
    let finished;
    let outcome = match &entry.command {
        StoredCommand::Known(command) => {
            let result = send(entry.idempotency_key.clone(), command.clone()).await;
            finished = now();
            classify(result, entry.attempts, finished)
        }
        StoredCommand::Unreadable(unreadable) => {
            finished = now();
            AttemptOutcome::Refused(CommandAnswer {
                status: 0,
                body: json!({"code": "not_sent", "detail": unreadable.reason}).to_string(),
            })
        }
    };
    let recorded = on_store(store, move |s| s.record_outcome(id, &outcome, finished)).await;
    guard.armed = false;
    recorded
}

/// Puts a command back to pending if its attempt is dropped mid-flight (the caller's future
/// was cancelled, e.g. a Kotlin coroutine whose screen closed): otherwise it would stay
/// `sending` until the next open. One small synchronous write, only on that path.
struct Interrupted {
    store: Arc<LocalStore>,
    id: i64,
    at: i64,
    armed: bool,
}

impl Drop for Interrupted {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let outcome = AttemptOutcome::Retry {
            error: "interrupted: the call was cancelled during an attempt; it may have been \
                    applied — the retry uses the same key, so it applies once"
                .to_owned(),
            next_attempt_at: self.at,
        };
        if let Err(error) = self.store.record_outcome(self.id, &outcome, self.at) {
            tracing::warn!(id = self.id, %error, "cancelled command not made pending again");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::SoftwareKeyStore;
    use crate::transport::TimeoutPhase;

    fn store(dir: &tempfile::TempDir) -> Arc<LocalStore> {
        let keys = SoftwareKeyStore::from_bytes(&[7; 32]).unwrap();
        Arc::new(LocalStore::open(dir.path().join("w.db"), &keys).unwrap())
    }

    fn send_command(key: &str) -> NewCommand {
        NewCommand {
            idempotency_key: key.into(),
            command: Command::Send(danbao_domain::protocol::wire::Send {
                to: "bob".into(),
                amount: "1.00".into(),
                currency: "CNY".into(),
                memo: String::new(),
            }),
        }
    }

    fn ok(body: &str) -> Result<Answer, TransportError> {
        Ok(Answer {
            status: 200,
            body: body.as_bytes().to_vec(),
            attempts: 1,
        })
    }

    fn offline() -> Result<Answer, TransportError> {
        Err(TransportError::Offline {
            host: "127.0.0.1".into(),
            detail: "connection refused".into(),
        })
    }

    #[test]
    fn classify_maps_each_result_to_its_state() {
        assert!(matches!(
            classify(ok("{}"), 1, 100),
            AttemptOutcome::Accepted(CommandAnswer { status: 200, .. })
        ));
        let refused = classify(
            Err(TransportError::Http {
                status: 422,
                code: "insufficient_funds".into(),
                detail: "the wallet has 1.00 CNY".into(),
                retry_after_secs: None,
            }),
            1,
            100,
        );
        let AttemptOutcome::Refused(answer) = refused else {
            panic!("422 must be final: {refused:?}");
        };
        assert_eq!(answer.status, 422);
        let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(body["code"], "insufficient_funds");
        assert_eq!(body["detail"], "the wallet has 1.00 CNY");

        for (error, unknown) in [
            (offline().unwrap_err(), false),
            (
                TransportError::Timeout {
                    host: "h".into(),
                    phase: TimeoutPhase::Response,
                    after_ms: 10,
                },
                true,
            ),
            (
                TransportError::Http {
                    status: 503,
                    code: "storage".into(),
                    detail: "busy".into(),
                    retry_after_secs: None,
                },
                true,
            ),
            (
                TransportError::Http {
                    status: 429,
                    code: "slow_down".into(),
                    detail: "later".into(),
                    retry_after_secs: Some(3),
                },
                false,
            ),
        ] {
            let outcome = classify(Err(error.clone()), 3, 100);
            let AttemptOutcome::Retry {
                error: reason,
                next_attempt_at,
            } = outcome
            else {
                panic!("{error:?} must be retried: {outcome:?}");
            };
            assert_eq!(next_attempt_at, 100 + 20, "third attempt waits 20 s");
            assert_eq!(
                reason.contains("may have been applied"),
                unknown,
                "{reason}"
            );
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_secs(0), 5);
        assert_eq!(backoff_secs(1), 5);
        assert_eq!(backoff_secs(2), 10);
        assert_eq!(backoff_secs(4), 40);
        assert_eq!(backoff_secs(7), MAX_BACKOFF_SECS);
        assert_eq!(backoff_secs(u32::MAX), MAX_BACKOFF_SECS);
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn offline_then_answered_keeps_the_key_and_completes_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let key = "dbk-test-offline-0001";
        let entry = block_on(enqueue(&store, send_command(key), 10)).unwrap();
        assert_eq!(entry.state, CommandState::Pending);
        assert_eq!(entry.attempts, 0);

        let sent_keys = std::sync::Mutex::new(Vec::new());
        let after = block_on(attempt(
            &store,
            entry.id,
            || 11,
            |key, _| {
                sent_keys.lock().unwrap().push(key);
                async { offline() }
            },
        ))
        .unwrap();
        assert_eq!(after.state, CommandState::Pending);
        assert_eq!(after.attempts, 1);
        assert_eq!(after.next_attempt_at, 11 + 5);
        assert!(after.last_error.as_deref().unwrap().contains("not applied"));

        let done = block_on(attempt(
            &store,
            entry.id,
            || 20,
            |key, _| {
                sent_keys.lock().unwrap().push(key);
                async { ok(r#"{"transfer_id":"ab"}"#) }
            },
        ))
        .unwrap();
        assert_eq!(done.state, CommandState::Done);
        assert_eq!(done.attempts, 2);
        assert_eq!(done.answer.as_ref().unwrap().status, 200);
        assert_eq!(
            *sent_keys.lock().unwrap(),
            vec![key.to_owned(), key.to_owned()]
        );

        // A finished command is never sent again.
        let again = block_on(attempt(
            &store,
            entry.id,
            || 30,
            |_, _| async { panic!("a done command must not be sent") },
        ))
        .unwrap();
        assert_eq!(again.state, CommandState::Done);
        assert_eq!(again.attempts, 2);
    }

    #[test]
    fn a_refusal_is_final_and_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let entry = block_on(enqueue(&store, send_command("dbk-test-refused-01"), 10)).unwrap();
        let failed = block_on(attempt(
            &store,
            entry.id,
            || 12,
            |_, _| async {
                Err(TransportError::Http {
                    status: 404,
                    code: "unknown_user".into(),
                    detail: "no user has the handle \"bob\"".into(),
                    retry_after_secs: None,
                })
            },
        ))
        .unwrap();
        assert_eq!(failed.state, CommandState::Failed);
        assert_eq!(failed.answer.as_ref().unwrap().status, 404);
        assert!(store.next_due(i64::MAX).unwrap().is_none());
    }

    #[test]
    fn a_command_interrupted_mid_send_is_pending_after_reopen_with_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let key = "dbk-test-crash-000001";
        let id = {
            let store = store(&dir);
            let entry = block_on(enqueue(&store, send_command(key), 10)).unwrap();
            // The process dies between "marked sending" and the answer.
            store.mark_sending(entry.id, 11).unwrap();
            entry.id
        };
        let store = store(&dir);
        let entry = store.outbox_entry(id).unwrap().unwrap();
        assert_eq!(entry.state, CommandState::Pending);
        assert_eq!(entry.idempotency_key, key);
        assert_eq!(entry.attempts, 1);
        let done = block_on(attempt(
            &store,
            id,
            || 40,
            |sent_key, _| {
                assert_eq!(sent_key, key);
                async { ok("{}") }
            },
        ))
        .unwrap();
        assert_eq!(done.state, CommandState::Done);
    }

    #[test]
    fn a_cancelled_attempt_leaves_the_command_pending() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let entry = block_on(enqueue(&store, send_command("dbk-test-cancel-01"), 10)).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(async {
            let never = attempt(&store, entry.id, || 11, |_, _| std::future::pending());
            let timed_out = tokio::time::timeout(std::time::Duration::from_millis(20), never).await;
            assert!(timed_out.is_err(), "the send never finishes");
        });
        let after = store.outbox_entry(entry.id).unwrap().unwrap();
        assert_eq!(after.state, CommandState::Pending);
        assert_eq!(after.attempts, 1);
        assert!(after.last_error.unwrap().contains("cancelled"));
        assert_eq!(store.next_due(11).unwrap().map(|e| e.id), Some(entry.id));
    }

    #[test]
    fn enqueue_twice_is_one_command() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let a = block_on(enqueue(&store, send_command("dbk-test-double-01"), 10)).unwrap();
        let b = block_on(enqueue(&store, send_command("dbk-test-double-01"), 11)).unwrap();
        assert_eq!(a.id, b.id);
        assert_eq!(store.outbox(10).unwrap().len(), 1);
    }
}
