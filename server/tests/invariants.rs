//! The invariant checker can fail (DESIGN.md §3): each test builds a healthy ledger through the
//! API, damages the stored ledger behind the API's back in one way, and expects
//! `GET /v1/admin/invariants` to answer `ok: false` with a violation naming that damage. Without
//! these, a checker that always said "ok" would pass every other test.

mod common;

use common::{Db, Param, Server, Wallet};
use serde_json::{Value, json};

const CNY: &str = "CNY";

/// A server where sam sold bea a teapot through escrow (hold placed, then posted by her
/// confirmation) and bea sent sam a transfer: every kind of journal row exists.
async fn ledger_with_history() -> (Server, Wallet, Wallet) {
    let server = Server::start().await;
    let seller = server.sign_up("sam", "Sam's Tea House").await;
    let buyer = server.sign_up("bea", "Bea Wang").await;
    server.top_up("bea", "500.00", CNY).await;

    let (status, created) = seller
        .post(
            "/v1/orders",
            &json!({"title": "Yixing teapot", "amount": "120.00", "currency": CNY}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["order"]["id"].as_str().unwrap().to_owned();
    let code = created["code"].as_str().unwrap();
    let (status, paid) = buyer
        .post("/v1/orders/pay-code", &json!({ "code": code }))
        .await;
    assert_eq!(status, 200, "{paid}");
    let ship = json!({"carrier": "SF Express", "tracking": "SF1234567890"});
    let (status, body) = seller.post(&format!("/v1/orders/{id}/ship"), &ship).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = buyer
        .post(&format!("/v1/orders/{id}/confirm"), &json!({}))
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = buyer
        .post(
            "/v1/transfers",
            &json!({"to": "sam", "amount": "30.00", "currency": CNY, "memo": "tea"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // The healthy ledger passes: the damage below is the only reason for a failure.
    let healthy = server.invariants().await;
    assert!(healthy["transfers"].as_u64().unwrap() >= 4, "{healthy}");
    (server, seller, buyer)
}

fn open_db(server: &Server) -> Db {
    Db::open(server)
}

/// The checker's answer, which must be a failure.
async fn failed_check(server: &Server) -> String {
    let (status, body): (u16, Value) = server
        .operator("GET", "/v1/admin/invariants", None, None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ok"], false, "the damage went unnoticed: {body}");
    body["violation"]
        .as_str()
        .unwrap_or_else(|| panic!("a failed check names its violation: {body}"))
        .to_owned()
}

/// The wallet account of `handle` in CNY.
fn wallet_account(db: &Db, handle: &str) -> i64 {
    db.int(
        "SELECT a.id FROM accounts a JOIN users u ON u.id = a.owner_id
         WHERE u.handle = ?1 AND a.kind = 'wallet' AND a.currency = 'CNY'",
        &[Param::Text(handle.to_owned())],
    )
}

#[tokio::test]
async fn a_stored_balance_that_the_journal_does_not_explain_is_reported() {
    let (server, _seller, _buyer) = ledger_with_history().await;
    let db = open_db(&server);
    let sam = wallet_account(&db, "sam");
    // One yuan appears in sam's wallet without a journal row (the CHECK still holds: it only
    // guards against overdraft).
    let changed = db.execute(
        "UPDATE accounts SET credits_posted = credits_posted + 100 WHERE id = ?1",
        &[Param::Int(sam)],
    );
    assert_eq!(changed, 1);

    let violation = failed_check(&server).await;
    assert_eq!(
        violation,
        format!("stored balances of account {sam} differ from the journal")
    );
}

#[tokio::test]
async fn a_journal_row_changed_behind_the_ledger_is_reported() {
    let (server, _seller, _buyer) = ledger_with_history().await;
    let db = open_db(&server);
    // The transfer bea → sam now says 31.00 where both balances moved 30.00: the journal no
    // longer sums to the stored balances.
    let changed = db.execute(
        "UPDATE transfers SET amount = 3100 WHERE kind = 'posted' AND amount = 3000",
        &[],
    );
    assert_eq!(changed, 1);

    let violation = failed_check(&server).await;
    let bea = wallet_account(&db, "bea");
    let sam = wallet_account(&db, "sam");
    assert!(
        violation == format!("stored balances of account {bea} differ from the journal")
            || violation == format!("stored balances of account {sam} differ from the journal"),
        "{violation}"
    );
}

#[tokio::test]
async fn a_journal_row_without_its_balance_change_is_reported() {
    let (server, _seller, _buyer) = ledger_with_history().await;
    let db = open_db(&server);
    let bea = wallet_account(&db, "bea");
    let sam = wallet_account(&db, "sam");
    // A second bea → sam transfer in the journal that no balance ever saw.
    db.execute(
        "INSERT INTO transfers (id, debit_id, credit_id, amount, currency, kind, pending_id,
         status, created_at) VALUES (randomblob(16), ?1, ?2, 500, 'CNY', 'posted', NULL, NULL, 0)",
        &[Param::Int(bea), Param::Int(sam)],
    );

    let violation = failed_check(&server).await;
    assert_eq!(
        violation,
        format!("stored balances of account {bea} differ from the journal")
    );
}

#[tokio::test]
async fn a_hold_resolved_twice_is_reported() {
    let (server, _seller, _buyer) = ledger_with_history().await;
    let db = open_db(&server);
    // The escrow hold was posted by bea's confirmation; a second posting row for the same
    // hold would pay the seller twice.
    let row = db.row(
        "SELECT debit_id, credit_id, amount, pending_id FROM transfers WHERE kind = 'post'",
        &[],
    );
    let Param::Bytes(pending) = row[3].clone() else {
        panic!("pending_id is bytes: {row:?}")
    };
    db.execute(
        "INSERT INTO transfers (id, debit_id, credit_id, amount, currency, kind, pending_id,
         status, created_at) VALUES (randomblob(16), ?1, ?2, ?3, 'CNY', 'post', ?4, NULL, 0)",
        &[
            row[0].clone(),
            row[1].clone(),
            row[2].clone(),
            Param::Bytes(pending.clone()),
        ],
    );

    let violation = failed_check(&server).await;
    assert!(
        violation.starts_with("the journal does not replay: "),
        "{violation}"
    );
    let hold = pending
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect::<String>();
    assert!(
        violation.contains(&format!("transfer {hold} is already Posted")),
        "the violation names the hold resolved twice ({hold}): {violation}"
    );
}
