//! The store the configuration chose: SQLite (`--db`, one instance) or PostgreSQL
//! (`--database-url`, any number of instances).

use super::postgres::PgStore;
use super::sqlite::SqliteStore;
use super::{SharedBuckets, Store, StoreError, Tx};

/// One of the two stores, chosen at start.
#[derive(Clone)]
pub enum Backend {
    /// The embedded SQLite store.
    Sqlite(SqliteStore),
    /// The PostgreSQL store.
    Postgres(PgStore),
}

impl Backend {
    /// The PostgreSQL store, when that is the one running.
    pub fn postgres(&self) -> Option<&PgStore> {
        match self {
            Self::Postgres(store) => Some(store),
            Self::Sqlite(_) => None,
        }
    }
}

impl Store for Backend {
    async fn write<T, E, F>(&self, job: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnMut(&mut dyn Tx) -> Result<T, E> + Send + 'static,
    {
        match self {
            Self::Sqlite(store) => store.write(job).await,
            Self::Postgres(store) => store.write(job).await,
        }
    }

    async fn read<T, E, F>(&self, job: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut dyn Tx) -> Result<T, E> + Send + 'static,
    {
        match self {
            Self::Sqlite(store) => store.read(job).await,
            Self::Postgres(store) => store.read(job).await,
        }
    }

    fn shared_buckets(&self) -> Option<std::sync::Arc<dyn SharedBuckets>> {
        match self {
            Self::Sqlite(store) => store.shared_buckets(),
            Self::Postgres(store) => store.shared_buckets(),
        }
    }
}
