//! Migrations from every earlier schema version of the client store.
//!
//! `tests/fixtures/client-db/v1.sql` is a database as schema version 1 wrote it: the v1 schema
//! exactly as released, rows in every table, a data key wrapped by the test key store and
//! secrets sealed under it. It is frozen: the current code must open it and find everything.
//! When a schema version is released, add its fixture (`v2.sql`, ...) the same way; the
//! generator below (`regenerate_v1_fixture`, ignored) shows how v1's was made.
//!
//! `v2.sql` is v1.sql with migration 002 applied and an outbox as schema 2 wrote it (kind,
//! method, path, body text), in every state, including rows a v3 build cannot read as a
//! command. Schema 3 stores commands as data; its migration must keep every row, key and
//! state, and turn the unreadable ones into failed rows that say why.

use std::path::Path;

use danbao_client::api::{
    Command, OrderAction, OrderStepCommand, PayCode, ScannedCode, Send, Ship,
};
use danbao_client::secrets::{
    DataKey, KeyStore, SealContext, Sealer, Signer, SoftwareKeyStore, SoftwareSigner,
};
use danbao_client::store::{
    Balance, CachedOrder, CommandAnswer, CommandState, Contact, FeedEvent, LocalStore, Profile,
    SCHEMA_VERSION, SecretSlot,
};
use danbao_client::store::{NewCommand, OutboxEntry, StoredCommand};
use ring::rand::SystemRandom;

/// The key store the fixtures were made with.
const FIXTURE_WRAPPING_KEY: [u8; 32] = [0x5a; 32];
/// The signing key's public key in the v1 fixture (uncompressed SEC1, hex).
const V1_PUBLIC_KEY_FILE: &str = "tests/fixtures/client-db/v1.public-key.hex";
const V1_FIXTURE: &str = "tests/fixtures/client-db/v1.sql";
const V2_FIXTURE: &str = "tests/fixtures/client-db/v2.sql";

fn fixture_path(relative: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Builds a database file from a fixture dump.
fn load_fixture(relative: &str, dir: &Path) -> std::path::PathBuf {
    let sql = std::fs::read_to_string(fixture_path(relative)).unwrap();
    let path = dir.join("wallet.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&sql).unwrap();
    path
}

fn schema_of(conn: &rusqlite::Connection) -> Vec<(String, String)> {
    let mut stmt = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema
              WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .unwrap();
    stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn v1_fixture_is_at_version_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = load_fixture(V1_FIXTURE, dir.path());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, 1);
    // v2's column is not there yet: the fixture really is the old schema.
    let has_last_error: i64 = conn
        .query_row(
            "SELECT count(*) FROM pragma_table_info('outbox') WHERE name = 'last_error'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(has_last_error, 0);
}

#[test]
fn v1_database_opens_with_current_code_and_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = load_fixture(V1_FIXTURE, dir.path());
    let key_store = SoftwareKeyStore::from_bytes(&FIXTURE_WRAPPING_KEY).unwrap();
    let store = LocalStore::open(&path, &key_store).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);

    assert_eq!(
        store.profile().unwrap(),
        Some(Profile {
            server_url: "http://127.0.0.1:8080".into(),
            user_id: 41,
            handle: "mei".into(),
            display_name: "Mei Lin".into(),
            device_id: 77,
        })
    );
    assert_eq!(
        store.balances().unwrap(),
        vec![
            Balance {
                currency: "CNY".into(),
                available: 123_456,
                held_out: 5_000,
                incoming: 250,
            },
            Balance {
                currency: "HKD".into(),
                available: 10,
                held_out: 0,
                incoming: 0,
            },
        ]
    );
    let page = store.activity_page(None, 50).unwrap();
    assert_eq!(
        page.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![12, 11, 10]
    );
    assert_eq!(
        page[2],
        FeedEvent {
            seq: 10,
            kind: "transfer".into(),
            data_json: r#"{"amount":"12.34","currency":"CNY","to":"bob"}"#.into(),
            created_at: 1_700_000_010,
        }
    );
    // The v2 index serves the kind filter on migrated data too.
    assert_eq!(
        store
            .activity_page_of_kind("transfer", None, 50)
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect::<Vec<_>>(),
        vec![12, 10]
    );
    assert_eq!(
        store.order("ord_v1").unwrap(),
        Some(CachedOrder {
            id: "ord_v1".into(),
            state: "shipped".into(),
            role: "buyer".into(),
            view_json: r#"{"id":"ord_v1","state":"shipped"}"#.into(),
            updated_at: 1_700_000_100,
        })
    );
    assert_eq!(
        store.contacts(10).unwrap(),
        vec![Contact {
            handle: "bob".into(),
            display_name: "Bob Chan".into(),
            last_used_at: 1_700_000_010,
        }]
    );
    assert_eq!(store.cursor().unwrap(), Some(12));

    // The done command keeps its answer; the one v1 left `sending` is pending again, with
    // the v2 column telling why.
    let outbox = store.outbox(10).unwrap();
    assert_eq!(outbox.len(), 2);
    let done = &outbox[1];
    assert_eq!(done.idempotency_key, "fixture-key-0001");
    // v3 reads each row back as its command.
    assert_eq!(
        done.command,
        StoredCommand::Known(Command::Send(Send {
            to: "bob".into(),
            amount: "12.34".into(),
            currency: "CNY".into(),
            memo: String::new(),
        }))
    );
    assert_eq!(done.state, CommandState::Done);
    assert_eq!(
        done.answer,
        Some(CommandAnswer {
            status: 201,
            body: r#"{"transfer_id":"t_1"}"#.into(),
        })
    );
    assert_eq!(done.last_error, None);
    let interrupted = &outbox[0];
    assert_eq!(interrupted.idempotency_key, "fixture-key-0002");
    assert_eq!(
        interrupted.command,
        StoredCommand::Known(Command::OrderStep {
            order_id: "ord_v1".into(),
            step: OrderStepCommand::Plain(OrderAction::Confirm),
        })
    );
    assert_eq!(interrupted.state, CommandState::Pending);
    assert_eq!(interrupted.attempts, 1);
    assert!(
        interrupted
            .last_error
            .as_deref()
            .unwrap()
            .contains("interrupted")
    );

    // Secrets sealed by v1 still open, in their own slots.
    let signer = store.software_signer().unwrap().unwrap();
    let expected_public_key = std::fs::read_to_string(fixture_path(V1_PUBLIC_KEY_FILE)).unwrap();
    assert_eq!(
        danbao_domain::protocol::hex_lower(&signer.public_key()),
        expected_public_key.trim()
    );
    // The payment-code material of v1 is of the first layout (a deployment-wide mask key):
    // it still opens, but reads as outdated, so the wallet provisions the device again on its
    // next sync instead of making codes the server refuses.
    assert_eq!(
        store
            .secret(SecretSlot::PaymentCodeSecret)
            .unwrap()
            .unwrap()
            .expose(),
        &[0x11; 32]
    );
    assert!(store.payment_code_outdated().unwrap());
    assert!(store.payment_code_credentials().unwrap().is_none());
    assert_eq!(
        store
            .secret(SecretSlot::ApiToken)
            .unwrap()
            .unwrap()
            .expose(),
        b"fixture-api-token"
    );

    // And the migrated file takes new writes.
    let new = store
        .apply_events(
            &[FeedEvent {
                seq: 13,
                kind: "transfer".into(),
                data_json: "{}".into(),
                created_at: 1_700_000_013,
            }],
            13,
            1_700_000_013,
        )
        .unwrap();
    assert_eq!(new.new_events, vec![13]);
}

#[test]
fn migrated_schema_equals_a_fresh_schema() {
    let dir = tempfile::tempdir().unwrap();
    let migrated_path = load_fixture(V1_FIXTURE, dir.path());
    let key_store = SoftwareKeyStore::from_bytes(&FIXTURE_WRAPPING_KEY).unwrap();
    drop(LocalStore::open(&migrated_path, &key_store).unwrap());
    let fresh_path = dir.path().join("fresh.db");
    drop(LocalStore::open(&fresh_path, &key_store).unwrap());

    let migrated = schema_of(&rusqlite::Connection::open(&migrated_path).unwrap());
    let fresh = schema_of(&rusqlite::Connection::open(&fresh_path).unwrap());
    assert!(migrated.iter().any(|(name, _)| name == "outbox_due"));
    assert_eq!(migrated, fresh);
}

#[test]
fn a_v1_database_opened_with_the_wrong_key_store_is_refused_not_migrated_into_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let path = load_fixture(V1_FIXTURE, dir.path());
    let wrong = SoftwareKeyStore::from_bytes(&[0x01; 32]).unwrap();
    let error = LocalStore::open(&path, &wrong).unwrap_err();
    assert!(error.to_string().contains("could not unwrap"), "{error}");
    // The right key store still opens it afterwards.
    let right = SoftwareKeyStore::from_bytes(&FIXTURE_WRAPPING_KEY).unwrap();
    let store = LocalStore::open(&path, &right).unwrap();
    assert!(store.software_signer().unwrap().is_some());
}

fn hex(bytes: &[u8]) -> String {
    danbao_domain::protocol::hex_lower(bytes)
}

/// Writes `tests/fixtures/client-db/v1.sql` (run once, when schema v1 was current:
/// `cargo test -p danbao-client --test client_store_migrations -- --ignored`). It takes the v1
/// schema from `sql/001_initial.sql` as it was then; do not run it again after that file's
/// release, or the fixture would stop being a v1 database made by v1 code.
#[test]
#[ignore = "generator of the frozen v1 fixture"]
fn regenerate_v1_fixture() {
    let schema = include_str!("../src/store/sql/001_initial.sql");
    let rng = SystemRandom::new();
    let key_store = SoftwareKeyStore::from_bytes(&FIXTURE_WRAPPING_KEY).unwrap();
    let data_key = DataKey::generate(&rng).unwrap();
    let wrapped = key_store.wrap(data_key.expose()).unwrap();
    let sealer = Sealer::new(data_key);
    let signer = SoftwareSigner::generate(&rng).unwrap();
    let seal = |slot: SecretSlot, value: &[u8]| {
        let context = SealContext {
            table: "secrets",
            column: "sealed",
            row_id: slot.as_str(),
        };
        hex(&sealer.seal(&rng, context, value).unwrap())
    };
    let mut sql = String::from(
        "-- Client store schema version 1, frozen fixture (see tests/client_store_migrations.rs).\n\
         -- Secrets are sealed under a data key wrapped by SoftwareKeyStore([0x5a; 32]).\n\
         PRAGMA user_version = 1;\n",
    );
    sql.push_str(schema);
    sql.push_str(&format!(
        "\nINSERT INTO data_key VALUES (1, X'{}', 1700000000);\n",
        hex(&wrapped)
    ));
    for (slot, value) in [
        (
            SecretSlot::DeviceSigningKey,
            signer.pkcs8().expose().to_vec(),
        ),
        (SecretSlot::PaymentCodeSecret, vec![0x11; 32]),
        (SecretSlot::PaymentCodeMasks, vec![0x22; 32]),
        (
            SecretSlot::PaymentCodeAccountIndex,
            4_242u64.to_be_bytes().to_vec(),
        ),
        (SecretSlot::ApiToken, b"fixture-api-token".to_vec()),
    ] {
        sql.push_str(&format!(
            "INSERT INTO secrets VALUES ('{}', X'{}', 1700000000);\n",
            slot.as_str(),
            seal(slot, &value)
        ));
    }
    sql.push_str(
        "INSERT INTO profile VALUES (1, 'http://127.0.0.1:8080', 41, 'mei', 'Mei Lin', 77, 1700000000);
INSERT INTO balances VALUES ('CNY', 123456, 5000, 250, 1700000012);
INSERT INTO balances VALUES ('HKD', 10, 0, 0, 1700000012);
INSERT INTO activity VALUES (10, 'transfer', '{\"amount\":\"12.34\",\"currency\":\"CNY\",\"to\":\"bob\"}', 1700000010);
INSERT INTO activity VALUES (11, 'order', '{\"id\":\"ord_v1\",\"state\":\"shipped\"}', 1700000011);
INSERT INTO activity VALUES (12, 'transfer', '{\"amount\":\"1.00\",\"currency\":\"CNY\",\"from\":\"bob\"}', 1700000012);
INSERT INTO orders VALUES ('ord_v1', 'shipped', 'buyer', '{\"id\":\"ord_v1\",\"state\":\"shipped\"}', 1700000100);
INSERT INTO contacts VALUES ('bob', 'Bob Chan', 1700000010);
INSERT INTO outbox VALUES (1, 'fixture-key-0001', 'send', 'POST', '/v1/transfers', '{\"to\":\"bob\",\"amount\":\"12.34\",\"currency\":\"CNY\"}', 'done', 1, 1700000009, 1700000009, 1700000010, 201, '{\"transfer_id\":\"t_1\"}');
INSERT INTO outbox VALUES (2, 'fixture-key-0002', 'confirm_receipt', 'POST', '/v1/orders/ord_v1/confirm', '', 'sending', 1, 1700000200, 1700000200, 1700000201, NULL, NULL);
INSERT INTO sync_state VALUES (1, 12, 1700000012);
",
    );
    std::fs::create_dir_all(fixture_path("tests/fixtures/client-db")).unwrap();
    std::fs::write(fixture_path(V1_FIXTURE), sql).unwrap();
    std::fs::write(
        fixture_path(V1_PUBLIC_KEY_FILE),
        format!("{}\n", hex(&signer.public_key())),
    )
    .unwrap();
}

fn v2_store(dir: &Path) -> (std::path::PathBuf, LocalStore) {
    let path = load_fixture(V2_FIXTURE, dir);
    let key_store = SoftwareKeyStore::from_bytes(&FIXTURE_WRAPPING_KEY).unwrap();
    let store = LocalStore::open(&path, &key_store).unwrap();
    (path, store)
}

fn not_converted(entry: &OutboxEntry) -> (String, String) {
    let StoredCommand::Unreadable(unreadable) = &entry.command else {
        panic!("row {} should not be converted: {entry:?}", entry.id);
    };
    (unreadable.request.clone(), unreadable.reason.clone())
}

#[test]
fn v2_outbox_rows_become_commands_with_their_keys_and_states() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, store) = v2_store(dir.path());
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let mut rows = store.outbox(50).unwrap();
    rows.reverse();
    assert_eq!(
        rows.iter()
            .map(|e| (e.id, e.idempotency_key.as_str(), e.state, e.attempts))
            .collect::<Vec<_>>(),
        vec![
            (1, "v2-key-send-0001", CommandState::Pending, 0),
            // `sending` when the app stopped: pending again, as from any version.
            (2, "v2-key-paycode-02", CommandState::Pending, 1),
            (3, "v2-key-ship-00003", CommandState::Pending, 2),
            (4, "v2-key-accept-004", CommandState::Failed, 1),
            (5, "v2-key-payorder-5", CommandState::Done, 1),
            // Not readable as a command and still to send: failed, with the reason.
            (6, "v2-key-gift-00006", CommandState::Failed, 0),
            (7, "v2-key-send-00007", CommandState::Failed, 1),
            // Never sent: its body needs not be byte-identical.
            (8, "v2-key-send-00008", CommandState::Pending, 0),
            // Already answered: kept as it was.
            (9, "v2-key-tip-000009", CommandState::Done, 1),
        ]
    );
    let send = |to: &str, amount: &str, memo: &str| {
        StoredCommand::Known(Command::Send(Send {
            to: to.into(),
            amount: amount.into(),
            currency: "CNY".into(),
            memo: memo.into(),
        }))
    };
    assert_eq!(rows[0].command, send("bob", "5.00", "tea"));
    assert_eq!(
        rows[1].command,
        StoredCommand::Known(Command::PayCode(PayCode {
            code: "00020101021226330010app.danbao0105lotus6304ABCD".into(),
            amount: None,
            memo: String::new(),
        }))
    );
    assert_eq!(
        rows[2].command,
        StoredCommand::Known(Command::OrderStep {
            order_id: "ord_2".into(),
            step: OrderStepCommand::Ship(Ship {
                carrier: "SF".into(),
                tracking: "T123".into(),
            }),
        })
    );
    assert_eq!(
        rows[2].last_error.as_deref(),
        Some("cannot reach 127.0.0.1: connection refused; it was not applied")
    );
    assert_eq!(rows[2].next_attempt_at, 1_700_000_340);
    assert_eq!(
        (rows[2].created_at, rows[2].updated_at),
        (1_700_000_302, 1_700_000_320)
    );
    assert_eq!(
        rows[3].command,
        StoredCommand::Known(Command::AcceptRequest { id: 7 })
    );
    assert_eq!(
        rows[3].answer,
        Some(CommandAnswer {
            status: 409,
            body: r#"{"code":"request_not_open","detail":"request 7 is paid"}"#.into(),
        })
    );
    assert_eq!(
        rows[4].command,
        StoredCommand::Known(Command::PayOrderCode(ScannedCode {
            code: "00020101021226330010app.danbao0105order6304ABCD".into(),
        }))
    );
    assert_eq!(
        rows[4].answer.as_ref().map(|a| a.body.as_str()),
        Some(r#"{"id":"ord_5","state":"paid"}"#)
    );
    assert_eq!(rows[7].command, send("ann", "2.00", ""));

    // The unknown request: kept with what it asked, failed with the reason as its answer.
    let (request, reason) = not_converted(&rows[5]);
    assert_eq!(request, "gift (POST /v1/gifts)");
    assert!(
        reason.contains("/v1/gifts is not a request this version knows"),
        "{reason}"
    );
    let answer = rows[5].answer.as_ref().unwrap();
    assert_eq!(answer.status, 0);
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(body["code"], "not_converted");
    assert_eq!(body["detail"], reason.as_str());
    assert_eq!(rows[5].last_error, None);

    // A send an earlier attempt may have delivered, whose body v3 would not send byte for
    // byte: resending it under the same key would be refused, so it is not resent.
    let (request, reason) = not_converted(&rows[6]);
    assert_eq!(request, "send (POST /v1/transfers)");
    assert!(reason.contains("byte for byte"), "{reason}");
    assert!(
        reason.contains(r#"{\"to\":\"bob\",\"amount\":\"1.00\""#),
        "{reason}"
    );
    assert_eq!(rows[6].answer.as_ref().unwrap().status, 0);

    // The answered unknown request keeps its answer and state.
    let (request, _) = not_converted(&rows[8]);
    assert_eq!(request, "tip (POST /v1/tips)");
    assert_eq!(
        rows[8].answer,
        Some(CommandAnswer {
            status: 200,
            body: r#"{"ok":true}"#.into(),
        })
    );

    // The sender sees the converted pending rows in their order, and never the failed ones.
    let mut due = Vec::new();
    while let Some(entry) = store.next_due(i64::MAX).unwrap() {
        due.push(entry.id);
        store.mark_sending(entry.id, 1_700_001_000).unwrap();
    }
    assert_eq!(due, vec![1, 2, 3, 8]);

    // Ids are never reused: the counter the v2 file had (12) carries over.
    let next = store
        .enqueue(
            &NewCommand {
                idempotency_key: "v3-key-new-000001".into(),
                command: Command::DeclineRequest { id: 9 },
            },
            1_700_001_000,
        )
        .unwrap();
    assert_eq!(next.id, 13);
}

#[test]
fn a_v2_database_migrates_to_the_fresh_schema() {
    let dir = tempfile::tempdir().unwrap();
    let (migrated_path, store) = v2_store(dir.path());
    drop(store);
    let key_store = SoftwareKeyStore::from_bytes(&FIXTURE_WRAPPING_KEY).unwrap();
    let fresh_path = dir.path().join("fresh.db");
    drop(LocalStore::open(&fresh_path, &key_store).unwrap());
    let migrated = schema_of(&rusqlite::Connection::open(&migrated_path).unwrap());
    let fresh = schema_of(&rusqlite::Connection::open(&fresh_path).unwrap());
    assert!(migrated.iter().any(|(name, _)| name == "outbox_due"));
    assert!(!migrated.iter().any(|(name, _)| name == "outbox_v3"));
    assert_eq!(migrated, fresh);
}
