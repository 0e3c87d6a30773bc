//! The client's local store through its public API: opening and keys, the cache, sync steps
//! and the outbox life cycle.

use danbao_client::api::{AdvanceClock, Command, Send};
use danbao_client::secrets::{KeyStore, SecretError, Signer, SoftwareKeyStore, SoftwareSigner};
use danbao_client::store::{
    AttemptOutcome, Balance, CachedOrder, CommandAnswer, CommandState, Contact, FeedEvent,
    LocalStore, NewCommand, PaymentCodeCredentials, Profile, SCHEMA_VERSION, SecretSlot,
    StoreError, SyncBatch,
};
use danbao_domain::paycode::{AccountIndex, IndexMaskKey, MaskWindow, PaycodeSecret};
use ring::rand::SystemRandom;

const T0: i64 = 1_750_000_000;

fn key_store() -> SoftwareKeyStore {
    SoftwareKeyStore::from_bytes(&[0x42; 32]).unwrap()
}

fn open_new() -> (tempfile::TempDir, LocalStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path().join("wallet.db"), &key_store()).unwrap();
    (dir, store)
}

fn event(seq: i64, kind: &str) -> FeedEvent {
    FeedEvent {
        seq,
        kind: kind.into(),
        data_json: format!(r#"{{"n":{seq}}}"#),
        created_at: T0 + seq,
    }
}

fn send(amount: &str) -> Command {
    Command::Send(Send {
        to: "bob".into(),
        amount: amount.into(),
        currency: "CNY".into(),
        memo: String::new(),
    })
}

fn command(key: &str) -> NewCommand {
    NewCommand {
        idempotency_key: key.into(),
        command: send("12.34"),
    }
}

#[test]
fn fresh_store_is_at_the_latest_schema_with_empty_cache() {
    let (_dir, store) = open_new();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.profile().unwrap(), None);
    assert_eq!(store.cursor().unwrap(), None);
    assert!(store.balances().unwrap().is_empty());
    assert!(store.activity_page(None, 50).unwrap().is_empty());
    assert_eq!(store.next_due(T0).unwrap(), None);
    for slot in SecretSlot::ALL {
        assert!(store.secret(slot).unwrap().is_none());
    }
}

#[test]
fn data_key_survives_reopen_and_another_key_store_cannot_open_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.db");
    {
        let store = LocalStore::open(&path, &key_store()).unwrap();
        store
            .put_secret(SecretSlot::ApiToken, b"tok-123", T0)
            .unwrap();
    }
    let store = LocalStore::open(&path, &key_store()).unwrap();
    assert_eq!(
        store
            .secret(SecretSlot::ApiToken)
            .unwrap()
            .unwrap()
            .expose(),
        b"tok-123"
    );
    drop(store);

    let other = SoftwareKeyStore::from_bytes(&[0x43; 32]).unwrap();
    match LocalStore::open(&path, &other) {
        Err(StoreError::Secret(SecretError::Unwrap { reason })) => {
            assert!(reason.contains("could not be opened"), "{reason}")
        }
        other => panic!("expected an unwrap error, got {other:?}"),
    }
}

/// A platform key store that hands back a key of the wrong length.
struct BrokenKeyStore;

impl KeyStore for BrokenKeyStore {
    fn wrap(&self, plaintext_key: &[u8]) -> Result<Vec<u8>, SecretError> {
        Ok(plaintext_key.iter().map(|b| b ^ 0xff).collect())
    }
    fn unwrap(&self, _wrapped: &[u8]) -> Result<Vec<u8>, SecretError> {
        Ok(vec![0; 16])
    }
}

#[test]
fn a_key_store_returning_a_short_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.db");
    drop(LocalStore::open(&path, &BrokenKeyStore).unwrap());
    let error = LocalStore::open(&path, &BrokenKeyStore).unwrap_err();
    assert!(
        error.to_string().contains("is 16 bytes; it must be 32"),
        "{error}"
    );
}

#[test]
fn profile_is_stored_and_replaced() {
    let (_dir, store) = open_new();
    let mut profile = Profile {
        server_url: "https://api.danbao.example".into(),
        user_id: 7,
        handle: "alice".into(),
        display_name: "Alice".into(),
        device_id: 11,
    };
    store.set_profile(&profile, T0).unwrap();
    assert_eq!(store.profile().unwrap(), Some(profile.clone()));
    profile.display_name = "Alice W.".into();
    store.set_profile(&profile, T0 + 1).unwrap();
    assert_eq!(store.profile().unwrap(), Some(profile));
}

#[test]
fn signer_and_payment_code_credentials_round_trip_sealed() {
    let (_dir, store) = open_new();
    let rng = SystemRandom::new();
    let signer = SoftwareSigner::generate(&rng).unwrap();
    store.put_software_signer(&signer, T0).unwrap();
    let loaded = store.software_signer().unwrap().unwrap();
    assert_eq!(loaded.public_key(), signer.public_key());

    assert!(store.payment_code_credentials().unwrap().is_none());
    assert!(!store.payment_code_outdated().unwrap());
    let secret = PaycodeSecret::from_bytes(&[1; 32]).unwrap();
    let key = IndexMaskKey::from_bytes(&[2; 32]).unwrap();
    let masks = MaskWindow::provision(&key, &secret, 28_333_333, 4_320).unwrap();
    let credentials = PaymentCodeCredentials {
        secret,
        masks: masks.clone(),
        account_index: AccountIndex::new(12_345_678).unwrap(),
    };
    store
        .put_payment_code_credentials(&credentials, T0)
        .unwrap();
    let loaded = store.payment_code_credentials().unwrap().unwrap();
    assert_eq!(loaded.secret.expose_bytes(), &[1; 32]);
    assert_eq!(loaded.masks, masks);
    assert_eq!(loaded.account_index.get(), 12_345_678);
    assert!(!store.payment_code_outdated().unwrap());

    // A refreshed window replaces the masks, secret and index stay.
    let fresh = MaskWindow::provision(&key, &credentials.secret, 28_336_000, 4_320).unwrap();
    store.put_payment_code_masks(&fresh, T0).unwrap();
    let loaded = store.payment_code_credentials().unwrap().unwrap();
    assert_eq!(loaded.masks, fresh);
    assert_eq!(loaded.account_index.get(), 12_345_678);

    // What the first layout kept in that slot (a 32-byte mask key) reads as outdated.
    store
        .put_secret(SecretSlot::PaymentCodeMasks, &[2; 32], T0)
        .unwrap();
    assert!(store.payment_code_outdated().unwrap());
    assert!(store.payment_code_credentials().unwrap().is_none());

    assert!(store.delete_secret(SecretSlot::PaymentCodeMasks).unwrap());
    assert!(!store.delete_secret(SecretSlot::PaymentCodeMasks).unwrap());
    let error = store.payment_code_credentials().unwrap_err();
    assert!(error.to_string().contains("masks: false"), "{error}");
}

#[test]
fn a_sealed_value_copied_into_another_slot_does_not_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.db");
    let store = LocalStore::open(&path, &key_store()).unwrap();
    store
        .put_secret(SecretSlot::DeviceSigningKey, b"signing key bytes", T0)
        .unwrap();
    store
        .put_secret(SecretSlot::PaymentCodeSecret, b"paycode secret", T0)
        .unwrap();
    // Someone with the file copies the signing key's blob over the payment-code secret.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute(
        "UPDATE secrets SET sealed = (SELECT sealed FROM secrets WHERE slot = 'device_signing_key')
          WHERE slot = 'payment_code_secret'",
        [],
    )
    .unwrap();
    match store.secret(SecretSlot::PaymentCodeSecret) {
        Err(StoreError::Secret(SecretError::Open { location })) => {
            assert_eq!(location, "secrets.sealed[payment_code_secret]")
        }
        other => panic!("expected an open error, got {other:?}"),
    }
    assert_eq!(
        store
            .secret(SecretSlot::DeviceSigningKey)
            .unwrap()
            .unwrap()
            .expose(),
        b"signing key bytes"
    );
}

#[test]
fn balances_are_replaced_as_a_whole_and_report_changes() {
    let (_dir, store) = open_new();
    let cny = Balance {
        currency: "CNY".into(),
        available: 10_000,
        held_out: 2_500,
        incoming: 0,
    };
    let usd = Balance {
        currency: "USD".into(),
        available: 1,
        held_out: 0,
        incoming: 99,
    };
    assert!(
        store
            .replace_balances(&[usd.clone(), cny.clone()], T0)
            .unwrap()
    );
    assert_eq!(store.balances().unwrap(), vec![cny.clone(), usd.clone()]);
    assert!(!store.replace_balances(&[cny.clone(), usd], T0 + 1).unwrap());
    assert!(
        store
            .replace_balances(std::slice::from_ref(&cny), T0 + 2)
            .unwrap()
    );
    assert_eq!(store.balances().unwrap(), vec![cny.clone()]);
    let error = store.replace_balances(&[cny.clone(), cny], T0).unwrap_err();
    assert!(error.to_string().contains("CNY appears twice"), "{error}");
}

#[test]
fn activity_is_idempotent_by_seq_and_pages_newest_first() {
    let (_dir, store) = open_new();
    let events: Vec<FeedEvent> = (1..=120)
        .map(|seq| event(seq, if seq % 3 == 0 { "order" } else { "transfer" }))
        .collect();
    assert_eq!(store.upsert_activity(&events).unwrap().len(), 120);
    // Again, with one event changed: nothing is new and the cached event stays.
    let mut again = events.clone();
    again[0].data_json = r#"{"edited":true}"#.into();
    assert!(store.upsert_activity(&again).unwrap().is_empty());

    let first = store.activity_page(None, 50).unwrap();
    assert_eq!(first.len(), 50);
    assert_eq!(first[0], events[119]);
    assert_eq!(first[49].seq, 71);
    let second = store.activity_page(Some(71), 50).unwrap();
    assert_eq!(
        second.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (21..=70).rev().collect::<Vec<_>>()
    );
    let last = store.activity_page(Some(21), 50).unwrap();
    assert_eq!(last.len(), 20);
    assert_eq!(last.last().unwrap(), &events[0]);
    assert!(store.activity_page(Some(1), 50).unwrap().is_empty());

    let transfers = store.activity_page_of_kind("transfer", None, 5).unwrap();
    assert_eq!(
        transfers.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![119, 118, 116, 115, 113]
    );
    let orders = store.activity_page_of_kind("order", Some(10), 50).unwrap();
    assert_eq!(
        orders.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![9, 6, 3]
    );
    assert_eq!(store.activity_page(None, 100_000).unwrap().len(), 120);
}

#[test]
fn non_json_is_refused_with_the_row_named() {
    let (_dir, store) = open_new();
    let mut bad = event(5, "transfer");
    bad.data_json = "{not json".into();
    let error = store
        .upsert_activity(&[event(4, "transfer"), bad])
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("event data of 5 is not valid JSON"),
        "{error}"
    );
    // The batch was one transaction: event 4 was not kept either.
    assert!(store.activity_page(None, 10).unwrap().is_empty());
}

#[test]
fn an_older_order_view_never_replaces_a_newer_one() {
    let (_dir, store) = open_new();
    let shipped = CachedOrder {
        id: "ord_1".into(),
        state: "shipped".into(),
        role: "buyer".into(),
        view_json: r#"{"state":"shipped"}"#.into(),
        updated_at: T0 + 10,
    };
    let paid = CachedOrder {
        state: "paid".into(),
        view_json: r#"{"state":"paid"}"#.into(),
        updated_at: T0 + 5,
        ..shipped.clone()
    };
    assert!(store.upsert_order(&shipped).unwrap());
    assert!(!store.upsert_order(&paid).unwrap());
    assert!(!store.upsert_order(&shipped).unwrap());
    assert_eq!(store.order("ord_1").unwrap(), Some(shipped.clone()));
    let other = CachedOrder {
        id: "ord_2".into(),
        updated_at: T0 + 20,
        ..paid
    };
    assert!(store.upsert_order(&other).unwrap());
    assert_eq!(store.orders(10).unwrap(), vec![other, shipped]);
    assert_eq!(store.order("nope").unwrap(), None);
}

#[test]
fn contacts_keep_the_latest_use_and_name() {
    let (_dir, store) = open_new();
    let contact = |handle: &str, name: &str, at| Contact {
        handle: handle.into(),
        display_name: name.into(),
        last_used_at: at,
    };
    store
        .upsert_contact(&contact("bob", "Bob", T0 + 5))
        .unwrap();
    store
        .upsert_contact(&contact("carol", "Carol", T0 + 3))
        .unwrap();
    store
        .upsert_contact(&contact("bob", "Bobby", T0 + 1))
        .unwrap();
    assert_eq!(
        store.contacts(10).unwrap(),
        vec![
            contact("bob", "Bobby", T0 + 5),
            contact("carol", "Carol", T0 + 3)
        ]
    );
    assert_eq!(store.contacts(1).unwrap().len(), 1);
}

#[test]
fn synced_transfers_fill_the_contacts_with_the_newest_name() {
    let (_dir, store) = open_new();
    let transfer = |seq: i64, handle: &str, name: &str, at: i64| FeedEvent {
        seq,
        kind: "transfer".into(),
        // What the server writes for a P2P payment (danbao_domain::protocol::wire::Payment).
        data_json: serde_json::json!({"type": "p2p", "direction": "out",
            "transfer_id": format!("{seq:032x}"), "memo": "",
            "amount": {"minor": 100, "currency": "CNY", "value": "1.00", "display": "1.00 CNY"},
            "counterparty": handle, "counterparty_name": name})
        .to_string(),
        created_at: at,
    };
    let events = [
        transfer(1, "bob", "Bob", T0 + 1),
        transfer(2, "carol", "Carol", T0 + 2),
        transfer(3, "bob", "Bob Chen", T0 + 3),
        // A top-up has no counterparty and makes no contact.
        FeedEvent {
            seq: 4,
            kind: "transfer".into(),
            data_json: r#"{"type":"top_up","direction":"in"}"#.into(),
            created_at: T0 + 4,
        },
    ];
    store.apply_events(&events, 4, T0 + 5).unwrap();
    // An older event applied late does not bring back the old name.
    store
        .apply_events(&[transfer(1, "bob", "Bob", T0 + 1)], 4, T0 + 6)
        .unwrap();
    let contacts = store.contacts(10).unwrap();
    let listed: Vec<_> = contacts
        .iter()
        .map(|c| (c.handle.as_str(), c.display_name.as_str(), c.last_used_at))
        .collect();
    assert_eq!(
        listed,
        [("bob", "Bob Chen", T0 + 3), ("carol", "Carol", T0 + 2)]
    );
}

#[test]
fn applying_a_sync_step_twice_is_harmless() {
    let (_dir, store) = open_new();
    let batch = SyncBatch {
        events: vec![event(3, "transfer"), event(4, "order")],
        orders: vec![CachedOrder {
            id: "ord_9".into(),
            state: "paid".into(),
            role: "seller".into(),
            view_json: "{}".into(),
            updated_at: T0,
        }],
        balances: Some(vec![Balance {
            currency: "CNY".into(),
            available: 500,
            held_out: 0,
            incoming: 1_000,
        }]),
        cursor: 4,
    };
    let first = store.apply_sync(&batch, T0).unwrap();
    assert_eq!(first.new_events, vec![3, 4]);
    assert_eq!(first.orders_changed, vec!["ord_9".to_string()]);
    assert!(first.balances_changed);
    assert_eq!(first.cursor, 4);
    let second = store.apply_sync(&batch, T0 + 1).unwrap();
    assert!(second.is_empty(), "{second:?}");
    assert_eq!(second.cursor, 4);
    assert_eq!(store.activity_page(None, 10).unwrap().len(), 2);

    // A stale replay of an older step does not move the cursor back.
    let stale = store
        .apply_events(&[event(2, "transfer")], 2, T0 + 2)
        .unwrap();
    assert_eq!(stale.new_events, vec![2]);
    assert_eq!(stale.cursor, 4);
    assert_eq!(store.cursor().unwrap(), Some(4));
    // An explicit reset may.
    store.set_cursor(0, T0 + 3).unwrap();
    assert_eq!(store.cursor().unwrap(), Some(0));
}

#[test]
fn outbox_command_lives_from_enqueue_to_answer() {
    let (_dir, store) = open_new();
    let entry = store.enqueue(&command("key-0001-aaaa"), T0).unwrap();
    assert_eq!(entry.state, CommandState::Pending);
    assert_eq!(entry.attempts, 0);
    assert_eq!(entry.next_attempt_at, T0);
    assert_eq!(store.next_attempt_at().unwrap(), Some(T0));
    assert_eq!(store.next_due(T0 - 1).unwrap(), None);
    assert_eq!(store.next_due(T0).unwrap(), Some(entry.clone()));

    let sending = store.mark_sending(entry.id, T0 + 1).unwrap();
    assert_eq!(sending.state, CommandState::Sending);
    assert_eq!(sending.attempts, 1);
    assert_eq!(store.next_due(T0 + 100).unwrap(), None);
    let again = store.mark_sending(entry.id, T0 + 1).unwrap_err();
    assert_eq!(
        again.to_string(),
        format!(
            "outbox command {} is sending; mark_sending needs it pending",
            entry.id
        )
    );

    let retry = store
        .record_outcome(
            entry.id,
            &AttemptOutcome::Retry {
                error: "no connection".into(),
                next_attempt_at: T0 + 30,
            },
            T0 + 2,
        )
        .unwrap();
    assert_eq!(retry.state, CommandState::Pending);
    assert_eq!(retry.last_error.as_deref(), Some("no connection"));
    assert_eq!(store.next_due(T0 + 29).unwrap(), None);
    assert_eq!(store.next_due(T0 + 30).unwrap().unwrap().id, entry.id);

    store.mark_sending(entry.id, T0 + 30).unwrap();
    let answer = CommandAnswer {
        status: 201,
        body: r#"{"transfer_id":"t1"}"#.into(),
    };
    let done = store
        .record_outcome(entry.id, &AttemptOutcome::Accepted(answer.clone()), T0 + 31)
        .unwrap();
    assert_eq!(done.state, CommandState::Done);
    assert_eq!(done.attempts, 2);
    assert_eq!(done.answer, Some(answer));
    assert_eq!(done.last_error, None);
    assert_eq!(store.next_attempt_at().unwrap(), None);
    assert!(
        store
            .record_outcome(
                entry.id,
                &AttemptOutcome::Refused(CommandAnswer {
                    status: 409,
                    body: String::new()
                }),
                T0 + 32
            )
            .is_err(),
        "a finished command takes no second answer"
    );
    assert_eq!(store.outbox_entry(entry.id).unwrap(), Some(done.clone()));
    assert_eq!(
        store.outbox_entry_by_key("key-0001-aaaa").unwrap(),
        Some(done)
    );
    assert!(store.unfinished_commands(10).unwrap().is_empty());
}

#[test]
fn refused_command_is_final_with_the_answer() {
    let (_dir, store) = open_new();
    let entry = store.enqueue(&command("key-refused-1"), T0).unwrap();
    store.mark_sending(entry.id, T0).unwrap();
    let answer = CommandAnswer {
        status: 422,
        body: r#"{"title":"insufficient funds"}"#.into(),
    };
    let failed = store
        .record_outcome(entry.id, &AttemptOutcome::Refused(answer.clone()), T0)
        .unwrap();
    assert_eq!(failed.state, CommandState::Failed);
    assert_eq!(failed.answer, Some(answer));
    assert_eq!(store.next_due(T0 + 1_000).unwrap(), None);
}

#[test]
fn enqueue_is_idempotent_by_key_and_refuses_a_reused_key() {
    let (_dir, store) = open_new();
    let first = store.enqueue(&command("key-same-0001"), T0).unwrap();
    let repeat = store.enqueue(&command("key-same-0001"), T0 + 5).unwrap();
    assert_eq!(repeat, first);
    assert_eq!(store.outbox(10).unwrap().len(), 1);

    let mut different = command("key-same-0001");
    different.command = send("99.00");
    match store.enqueue(&different, T0) {
        Err(StoreError::IdempotencyKeyReused { existing_id, .. }) => {
            assert_eq!(existing_id, first.id)
        }
        other => panic!("expected a reused-key error, got {other:?}"),
    }

    let second = store.enqueue(&command("key-other-0002"), T0 + 1).unwrap();
    let listed = store.outbox(10).unwrap();
    assert_eq!(
        listed.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![second.id, first.id]
    );
    // Due commands come out in enqueue order.
    assert_eq!(store.next_due(T0 + 10).unwrap().unwrap().id, first.id);
}

#[test]
fn enqueue_refuses_malformed_commands_before_storing() {
    let (_dir, store) = open_new();
    type Edit = fn(&mut NewCommand);
    // Method, path and kind are the command's own now, so they cannot be malformed; what
    // remains to refuse is a bad key and a command that cannot be queued.
    let cases: [(Edit, &str); 3] = [
        (
            |c| c.idempotency_key = "short".into(),
            "invalid idempotency key",
        ),
        (
            |c| c.idempotency_key = "has a space".into(),
            "invalid idempotency key",
        ),
        (
            |c| c.command = Command::AdvanceClock(AdvanceClock { advance_secs: 60 }),
            "invalid command: advance_clock is not idempotent",
        ),
    ];
    for (edit, expected) in cases {
        let mut bad = command("key-valid-0001");
        edit(&mut bad);
        let error = store.enqueue(&bad, T0).unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
    }
    assert!(store.outbox(10).unwrap().is_empty());
    let empty_body = NewCommand {
        idempotency_key: "key-valid-0002".into(),
        command: Command::AcceptRequest { id: 3 },
    };
    let stored = store.enqueue(&empty_body, T0).unwrap();
    assert_eq!(stored.command.known(), Some(&empty_body.command));
    assert_eq!(stored.idempotency_key, empty_body.idempotency_key);
}

#[test]
fn a_command_interrupted_while_sending_is_pending_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.db");
    let id = {
        let store = LocalStore::open(&path, &key_store()).unwrap();
        let entry = store.enqueue(&command("key-crash-0001"), T0).unwrap();
        store.mark_sending(entry.id, T0 + 1).unwrap();
        entry.id
        // Dropped here as if the process died before the answer.
    };
    let store = LocalStore::open(&path, &key_store()).unwrap();
    let entry = store.next_due(T0 + 2).unwrap().unwrap();
    assert_eq!(entry.id, id);
    assert_eq!(entry.state, CommandState::Pending);
    assert_eq!(entry.attempts, 1);
    assert_eq!(entry.idempotency_key, "key-crash-0001");
    assert!(entry.last_error.unwrap().contains("interrupted"));
}

#[test]
fn a_database_from_a_newer_app_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.db");
    drop(LocalStore::open(&path, &key_store()).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", (SCHEMA_VERSION + 1) as i64)
        .unwrap();
    match LocalStore::open(&path, &key_store()) {
        Err(StoreError::SchemaTooNew {
            found, supported, ..
        }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION))
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

#[test]
fn the_store_is_shared_across_threads() {
    let (_dir, store) = open_new();
    let store = std::sync::Arc::new(store);
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    let seq = t * 100 + i + 1;
                    store.upsert_activity(&[event(seq, "transfer")]).unwrap();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(store.activity_page(None, 500).unwrap().len(), 100);
}

/// The first-payment warning's source (issue 12 point 2): a payee counts as paid once an
/// outgoing payment to it is in the cached activity, or a send or code payment to it finished
/// in the outbox; money in from someone, a payment to someone else, a refused or unfinished
/// command do not count.
#[test]
fn a_payee_counts_as_paid_after_a_completed_payment_to_it_only() {
    let (_dir, store) = open_new();
    let payment = |seq: i64, kind: &str, direction: &str, to: &str| FeedEvent {
        seq,
        kind: "transfer".into(),
        data_json: serde_json::json!({
            "type": kind, "direction": direction, "transfer_id": format!("t{seq}"),
            "counterparty": to, "counterparty_name": to, "memo": "",
            "amount": {"minor": 100, "currency": "CNY", "value": "1.00", "display": "1.00 CNY"},
        })
        .to_string(),
        created_at: T0 + seq,
    };
    for handle in ["lotus", "carol", "dan", "bob"] {
        assert!(!store.paid_before(handle).unwrap(), "{handle}");
    }
    store
        .apply_events(
            &[
                payment(1, "p2p", "in", "carol"),
                payment(2, "merchant", "out", "lotus"),
                payment(3, "paycode", "out", "dan"),
            ],
            3,
            T0,
        )
        .unwrap();
    assert!(store.paid_before("lotus").unwrap());
    assert!(store.paid_before("@Lotus").unwrap());
    assert!(store.paid_before("dan").unwrap());
    assert!(
        !store.paid_before("carol").unwrap(),
        "carol paid us, not we her"
    );
    assert!(!store.paid_before("lotu").unwrap());

    // A send to bob queued, then refused: not paid. Sent again and answered: paid.
    let refused = store.enqueue(&command("k-refused"), T0).unwrap();
    store.mark_sending(refused.id, T0).unwrap();
    store
        .record_outcome(
            refused.id,
            &AttemptOutcome::Refused(CommandAnswer {
                status: 422,
                body: r#"{"code":"insufficient_funds"}"#.into(),
            }),
            T0 + 1,
        )
        .unwrap();
    let queued = store.enqueue(&command("k-queued"), T0 + 2).unwrap();
    assert!(!store.paid_before("bob").unwrap());
    store.mark_sending(queued.id, T0 + 2).unwrap();
    store
        .record_outcome(
            queued.id,
            &AttemptOutcome::Accepted(CommandAnswer {
                status: 200,
                body: "not json".into(),
            }),
            T0 + 3,
        )
        .unwrap();
    assert!(store.paid_before("bob").unwrap());
}
