//! [`DeviceTx`] on PostgreSQL (tables `devices`, `device_approvals`, `device_join_failures`).

use super::{PgTx, get};
use crate::store::{Approval, DeviceRow, DeviceTx, StoreResult};

impl DeviceTx for PgTx<'_> {
    fn devices_of(&mut self, user_id: i64) -> StoreResult<Vec<DeviceRow>> {
        self.rows(
            "SELECT id, name, created_at, coalesce(last_seen_at, created_at), revoked_at
             FROM devices WHERE user_id = $1 ORDER BY id",
            &[&user_id],
        )?
        .iter()
        .map(|row| {
            Ok(DeviceRow {
                id: get(row, 0)?,
                name: get(row, 1)?,
                created_at: get(row, 2)?,
                last_seen_at: get(row, 3)?,
                revoked_at: get(row, 4)?,
            })
        })
        .collect()
    }

    fn active_devices(&mut self, user_id: i64) -> StoreResult<u32> {
        self.count(
            "SELECT count(*) FROM devices WHERE user_id = $1 AND revoked_at IS NULL",
            &[&user_id],
        )
    }

    fn revoke_device(&mut self, device_id: i64, user_id: i64, now: i64) -> StoreResult<()> {
        self.exec(
            "UPDATE devices SET revoked_at = $3
             WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
            &[&device_id, &user_id, &now],
        )?;
        self.exec(
            "DELETE FROM paycode_secrets
             WHERE device_id = $1 OR (device_id IS NULL AND user_id = $2)",
            &[&device_id, &user_id],
        )?;
        self.exec(
            "UPDATE device_approvals SET expires_at = $2
             WHERE created_by = $1 AND used_at IS NULL AND expires_at > $2",
            &[&device_id, &now],
        )?;
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
        self.exec(
            "INSERT INTO device_approvals (user_id, code_hash, created_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[&user_id, &code_hash, &created_by, &now, &expires_at],
        )?;
        Ok(())
    }

    fn open_approvals(&mut self, user_id: i64, now: i64) -> StoreResult<u32> {
        self.lock_user(user_id)?;
        self.count(
            "SELECT count(*) FROM device_approvals
             WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2",
            &[&user_id, &now],
        )
    }

    fn approval(&mut self, code_hash: &[u8]) -> StoreResult<Option<Approval>> {
        self.row(
            "SELECT id, user_id, expires_at, used_at FROM device_approvals WHERE code_hash = $1",
            &[&code_hash],
        )?
        .map(|row| {
            Ok(Approval {
                id: get(&row, 0)?,
                user_id: get(&row, 1)?,
                expires_at: get(&row, 2)?,
                used_at: get(&row, 3)?,
            })
        })
        .transpose()
    }

    fn use_approval(&mut self, id: i64, device_id: i64, now: i64) -> StoreResult<()> {
        self.exec(
            "UPDATE device_approvals SET used_at = $3, used_by = $2 WHERE id = $1",
            &[&id, &device_id, &now],
        )?;
        Ok(())
    }

    fn count_join_failure(&mut self, user_id: Option<i64>, now: i64) -> StoreResult<()> {
        if let Some(user_id) = user_id {
            self.lock_user(user_id)?;
        }
        self.exec(
            "INSERT INTO device_join_failures (user_id, at) VALUES ($1, $2)",
            &[&user_id, &now],
        )?;
        Ok(())
    }

    fn join_failures_since(&mut self, user_id: Option<i64>, since: i64) -> StoreResult<u32> {
        match user_id {
            Some(user_id) => self.count(
                "SELECT count(*) FROM device_join_failures WHERE user_id = $1 AND at > $2",
                &[&user_id, &since],
            ),
            None => self.count(
                "SELECT count(*) FROM device_join_failures WHERE at > $1",
                &[&since],
            ),
        }
    }
}
