//! Wallet facade benchmarks (issue 4 item 8): `Wallet::open`, the home snapshot and a 50-row
//! activity page with 1k, 100k and 1M cached feed events. Targets: open < 50 ms, page < 2 ms,
//! flat as history grows.
//!
//! Run: `cargo bench -p danbao-client --bench wallet`.
//!
//! Each database is seeded once through the client store's API — profile, sealed software
//! signing key, balances, and one `apply_sync` step (one transaction) with the events and 40
//! orders in the server's JSON — and cached in `target/wallet-bench/`; delete that directory to
//! rebuild. The wallet points at a closed loopback port: nothing here touches the network (the
//! outbox is empty, so `open` has nothing to flush).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use danbao_client::api::OrderView;
use danbao_client::secrets::{KeyStore, SoftwareKeyStore, SoftwareSigner};
use danbao_client::store::{Balance, CachedOrder, FeedEvent, LocalStore, Profile, SyncBatch};
use danbao_client::wallet::view;
use danbao_client::{Wallet, WalletConfig};
use serde_json::json;

const SIZES: [(i64, &str); 3] = [(1_000, "1k"), (100_000, "100k"), (1_000_000, "1M")];
const T0: i64 = 1_700_000_000;
/// Nothing listens here (port 9, discard, closed on loopback).
const SERVER: &str = "http://127.0.0.1:9";
const ORDERS: i64 = 40;

fn key_store() -> Arc<dyn KeyStore> {
    Arc::new(SoftwareKeyStore::from_bytes(&[0x44; 32]).unwrap())
}

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/wallet-bench")
}

fn amount(minor: i64) -> serde_json::Value {
    let value = format!("{}.{:02}", minor / 100, minor % 100);
    json!({"minor": minor, "currency": "CNY", "display": format!("{value} CNY"), "value": value})
}

/// An order view as the server writes it, for `role`.
fn order_view(n: i64) -> serde_json::Value {
    let (state, role, actions) = match n % 4 {
        0 => ("paid", "seller", vec!["ship", "cancel"]),
        1 => ("shipped", "buyer", vec!["confirm", "refund-request"]),
        2 => (
            "refund_requested",
            "seller",
            vec!["refund-accept", "refund-reject"],
        ),
        _ => ("completed", "buyer", vec![]),
    };
    let view = json!({
        "id": format!("ord-{n:08}"),
        "title": format!("Order number {n}"),
        "state": state,
        "role": role,
        "actions": actions,
        "amount": amount(1_000 + n),
        "seller": {"handle": "seller", "display_name": "Lotus Tea House"},
        "buyer": {"handle": "bench", "display_name": "Bench User"},
        "pay_by": T0 + 900,
        "auto_confirm_at": (state == "shipped").then_some(T0 + 864_000),
        "refund_request": null,
        "shipment": (state != "paid").then(|| json!({"carrier": "SF", "tracking": format!("SF{n}")})),
        "released": null,
        "refunded": null,
        "next_deadline": (state == "shipped").then(|| json!({"kind": "auto_confirm", "at": T0 + 864_000})),
        "created_at": T0 + n,
        "updated_at": T0 + n,
    });
    // The JSON is the server's: it reads back as the client's mirror of the server type.
    let _: OrderView = serde_json::from_value(view.clone()).unwrap();
    view
}

/// One feed event: mostly money movements (P2P, merchant, escrow), every tenth an order
/// update, as the server writes them.
fn event(seq: i64) -> FeedEvent {
    let (kind, data) = if seq % 10 == 0 {
        (
            "order",
            json!({"event": "ship", "order": order_view(seq % ORDERS)}),
        )
    } else {
        let kinds = ["p2p", "merchant", "escrow_hold", "escrow_release", "top_up"];
        let kind = kinds[(seq % 5) as usize];
        let peer = seq % 977;
        (
            "transfer",
            json!({
                "type": kind,
                "direction": if seq % 3 == 0 { "in" } else { "out" },
                "transfer_id": format!("{seq:032x}"),
                "counterparty": format!("user{peer}"),
                "counterparty_name": format!("User {peer}"),
                "amount": amount(100 + seq % 100_000),
                "memo": "lunch",
            }),
        )
    };
    FeedEvent {
        seq,
        kind: kind.to_owned(),
        data_json: data.to_string(),
        created_at: T0 + seq,
    }
}

/// The wallet database with `rows` cached events, seeded if it is not cached yet.
fn database(rows: i64, label: &str) -> PathBuf {
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("wallet-{label}.db"));
    let ready = dir.join(format!("wallet-{label}.ready"));
    if ready.exists() {
        return path;
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let store = LocalStore::open(&path, key_store().as_ref()).unwrap();
    store
        .set_profile(
            &Profile {
                server_url: SERVER.into(),
                user_id: 1,
                handle: "bench".into(),
                display_name: "Bench User".into(),
                device_id: 1,
            },
            T0,
        )
        .unwrap();
    let signer = SoftwareSigner::generate(&ring::rand::SystemRandom::new()).unwrap();
    store.put_software_signer(&signer, T0).unwrap();
    let orders = (0..ORDERS)
        .map(|n| {
            let view = order_view(n);
            CachedOrder {
                id: view["id"].as_str().unwrap().to_owned(),
                state: view["state"].as_str().unwrap().to_owned(),
                role: view["role"].as_str().unwrap().to_owned(),
                view_json: view.to_string(),
                updated_at: T0 + n,
            }
        })
        .collect();
    let batch = SyncBatch {
        events: (1..=rows).map(event).collect(),
        orders,
        balances: Some(vec![Balance {
            currency: "CNY".into(),
            available: 12_345_678,
            held_out: 4_000,
            incoming: 8_800,
        }]),
        cursor: rows,
    };
    let applied = store.apply_sync(&batch, T0).unwrap();
    assert_eq!(applied.new_events.len() as i64, rows);
    drop(batch);
    drop(store);
    std::fs::write(&ready, b"").unwrap();
    path
}

fn config(path: &Path) -> WalletConfig {
    WalletConfig {
        db_path: path.to_path_buf(),
        server_url: SERVER.into(),
        spki_pins: Vec::new(),
        locale: "en-US".into(),
        utc_offset_minutes: 0,
        time_zone: String::new(),
    }
}

fn wallet(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let key_store = key_store();
    let paths: Vec<_> = SIZES
        .iter()
        .map(|(rows, label)| (*rows, *label, database(*rows, label)))
        .collect();

    let mut open = c.benchmark_group("wallet/open");
    open.measurement_time(Duration::from_secs(5));
    for (_, label, path) in &paths {
        open.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter_with_large_drop(|| {
                runtime
                    .block_on(Wallet::open(
                        black_box(config(path)),
                        key_store.clone(),
                        None,
                    ))
                    .unwrap()
            })
        });
    }
    open.finish();

    let wallets: Vec<_> = paths
        .iter()
        .map(|(rows, label, path)| {
            let wallet = runtime
                .block_on(Wallet::open(config(path), key_store.clone(), None))
                .unwrap();
            let snapshot = wallet.home().unwrap();
            assert_eq!(snapshot.recent.len(), 20, "home shows 20 recent rows");
            assert!(!snapshot.orders_needing_action.is_empty());
            let first = runtime.block_on(wallet.activity(None, 50)).unwrap();
            assert_eq!(first.items.len(), 50);
            let middle = runtime
                .block_on(wallet.activity(Some(rows / 2), 50))
                .unwrap();
            assert_eq!(middle.items.len(), 50);
            (*rows, *label, wallet)
        })
        .collect();

    let mut home = c.benchmark_group("wallet/home");
    for (_, label, wallet) in &wallets {
        home.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| wallet.home().unwrap())
        });
    }
    home.finish();

    let mut page = c.benchmark_group("wallet/activity_page_50");
    for (rows, label, wallet) in &wallets {
        page.bench_function(BenchmarkId::new("newest", label), |b| {
            b.iter(|| {
                runtime
                    .block_on(wallet.activity(black_box(None), 50))
                    .unwrap()
            })
        });
        let middle = Some(rows / 2);
        page.bench_function(BenchmarkId::new("middle", label), |b| {
            b.iter(|| {
                runtime
                    .block_on(wallet.activity(black_box(middle), 50))
                    .unwrap()
            })
        });
        // Reference: the same rows straight from the store (no view mapping, no blocking
        // pool hop), to show what the facade adds.
        page.bench_function(BenchmarkId::new("middle_store_rows_only", label), |b| {
            b.iter(|| {
                wallet
                    .local_store()
                    .activity_page_of_kind("transfer", black_box(middle), 50)
                    .unwrap()
            })
        });
        // Reference: the store rows and the view mapping, on this thread (no blocking-pool
        // hop): the difference to "middle" is the hop to Tokio's blocking pool and back.
        let texts = danbao_client::i18n::Texts::new("en-US").unwrap();
        page.bench_function(BenchmarkId::new("middle_rows_and_mapping", label), |b| {
            b.iter(|| {
                let rows = wallet
                    .local_store()
                    .activity_page_of_kind("transfer", black_box(middle), 50)
                    .unwrap();
                rows.iter()
                    .map(|e| view::activity_item(e, &texts))
                    .collect::<Vec<_>>()
            })
        });
    }
    page.finish();
}

criterion_group!(benches, wallet);
criterion_main!(benches);
