//! [`DeviceTx`] on SQLite (tables `devices`, `device_approvals`, `device_join_failures`,
//! migration 010).

use rusqlite::{OptionalExtension, params};

use super::SqliteTx;
use crate::store::{Approval, DeviceRow, DeviceTx, StoreResult};

impl DeviceTx for SqliteTx<'_> {
    fn devices_of(&mut self, user_id: i64) -> StoreResult<Vec<DeviceRow>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id, name, created_at, coalesce(last_seen_at, created_at), revoked_at
             FROM devices WHERE user_id = ?1 ORDER BY id",
        )?;
        let rows = statement.query_map([user_id], |row| {
            Ok(DeviceRow {
                id: row.get(0)?,
                name: row.get(1)?,
                created_at: row.get(2)?,
                last_seen_at: row.get(3)?,
                revoked_at: row.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn active_devices(&mut self, user_id: i64) -> StoreResult<u32> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM devices WHERE user_id = ?1 AND revoked_at IS NULL",
            )?
            .query_row([user_id], |row| row.get(0))?)
    }

    fn revoke_device(&mut self, device_id: i64, user_id: i64, now: i64) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "UPDATE devices SET revoked_at = ?3
                 WHERE id = ?1 AND user_id = ?2 AND revoked_at IS NULL",
            )?
            .execute(params![device_id, user_id, now])?;
        // Secrets provisioned before devices were recorded (migration 003) belong to no known
        // device: revoking any device of their user forgets them too.
        self.conn
            .prepare_cached(
                "DELETE FROM paycode_secrets
                 WHERE device_id = ?1 OR (device_id IS NULL AND user_id = ?2)",
            )?
            .execute(params![device_id, user_id])?;
        self.conn
            .prepare_cached(
                "UPDATE device_approvals SET expires_at = ?2
                 WHERE created_by = ?1 AND used_at IS NULL AND expires_at > ?2",
            )?
            .execute(params![device_id, now])?;
        Ok(())
    }

    fn insert_approval(
        &mut self,
        user_id: i64,
        code_hash: &[u8],
        created_by: i64,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO device_approvals (user_id, code_hash, created_by, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![user_id, code_hash, created_by, now, expires_at])?;
        Ok(())
    }

    fn open_approvals(&mut self, user_id: i64, now: i64) -> StoreResult<u32> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM device_approvals
                 WHERE user_id = ?1 AND used_at IS NULL AND expires_at > ?2",
            )?
            .query_row(params![user_id, now], |row| row.get(0))?)
    }

    fn approval(&mut self, code_hash: &[u8]) -> StoreResult<Option<Approval>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, user_id, expires_at, used_at FROM device_approvals WHERE code_hash = ?1",
            )?
            .query_row([code_hash], |row| {
                Ok(Approval {
                    id: row.get(0)?,
                    user_id: row.get(1)?,
                    expires_at: row.get(2)?,
                    used_at: row.get(3)?,
                })
            })
            .optional()?)
    }

    fn use_approval(&mut self, id: i64, device_id: i64, now: i64) -> StoreResult<()> {
        self.conn
            .prepare_cached("UPDATE device_approvals SET used_at = ?3, used_by = ?2 WHERE id = ?1")?
            .execute(params![id, device_id, now])?;
        Ok(())
    }

    fn count_join_failure(&mut self, user_id: Option<i64>, now: i64) -> StoreResult<()> {
        self.conn
            .prepare_cached("INSERT INTO device_join_failures (user_id, at) VALUES (?1, ?2)")?
            .execute(params![user_id, now])?;
        Ok(())
    }

    fn join_failures_since(&mut self, user_id: Option<i64>, since: i64) -> StoreResult<u32> {
        let count = match user_id {
            Some(user_id) => self
                .conn
                .prepare_cached(
                    "SELECT count(*) FROM device_join_failures WHERE user_id = ?1 AND at > ?2",
                )?
                .query_row(params![user_id, since], |row| row.get(0))?,
            None => self
                .conn
                .prepare_cached("SELECT count(*) FROM device_join_failures WHERE at > ?1")?
                .query_row([since], |row| row.get(0))?,
        };
        Ok(count)
    }
}
