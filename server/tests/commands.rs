//! The service layer's one door, `service::run`: a `Command` for an `Actor`, without HTTP.
//! A device's command runs its flow exactly once per key; a command of another actor is
//! refused by name, whatever route might have built it.

mod common;

use common::{Server, fresh_nonce};
use danbao_domain::protocol::wire::{AdvanceClock, Deposit, MarkPaidOut, Send, TopUp};
use danbao_domain::protocol::{Command, Outcome, Refusal};
use danbao_server::service::{self, Actor, Caller, Newcomer, OperatorCall};
use serde_json::Value;

fn caller(user_id: i64, device: &str, key: &str) -> Caller {
    Caller {
        user_id,
        device_id: device.parse().unwrap(),
        nonce: fresh_nonce(),
        idempotency_key: Some(key.to_owned()),
        request_hash: key.as_bytes().to_vec(),
    }
}

fn send(to: &str, amount: &str) -> Command {
    Command::Send(Send {
        to: to.into(),
        amount: amount.into(),
        currency: "CNY".into(),
        memo: "lunch".into(),
    })
}

#[tokio::test]
async fn a_devices_command_runs_once_per_key_and_answers_the_new_balance() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    server.sign_up("bob", "Bob").await;
    server.top_up("alice", "100.00", "CNY").await;

    let actor = Actor::Device(caller(alice.user_id, &alice.device, "lunch-0001"));
    let first = service::run(&server.app, actor, send("bob", "12.50"))
        .await
        .unwrap();
    assert_eq!(first.outcome, Outcome::Done);
    let body: Value = serde_json::from_slice(&first.body).unwrap();
    assert_eq!(body["balance"]["available"]["minor"], 8_750, "{body}");
    assert_eq!(body["amount"]["minor"], 1_250, "{body}");

    // The same key (a fresh nonce) answers the stored first answer; no second payment.
    let again = Actor::Device(caller(alice.user_id, &alice.device, "lunch-0001"));
    let replay = service::run(&server.app, again, send("bob", "12.50"))
        .await
        .unwrap();
    assert_eq!(replay, first);
    assert_eq!(alice.available("CNY").await, 8_750);
    server.invariants().await;
}

#[tokio::test]
async fn a_command_of_another_actor_is_refused_by_name() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;

    let clock = Command::AdvanceClock(AdvanceClock { advance_secs: 60 });
    let device = Actor::Device(caller(alice.user_id, &alice.device, "clock-0001"));
    let refused = service::run(&server.app, device, clock).await.unwrap_err();
    assert_eq!(
        (refused.refusal, refused.code, refused.detail.as_str()),
        (
            Refusal::Forbidden,
            "wrong_actor",
            "a device cannot ask for advance_clock"
        )
    );

    let refused = service::run(&server.app, Actor::Operator(None), send("alice", "1.00"))
        .await
        .unwrap_err();
    assert_eq!(
        (refused.refusal, refused.code),
        (Refusal::Forbidden, "wrong_actor")
    );

    let newcomer = Actor::Newcomer(Newcomer {
        public_key: vec![4; 65],
        idempotency_key: Some("newcomer-0001".into()),
        request_hash: vec![1],
    });
    let refused = service::run(&server.app, newcomer, send("alice", "1.00"))
        .await
        .unwrap_err();
    assert_eq!(
        refused.detail, "a device signing up cannot ask for send",
        "{refused:?}"
    );

    // The operator's keyed commands need their key.
    let top_up = Command::TopUp(TopUp {
        handle: "alice".into(),
        amount: "5.00".into(),
        currency: "CNY".into(),
    });
    let refused = service::run(&server.app, Actor::Operator(None), top_up)
        .await
        .unwrap_err();
    assert_eq!(
        (refused.refusal, refused.code),
        (Refusal::Malformed, "missing_idempotency_key")
    );
    assert_eq!(alice.available("CNY").await, 0);
}

#[tokio::test]
async fn money_from_the_bank_and_device_changes_are_commands_of_their_own_actor() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let deposit = || {
        Command::Deposit(Deposit {
            handle: "alice".into(),
            amount: "40.00".into(),
            currency: "CNY".into(),
            external_ref: "BANK-0001".into(),
        })
    };

    // A device cannot credit itself from the bank, nor mark a payout.
    let device = Actor::Device(caller(alice.user_id, &alice.device, "deposit-0001"));
    let refused = service::run(&server.app, device, deposit())
        .await
        .unwrap_err();
    assert_eq!(
        (refused.refusal, refused.code, refused.detail.as_str()),
        (
            Refusal::Forbidden,
            "wrong_actor",
            "a device cannot ask for deposit"
        )
    );
    let mark = Command::MarkPaidOut {
        id: 1,
        mark: MarkPaidOut {
            payout_ref: "OUT-1".into(),
        },
    };
    let device = Actor::Device(caller(alice.user_id, &alice.device, "payout-0001"));
    let refused = service::run(&server.app, device, mark).await.unwrap_err();
    assert_eq!(refused.code, "wrong_actor");
    assert_eq!(alice.available("CNY").await, 0);

    // The operator's deposit needs its key, then credits once per key.
    let refused = service::run(&server.app, Actor::Operator(None), deposit())
        .await
        .unwrap_err();
    assert_eq!(refused.code, "missing_idempotency_key");
    let call = || {
        Actor::Operator(Some(OperatorCall {
            key: "deposit-0001".into(),
            request_hash: b"deposit-0001".to_vec(),
        }))
    };
    let first = service::run(&server.app, call(), deposit()).await.unwrap();
    let again = service::run(&server.app, call(), deposit()).await.unwrap();
    assert_eq!((first.outcome, &again), (Outcome::Done, &first));
    assert_eq!(alice.available("CNY").await, 4_000);

    // Device commands are a device's: the operator cannot revoke a device or ask for an
    // approval code.
    for command in [Command::RevokeDevice { id: 1 }, Command::ApproveDevice] {
        let refused = service::run(&server.app, Actor::Operator(None), command)
            .await
            .unwrap_err();
        assert_eq!(refused.code, "wrong_actor");
    }
    // The device's own approval code is created (and the last device cannot be revoked).
    let device = Actor::Device(caller(alice.user_id, &alice.device, "approve-0001"));
    let approval = service::run(&server.app, device, Command::ApproveDevice)
        .await
        .unwrap();
    assert_eq!(approval.outcome, Outcome::Created);
    let body: Value = serde_json::from_slice(&approval.body).unwrap();
    assert!(
        body["code"].as_str().is_some_and(|code| !code.is_empty()),
        "{body}"
    );
    let own = alice.device.parse().unwrap();
    let device = Actor::Device(caller(alice.user_id, &alice.device, "revoke-0001"));
    // A keyed refusal is an answer, kept under its key like a success.
    let refused = service::run(&server.app, device, Command::RevokeDevice { id: own })
        .await
        .unwrap();
    assert_eq!(refused.outcome, Outcome::Refused(Refusal::Conflict));
    let body: Value = serde_json::from_slice(&refused.body).unwrap();
    assert_eq!(body["code"], "last_device", "{body}");
    server.invariants().await;
}
