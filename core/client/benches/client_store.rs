//! Client store benchmarks: opening the wallet's database and reading a 50-row activity page
//! with 1k, 100k and 1M cached events (targets: open < 50 ms, page < 2 ms, flat as history
//! grows), plus one outbox command's life (enqueue, mark sending, record answer: three
//! durable commits).
//!
//! Run: `cargo bench -p danbao-client --bench client_store`.
//!
//! The databases are built once (one transaction each) and cached in
//! `target/client-store-bench/`; delete that directory to rebuild them.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use danbao_client::api::{Command, Send};
use danbao_client::secrets::SoftwareKeyStore;
use danbao_client::store::{
    AttemptOutcome, Balance, CommandAnswer, LocalStore, NewCommand, Profile,
};

const SIZES: [(i64, &str); 3] = [(1_000, "1k"), (100_000, "100k"), (1_000_000, "1M")];
const T0: i64 = 1_700_000_000;

fn key_store() -> SoftwareKeyStore {
    SoftwareKeyStore::from_bytes(&[0x33; 32]).unwrap()
}

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/client-store-bench")
}

/// The database with `rows` cached events, built if it is not cached yet.
fn database(rows: i64, label: &str) -> PathBuf {
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("activity-{label}.db"));
    let ready = dir.join(format!("activity-{label}.ready"));
    if ready.exists() {
        return path;
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let store = LocalStore::open(&path, &key_store()).unwrap();
    store
        .set_profile(
            &Profile {
                server_url: "https://api.danbao.example".into(),
                user_id: 1,
                handle: "bench".into(),
                display_name: "Bench User".into(),
                device_id: 1,
            },
            T0,
        )
        .unwrap();
    store
        .replace_balances(
            &[Balance {
                currency: "CNY".into(),
                available: 1_000_000,
                held_out: 0,
                incoming: 0,
            }],
            T0,
        )
        .unwrap();
    drop(store);
    // Bulk load through a plain connection in one transaction (the store's API commits per
    // call; a sync step of a million events is not a real case).
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut insert = tx
            .prepare("INSERT INTO activity (seq, kind, data, created_at) VALUES (?1, ?2, ?3, ?4)")
            .unwrap();
        for seq in 1..=rows {
            let kind = if seq % 4 == 0 { "order" } else { "transfer" };
            let data = format!(
                r#"{{"transfer_id":"t_{seq:012}","amount":{{"minor":{},"currency":"CNY","display":"¥{}.{:02}"}},"counterparty":{{"handle":"user{}","name":"User {}"}},"memo":"lunch"}}"#,
                seq % 100_000,
                seq % 1_000,
                seq % 100,
                seq % 977,
                seq % 977
            );
            insert
                .execute(rusqlite::params![seq, kind, data, T0 + seq])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    drop(conn);
    std::fs::write(&ready, b"").unwrap();
    path
}

fn open_and_page(c: &mut Criterion) {
    let key_store = key_store();
    let mut open = c.benchmark_group("client_store/open");
    open.measurement_time(Duration::from_secs(4));
    for (rows, label) in SIZES {
        let path = database(rows, label);
        open.bench_with_input(BenchmarkId::from_parameter(label), &path, |b, path| {
            b.iter_with_large_drop(|| LocalStore::open(black_box(path), &key_store).unwrap())
        });
    }
    open.finish();

    let mut page = c.benchmark_group("client_store/activity_page_50");
    page.measurement_time(Duration::from_secs(4));
    for (rows, label) in SIZES {
        let store = LocalStore::open(database(rows, label), &key_store).unwrap();
        page.bench_function(BenchmarkId::new("newest", label), |b| {
            b.iter(|| {
                let rows = store.activity_page(black_box(None), 50).unwrap();
                debug_assert_eq!(rows.len(), 50);
                rows
            })
        });
        page.bench_function(BenchmarkId::new("middle", label), |b| {
            b.iter(|| store.activity_page(black_box(Some(rows / 2)), 50).unwrap())
        });
        page.bench_function(BenchmarkId::new("transfers_only", label), |b| {
            b.iter(|| {
                store
                    .activity_page_of_kind("transfer", black_box(Some(rows / 2)), 50)
                    .unwrap()
            })
        });
    }
    page.finish();
}

fn outbox_round(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path().join("outbox.db"), &key_store()).unwrap();
    let mut n = 0u64;
    let mut group = c.benchmark_group("client_store/outbox");
    group.sample_size(30);
    group.bench_function("enqueue_send_answer", |b| {
        b.iter(|| {
            n += 1;
            let entry = store
                .enqueue(
                    &NewCommand {
                        idempotency_key: format!("bench-key-{n:012}"),
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
            store.mark_sending(entry.id, T0).unwrap();
            store
                .record_outcome(
                    entry.id,
                    &AttemptOutcome::Accepted(CommandAnswer {
                        status: 201,
                        body: "{}".into(),
                    }),
                    T0,
                )
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, open_and_page, outbox_round);
criterion_main!(benches);
