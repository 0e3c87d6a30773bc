//! The service layer's one door, `service::run`: a `Command` for an `Actor`, without HTTP.
//! A device's command runs its flow exactly once per key; a command of another actor is
//! refused by name, whatever route might have built it.

mod common;

use common::{Server, fresh_nonce};
use danbao_domain::protocol::wire::{AdvanceClock, Send, TopUp};
use danbao_domain::protocol::{Command, Outcome, Refusal};
use danbao_server::service::{self, Actor, Caller, Newcomer};
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
