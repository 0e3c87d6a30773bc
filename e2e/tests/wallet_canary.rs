//! Canary test of the whole path (DESIGN.md §6: no secret in logs): a wallet signs up with a
//! software device key, is funded, enables payment codes, generates one offline, is charged by
//! a merchant, sends money and shows a one-time approval code a second device joins with —
//! through the `Wallet` facade, the signed transport, request signing, payment-code generation
//! and an in-process server — while every log line of the process (the core's and the server's
//! `tracing` events and the `log` records of reqwest, hyper and rusqlite) is captured at TRACE.
//! Then the secrets the run really used (the wallet's data key, the device's private key, the
//! payment-code secret and mask key, the operator token, the approval code) are searched in the
//! logs and in both wallets' database files, in every encoding a careless write could give
//! them. Zero hits allowed.
//!
//! This file installs a global log subscriber, so it holds one test only.

mod wallet_common;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use danbao_client::secrets::{KeyStore, SoftwareKeyStore};
use danbao_client::{Wallet, WalletConfig};
use danbao_e2e::canary::{Captured, SpyKeyStore, forms, hits, private_scalar, scan_database};
use wallet_common::{OPERATOR_TOKEN, Phone, Server, test_options};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_used_by_a_payment_reaches_the_logs_or_the_database() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .try_init()
        .unwrap();

    let server = Server::start().await;
    let merchant = Phone::signed_up(&server.url, "lotus", "Lotus Tea House", true).await;
    server.enrol_merchant("lotus").await;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("wallet.db");
    let key_store = Arc::new(SpyKeyStore::new(SoftwareKeyStore::generate().unwrap()));
    let config = WalletConfig {
        db_path: db.clone(),
        server_url: server.url.clone(),
        spki_pins: Vec::new(),
        locale: "en-US".into(),
        utc_offset_minutes: 0,
        time_zone: String::new(),
    };
    // No platform signer: the wallet makes its own device key and keeps it sealed.
    let wallet = Wallet::open_with(
        config,
        key_store.clone() as Arc<dyn KeyStore>,
        None,
        test_options(),
    )
    .await
    .unwrap();
    wallet
        .sign_up("bea", "Bea Wang", "canary phone")
        .await
        .unwrap();
    server.top_up("bea", "100.00").await;
    wallet.sync().await.unwrap();

    wallet.enable_payment_code().await.unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let code = wallet.payment_code(now).unwrap();
    merchant
        .w()
        .charge_payment_code(&code.digits, "9.90", "CNY")
        .await
        .unwrap();
    wallet.send("lotus", "1.00", "CNY", "tea").await.unwrap();
    wallet.sync().await.unwrap();
    assert_eq!(server.assert_invariants().await, 3, "top-up, charge, send");

    // A second device joins with a one-time approval code: the code is a secret too.
    let approval = wallet.device_approval_code().await.unwrap();
    let tablet_dir = tempfile::tempdir().unwrap();
    let tablet_db = tablet_dir.path().join("wallet.db");
    let tablet = Wallet::open_with(
        WalletConfig {
            db_path: tablet_db.clone(),
            server_url: server.url.clone(),
            spki_pins: Vec::new(),
            locale: "en-US".into(),
            utc_offset_minutes: 0,
            time_zone: String::new(),
        },
        Arc::new(SoftwareKeyStore::generate().unwrap()) as Arc<dyn KeyStore>,
        None,
        test_options(),
    )
    .await
    .unwrap();
    tablet
        .join_with_approval(&approval.qr_payload, "canary tablet")
        .await
        .unwrap();
    drop(tablet);

    // The secrets this run really used, read back from the wallet's own store.
    let store = wallet.local_store();
    let signer = store
        .software_signer()
        .unwrap()
        .expect("a software device key");
    let pkcs8 = signer.pkcs8().expose().to_vec();
    let credentials = store
        .payment_code_credentials()
        .unwrap()
        .expect("payment-code credentials");
    let data_keys = key_store.seen();
    assert!(!data_keys.is_empty(), "the data key passed the key store");
    let mut canaries = Vec::new();
    for (n, key) in data_keys.iter().enumerate() {
        canaries.extend(forms(&format!("data key {n}"), key));
    }
    canaries.extend(forms("device key PKCS#8", &pkcs8));
    canaries.extend(forms("device key scalar", &private_scalar(&pkcs8)));
    canaries.extend(forms(
        "payment-code secret",
        credentials.secret.expose_bytes(),
    ));
    canaries.extend(forms("payment-code masks", &credentials.masks.to_bytes()));
    canaries.extend(forms("operator token", OPERATOR_TOKEN.as_bytes()));
    canaries.extend(forms("approval code", approval.code.as_bytes()));
    canaries.extend(forms(
        "approval code without dashes",
        approval.code.replace('-', "").as_bytes(),
    ));
    drop(wallet);

    let logs = captured.bytes();
    let log_text = String::from_utf8_lossy(&logs);
    // The control: the capture saw the core, the server and the HTTP stack at work.
    for line in [
        "client store data key created",
        "payment-code secret provisioned",
        "device approval code issued",
        "device joined with an approval code",
        "reqwest",
    ] {
        assert!(
            log_text.contains(line),
            "the capture lacks {line:?}:\n{log_text}"
        );
    }
    let found = hits(&logs, &canaries);
    assert!(found.is_empty(), "the log holds {found:?}:\n{log_text}");
    assert!(scan_database(&db, &canaries, "after the run") > 0);
    assert!(scan_database(&tablet_db, &canaries, "the joined device") > 0);
}
