//! [`MerchantTx`] on PostgreSQL (table `merchants`, `users.name_key`).

use super::{PgTx, get, limit};
use crate::store::StoreResult;
use crate::store::merchants::{MerchantRecord, MerchantTx, Verification};

impl MerchantTx for PgTx<'_> {
    fn merchant(&mut self, user_id: i64) -> StoreResult<Option<MerchantRecord>> {
        self.row(
            "SELECT enrolled_at, enabled, verified_name, verified_key, verified_at, category
               FROM merchants WHERE user_id = $1",
            &[&user_id],
        )?
        .map(|row| {
            let name: Option<String> = get(&row, 2)?;
            let key: Option<String> = get(&row, 3)?;
            let at: Option<i64> = get(&row, 4)?;
            let verified = match (name, key, at) {
                (Some(name), Some(key), Some(at)) => Some(Verification { name, key, at }),
                _ => None,
            };
            Ok(MerchantRecord {
                user_id,
                enrolled_at: get(&row, 0)?,
                enabled: get(&row, 1)?,
                verified,
                category: get(&row, 5)?,
            })
        })
        .transpose()
    }

    fn put_merchant(&mut self, record: &MerchantRecord, now: i64) -> StoreResult<()> {
        let verified = record.verified.as_ref();
        self.exec(
            "INSERT INTO merchants (user_id, enrolled_at, enabled, verified_name, verified_key,
                                    verified_at, category, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (user_id) DO UPDATE SET
                 enabled = excluded.enabled,
                 verified_name = excluded.verified_name,
                 verified_key = excluded.verified_key,
                 verified_at = excluded.verified_at,
                 category = excluded.category,
                 updated_at = excluded.updated_at",
            &[
                &record.user_id,
                &record.enrolled_at,
                &record.enabled,
                &verified.map(|v| v.name.as_str()),
                &verified.map(|v| v.key.as_str()),
                &verified.map(|v| v.at),
                &record.category,
                &now,
            ],
        )?;
        Ok(())
    }

    fn set_display_name(&mut self, user_id: i64, display_name: &str, key: &str) -> StoreResult<()> {
        self.users_ahead.clear();
        self.exec(
            "UPDATE users SET display_name = $2, name_key = $3 WHERE id = $1",
            &[&user_id, &display_name, &key],
        )?;
        Ok(())
    }

    fn users_with_name_key(&mut self, key: &str, count: u32) -> StoreResult<Vec<i64>> {
        self.rows(
            "SELECT id FROM users WHERE name_key = $1 ORDER BY id LIMIT $2",
            &[&key, &limit(count)],
        )?
        .iter()
        .map(|row| get(row, 0))
        .collect()
    }

    fn verified_merchants_with_key(&mut self, key: &str) -> StoreResult<Vec<i64>> {
        self.rows(
            "SELECT user_id FROM merchants WHERE verified_key = $1
             UNION
             SELECT m.user_id FROM merchants m JOIN users u ON u.id = m.user_id
              WHERE u.name_key = $1 AND m.verified_key IS NOT NULL
             ORDER BY 1",
            &[&key],
        )?
        .iter()
        .map(|row| get(row, 0))
        .collect()
    }
}
