//! [`MerchantApiTx`] and [`WebhookTx`] on PostgreSQL (migration 2, the SQLite migrations 013
//! and 014): the same rows, orders and limits as `sqlite/merchant_api.rs`.

use danbao_domain::fees::FeeSchedule;
use danbao_domain::money::Currency;
use tokio_postgres::Row;

use super::{PgTx, get, limit};
use crate::store::merchant_api::{
    ApiKeyRecord, DeliveryStatus, FeeScope, MerchantApiTx, MerchantOrderFilter,
    MerchantOrderRecord, Milestone, PaymentSettlementRecord, SettlementRecord,
    WebhookAttemptRecord, WebhookDeliveryRecord, WebhookEndpointRecord, WebhookEventRecord,
    WebhookTx,
};
use crate::store::{StoreError, StoreResult};

/// `SELECT` of a key's columns (in [`key_row`]'s order), then `$rest`.
macro_rules! select_keys {
    ($rest:literal) => {
        concat!(
            "SELECT id, user_id, name, scopes, secret_hash, created_at, rotated_at, revoked_at,
                    last_used_at FROM merchant_api_keys ",
            $rest
        )
    };
}

/// `SELECT` of a merchant order's columns (in [`order_row`]'s order), then `$rest`.
macro_rules! select_orders {
    ($rest:literal) => {
        concat!(
            "SELECT order_id, merchant_id, merchant_reference, description, line_items, metadata,
                    created_at, paid_at, shipped_at, completed_at, cancelled_at, refunded_at
               FROM merchant_orders ",
            $rest
        )
    };
}

/// `SELECT` of a settlement's columns (in [`settlement_row`]'s order), then `$rest`.
macro_rules! select_settlements {
    ($rest:literal) => {
        concat!(
            "SELECT order_id, seller_id, currency, amount, refunded, gross, fee, net,
                    fee_transfer_id, settled_at FROM order_settlements ",
            $rest
        )
    };
}

/// `SELECT` of an endpoint's columns (in [`endpoint_row`]'s order), then `$rest`.
macro_rules! select_endpoints {
    ($rest:literal) => {
        concat!(
            "SELECT id, user_id, url, events, secret, previous_secret, previous_until, enabled,
                    disabled_reason, created_at FROM webhook_endpoints ",
            $rest
        )
    };
}

/// `SELECT` of a delivery's columns (in [`delivery_row`]'s order), then `$rest`.
macro_rules! select_deliveries {
    ($rest:literal) => {
        concat!(
            "SELECT id, event_id, endpoint_id, status, attempts, next_attempt_at, last_attempt_at,
                    last_status, last_error, delivered_at, created_at FROM webhook_deliveries ",
            $rest
        )
    };
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

fn key_row(row: &Row) -> StoreResult<ApiKeyRecord> {
    let scopes: String = get(row, 3)?;
    Ok(ApiKeyRecord {
        id: get(row, 0)?,
        user_id: get(row, 1)?,
        name: get(row, 2)?,
        scopes: words(&scopes),
        secret_hash: get(row, 4)?,
        created_at: get(row, 5)?,
        rotated_at: get(row, 6)?,
        revoked_at: get(row, 7)?,
        last_used_at: get(row, 8)?,
    })
}

fn order_row(row: &Row) -> StoreResult<MerchantOrderRecord> {
    Ok(MerchantOrderRecord {
        order_id: get(row, 0)?,
        merchant_id: get(row, 1)?,
        merchant_reference: get(row, 2)?,
        description: get(row, 3)?,
        line_items: get(row, 4)?,
        metadata: get(row, 5)?,
        created_at: get(row, 6)?,
        paid_at: get(row, 7)?,
        shipped_at: get(row, 8)?,
        completed_at: get(row, 9)?,
        cancelled_at: get(row, 10)?,
        refunded_at: get(row, 11)?,
    })
}

fn currency(code: &str) -> StoreResult<Currency> {
    Currency::from_code(code).map_err(StoreError::unavailable)
}

fn settlement_row(row: &Row) -> StoreResult<SettlementRecord> {
    let code: String = get(row, 2)?;
    Ok(SettlementRecord {
        order_id: get(row, 0)?,
        seller_id: get(row, 1)?,
        currency: currency(&code)?,
        amount: get(row, 3)?,
        refunded: get(row, 4)?,
        gross: get(row, 5)?,
        fee: get(row, 6)?,
        net: get(row, 7)?,
        fee_transfer_id: get(row, 8)?,
        settled_at: get(row, 9)?,
    })
}

fn scope_parts(scope: &FeeScope) -> (&'static str, String) {
    match scope {
        FeeScope::Merchant(user_id) => ("merchant", user_id.to_string()),
        FeeScope::Category(code) => ("category", code.clone()),
    }
}

/// A stored BIGINT as the narrower unsigned integer a record holds.
fn narrow<T: TryFrom<i64>>(value: i64, what: &str) -> StoreResult<T> {
    T::try_from(value).map_err(|_| StoreError::unavailable(format!("stored {what} {value}")))
}

impl MerchantApiTx for PgTx<'_> {
    fn insert_api_key(&mut self, key: &ApiKeyRecord) -> StoreResult<()> {
        self.exec(
            "INSERT INTO merchant_api_keys (id, user_id, name, scopes, secret_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &key.id,
                &key.user_id,
                &key.name,
                &key.scopes.join(" "),
                &key.secret_hash,
                &key.created_at,
            ],
        )?;
        Ok(())
    }

    fn api_key(&mut self, id: &str) -> StoreResult<Option<ApiKeyRecord>> {
        self.row(select_keys!("WHERE id = $1"), &[&id])?
            .map(|row| key_row(&row))
            .transpose()
    }

    fn api_keys_of(&mut self, user_id: i64) -> StoreResult<Vec<ApiKeyRecord>> {
        self.rows(
            select_keys!("WHERE user_id = $1 ORDER BY created_at, id"),
            &[&user_id],
        )?
        .iter()
        .map(key_row)
        .collect()
    }

    fn rotate_api_key(&mut self, id: &str, secret_hash: &[u8], now: i64) -> StoreResult<()> {
        self.exec(
            "UPDATE merchant_api_keys SET secret_hash = $2, rotated_at = $3 WHERE id = $1",
            &[&id, &secret_hash, &now],
        )?;
        Ok(())
    }

    fn revoke_api_key(&mut self, id: &str, now: i64) -> StoreResult<bool> {
        let changed = self.exec(
            "UPDATE merchant_api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            &[&id, &now],
        )?;
        Ok(changed == 1)
    }

    fn touch_api_key(&mut self, id: &str, now: i64) -> StoreResult<()> {
        self.exec(
            "UPDATE merchant_api_keys SET last_used_at = $2 WHERE id = $1",
            &[&id, &now],
        )?;
        Ok(())
    }

    fn insert_merchant_order(&mut self, record: &MerchantOrderRecord) -> StoreResult<bool> {
        // A reference another transaction stored after this one's snapshot cancels this one
        // (`40001`): it runs again and then sees the reference taken, as on SQLite.
        let inserted = self.exec(
            "INSERT INTO merchant_orders (order_id, merchant_id, merchant_reference, description,
                                          line_items, metadata, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (merchant_id, merchant_reference) DO NOTHING",
            &[
                &record.order_id,
                &record.merchant_id,
                &record.merchant_reference,
                &record.description,
                &record.line_items,
                &record.metadata,
                &record.created_at,
            ],
        )?;
        Ok(inserted == 1)
    }

    fn merchant_order(&mut self, order_id: &str) -> StoreResult<Option<MerchantOrderRecord>> {
        self.row(select_orders!("WHERE order_id = $1"), &[&order_id])?
            .map(|row| order_row(&row))
            .transpose()
    }

    fn order_by_reference(
        &mut self,
        merchant_id: i64,
        reference: &str,
    ) -> StoreResult<Option<String>> {
        self.row(
            "SELECT order_id FROM merchant_orders
             WHERE merchant_id = $1 AND merchant_reference = $2",
            &[&merchant_id, &reference],
        )?
        .map(|row| get(&row, 0))
        .transpose()
    }

    fn merchant_orders(&mut self, filter: &MerchantOrderFilter) -> StoreResult<Vec<String>> {
        let (at, id) = filter
            .before
            .as_ref()
            .map_or((i64::MAX, ""), |(at, id)| (*at, id.as_str()));
        self.rows(
            "SELECT m.order_id FROM merchant_orders m JOIN orders o ON o.id = m.order_id
             WHERE m.merchant_id = $1
               AND ($2::TEXT IS NULL OR o.state = $2::TEXT)
               AND ($3::BIGINT IS NULL OR m.created_at >= $3::BIGINT)
               AND ($4::BIGINT IS NULL OR m.created_at < $4::BIGINT)
               AND (m.created_at, m.order_id) < ($5, $6)
             ORDER BY m.created_at DESC, m.order_id DESC
             LIMIT $7",
            &[
                &filter.merchant_id,
                &filter.state,
                &filter.created_from,
                &filter.created_to,
                &at,
                &id,
                &limit(filter.limit),
            ],
        )?
        .iter()
        .map(|row| get(row, 0))
        .collect()
    }

    fn mark_milestone(&mut self, order_id: &str, milestone: Milestone, at: i64) -> StoreResult<()> {
        let sql = match milestone {
            Milestone::Paid => {
                "UPDATE merchant_orders SET paid_at = $2 WHERE order_id = $1 AND paid_at IS NULL"
            }
            Milestone::Shipped => {
                "UPDATE merchant_orders SET shipped_at = $2
                 WHERE order_id = $1 AND shipped_at IS NULL"
            }
            Milestone::Completed => {
                "UPDATE merchant_orders SET completed_at = $2
                 WHERE order_id = $1 AND completed_at IS NULL"
            }
            Milestone::Cancelled => {
                "UPDATE merchant_orders SET cancelled_at = $2
                 WHERE order_id = $1 AND cancelled_at IS NULL"
            }
            Milestone::Refunded => {
                "UPDATE merchant_orders SET refunded_at = $2
                 WHERE order_id = $1 AND refunded_at IS NULL"
            }
        };
        self.exec(sql, &[&order_id, &at])?;
        Ok(())
    }

    fn fee_schedule(
        &mut self,
        scope: &FeeScope,
        currency: Currency,
    ) -> StoreResult<Option<FeeSchedule>> {
        let (kind, subject) = scope_parts(scope);
        self.row(
            "SELECT basis_points, fixed_minor, min_minor, max_minor FROM fee_schedules
             WHERE scope = $1 AND subject = $2 AND currency = $3",
            &[&kind, &subject, &currency.code()],
        )?
        .map(|row| {
            Ok(FeeSchedule {
                currency,
                basis_points: narrow(get(&row, 0)?, "basis points")?,
                fixed_minor: get(&row, 1)?,
                min_minor: get(&row, 2)?,
                max_minor: get(&row, 3)?,
            })
        })
        .transpose()
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
                self.exec(
                    "DELETE FROM fee_schedules WHERE scope = $1 AND subject = $2 AND currency = $3",
                    &[&kind, &subject, &currency.code()],
                )?;
            }
            Some(schedule) => {
                self.exec(
                    "INSERT INTO fee_schedules (scope, subject, currency, basis_points,
                                                fixed_minor, min_minor, max_minor, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (scope, subject, currency) DO UPDATE SET
                         basis_points = excluded.basis_points,
                         fixed_minor = excluded.fixed_minor,
                         min_minor = excluded.min_minor,
                         max_minor = excluded.max_minor,
                         updated_at = excluded.updated_at",
                    &[
                        &kind,
                        &subject,
                        &currency.code(),
                        &i64::from(schedule.basis_points),
                        &schedule.fixed_minor,
                        &schedule.min_minor,
                        &schedule.max_minor,
                        &now,
                    ],
                )?;
            }
        }
        Ok(())
    }

    fn insert_settlement(&mut self, record: &SettlementRecord) -> StoreResult<()> {
        self.exec(
            "INSERT INTO order_settlements (order_id, seller_id, currency, amount, refunded,
                                            gross, fee, net, fee_transfer_id, settled_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &record.order_id,
                &record.seller_id,
                &record.currency.code(),
                &record.amount,
                &record.refunded,
                &record.gross,
                &record.fee,
                &record.net,
                &record.fee_transfer_id,
                &record.settled_at,
            ],
        )?;
        Ok(())
    }

    fn settlement(&mut self, order_id: &str) -> StoreResult<Option<SettlementRecord>> {
        self.row(select_settlements!("WHERE order_id = $1"), &[&order_id])?
            .map(|row| settlement_row(&row))
            .transpose()
    }

    fn settlements_between(
        &mut self,
        seller_id: i64,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<SettlementRecord>> {
        self.rows(
            select_settlements!(
                "WHERE seller_id = $1 AND settled_at >= $2 AND settled_at < $3
                 ORDER BY settled_at, order_id"
            ),
            &[&seller_id, &from, &to],
        )?
        .iter()
        .map(settlement_row)
        .collect()
    }

    fn insert_payment_settlement(&mut self, record: &PaymentSettlementRecord) -> StoreResult<()> {
        self.exec(
            "INSERT INTO payment_settlements (transfer_id, merchant_id, currency, gross, fee,
                                              net, fee_transfer_id, settled_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (transfer_id) DO NOTHING",
            &[
                &record.transfer_id,
                &record.merchant_id,
                &record.currency.code(),
                &record.gross,
                &record.fee,
                &record.net,
                &record.fee_transfer_id,
                &record.settled_at,
            ],
        )?;
        Ok(())
    }

    fn payment_settlements_between(
        &mut self,
        merchant_id: i64,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<PaymentSettlementRecord>> {
        self.rows(
            "SELECT transfer_id, merchant_id, currency, gross, fee, net, fee_transfer_id,
                    settled_at FROM payment_settlements
              WHERE merchant_id = $1 AND settled_at >= $2 AND settled_at < $3
              ORDER BY settled_at, transfer_id",
            &[&merchant_id, &from, &to],
        )?
        .iter()
        .map(|row| {
            let code: String = get(row, 2)?;
            Ok(PaymentSettlementRecord {
                transfer_id: get(row, 0)?,
                merchant_id: get(row, 1)?,
                currency: currency(&code)?,
                gross: get(row, 3)?,
                fee: get(row, 4)?,
                net: get(row, 5)?,
                fee_transfer_id: get(row, 6)?,
                settled_at: get(row, 7)?,
            })
        })
        .collect()
    }
}

fn endpoint_row(row: &Row) -> StoreResult<WebhookEndpointRecord> {
    let events: String = get(row, 3)?;
    Ok(WebhookEndpointRecord {
        id: get(row, 0)?,
        user_id: get(row, 1)?,
        url: get(row, 2)?,
        events: words(&events),
        secret: get(row, 4)?,
        previous_secret: get(row, 5)?,
        previous_until: get(row, 6)?,
        enabled: get(row, 7)?,
        disabled_reason: get(row, 8)?,
        created_at: get(row, 9)?,
    })
}

fn delivery_row(row: &Row) -> StoreResult<WebhookDeliveryRecord> {
    let status: String = get(row, 3)?;
    let last_status: Option<i64> = get(row, 7)?;
    Ok(WebhookDeliveryRecord {
        id: get(row, 0)?,
        event_id: get(row, 1)?,
        endpoint_id: get(row, 2)?,
        status: DeliveryStatus::parse(&status)
            .ok_or_else(|| StoreError::unavailable(format!("stored delivery status {status:?}")))?,
        attempts: narrow(get(row, 4)?, "attempts")?,
        next_attempt_at: get(row, 5)?,
        last_attempt_at: get(row, 6)?,
        last_status: last_status
            .map(|status| narrow(status, "HTTP status"))
            .transpose()?,
        last_error: get(row, 8)?,
        delivered_at: get(row, 9)?,
        created_at: get(row, 10)?,
    })
}

impl WebhookTx for PgTx<'_> {
    fn insert_webhook_endpoint(&mut self, endpoint: &WebhookEndpointRecord) -> StoreResult<()> {
        self.exec(
            "INSERT INTO webhook_endpoints (id, user_id, url, events, secret, previous_secret,
                                            previous_until, enabled, disabled_reason, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &endpoint.id,
                &endpoint.user_id,
                &endpoint.url,
                &endpoint.events.join(" "),
                &endpoint.secret,
                &endpoint.previous_secret,
                &endpoint.previous_until,
                &endpoint.enabled,
                &endpoint.disabled_reason,
                &endpoint.created_at,
            ],
        )?;
        Ok(())
    }

    fn webhook_endpoint(&mut self, id: &str) -> StoreResult<Option<WebhookEndpointRecord>> {
        self.row(select_endpoints!("WHERE id = $1"), &[&id])?
            .map(|row| endpoint_row(&row))
            .transpose()
    }

    fn webhook_endpoints_of(&mut self, user_id: i64) -> StoreResult<Vec<WebhookEndpointRecord>> {
        self.rows(
            select_endpoints!("WHERE user_id = $1 ORDER BY created_at, id"),
            &[&user_id],
        )?
        .iter()
        .map(endpoint_row)
        .collect()
    }

    fn save_webhook_endpoint(&mut self, endpoint: &WebhookEndpointRecord) -> StoreResult<()> {
        self.exec(
            "UPDATE webhook_endpoints SET url = $2, events = $3, secret = $4,
                    previous_secret = $5, previous_until = $6, enabled = $7,
                    disabled_reason = $8
             WHERE id = $1",
            &[
                &endpoint.id,
                &endpoint.url,
                &endpoint.events.join(" "),
                &endpoint.secret,
                &endpoint.previous_secret,
                &endpoint.previous_until,
                &endpoint.enabled,
                &endpoint.disabled_reason,
            ],
        )?;
        Ok(())
    }

    fn insert_webhook_event(&mut self, event: &WebhookEventRecord) -> StoreResult<bool> {
        let inserted = self.exec(
            "INSERT INTO webhook_events (id, user_id, type, payload, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
            &[
                &event.id,
                &event.user_id,
                &event.event_type,
                &event.payload,
                &event.created_at,
            ],
        )?;
        Ok(inserted == 1)
    }

    fn webhook_event(&mut self, id: &str) -> StoreResult<Option<WebhookEventRecord>> {
        self.row(
            "SELECT id, user_id, type, payload, created_at FROM webhook_events WHERE id = $1",
            &[&id],
        )?
        .map(|row| {
            Ok(WebhookEventRecord {
                id: get(&row, 0)?,
                user_id: get(&row, 1)?,
                event_type: get(&row, 2)?,
                payload: get(&row, 3)?,
                created_at: get(&row, 4)?,
            })
        })
        .transpose()
    }

    fn insert_webhook_delivery(
        &mut self,
        event_id: &str,
        endpoint_id: &str,
        now: i64,
    ) -> StoreResult<i64> {
        let row = self.one(
            "INSERT INTO webhook_deliveries (event_id, endpoint_id, status, attempts,
                                             next_attempt_at, created_at)
             VALUES ($1, $2, 'pending', 0, $3, $3) RETURNING id",
            &[&event_id, &endpoint_id, &now],
        )?;
        get(&row, 0)
    }

    fn webhook_delivery(&mut self, id: i64) -> StoreResult<Option<WebhookDeliveryRecord>> {
        self.row(select_deliveries!("WHERE id = $1"), &[&id])?
            .map(|row| delivery_row(&row))
            .transpose()
    }

    fn save_webhook_delivery(&mut self, delivery: &WebhookDeliveryRecord) -> StoreResult<()> {
        self.exec(
            "UPDATE webhook_deliveries SET status = $2, attempts = $3, next_attempt_at = $4,
                    last_attempt_at = $5, last_status = $6, last_error = $7, delivered_at = $8
             WHERE id = $1",
            &[
                &delivery.id,
                &delivery.status.as_str(),
                &i64::from(delivery.attempts),
                &delivery.next_attempt_at,
                &delivery.last_attempt_at,
                &delivery.last_status.map(i64::from),
                &delivery.last_error,
                &delivery.delivered_at,
            ],
        )?;
        Ok(())
    }

    fn due_webhook_deliveries(
        &mut self,
        now: i64,
        count: u32,
    ) -> StoreResult<Vec<WebhookDeliveryRecord>> {
        self.rows(
            "SELECT d.id, d.event_id, d.endpoint_id, d.status, d.attempts, d.next_attempt_at,
                    d.last_attempt_at, d.last_status, d.last_error, d.delivered_at, d.created_at
               FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
              WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND e.enabled
              ORDER BY d.next_attempt_at, d.id
              LIMIT $2",
            &[&now, &limit(count)],
        )?
        .iter()
        .map(delivery_row)
        .collect()
    }

    fn webhook_deliveries_of(
        &mut self,
        endpoint_id: &str,
        count: u32,
    ) -> StoreResult<Vec<WebhookDeliveryRecord>> {
        self.rows(
            select_deliveries!("WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2"),
            &[&endpoint_id, &limit(count)],
        )?
        .iter()
        .map(delivery_row)
        .collect()
    }

    fn insert_webhook_attempt(
        &mut self,
        delivery_id: i64,
        attempt: &WebhookAttemptRecord,
    ) -> StoreResult<()> {
        self.exec(
            "INSERT INTO webhook_attempts (delivery_id, at, status, error)
             VALUES ($1, $2, $3, $4)",
            &[
                &delivery_id,
                &attempt.at,
                &attempt.status.map(i64::from),
                &attempt.error,
            ],
        )?;
        Ok(())
    }

    fn webhook_attempts(&mut self, delivery_id: i64) -> StoreResult<Vec<WebhookAttemptRecord>> {
        self.rows(
            "SELECT at, status, error FROM webhook_attempts WHERE delivery_id = $1
             ORDER BY at, id",
            &[&delivery_id],
        )?
        .iter()
        .map(|row| {
            let status: Option<i64> = get(row, 1)?;
            Ok(WebhookAttemptRecord {
                at: get(row, 0)?,
                status: status
                    .map(|status| narrow(status, "HTTP status"))
                    .transpose()?,
                error: get(row, 2)?,
            })
        })
        .collect()
    }
}
