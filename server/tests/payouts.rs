//! Withdrawals as a lifecycle (issue 12 point 5): requested (the amount leaves the wallet for
//! the payouts-pending account) → paid out with the bank's reference, or failed → returned to
//! the wallet. Each step is an ordinary ledger transfer; the invariants hold after each one;
//! marking twice is idempotent and contradicting marks are refused.

mod common;

use common::{Server, next_key};
use serde_json::{Value, json};

/// The balance of the system account of `kind` in CNY, read through the store (debits and
/// credits posted: what it holds), on either backend.
async fn system_balance(server: &Server, kind: &str) -> i64 {
    use danbao_server::store::{AccountKind, Store};
    let kind = AccountKind::parse(kind).unwrap();
    let cny = danbao_domain::money::Currency::from_code("CNY").unwrap();
    let account = server
        .app
        .store
        .read(move |tx| tx.find_account(None, kind, cny))
        .await
        .unwrap();
    account.map_or(0, |account| {
        account.balances.credits_posted - account.balances.debits_posted
    })
}

async fn list(server: &Server, status: &str) -> Vec<Value> {
    let (code, body) = server
        .operator(
            "GET",
            &format!("/v1/admin/withdrawals?status={status}"),
            None,
            None,
        )
        .await;
    assert_eq!(code, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

async fn mark(server: &Server, id: i64, step: &str, body: Value) -> (u16, Value) {
    server
        .operator(
            "POST",
            &format!("/v1/admin/withdrawals/{id}/{step}"),
            Some(&body),
            Some(&next_key()),
        )
        .await
}

fn types(activity: &[Value]) -> Vec<String> {
    activity
        .iter()
        .filter_map(|entry| entry["data"]["type"].as_str())
        .filter(|kind| kind.starts_with("withdrawal"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_withdrawal_is_requested_then_paid_out_or_returned_exactly_once() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    server.top_up("alice", "100.00", "CNY").await;

    // Requested: the money leaves the wallet for the payouts-pending account.
    let (status, moved) = alice
        .post(
            "/v1/withdrawals",
            &json!({"amount": "30.00", "currency": "CNY"}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["balance"]["available"]["minor"], 7_000);
    let (status, _) = alice
        .post(
            "/v1/withdrawals",
            &json!({"amount": "20.00", "currency": "CNY"}),
        )
        .await;
    assert_eq!(status, 200);
    server.invariants().await;
    assert_eq!(system_balance(&server, "payouts_pending").await, 5_000);
    assert_eq!(system_balance(&server, "withdrawal").await, 0);
    let requested = list(&server, "requested").await;
    assert_eq!(requested.len(), 2, "{requested:?}");
    assert_eq!(requested[0]["handle"], "alice");
    assert_eq!(requested[0]["amount"]["minor"], 3_000);
    assert_eq!(requested[0]["status"], "requested");
    let first = requested[0]["id"].as_i64().unwrap();
    let second = requested[1]["id"].as_i64().unwrap();

    // Paid out: the money moves on to the withdrawal account; the wallet is unchanged.
    let (status, paid) = mark(
        &server,
        first,
        "paid-out",
        json!({"payout_ref": "BANK-OUT-1"}),
    )
    .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["status"], "paid_out");
    assert_eq!(paid["payout_ref"], "BANK-OUT-1");
    server.invariants().await;
    assert_eq!(system_balance(&server, "payouts_pending").await, 2_000);
    assert_eq!(system_balance(&server, "withdrawal").await, 3_000);
    assert_eq!(alice.available("CNY").await, 5_000);
    // The same reference again is the same answer and moves nothing.
    let (status, again) = mark(
        &server,
        first,
        "paid-out",
        json!({"payout_ref": "BANK-OUT-1"}),
    )
    .await;
    assert_eq!((status, &again), (200, &paid));
    // Another reference, or failing a paid-out withdrawal, is refused.
    let (status, other) = mark(
        &server,
        first,
        "paid-out",
        json!({"payout_ref": "BANK-OUT-9"}),
    )
    .await;
    assert_eq!(
        (status, other["code"].as_str()),
        (409, Some("payout_ref_conflict"))
    );
    let (status, late) = mark(
        &server,
        first,
        "failed",
        json!({"reason": "account closed"}),
    )
    .await;
    assert_eq!(
        (status, late["code"].as_str()),
        (409, Some("withdrawal_paid_out"))
    );
    server.invariants().await;
    assert_eq!(system_balance(&server, "withdrawal").await, 3_000);

    // Failed: exactly the amount goes back to the wallet, once.
    let (status, returned) = mark(
        &server,
        second,
        "failed",
        json!({"reason": "account closed"}),
    )
    .await;
    assert_eq!(status, 200, "{returned}");
    assert_eq!(returned["status"], "returned");
    assert_eq!(returned["reason"], "account closed");
    server.invariants().await;
    assert_eq!(alice.available("CNY").await, 7_000);
    assert_eq!(system_balance(&server, "payouts_pending").await, 0);
    let (status, again) = mark(
        &server,
        second,
        "failed",
        json!({"reason": "account closed"}),
    )
    .await;
    assert_eq!((status, &again), (200, &returned));
    assert_eq!(alice.available("CNY").await, 7_000, "returned once");
    let (status, late) = mark(
        &server,
        second,
        "paid-out",
        json!({"payout_ref": "BANK-OUT-2"}),
    )
    .await;
    assert_eq!(
        (status, late["code"].as_str()),
        (409, Some("withdrawal_returned"))
    );
    server.invariants().await;
    assert_eq!(alice.available("CNY").await, 7_000);

    // The lists and the user's feed follow.
    assert!(list(&server, "requested").await.is_empty());
    assert_eq!(list(&server, "paid_out").await.len(), 1);
    assert_eq!(list(&server, "returned").await.len(), 1);
    let activity = alice.all_activity().await;
    let mut kinds = types(&activity);
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "withdrawal",
            "withdrawal",
            "withdrawal_paid_out",
            "withdrawal_returned"
        ]
    );
    let returned_event = activity
        .iter()
        .find(|entry| entry["data"]["type"] == "withdrawal_returned")
        .unwrap();
    assert_eq!(returned_event["data"]["direction"], "in");
    assert_eq!(returned_event["data"]["amount"]["minor"], 2_000);
    assert_eq!(returned_event["data"]["reason"], "account closed");
    assert_eq!(returned_event["data"]["withdrawal_id"], second);
}

#[tokio::test]
async fn marking_refuses_bad_input_and_unknown_withdrawals() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    server.top_up("alice", "10.00", "CNY").await;
    let (status, _) = alice
        .post(
            "/v1/withdrawals",
            &json!({"amount": "10.00", "currency": "CNY"}),
        )
        .await;
    assert_eq!(status, 200);
    let id = list(&server, "requested").await[0]["id"].as_i64().unwrap();
    let cases = [
        (
            "paid-out",
            json!({"payout_ref": ""}),
            400,
            "invalid_payout_ref",
        ),
        (
            "paid-out",
            json!({"payout_ref": "has space"}),
            400,
            "invalid_payout_ref",
        ),
        ("failed", json!({"reason": "  "}), 400, "invalid_reason"),
        (
            "failed",
            json!({"reason": "bank\u{202e}kcab"}),
            422,
            "invisible_characters",
        ),
    ];
    for (step, body, expected, code) in cases {
        let (status, answer) = mark(&server, id, step, body.clone()).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (expected, Some(code)),
            "{body}"
        );
    }
    let (status, unknown) = mark(&server, id + 99, "failed", json!({"reason": "x"})).await;
    assert_eq!(
        (status, unknown["code"].as_str()),
        (404, Some("unknown_withdrawal"))
    );
    let (status, bad) = server
        .operator("GET", "/v1/admin/withdrawals?status=lost", None, None)
        .await;
    assert_eq!(
        (status, bad["code"].as_str()),
        (400, Some("invalid_status"))
    );
    // Nothing moved: still requested, the money in the payouts-pending account.
    assert_eq!(list(&server, "requested").await.len(), 1);
    assert_eq!(system_balance(&server, "payouts_pending").await, 1_000);
    assert_eq!(alice.available("CNY").await, 0);
    server.invariants().await;
}
