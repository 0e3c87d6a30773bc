//! [`MerchantApiTx`] on SQLite (migration 013).

use danbao_domain::fees::FeeSchedule;
use danbao_domain::money::Currency;
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteTx, conversion};
use crate::store::StoreResult;
use crate::store::merchant_api::{
    ApiKeyRecord, DeliveryStatus, FeeScope, MerchantApiTx, MerchantOrderFilter,
    MerchantOrderRecord, Milestone, PaymentSettlementRecord, SettlementRecord,
    WebhookAttemptRecord, WebhookDeliveryRecord, WebhookEndpointRecord, WebhookEventRecord,
    WebhookTx,
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

    fn insert_payment_settlement(&mut self, record: &PaymentSettlementRecord) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO payment_settlements (transfer_id, merchant_id, currency, gross, fee,
                                                  net, fee_transfer_id, settled_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (transfer_id) DO NOTHING",
            )?
            .execute(params![
                record.transfer_id,
                record.merchant_id,
                record.currency.code(),
                record.gross,
                record.fee,
                record.net,
                record.fee_transfer_id,
                record.settled_at
            ])?;
        Ok(())
    }

    fn payment_settlements_between(
        &mut self,
        merchant_id: i64,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<PaymentSettlementRecord>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT transfer_id, merchant_id, currency, gross, fee, net, fee_transfer_id,
                        settled_at FROM payment_settlements
                  WHERE merchant_id = ?1 AND settled_at >= ?2 AND settled_at < ?3
                  ORDER BY settled_at, transfer_id",
            )?
            .query_map(params![merchant_id, from, to], |row| {
                let code: String = row.get(2)?;
                Ok(PaymentSettlementRecord {
                    transfer_id: row.get(0)?,
                    merchant_id: row.get(1)?,
                    currency: currency(2, &code)?,
                    gross: row.get(3)?,
                    fee: row.get(4)?,
                    net: row.get(5)?,
                    fee_transfer_id: row.get(6)?,
                    settled_at: row.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }
}

const ENDPOINT_COLUMNS: &str = "id, user_id, url, events, secret, previous_secret, previous_until, \
                                enabled, disabled_reason, created_at";

fn endpoint_row(row: &Row<'_>) -> rusqlite::Result<WebhookEndpointRecord> {
    let events: String = row.get(3)?;
    Ok(WebhookEndpointRecord {
        id: row.get(0)?,
        user_id: row.get(1)?,
        url: row.get(2)?,
        events: events.split_whitespace().map(str::to_owned).collect(),
        secret: row.get(4)?,
        previous_secret: row.get(5)?,
        previous_until: row.get(6)?,
        enabled: row.get(7)?,
        disabled_reason: row.get(8)?,
        created_at: row.get(9)?,
    })
}

const DELIVERY_COLUMNS: &str = "id, event_id, endpoint_id, status, attempts, next_attempt_at, \
                                last_attempt_at, last_status, last_error, delivered_at, created_at";

fn delivery_row(row: &Row<'_>) -> rusqlite::Result<WebhookDeliveryRecord> {
    let status: String = row.get(3)?;
    Ok(WebhookDeliveryRecord {
        id: row.get(0)?,
        event_id: row.get(1)?,
        endpoint_id: row.get(2)?,
        status: DeliveryStatus::parse(&status).ok_or_else(|| conversion(3, "delivery status"))?,
        attempts: row.get(4)?,
        next_attempt_at: row.get(5)?,
        last_attempt_at: row.get(6)?,
        last_status: row.get(7)?,
        last_error: row.get(8)?,
        delivered_at: row.get(9)?,
        created_at: row.get(10)?,
    })
}

impl WebhookTx for SqliteTx<'_> {
    fn insert_webhook_endpoint(&mut self, endpoint: &WebhookEndpointRecord) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO webhook_endpoints (id, user_id, url, events, secret, previous_secret,
                                                previous_until, enabled, disabled_reason,
                                                created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                endpoint.id,
                endpoint.user_id,
                endpoint.url,
                endpoint.events.join(" "),
                endpoint.secret,
                endpoint.previous_secret,
                endpoint.previous_until,
                endpoint.enabled,
                endpoint.disabled_reason,
                endpoint.created_at
            ])?;
        Ok(())
    }

    fn webhook_endpoint(&mut self, id: &str) -> StoreResult<Option<WebhookEndpointRecord>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = ?1"
            ))?
            .query_row([id], endpoint_row)
            .optional()?)
    }

    fn webhook_endpoints_of(&mut self, user_id: i64) -> StoreResult<Vec<WebhookEndpointRecord>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE user_id = ?1
                  ORDER BY created_at, id"
            ))?
            .query_map([user_id], endpoint_row)?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn save_webhook_endpoint(&mut self, endpoint: &WebhookEndpointRecord) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "UPDATE webhook_endpoints SET url = ?2, events = ?3, secret = ?4,
                        previous_secret = ?5, previous_until = ?6, enabled = ?7,
                        disabled_reason = ?8
                  WHERE id = ?1",
            )?
            .execute(params![
                endpoint.id,
                endpoint.url,
                endpoint.events.join(" "),
                endpoint.secret,
                endpoint.previous_secret,
                endpoint.previous_until,
                endpoint.enabled,
                endpoint.disabled_reason
            ])?;
        Ok(())
    }

    fn insert_webhook_event(&mut self, event: &WebhookEventRecord) -> StoreResult<bool> {
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO webhook_events (id, user_id, type, payload, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
            )?
            .execute(params![
                event.id,
                event.user_id,
                event.event_type,
                event.payload,
                event.created_at
            ])?;
        Ok(inserted == 1)
    }

    fn webhook_event(&mut self, id: &str) -> StoreResult<Option<WebhookEventRecord>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, user_id, type, payload, created_at FROM webhook_events WHERE id = ?1",
            )?
            .query_row([id], |row| {
                Ok(WebhookEventRecord {
                    id: row.get(0)?,
                    user_id: row.get(1)?,
                    event_type: row.get(2)?,
                    payload: row.get(3)?,
                    created_at: row.get(4)?,
                })
            })
            .optional()?)
    }

    fn insert_webhook_delivery(
        &mut self,
        event_id: &str,
        endpoint_id: &str,
        now: i64,
    ) -> StoreResult<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO webhook_deliveries (event_id, endpoint_id, status, attempts,
                                                 next_attempt_at, created_at)
                 VALUES (?1, ?2, 'pending', 0, ?3, ?3)",
            )?
            .execute(params![event_id, endpoint_id, now])?;
        Ok(self.conn.last_insert_rowid())
    }

    fn webhook_delivery(&mut self, id: i64) -> StoreResult<Option<WebhookDeliveryRecord>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?1"
            ))?
            .query_row([id], delivery_row)
            .optional()?)
    }

    fn save_webhook_delivery(&mut self, delivery: &WebhookDeliveryRecord) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "UPDATE webhook_deliveries SET status = ?2, attempts = ?3, next_attempt_at = ?4,
                        last_attempt_at = ?5, last_status = ?6, last_error = ?7,
                        delivered_at = ?8
                  WHERE id = ?1",
            )?
            .execute(params![
                delivery.id,
                delivery.status.as_str(),
                delivery.attempts,
                delivery.next_attempt_at,
                delivery.last_attempt_at,
                delivery.last_status,
                delivery.last_error,
                delivery.delivered_at
            ])?;
        Ok(())
    }

    fn due_webhook_deliveries(
        &mut self,
        now: i64,
        limit: u32,
    ) -> StoreResult<Vec<WebhookDeliveryRecord>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT d.id, d.event_id, d.endpoint_id, d.status, d.attempts, d.next_attempt_at,
                        d.last_attempt_at, d.last_status, d.last_error, d.delivered_at,
                        d.created_at
                   FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                  WHERE d.status = 'pending' AND d.next_attempt_at <= ?1 AND e.enabled
                  ORDER BY d.next_attempt_at, d.id
                  LIMIT ?2",
            )?
            .query_map(params![now, limit], delivery_row)?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn webhook_deliveries_of(
        &mut self,
        endpoint_id: &str,
        limit: u32,
    ) -> StoreResult<Vec<WebhookDeliveryRecord>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE endpoint_id = ?1
                  ORDER BY id DESC LIMIT ?2"
            ))?
            .query_map(params![endpoint_id, limit], delivery_row)?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn insert_webhook_attempt(
        &mut self,
        delivery_id: i64,
        attempt: &WebhookAttemptRecord,
    ) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO webhook_attempts (delivery_id, at, status, error)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                delivery_id,
                attempt.at,
                attempt.status,
                attempt.error
            ])?;
        Ok(())
    }

    fn webhook_attempts(&mut self, delivery_id: i64) -> StoreResult<Vec<WebhookAttemptRecord>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT at, status, error FROM webhook_attempts WHERE delivery_id = ?1
                  ORDER BY at, rowid",
            )?
            .query_map([delivery_id], |row| {
                Ok(WebhookAttemptRecord {
                    at: row.get(0)?,
                    status: row.get(1)?,
                    error: row.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }
}
