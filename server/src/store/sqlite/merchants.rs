//! [`MerchantTx`] on SQLite, and the hook of migration 011 that fills the look-alike keys of
//! the display names stored before it.

use rusqlite::{OptionalExtension, Transaction, params};
use rusqlite_migration::HookResult;

use super::SqliteTx;
use crate::store::StoreResult;
use crate::store::merchants::{MerchantRecord, MerchantTx, Verification};

/// Migration 011's hook: every existing user's `name_key`.
pub(super) fn fill_name_keys(tx: &Transaction) -> HookResult {
    let users: Vec<(i64, String)> = tx
        .prepare("SELECT id, display_name FROM users")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = tx.prepare("UPDATE users SET name_key = ?2 WHERE id = ?1")?;
    for (id, name) in users {
        update.execute(params![id, danbao_domain::text::name_key(&name)])?;
    }
    Ok(())
}

impl MerchantTx for SqliteTx<'_> {
    fn merchant(&mut self, user_id: i64) -> StoreResult<Option<MerchantRecord>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT enrolled_at, enabled, verified_name, verified_key, verified_at, category
                   FROM merchants WHERE user_id = ?1",
            )?
            .query_row([user_id], |row| {
                let name: Option<String> = row.get(2)?;
                let key: Option<String> = row.get(3)?;
                let at: Option<i64> = row.get(4)?;
                let verified = match (name, key, at) {
                    (Some(name), Some(key), Some(at)) => Some(Verification { name, key, at }),
                    _ => None,
                };
                Ok(MerchantRecord {
                    user_id,
                    enrolled_at: row.get(0)?,
                    enabled: row.get(1)?,
                    verified,
                    category: row.get(5)?,
                })
            })
            .optional()?)
    }

    fn put_merchant(&mut self, record: &MerchantRecord, now: i64) -> StoreResult<()> {
        let verified = record.verified.as_ref();
        self.conn
            .prepare_cached(
                "INSERT INTO merchants (user_id, enrolled_at, enabled, verified_name, verified_key,
                                        verified_at, category, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (user_id) DO UPDATE SET
                     enabled = excluded.enabled,
                     verified_name = excluded.verified_name,
                     verified_key = excluded.verified_key,
                     verified_at = excluded.verified_at,
                     category = excluded.category,
                     updated_at = excluded.updated_at",
            )?
            .execute(params![
                record.user_id,
                record.enrolled_at,
                record.enabled,
                verified.map(|v| &v.name),
                verified.map(|v| &v.key),
                verified.map(|v| v.at),
                record.category,
                now
            ])?;
        Ok(())
    }

    fn set_display_name(&mut self, user_id: i64, display_name: &str, key: &str) -> StoreResult<()> {
        self.conn
            .prepare_cached("UPDATE users SET display_name = ?2, name_key = ?3 WHERE id = ?1")?
            .execute(params![user_id, display_name, key])?;
        Ok(())
    }

    fn users_with_name_key(&mut self, key: &str, limit: u32) -> StoreResult<Vec<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM users WHERE name_key = ?1 ORDER BY id LIMIT ?2")?
            .query_map(params![key, limit], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn verified_merchants_with_key(&mut self, key: &str) -> StoreResult<Vec<i64>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT user_id FROM merchants WHERE verified_key = ?1
                 UNION
                 SELECT m.user_id FROM merchants m JOIN users u ON u.id = m.user_id
                  WHERE u.name_key = ?1 AND m.verified_key IS NOT NULL
                 ORDER BY 1",
            )?
            .query_map([key], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    /// Users stored before migration 011 get their look-alike key from its hook, so a name
    /// taken before the check existed is compared like a new one.
    #[test]
    fn the_migration_fills_the_keys_of_existing_names() {
        let mut conn = Connection::open_in_memory().expect("in-memory database");
        // Version 9 is 009_paycode_failures_by_index, before this migration.
        super::super::migrations()
            .to_version(&mut conn, 9)
            .expect("version 9");
        conn.execute_batch(
            "INSERT INTO users (handle, display_name, created_at)
                  VALUES ('lotus', 'Lotus Tea House', 1),
                         ('impostor', 'L\u{43e}tus  Tea House', 2),
                         ('wei', 'Wei Zhang', 3);",
        )
        .expect("old rows");
        super::super::migrations()
            .to_latest(&mut conn)
            .expect("latest");
        let key = |handle: &str| -> String {
            conn.query_row(
                "SELECT name_key FROM users WHERE handle = ?1",
                [handle],
                |row| row.get(0),
            )
            .expect("key")
        };
        assert_eq!(
            key("lotus"),
            danbao_domain::text::name_key("Lotus Tea House")
        );
        assert_eq!(key("impostor"), key("lotus"));
        assert_ne!(key("wei"), key("lotus"));
        assert!(!key("wei").is_empty());
    }
}
