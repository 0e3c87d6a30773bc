//! [`SharedBuckets`] on PostgreSQL: the table `rate_buckets` and the function
//! `danbao_take_tokens` (migration `004_rate_buckets.sql`), one statement per limited request.

use super::PgStore;
use super::conn::Conn;
use crate::store::{EmptyBucket, SharedBuckets, StoreError, StoreResult, Taking};

impl SharedBuckets for PgStore {
    fn take(&self, buckets: Vec<(String, u32)>) -> Taking<'_> {
        Box::pin(async move {
            let mut conn = self.connection().await?;
            let store = self.clone();
            tokio::task::spawn_blocking(move || store.take_tokens(&mut conn, &buckets))
                .await
                .map_err(StoreError::unavailable)?
        })
    }
}

impl PgStore {
    /// Runs `danbao_take_tokens` on its own (autocommit, READ COMMITTED: it waits for the
    /// buckets' row locks and then sees what the holder left). Blocking.
    fn take_tokens(
        &self,
        conn: &mut Conn,
        buckets: &[(String, u32)],
    ) -> StoreResult<Option<EmptyBucket>> {
        let keys: Vec<&str> = buckets.iter().map(|(key, _)| key.as_str()).collect();
        let limits: Vec<i32> = buckets
            .iter()
            .map(|(_, per_minute)| i32::try_from(*per_minute).unwrap_or(i32::MAX))
            .collect();
        const TAKE: &str = "SELECT refused, wait_seconds FROM danbao_take_tokens($1, $2)";
        conn.revive(&self.inner.config)?;
        let row = conn
            .query_one(TAKE, &[&keys, &limits])
            .map_err(|error| StoreError::unavailable(super::cause(&error)))?;
        let refused: i32 = row.try_get(0).map_err(StoreError::unavailable)?;
        let wait: i32 = row.try_get(1).map_err(StoreError::unavailable)?;
        Ok(match usize::try_from(refused) {
            Ok(place) if place > 0 => Some(EmptyBucket {
                place: place - 1,
                wait_secs: u64::try_from(wait).unwrap_or(60),
            }),
            _ => None,
        })
    }
}
