//! Settlement reports (issue 15 point 5): every order of the merchant settled in a range —
//! released, split, refunded — with gross, fee, refunds and net, and totals per currency that
//! equal the merchant wallet's ledger movements from those orders (escrow posts in, fee
//! transfers out), as JSON or CSV.

use std::collections::BTreeMap;

use danbao_domain::money::{Currency, Money};
use danbao_domain::protocol::wire::{
    SettlementLine, SettlementReport, SettlementReportQuery, SettlementTotals,
};

use super::{KeyCaller, Scope};
use crate::service::{ServiceError, ServiceResult};
use crate::store::Store;

/// The longest range of one report.
pub const MAX_RANGE_SECS: i64 = 366 * 24 * 3600;

/// What format the report is wanted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/json`.
    Json,
    /// `text/csv`.
    Csv,
}

/// The range `[from, to)` of the query, checked.
pub fn range_of(query: &SettlementReportQuery) -> ServiceResult<(i64, i64)> {
    let (Some(from), Some(to)) = (query.from, query.to) else {
        return Err(ServiceError::bad_request(
            "invalid_query",
            "a report needs from and to (Unix seconds)",
        ));
    };
    if to <= from || to - from > MAX_RANGE_SECS {
        return Err(ServiceError::bad_request(
            "invalid_query",
            format!(
                "the range {from}..{to} must be non-empty and at most {} days",
                MAX_RANGE_SECS / 86_400
            ),
        ));
    }
    Ok((from, to))
}

/// Reads and checks the query.
pub fn format_of(query: &SettlementReportQuery) -> ServiceResult<Format> {
    range_of(query)?;
    match query.format.as_deref() {
        None | Some("json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        Some(other) => Err(ServiceError::bad_request(
            "invalid_query",
            format!("format {other:?} is not json or csv"),
        )),
    }
}

/// The report of the merchant's settlements in `[from, to)`.
pub async fn settlements<S: Store>(
    store: &S,
    caller: KeyCaller,
    query: SettlementReportQuery,
) -> ServiceResult<SettlementReport> {
    caller.require(Scope::ReportsRead)?;
    let (from, to) = range_of(&query)?;
    store
        .read(move |tx| {
            let records = tx.settlements_between(caller.user_id, from, to)?;
            let payments = tx.payment_settlements_between(caller.user_id, from, to)?;
            let mut totals: BTreeMap<&'static str, (Currency, [i64; 5], u64, u64)> =
                BTreeMap::new();
            let mut items = Vec::with_capacity(records.len() + payments.len());
            for record in &records {
                let c = record.currency;
                let money = |minor| -> danbao_domain::protocol::wire::AmountView {
                    Money::from_minor(minor, c).into()
                };
                let reference = tx
                    .merchant_order(&record.order_id)?
                    .map(|shop| shop.merchant_reference);
                items.push(SettlementLine {
                    kind: "order".to_owned(),
                    order_id: record.order_id.clone(),
                    transfer_id: None,
                    merchant_reference: reference,
                    amount: money(record.amount),
                    refunded: money(record.refunded),
                    gross: money(record.gross),
                    fee: money(record.fee),
                    net: money(record.net),
                    settled_at: record.settled_at,
                });
                let entry = totals.entry(c.code()).or_insert((c, [0; 5], 0, 0));
                let parts = [
                    record.amount,
                    record.refunded,
                    record.gross,
                    record.fee,
                    record.net,
                ];
                add_up(&mut entry.1, parts)?;
                entry.2 += 1;
            }
            // Merchant payments: the whole amount is the gross, nothing is refunded.
            for payment in &payments {
                let c = payment.currency;
                let money = |minor| -> danbao_domain::protocol::wire::AmountView {
                    Money::from_minor(minor, c).into()
                };
                items.push(SettlementLine {
                    kind: "payment".to_owned(),
                    order_id: String::new(),
                    transfer_id: Some(payment.transfer_id.clone()),
                    merchant_reference: None,
                    amount: money(payment.gross),
                    refunded: money(0),
                    gross: money(payment.gross),
                    fee: money(payment.fee),
                    net: money(payment.net),
                    settled_at: payment.settled_at,
                });
                let entry = totals.entry(c.code()).or_insert((c, [0; 5], 0, 0));
                let parts = [payment.gross, 0, payment.gross, payment.fee, payment.net];
                add_up(&mut entry.1, parts)?;
                entry.3 += 1;
            }
            // One timeline: orders and payments by when they settled.
            items.sort_by_key(|line| line.settled_at);
            let totals = totals
                .into_values()
                .map(
                    |(c, [amount, refunded, gross, fee, net], orders, payments)| {
                        let money = |minor| Money::from_minor(minor, c).into();
                        SettlementTotals {
                            currency: c.code().to_owned(),
                            orders,
                            payments,
                            amount: money(amount),
                            refunded: money(refunded),
                            gross: money(gross),
                            fee: money(fee),
                            net: money(net),
                        }
                    },
                )
                .collect();
            Ok(SettlementReport {
                from,
                to,
                items,
                totals,
            })
        })
        .await
}

/// Adds one line's amounts to a currency's sums.
fn add_up(sums: &mut [i64; 5], parts: [i64; 5]) -> ServiceResult<()> {
    for (sum, part) in sums.iter_mut().zip(parts) {
        *sum = sum
            .checked_add(part)
            .ok_or_else(|| ServiceError::storage("a settlement report total overflows"))?;
    }
    Ok(())
}

/// The report as CSV: one line per settled order or merchant payment, amounts as decimal text
/// in their currency; `kind` and `transfer_id` are the last columns (a payment's
/// `order_id` and `merchant_reference` are empty).
pub fn csv(report: &SettlementReport) -> String {
    let mut out = String::from(
        "order_id,merchant_reference,currency,amount,refunded,gross,fee,net,settled_at,kind,\
         transfer_id\n",
    );
    for line in &report.items {
        let fields = [
            line.order_id.clone(),
            line.merchant_reference.clone().unwrap_or_default(),
            line.amount.currency.clone(),
            line.amount.value.clone(),
            line.refunded.value.clone(),
            line.gross.value.clone(),
            line.fee.value.clone(),
            line.net.value.clone(),
            line.settled_at.to_string(),
            line.kind.clone(),
            line.transfer_id.clone().unwrap_or_default(),
        ];
        let escaped: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&escaped.join(","));
        out.push('\n');
    }
    out
}

/// A CSV field, quoted when it holds a comma, quote or line break, and with a leading quote
/// when it starts like a spreadsheet formula.
fn csv_field(field: &str) -> String {
    let field = if field.starts_with(['=', '+', '-', '@']) {
        format!("'{field}")
    } else {
        field.to_owned()
    };
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_are_defused() {
        assert_eq!(csv_field("web-1"), "web-1");
        assert_eq!(csv_field("-2+3"), "'-2+3");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@sum"), "'@sum");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_field("88.00"), "88.00");
    }
}
