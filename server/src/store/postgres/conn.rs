//! One pooled connection: a `tokio-postgres` client whose connection task runs on the thread
//! that waits for its answers, and the `deadpool` manager that opens and recycles them.
//!
//! A job runs on one of tokio's blocking threads and asks for rows one call at a time. Each
//! connection owns a one-thread runtime; a call waits with that runtime's `block_on`, which
//! drives the connection's task (the socket) on the waiting thread itself. No other thread is
//! woken to move a request or an answer (the way `Handle::block_on` on a shared runtime
//! would: two thread wake-ups per statement, measured in docs/server-evidence.md §4).
//!
//! Statements whose answer nothing waits for are deferred: control statements (`BEGIN`,
//! `SAVEPOINT`, `RELEASE`: [`Conn::defer`]) and writes whose result the job does not read
//! (a balance update, a transfer's row, a stored answer: [`Conn::defer_write`]). They go out,
//! in their order, in the same write as the next call, which waits for all their answers
//! (pipelining: one round trip for them all). A deferred statement that fails aborts the
//! transaction, so the next call fails with it and nothing of the job commits; its error is
//! the one returned.

use std::collections::HashMap;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::time::Duration;

use deadpool::managed::{self, Metrics, RecycleError, RecycleResult};
use tokio::runtime::Runtime;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, Error, NoTls, Row, Statement, ToStatement};

use super::cause;
use crate::store::{StoreError, StoreResult};

/// Longest wait for PostgreSQL to accept a new connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection and its prepared statements (each SQL text is prepared once per connection).
pub struct Conn {
    client: Client,
    statements: HashMap<&'static str, Statement>,
    /// Runs the connection's task while a call waits. Shut down (without waiting) only when
    /// the connection is dropped, which may happen on an async thread: see [`Drop`].
    runtime: ManuallyDrop<Runtime>,
    /// Deferred statements, sent ahead of the next call, in order.
    ahead: Vec<Ahead>,
    /// Set when the connection's state is unknown (a transaction could not be ended): the pool
    /// closes it instead of handing it out again.
    discarded: bool,
}

impl Conn {
    /// Opens a connection. Blocking: call it where a thread may wait (a blocking thread, a
    /// thread of its own), never on an async task's thread.
    pub fn open(config: &Config) -> StoreResult<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(StoreError::unavailable)?;
        let mut config = config.clone();
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let (client, connection) = runtime
            .block_on(config.connect(NoTls))
            .map_err(|error| StoreError::unavailable(cause(&error)))?;
        // The task ends when the client is dropped or the server closes the link; it runs
        // only inside this runtime's `block_on`.
        drop(runtime.spawn(connection));
        Ok(Self {
            client,
            statements: HashMap::new(),
            runtime: ManuallyDrop::new(runtime),
            ahead: Vec::new(),
            discarded: false,
        })
    }

    /// Waits on this thread for `call`, driving the connection meanwhile.
    fn wait<T>(&self, call: impl Future<Output = T>) -> T {
        self.runtime.block_on(call)
    }

    /// Waits for `call` after the deferred statements (sent first, in the same write: every
    /// request is queued on the connection before any answer is read). The first deferred
    /// statement's failure is the one returned (the transaction is aborted, so the statements
    /// after it and `call` failed too).
    fn wait_after<T>(
        &self,
        ahead: Vec<Ahead>,
        call: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        if ahead.is_empty() {
            return self.wait(call);
        }
        let client = &self.client;
        let sent: Vec<Sent<'_>> = ahead
            .iter()
            .map(|item| -> Sent<'_> {
                match item {
                    Ahead::Control(sql) => {
                        Box::pin(async move { client.batch_execute(sql).await.map(|()| 0) })
                    }
                    Ahead::Write(statement, params) => {
                        let params: Vec<&(dyn ToSql + Sync)> = params
                            .iter()
                            .map(|param| -> &(dyn ToSql + Sync) { &**param })
                            .collect();
                        Box::pin(async move { client.execute(statement, &params).await })
                    }
                }
            })
            .collect();
        // `join` polls the deferred statements first, each in order, and a request is queued
        // on the connection when its future is first polled.
        let (sent, answer) = self.wait(futures_util::future::join(
            futures_util::future::join_all(sent),
            call,
        ));
        for result in sent {
            result?;
        }
        answer
    }

    /// Sends `sql` (control statements whose answer nothing waits for) with the next call.
    pub fn defer(&mut self, sql: &str) {
        if let Some(Ahead::Control(last)) = self.ahead.last_mut() {
            last.push_str("; ");
            last.push_str(sql);
        } else {
            self.ahead.push(Ahead::Control(sql.to_owned()));
        }
    }

    /// Sends the prepared `statement` with `params` (a write whose result nothing reads) with
    /// the next call.
    pub fn defer_write(&mut self, statement: Statement, params: Vec<Param>) {
        self.ahead.push(Ahead::Write(statement, params));
    }

    /// Replaces the connection with a new one when its link turns out to be gone: a pooled
    /// connection the server closed since its last use (a restart, a terminated backend) looks
    /// open until its socket is read, which happens here (its task runs for a moment, without
    /// a round trip). Call it before the first call of a use.
    pub fn revive(&mut self, config: &Config) -> StoreResult<()> {
        if self.gone() {
            tracing::info!("a pooled connection was closed by the server; replaced");
            *self = Self::open(config)?;
        }
        Ok(())
    }

    /// Whether the link turns out to be gone once its socket has been read (see
    /// [`Conn::revive`]).
    pub fn gone(&self) -> bool {
        self.wait(async {
            tokio::task::yield_now().await;
            tokio::task::yield_now().await;
        });
        self.is_closed()
    }

    /// Whether the link is known to be gone (the connection's task has ended). A link the
    /// server closed since the last call is found only by the next call.
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// The statement of `sql`, prepared on this connection the first time it is asked for.
    pub fn prepared(&mut self, sql: &'static str) -> Result<Statement, Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.prepare(sql)?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    /// Marks the connection as not to be handed out again.
    pub fn discard(&mut self) {
        self.discarded = true;
    }

    pub fn batch_execute(&mut self, sql: &str) -> Result<(), Error> {
        if let [Ahead::Control(ahead)] = &self.ahead[..] {
            let batch = format!("{ahead}; {sql}");
            self.ahead.clear();
            return self.wait(self.client.batch_execute(&batch));
        }
        let ahead = std::mem::take(&mut self.ahead);
        self.wait_after(ahead, self.client.batch_execute(sql))
    }

    fn prepare(&self, sql: &str) -> Result<Statement, Error> {
        self.wait(self.client.prepare(sql))
    }

    pub fn query<S: ?Sized + ToStatement>(
        &mut self,
        statement: &S,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, Error> {
        let ahead = std::mem::take(&mut self.ahead);
        self.wait_after(ahead, self.client.query(statement, params))
    }

    pub fn query_opt<S: ?Sized + ToStatement>(
        &mut self,
        statement: &S,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, Error> {
        let ahead = std::mem::take(&mut self.ahead);
        self.wait_after(ahead, self.client.query_opt(statement, params))
    }

    pub fn query_one<S: ?Sized + ToStatement>(
        &mut self,
        statement: &S,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, Error> {
        let ahead = std::mem::take(&mut self.ahead);
        self.wait_after(ahead, self.client.query_one(statement, params))
    }

    /// `statement` once for each of `params`, in one round trip: every request is sent before
    /// any answer is read, and each answers on its own (outside a transaction, each statement
    /// is one).
    pub fn query_each(
        &mut self,
        statement: &Statement,
        params: &[[&(dyn ToSql + Sync); 2]],
    ) -> Vec<Result<Row, Error>> {
        let calls = params
            .iter()
            .map(|params| self.client.query_one(statement, &params[..]));
        self.wait(futures_util::future::join_all(calls))
    }

    /// Two queries in one round trip (both sent before either answer is read).
    pub fn query_pair(
        &mut self,
        first: (&Statement, &[&(dyn ToSql + Sync)]),
        second: (&Statement, &[&(dyn ToSql + Sync)]),
    ) -> Result<(Vec<Row>, Vec<Row>), Error> {
        let ahead = std::mem::take(&mut self.ahead);
        let both = futures_util::future::join(
            self.client.query(first.0, first.1),
            self.client.query(second.0, second.1),
        );
        self.wait_after(ahead, async move {
            let (first, second) = both.await;
            Ok((first?, second?))
        })
    }

    pub fn execute<S: ?Sized + ToStatement>(
        &mut self,
        statement: &S,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, Error> {
        let ahead = std::mem::take(&mut self.ahead);
        self.wait_after(ahead, self.client.execute(statement, params))
    }
}

impl Drop for Conn {
    /// The pool may drop a connection on an async thread, where a runtime may not wait: the
    /// runtime is shut down without waiting, which drops the connection's task and closes the
    /// socket (PostgreSQL ends the session; an open transaction is rolled back).
    fn drop(&mut self) {
        // SAFETY: `runtime` is taken once, here, and the connection is never used again.
        let runtime = unsafe { ManuallyDrop::take(&mut self.runtime) };
        runtime.shutdown_background();
    }
}

/// The answer of a deferred statement, awaited.
type Sent<'c> = Pin<Box<dyn Future<Output = Result<u64, Error>> + 'c>>;

/// An owned statement parameter (of a deferred write).
pub type Param = Box<dyn ToSql + Sync + Send>;

/// A deferred statement.
enum Ahead {
    /// Control statements, `;`-separated (one simple query).
    Control(String),
    /// A prepared write and its parameters.
    Write(Statement, Vec<Param>),
}

/// Opens and recycles [`Conn`]s for `deadpool`.
pub struct Manager {
    pub config: Config,
}

impl managed::Manager for Manager {
    type Type = Conn;
    type Error = StoreError;

    async fn create(&self) -> Result<Conn, StoreError> {
        let config = self.config.clone();
        tokio::task::spawn_blocking(move || Conn::open(&config))
            .await
            .map_err(StoreError::unavailable)?
    }

    /// Hands a connection out again unless its link is known to be gone or it was discarded
    /// (or holds deferred statements: its use ended before they were sent). A link the server
    /// closed unnoticed is found by [`Conn::revive`] before the next use.
    async fn recycle(&self, conn: &mut Conn, _: &Metrics) -> RecycleResult<StoreError> {
        if conn.is_closed() {
            return Err(RecycleError::message("the connection is closed"));
        }
        if conn.discarded || !conn.ahead.is_empty() {
            return Err(RecycleError::message("the connection was discarded"));
        }
        Ok(())
    }
}

/// The pool of [`Conn`]s.
pub type Pool = managed::Pool<Manager>;

/// A connection lent by the [`Pool`] (given back when dropped).
pub type Pooled = managed::Object<Manager>;
