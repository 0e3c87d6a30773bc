//! [`SharedBuckets`] on PostgreSQL: the table `rate_buckets` and the function
//! `danbao_take_tokens` (migration `004_rate_buckets.sql`), one statement per limited request.
//!
//! The statements run on a connection and a thread of the limiter's own, not on the pool: a
//! request hands its buckets over and waits (asynchronously) for the answer. The thread sends
//! the takes that arrived meanwhile together (pipelined, each statement its own transaction,
//! run in their order) and answers each. That connection runs with `synchronous_commit = off`:
//! a take does not wait for its WAL flush, and a crash of PostgreSQL may forget the takes of
//! its last fraction of a second (a limit, never money; the ledger's own transactions keep
//! `synchronous_commit = on`).

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio_postgres::Config;
use tokio_postgres::types::ToSql;

use super::cause;
use super::conn::Conn;
use crate::store::{EmptyBucket, SharedBuckets, StoreError, StoreResult, Taking};

/// Most takes sent together.
const BATCH: usize = 64;

const TAKE: &str = "SELECT refused, wait_seconds FROM danbao_take_tokens($1, $2)";

/// One limited request's buckets, and where its answer goes.
struct Take {
    keys: Vec<String>,
    limits: Vec<i32>,
    answer: oneshot::Sender<StoreResult<Option<EmptyBucket>>>,
}

/// The limiter's side of its thread; the thread ends when this is dropped.
struct Buckets {
    takes: mpsc::Sender<Take>,
}

impl SharedBuckets for Buckets {
    fn take(&self, buckets: Vec<(String, u32)>) -> Taking<'_> {
        Box::pin(async move {
            let (keys, limits) = buckets
                .into_iter()
                .map(|(key, per_minute)| (key, i32::try_from(per_minute).unwrap_or(i32::MAX)))
                .unzip();
            let (answer, answered) = oneshot::channel();
            self.takes
                .try_send(Take {
                    keys,
                    limits,
                    answer,
                })
                .map_err(|error| match error {
                    mpsc::error::TrySendError::Full(_) => StoreError::Busy,
                    mpsc::error::TrySendError::Closed(_) => {
                        StoreError::unavailable("the rate limiter has stopped")
                    }
                })?;
            answered
                .await
                .map_err(|_| StoreError::unavailable("the rate limiter has stopped"))?
        })
    }
}

/// Starts the limiter's thread (its connection is opened on first use) and answers its
/// handle. At most `queue` takes wait; beyond them a take is refused `Busy`.
pub(super) fn start(config: &Config, queue: usize) -> std::io::Result<Arc<dyn SharedBuckets>> {
    let (takes, waiting) = mpsc::channel(queue.max(1));
    let config = config.clone();
    std::thread::Builder::new()
        .name("danbao-pg-limits".into())
        .spawn(move || serve(&config, waiting))?;
    Ok(Arc::new(Buckets { takes }))
}

/// The limiter's thread: takes what waits, sends it together, answers each.
fn serve(config: &Config, mut waiting: mpsc::Receiver<Take>) {
    let mut conn: Option<Conn> = None;
    while let Some(first) = waiting.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match waiting.try_recv() {
                Ok(take) => batch.push(take),
                Err(_) => break,
            }
        }
        let answers = match connected(config, &mut conn) {
            Ok(conn) => take_all(conn, &batch),
            Err(error) => vec![Err(error); batch.len()],
        };
        if answers
            .iter()
            .any(|answer| matches!(answer, Err(StoreError::Unavailable(_))))
        {
            // The link may be gone: the next batch opens a new one.
            conn = None;
        }
        for (take, answer) in batch.into_iter().zip(answers) {
            let _ = take.answer.send(answer);
        }
    }
}

/// The limiter's connection, opened (or replaced) when needed.
fn connected<'c>(config: &Config, conn: &'c mut Option<Conn>) -> StoreResult<&'c mut Conn> {
    // A replacement must be set up like the first connection: not `Conn::revive`.
    if conn.as_ref().is_some_and(Conn::gone) {
        *conn = None;
    }
    if conn.is_none() {
        let mut open = Conn::open(config)?;
        open.batch_execute("SET synchronous_commit = off")
            .map_err(|error| StoreError::unavailable(cause(&error)))?;
        *conn = Some(open);
    }
    conn.as_mut()
        .ok_or_else(|| StoreError::unavailable("no connection for the rate limiter"))
}

/// Runs `danbao_take_tokens` for each take, in one round trip. Blocking.
fn take_all(conn: &mut Conn, batch: &[Take]) -> Vec<StoreResult<Option<EmptyBucket>>> {
    let statement = match conn.prepared(TAKE) {
        Ok(statement) => statement,
        Err(error) => return vec![Err(StoreError::unavailable(cause(&error))); batch.len()],
    };
    let params: Vec<[&(dyn ToSql + Sync); 2]> = batch
        .iter()
        .map(|take| [&take.keys as _, &take.limits as _])
        .collect();
    conn.query_each(&statement, &params)
        .into_iter()
        .map(|answer| {
            let row = answer.map_err(|error| StoreError::unavailable(cause(&error)))?;
            let refused: i32 = row.try_get(0).map_err(StoreError::unavailable)?;
            let wait: i32 = row.try_get(1).map_err(StoreError::unavailable)?;
            Ok(match usize::try_from(refused) {
                Ok(place) if place > 0 => Some(EmptyBucket {
                    place: place - 1,
                    wait_secs: u64::try_from(wait).unwrap_or(60),
                }),
                _ => None,
            })
        })
        .collect()
}
