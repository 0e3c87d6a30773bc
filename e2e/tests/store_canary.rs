//! Canary test (DESIGN.md §6: no secret in plaintext, none in logs).
//!
//! Plants known secrets through the store — the data key, a device signing key, payment-code
//! secret and mask key, a bearer token — and scans, byte for byte, the database file, its
//! `-wal` and `-shm` files (while open and after close) and every log line the process wrote
//! at TRACE level (the store's `tracing` events and `log` records of its dependencies, e.g.
//! the migration runner) for each canary in raw, hex and base64 forms. Zero hits allowed.
//!
//! This file installs a global log subscriber, so it holds one test only.

use danbao_client::api::{Command, Send};
use danbao_client::secrets::{SoftwareKeyStore, SoftwareSigner};
use danbao_client::store::{
    FeedEvent, LocalStore, NewCommand, PaymentCodeCredentials, Profile, SecretSlot,
};
use danbao_domain::paycode::{AccountIndex, IndexMaskKey, MaskWindow, PaycodeSecret};
use danbao_e2e::canary::{
    Captured, SpyKeyStore, forms, hits, private_scalar, random, scan_database,
};
use ring::rand::SystemRandom;

const T0: i64 = 1_750_000_000;

#[test]
fn no_planted_secret_reaches_the_database_the_wal_or_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .try_init()
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("wallet.db");
    let key_store = SpyKeyStore::new(SoftwareKeyStore::generate().unwrap());

    let rng = SystemRandom::new();
    let signer = SoftwareSigner::generate(&rng).unwrap();
    let pkcs8 = signer.pkcs8().expose().to_vec();
    let scalar = private_scalar(&pkcs8);
    let paycode_secret = random(32);
    // The device's masks (the server's key never reaches a device): a window for the secret.
    let masks = MaskWindow::provision(
        &IndexMaskKey::from_bytes(&random(32)).unwrap(),
        &PaycodeSecret::from_bytes(&paycode_secret).unwrap(),
        28_333_333,
        4_320,
    )
    .unwrap();
    let mask_bytes = masks.to_bytes();
    let old_token = format!(
        "dbo_tok_{}",
        danbao_domain::protocol::hex_lower(&random(20))
    );
    let token = format!(
        "dbo_tok_{}",
        danbao_domain::protocol::hex_lower(&random(20))
    );

    let canaries_of = |data_key: &[u8]| {
        let mut canaries = Vec::new();
        canaries.extend(forms("data key", data_key));
        canaries.extend(forms("signing key PKCS#8", &pkcs8));
        canaries.extend(forms("signing key scalar", &scalar));
        canaries.extend(forms("payment-code secret", &paycode_secret));
        canaries.extend(forms("payment-code masks", &mask_bytes));
        canaries.extend(forms("token", token.as_bytes()));
        canaries.extend(forms("old token", old_token.as_bytes()));
        canaries
    };

    {
        let store = LocalStore::open(&db, &key_store).unwrap();
        store
            .set_profile(
                &Profile {
                    server_url: "http://127.0.0.1:8080".into(),
                    user_id: 1,
                    handle: "canary".into(),
                    display_name: "Canary".into(),
                    device_id: 2,
                },
                T0,
            )
            .unwrap();
        store.put_software_signer(&signer, T0).unwrap();
        store
            .put_payment_code_credentials(
                &PaymentCodeCredentials {
                    secret: PaycodeSecret::from_bytes(&paycode_secret).unwrap(),
                    masks: masks.clone(),
                    account_index: AccountIndex::new(99).unwrap(),
                },
                T0,
            )
            .unwrap();
        // An overwritten secret must not linger in a free page or an old WAL frame either.
        store
            .put_secret(SecretSlot::ApiToken, old_token.as_bytes(), T0)
            .unwrap();
        store
            .put_secret(SecretSlot::ApiToken, token.as_bytes(), T0 + 1)
            .unwrap();
        store
            .upsert_activity(&[FeedEvent {
                seq: 1,
                kind: "transfer".into(),
                data_json: r#"{"amount":"1.00"}"#.into(),
                created_at: T0,
            }])
            .unwrap();
        store
            .enqueue(
                &NewCommand {
                    idempotency_key: "canary-key-0001".into(),
                    command: Command::Send(Send {
                        to: "bob".into(),
                        amount: "1.00".into(),
                        currency: "CNY".into(),
                        memo: String::new(),
                    }),
                },
                T0,
            )
            .unwrap();
        // Read everything back (the secrets pass through memory unsealed) and log the
        // secret values the careless way: `Debug` must keep them out of the log.
        let read_token = store.secret(SecretSlot::ApiToken).unwrap().unwrap();
        assert_eq!(read_token.expose(), token.as_bytes());
        let read_signer = store.software_signer().unwrap().unwrap();
        let credentials = store.payment_code_credentials().unwrap().unwrap();
        assert_eq!(credentials.secret.expose_bytes(), paycode_secret.as_slice());
        tracing::info!(?read_token, ?read_signer, ?credentials, "read back");

        // Scan while open: the recent writes are in the live WAL.
        let wal = format!("{}-wal", db.display());
        assert!(
            std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > 0,
            "the WAL should hold the recent writes while the store is open"
        );
        let canaries = canaries_of(&key_store.seen()[0]);
        assert!(scan_database(&db, &canaries, "while open") > 0);
    }

    // Reopen (unwraps the data key again), then scan while open: the WAL is live.
    let store = LocalStore::open(&db, &key_store).unwrap();
    assert_eq!(
        store
            .secret(SecretSlot::ApiToken)
            .unwrap()
            .unwrap()
            .expose(),
        token.as_bytes()
    );

    let data_keys = key_store.seen();
    assert_eq!(data_keys.len(), 2, "wrapped once, unwrapped once");
    assert_eq!(data_keys[0], data_keys[1]);
    let canaries = canaries_of(&data_keys[0]);
    drop(store);
    assert!(scan_database(&db, &canaries, "after close") > 0);

    // The control: the scan finds a canary where one is. The sealed token is in the file,
    // its plaintext is not; the outbox body is plaintext and is found.
    let db_bytes = std::fs::read(&db).unwrap();
    assert_eq!(
        hits(&db_bytes, &forms("outbox body", br#""to":"bob""#))[0],
        "outbox body raw"
    );

    let logs = captured.bytes();
    let log_text = String::from_utf8_lossy(&logs);
    assert!(
        log_text.contains("client store opened") && log_text.contains("data key created"),
        "the capture must have seen the store's log lines: {log_text}"
    );
    assert!(log_text.contains("redacted"), "{log_text}");
    let found = hits(&logs, &canaries);
    assert!(found.is_empty(), "the log holds {found:?}:\n{log_text}");
}
