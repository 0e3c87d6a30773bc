//! Schema 2 → 3: the outbox's rows become commands as data.
//!
//! Schema 2 stored a command as a kind name, an HTTP method, a path and a JSON body text.
//! Each row is read back as the [`Command`] that makes that request — same method, same path,
//! a body that reads as the command's body type — and stored in the new form with its id,
//! idempotency key, state, attempts, times, last error and answer unchanged.
//!
//! A row that cannot be read so is kept, in form [`UNCONVERTED_COMMAND_VERSION`] (the old
//! request and the reason), never dropped: if it was still to be sent (`pending` or
//! `sending`) it becomes `failed` with the reason as its answer (status 0, code
//! `not_converted`), so the app shows it and nothing sends it. That covers a request this
//! version does not know, and a request an earlier attempt may have delivered whose stored
//! body this version would not send byte for byte: resending it under the same key would be a
//! different request to the server, which refuses that.

use rusqlite::{OptionalExtension, Transaction, params};
use rusqlite_migration::HookResult;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{COMMAND_VERSION, UNCONVERTED_COMMAND_VERSION, queued_body};
use danbao_domain::protocol::wire::{OrderAction, StepAction};
use danbao_domain::protocol::{Command, OrderStepCommand};

/// The problem code of the answer given to a row that could not be converted.
pub const NOT_CONVERTED: &str = "not_converted";

/// What is kept of a schema-2 row that could not be read as a command (form 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Unconverted {
    /// Schema 2's kind name.
    pub kind: String,
    /// HTTP method.
    pub method: String,
    /// Request target.
    pub path: String,
    /// Body text as stored.
    pub body: String,
    /// Why it was not converted.
    pub reason: String,
}

impl Unconverted {
    /// What it asked, e.g. `gift (POST /v1/gifts)`.
    pub fn request(&self) -> String {
        format!("{} ({} {})", self.kind, self.method, self.path)
    }
}

/// A schema-2 outbox row.
struct OldRow {
    id: i64,
    idempotency_key: String,
    kind: String,
    method: String,
    path: String,
    body: String,
    state: String,
    attempts: i64,
    next_attempt_at: i64,
    created_at: i64,
    updated_at: i64,
    outcome_status: Option<i64>,
    outcome_body: Option<String>,
    last_error: Option<String>,
}

/// After the rows are copied: the new table takes the old one's place.
const REPLACE_TABLE: &str = "
    DROP TABLE outbox;
    ALTER TABLE outbox_v3 RENAME TO outbox;
    CREATE INDEX outbox_due ON outbox (state, next_attempt_at, id);
";

/// The migration hook: converts every row of the schema-2 `outbox` into `outbox_v3`, then
/// puts `outbox_v3` in its place (one transaction with the migration's SQL).
pub(super) fn convert_outbox(tx: &Transaction) -> HookResult {
    let counter: Option<i64> = tx
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    let rows = old_rows(tx)?;
    let mut unconverted = 0_usize;
    for row in &rows {
        unconverted += usize::from(!copy_row(tx, row)?);
    }
    tx.execute_batch(REPLACE_TABLE)?;
    if let Some(counter) = counter {
        // Ids are never reused, even those of rows a future version may delete.
        tx.execute(
            "DELETE FROM sqlite_sequence WHERE name = 'outbox' AND seq < ?1",
            [counter],
        )?;
        tx.execute(
            "INSERT INTO sqlite_sequence (name, seq)
             SELECT 'outbox', ?1 WHERE NOT EXISTS
                 (SELECT 1 FROM sqlite_sequence WHERE name = 'outbox')",
            [counter],
        )?;
    }
    if !rows.is_empty() {
        tracing::info!(
            rows = rows.len(),
            unconverted,
            "outbox commands converted to the stored command form"
        );
    }
    Ok(())
}

fn old_rows(tx: &Transaction) -> rusqlite::Result<Vec<OldRow>> {
    let mut stmt = tx.prepare(
        "SELECT id, idempotency_key, kind, method, path, body, state, attempts,
                next_attempt_at, created_at, updated_at, outcome_status, outcome_body,
                last_error
           FROM outbox ORDER BY id",
    )?;
    stmt.query_map([], |row| {
        Ok(OldRow {
            id: row.get(0)?,
            idempotency_key: row.get(1)?,
            kind: row.get(2)?,
            method: row.get(3)?,
            path: row.get(4)?,
            body: row.get(5)?,
            state: row.get(6)?,
            attempts: row.get(7)?,
            next_attempt_at: row.get(8)?,
            created_at: row.get(9)?,
            updated_at: row.get(10)?,
            outcome_status: row.get(11)?,
            outcome_body: row.get(12)?,
            last_error: row.get(13)?,
        })
    })?
    .collect()
}

/// Copies one row in its new form; `false` when it was kept unconverted.
// Long (86 lines): one arm per request path the version-2 outbox could hold, each turning that
// path and body into its typed command; the list is closed, so it reads best whole.
fn copy_row(tx: &Transaction, row: &OldRow) -> rusqlite::Result<bool> {
    let still_to_send = matches!(row.state.as_str(), "pending" | "sending");
    let converted = legacy_command(&row.method, &row.path, &row.body).and_then(|command| {
        let same_bytes = queued_body(&command).is_ok_and(|bytes| bytes == row.body.as_bytes());
        if still_to_send && row.attempts > 0 && !same_bytes {
            return Err(format!(
                "an earlier attempt may have reached the server with the body {:?}, which this \
                 version would not send byte for byte, and the server refuses a different \
                 request under the same idempotency key; it was not sent again — look in the \
                 activity for whether it was applied before doing it again",
                row.body
            ));
        }
        serde_json::to_string(&command).map_err(|e| format!("the command does not serialize: {e}"))
    });
    let (version, text, state, status, answer, last_error) = match converted {
        Ok(text) => (
            COMMAND_VERSION,
            text,
            row.state.clone(),
            row.outcome_status,
            row.outcome_body.clone(),
            row.last_error.clone(),
        ),
        Err(reason) => {
            let reason = format!(
                "this {} request queued by an earlier version of the app could not be read as a \
                 command: {reason}",
                row.kind
            );
            let kept = Unconverted {
                kind: row.kind.clone(),
                method: row.method.clone(),
                path: row.path.clone(),
                body: row.body.clone(),
                reason: reason.clone(),
            };
            let kept = serde_json::to_string(&kept)
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            if still_to_send {
                let answer = serde_json::json!({"code": NOT_CONVERTED, "detail": reason});
                let answer = Some(answer.to_string());
                (
                    UNCONVERTED_COMMAND_VERSION,
                    kept,
                    "failed".to_owned(),
                    Some(0),
                    answer,
                    None,
                )
            } else {
                let (status, answer) = (row.outcome_status, row.outcome_body.clone());
                let last_error = row.last_error.clone();
                (
                    UNCONVERTED_COMMAND_VERSION,
                    kept,
                    row.state.clone(),
                    status,
                    answer,
                    last_error,
                )
            }
        }
    };
    tx.execute(
        "INSERT INTO outbox_v3 (id, idempotency_key, command_version, command, state, attempts,
                                next_attempt_at, created_at, updated_at, outcome_status,
                                outcome_body, last_error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            row.id,
            row.idempotency_key,
            version,
            text,
            state,
            row.attempts,
            row.next_attempt_at,
            row.created_at,
            row.updated_at,
            status,
            answer,
            last_error
        ],
    )?;
    Ok(version == COMMAND_VERSION)
}

/// The command that makes the request `method path body`, or why there is none. The command
/// must reproduce the path exactly; the body must read as the command's body type, which
/// refuses unknown fields, so nothing in it is lost (a field left out is its default, as the
/// server reads it).
pub(crate) fn legacy_command(method: &str, path: &str, body: &str) -> Result<Command, String> {
    if method != "POST" {
        return Err(format!(
            "the method {method:?} is not POST, as every command is"
        ));
    }
    let segments: Vec<&str> = path
        .strip_prefix("/v1/")
        .ok_or_else(|| format!("the path {path:?} is not under /v1/"))?
        .split('/')
        .collect();
    let command = match segments.as_slice() {
        ["users"] => Command::SignUp(json_body(body)?),
        ["sandbox", "top-ups"] => Command::TopUp(json_body(body)?),
        ["withdrawals"] => Command::Withdraw(json_body(body)?),
        ["transfers"] => Command::Send(json_body(body)?),
        ["codes"] => Command::IssueCode(json_body(body)?),
        ["codes", "resolve"] => Command::ResolveCode(json_body(body)?),
        ["payments"] => Command::PayCode(json_body(body)?),
        ["orders"] => Command::CreateOrder(json_body(body)?),
        ["orders", "pay-code"] => Command::PayOrderCode(json_body(body)?),
        ["orders", id, slug] => Command::OrderStep {
            order_id: percent_decoded(id)?,
            step: order_step(slug, body)?,
        },
        ["admin", "orders", id, "resolve"] => Command::ResolveOrder {
            order_id: percent_decoded(id)?,
            resolution: json_body(body)?,
        },
        ["requests"] => Command::NewRequest(json_body(body)?),
        ["requests", id, action @ ("accept" | "decline")] => {
            no_body(body)?;
            let id = id
                .parse()
                .map_err(|_| format!("the request id {id:?} is not a number"))?;
            if *action == "accept" {
                Command::AcceptRequest { id }
            } else {
                Command::DeclineRequest { id }
            }
        }
        ["paycode", "provision"] => {
            no_body(body)?;
            Command::ProvisionPaycode
        }
        ["merchant", "charges"] => Command::Charge(json_body(body)?),
        _ => return Err(format!("{path} is not a request this version knows")),
    };
    if command.path() != path {
        return Err(format!(
            "the path {path:?} reads as {:?}, not the same request",
            command.path()
        ));
    }
    Ok(command)
}

fn order_step(slug: &str, body: &str) -> Result<OrderStepCommand, String> {
    let plain = |action: OrderAction| no_body(body).map(|()| OrderStepCommand::Plain(action));
    match StepAction::from_slug(slug) {
        Some(StepAction::Pay) => plain(OrderAction::Pay),
        Some(StepAction::Cancel) => plain(OrderAction::Cancel),
        Some(StepAction::Confirm) => plain(OrderAction::Confirm),
        Some(StepAction::RefundAccept) => plain(OrderAction::AcceptRefund),
        Some(StepAction::RefundReject) => plain(OrderAction::RejectRefund),
        Some(StepAction::Ship) => json_body(body).map(OrderStepCommand::Ship),
        Some(StepAction::RefundRequest) => json_body(body).map(OrderStepCommand::RequestRefund),
        None => Err(format!("{slug:?} is not a step on an order")),
    }
}

fn json_body<T: DeserializeOwned>(body: &str) -> Result<T, String> {
    if body.is_empty() {
        return Err("the request has no body, and this one needs one".to_owned());
    }
    serde_json::from_str(body).map_err(|e| format!("the body {body:?} does not read: {e}"))
}

fn no_body(body: &str) -> Result<(), String> {
    if body.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the body {body:?} was given to a request that takes none"
        ))
    }
}

/// A percent-encoded path segment as text.
fn percent_decoded(segment: &str) -> Result<String, String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = segment
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("the path segment {segment:?} has a broken %-escape"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("the path segment {segment:?} is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use danbao_domain::protocol::wire::{PayCode, Send, Ship};

    #[test]
    fn each_request_the_outbox_queued_reads_back_as_its_command() {
        let send = Command::Send(Send {
            to: "bob".into(),
            amount: "1.00".into(),
            currency: "CNY".into(),
            memo: "tea".into(),
        });
        let ship = Command::OrderStep {
            order_id: "ord 1/x".into(),
            step: OrderStepCommand::Ship(Ship {
                carrier: "SF".into(),
                tracking: "T1".into(),
            }),
        };
        let pay = Command::PayCode(PayCode {
            code: "000201...".into(),
            amount: None,
            memo: String::new(),
        });
        for command in [
            send,
            ship,
            pay,
            Command::AcceptRequest { id: 7 },
            Command::DeclineRequest { id: 8 },
            Command::OrderStep {
                order_id: "ord_1".into(),
                step: OrderStepCommand::Plain(OrderAction::Confirm),
            },
            Command::ProvisionPaycode,
        ] {
            let body = String::from_utf8(queued_body(&command).unwrap()).unwrap();
            let read = legacy_command(command.method(), &command.path(), &body);
            assert_eq!(read, Ok(command.clone()), "{body}");
        }
    }

    #[test]
    fn a_request_that_is_not_a_command_says_why() {
        let cases = [
            ("GET", "/v1/transfers", "{}", "is not POST"),
            ("POST", "/v1/gifts", "{}", "/v1/gifts is not a request"),
            ("POST", "/v2/transfers", "{}", "not under /v1/"),
            ("POST", "/v1/transfers", "", "has no body"),
            ("POST", "/v1/transfers", r#"{"to":"bob"}"#, "does not read"),
            ("POST", "/v1/orders/o1/confirm", r#"{"x":1}"#, "takes none"),
            ("POST", "/v1/orders/o1/teleport", "", "not a step"),
            ("POST", "/v1/requests/x/accept", "", "not a number"),
            ("POST", "/v1/orders/o%2/pay", "", "broken %-escape"),
            // Not the canonical encoding: the command's path would differ.
            ("POST", "/v1/orders/o%5F1/pay", "", "reads as"),
        ];
        for (method, path, body, expected) in cases {
            let error = legacy_command(method, path, body).unwrap_err();
            assert!(error.contains(expected), "{path}: {error}");
        }
    }
}
