//! [`MerchantApiTx`] on SQLite (migration 013).

use danbao_domain::fees::FeeSchedule;
use danbao_domain::money::Currency;
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteTx, conversion};
use crate::store::StoreResult;
use crate::store::merchant_api::{
    ApiKeyRecord, FeeScope, MerchantApiTx, MerchantOrderFilter, MerchantOrderRecord, Milestone,
    SettlementRecord,
};

const KEY_COLUMNS: &str = "id, user_id, name, scopes, secret_hash, created_at, rotated_at, \
                           revoked_at, last_used_at";

fn key_row(row: &Row<'_>) -> rusqlite::Result<ApiKeyRecord> {
    let scopes: String = row.get(3)?;
    Ok(ApiKeyRecord {
        id: row.get(0)?,
        user_id: row.get(1)?,
        name: row.get(2)?,
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        secret_hash: row.get(4)?,
        created_at: row.get(5)?,
        rotated_at: row.get(6)?,
        revoked_at: row.get(7)?,
        last_used_at: row.get(8)?,
    })
}

const ORDER_COLUMNS: &str = "order_id, merchant_id, merchant_reference, description, line_items, \
                             metadata, created_at, paid_at, shipped_at, completed_at, \
                             cancelled_at, refunded_at";

fn order_row(row: &Row<'_>) -> rusqlite::Result<MerchantOrderRecord> {
    Ok(MerchantOrderRecord {
        order_id: row.get(0)?,
        merchant_id: row.get(1)?,
        merchant_reference: row.get(2)?,
        description: row.get(3)?,
        line_items: row.get(4)?,
        metadata: row.get(5)?,
        created_at: row.get(6)?,
        paid_at: row.get(7)?,
        shipped_at: row.get(8)?,
        completed_at: row.get(9)?,
        cancelled_at: row.get(10)?,
        refunded_at: row.get(11)?,
    })
}

fn currency(index: usize, code: &str) -> rusqlite::Result<Currency> {
    Currency::from_code(code).map_err(|_| conversion(index, "currency"))
}

const SETTLEMENT_COLUMNS: &str = "order_id, seller_id, currency, amount, refunded, gross, fee, \
                                  net, fee_transfer_id, settled_at";

fn settlement_row(row: &Row<'_>) -> rusqlite::Result<SettlementRecord> {
    let code: String = row.get(2)?;
    Ok(SettlementRecord {
        order_id: row.get(0)?,
        seller_id: row.get(1)?,
        currency: currency(2, &code)?,
        amount: row.get(3)?,
        refunded: row.get(4)?,
        gross: row.get(5)?,
        fee: row.get(6)?,
        net: row.get(7)?,
        fee_transfer_id: row.get(8)?,
        settled_at: row.get(9)?,
    })
}

fn scope_parts(scope: &FeeScope) -> (&'static str, String) {
    match scope {
        FeeScope::Merchant(user_id) => ("merchant", user_id.to_string()),
        FeeScope::Category(code) => ("category", code.clone()),
    }
}

impl MerchantApiTx for SqliteTx<'_> {
    fn insert_api_key(&mut self, key: &ApiKeyRecord) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO merchant_api_keys (id, user_id, name, scopes, secret_hash,
                                                created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                key.id,
                key.user_id,
                key.name,
                key.scopes.join(" "),
                key.secret_hash,
                key.created_at
            ])?;
        Ok(())
    }

    fn api_key(&mut self, id: &str) -> StoreResult<Option<ApiKeyRecord>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {KEY_COLUMNS} FROM merchant_api_keys WHERE id = ?1"
            ))?
            .query_row([id], key_row)
            .optional()?)
    }

    fn api_keys_of(&mut self, user_id: i64) -> StoreResult<Vec<ApiKeyRecord>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {KEY_COLUMNS} FROM merchant_api_keys WHERE user_id = ?1
                  ORDER BY created_at, id"
            ))?
            .query_map([user_id], key_row)?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn rotate_api_key(&mut self, id: &str, secret_hash: &[u8], now: i64) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "UPDATE merchant_api_keys SET secret_hash = ?2, rotated_at = ?3 WHERE id = ?1",
            )?
            .execute(params![id, secret_hash, now])?;
        Ok(())
    }

    fn revoke_api_key(&mut self, id: &str, now: i64) -> StoreResult<bool> {
        let changed = self
            .conn
            .prepare_cached(
                "UPDATE merchant_api_keys SET revoked_at = ?2
                  WHERE id = ?1 AND revoked_at IS NULL",
            )?
            .execute(params![id, now])?;
        Ok(changed == 1)
    }

    fn touch_api_key(&mut self, id: &str, now: i64) -> StoreResult<()> {
        self.conn
            .prepare_cached("UPDATE merchant_api_keys SET last_used_at = ?2 WHERE id = ?1")?
            .execute(params![id, now])?;
        Ok(())
    }

    fn insert_merchant_order(&mut self, record: &MerchantOrderRecord) -> StoreResult<bool> {
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO merchant_orders (order_id, merchant_id, merchant_reference,
                                              description, line_items, metadata, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (merchant_id, merchant_reference) DO NOTHING",
            )?
            .execute(params![
                record.order_id,
                record.merchant_id,
                record.merchant_reference,
                record.description,
                record.line_items,
                record.metadata,
                record.created_at
            ])?;
        Ok(inserted == 1)
    }

    fn merchant_order(&mut self, order_id: &str) -> StoreResult<Option<MerchantOrderRecord>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {ORDER_COLUMNS} FROM merchant_orders WHERE order_id = ?1"
            ))?
            .query_row([order_id], order_row)
            .optional()?)
    }

    fn order_by_reference(
        &mut self,
        merchant_id: i64,
        reference: &str,
    ) -> StoreResult<Option<String>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT order_id FROM merchant_orders
                  WHERE merchant_id = ?1 AND merchant_reference = ?2",
            )?
            .query_row(params![merchant_id, reference], |row| row.get(0))
            .optional()?)
    }

    fn merchant_orders(&mut self, filter: &MerchantOrderFilter) -> StoreResult<Vec<String>> {
        let (at, id) = filter
            .before
            .as_ref()
            .map_or((i64::MAX, ""), |(at, id)| (*at, id.as_str()));
        Ok(self
            .conn
            .prepare_cached(
                "SELECT m.order_id FROM merchant_orders m JOIN orders o ON o.id = m.order_id
                  WHERE m.merchant_id = ?1
                    AND (?2 IS NULL OR o.state = ?2)
                    AND (?3 IS NULL OR m.created_at >= ?3)
                    AND (?4 IS NULL OR m.created_at < ?4)
                    AND (m.created_at, m.order_id) < (?5, ?6)
                  ORDER BY m.created_at DESC, m.order_id DESC
                  LIMIT ?7",
            )?
            .query_map(
                params![
                    filter.merchant_id,
                    filter.state,
                    filter.created_from,
                    filter.created_to,
                    at,
                    id,
                    filter.limit
                ],
                |row| row.get(0),
            )?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn mark_milestone(&mut self, order_id: &str, milestone: Milestone, at: i64) -> StoreResult<()> {
        let sql = match milestone {
            Milestone::Paid => {
                "UPDATE merchant_orders SET paid_at = ?2 WHERE order_id = ?1 AND paid_at IS NULL"
            }
            Milestone::Shipped => {
                "UPDATE merchant_orders SET shipped_at = ?2
                  WHERE order_id = ?1 AND shipped_at IS NULL"
            }
            Milestone::Completed => {
                "UPDATE merchant_orders SET completed_at = ?2
                  WHERE order_id = ?1 AND completed_at IS NULL"
            }
            Milestone::Cancelled => {
                "UPDATE merchant_orders SET cancelled_at = ?2
                  WHERE order_id = ?1 AND cancelled_at IS NULL"
            }
            Milestone::Refunded => {
                "UPDATE merchant_orders SET refunded_at = ?2
                  WHERE order_id = ?1 AND refunded_at IS NULL"
            }
        };
        self.conn
            .prepare_cached(sql)?
            .execute(params![order_id, at])?;
        Ok(())
    }

    fn fee_schedule(
        &mut self,
        scope: &FeeScope,
        currency: Currency,
    ) -> StoreResult<Option<FeeSchedule>> {
        let (kind, subject) = scope_parts(scope);
        Ok(self
            .conn
            .prepare_cached(
                "SELECT basis_points, fixed_minor, min_minor, max_minor FROM fee_schedules
                  WHERE scope = ?1 AND subject = ?2 AND currency = ?3",
            )?
            .query_row(params![kind, subject, currency.code()], |row| {
                Ok(FeeSchedule {
                    currency,
                    basis_points: row.get(0)?,
                    fixed_minor: row.get(1)?,
                    min_minor: row.get(2)?,
                    max_minor: row.get(3)?,
                })
            })
            .optional()?)
    }

    fn put_fee_schedule(
        &mut self,
        scope: &FeeScope,
        currency: Currency,
        schedule: Option<&FeeSchedule>,
        now: i64,
    ) -> StoreResult<()> {
        let (kind, subject) = scope_parts(scope);
        match schedule {
            None => {
                self.conn
                    .prepare_cached(
                        "DELETE FROM fee_schedules
                          WHERE scope = ?1 AND subject = ?2 AND currency = ?3",
                    )?
                    .execute(params![kind, subject, currency.code()])?;
            }
            Some(schedule) => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO fee_schedules (scope, subject, currency, basis_points,
                                                    fixed_minor, min_minor, max_minor, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                         ON CONFLICT (scope, subject, currency) DO UPDATE SET
                             basis_points = excluded.basis_points,
                             fixed_minor = excluded.fixed_minor,
                             min_minor = excluded.min_minor,
                             max_minor = excluded.max_minor,
                             updated_at = excluded.updated_at",
                    )?
                    .execute(params![
                        kind,
                        subject,
                        currency.code(),
                        schedule.basis_points,
                        schedule.fixed_minor,
                        schedule.min_minor,
                        schedule.max_minor,
                        now
                    ])?;
            }
        }
        Ok(())
    }

    fn insert_settlement(&mut self, record: &SettlementRecord) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO order_settlements (order_id, seller_id, currency, amount, refunded,
                                                gross, fee, net, fee_transfer_id, settled_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                record.order_id,
                record.seller_id,
                record.currency.code(),
                record.amount,
                record.refunded,
                record.gross,
                record.fee,
                record.net,
                record.fee_transfer_id,
                record.settled_at
            ])?;
        Ok(())
    }

    fn settlement(&mut self, order_id: &str) -> StoreResult<Option<SettlementRecord>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {SETTLEMENT_COLUMNS} FROM order_settlements WHERE order_id = ?1"
            ))?
            .query_row([order_id], settlement_row)
            .optional()?)
    }

    fn settlements_between(
        &mut self,
        seller_id: i64,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<SettlementRecord>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {SETTLEMENT_COLUMNS} FROM order_settlements
                  WHERE seller_id = ?1 AND settled_at >= ?2 AND settled_at < ?3
                  ORDER BY settled_at, order_id"
            ))?
            .query_map(params![seller_id, from, to], settlement_row)?
            .collect::<rusqlite::Result<_>>()?)
    }
}
