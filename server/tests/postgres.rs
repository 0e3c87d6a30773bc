//! The PostgreSQL store's own guarantees under concurrent writers (issue 13 point 1): a user's
//! feed commits in `seq` order, so a sync cursor never passes an event that commits later;
//! sequences stay gap-free under many writers; the shared secrets are written once.
//!
//! These run only with `DANBAO_TEST_DATABASE_URL` (as `cargo xtask test` sets it for its
//! PostgreSQL pass); without it they say so and pass.

mod common;

use std::sync::mpsc;
use std::time::Duration;

use danbao_domain::protocol::wire::Event;
use danbao_server::PgStore;
use danbao_server::store::postgres::off_runtime;
use danbao_server::store::{Store, StoreError, Tx};

fn store() -> Option<PgStore> {
    if !common::on_postgres() {
        eprintln!("skipped: DANBAO_TEST_DATABASE_URL is not set");
        return None;
    }
    let url = common::fresh_database();
    Some(off_runtime(move || PgStore::connect(&url, 8, 64)).unwrap())
}

async fn user(store: &PgStore, handle: &'static str) -> i64 {
    store
        .write(move |tx: &mut dyn Tx| {
            tx.insert_user(handle, handle, 1)
                .map(|id| id.expect("new handle"))
        })
        .await
        .unwrap()
}

async fn sync(store: &PgStore, user_id: i64, after: i64) -> Vec<Event> {
    store
        .read(move |tx: &mut dyn Tx| tx.events_after(user_id, after, 100))
        .await
        .unwrap()
}

fn append(tx: &mut dyn Tx, user_id: i64, label: &str) -> Result<i64, StoreError> {
    tx.append_event_json(
        user_id,
        "transfer",
        &format!("{{\"label\":\"{label}\"}}"),
        1,
    )
}

/// Transaction A appends to a user's feed and stays open; transaction B appends to the same
/// feed and tries to commit first. B cannot take a number until A has committed, so a client
/// syncing between the commits sees A's event, then B's after its cursor: nothing is skipped.
/// (With a sequence handed out at insert, B would have committed seq 2 while A's seq 1 was
/// still invisible, the client's cursor would have moved to 2, and A's event would never be
/// synced.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_feed_cursor_never_skips_a_transaction_that_commits_late() {
    let Some(store) = store() else { return };
    let alice = user(&store, "alice").await;

    let (appended, a_appended) = mpsc::channel::<i64>();
    let (release_a, go) = mpsc::channel::<()>();
    let go = std::sync::Mutex::new(go);
    let first = tokio::spawn({
        let store = store.clone();
        async move {
            store
                .write(move |tx: &mut dyn Tx| {
                    let seq = append(tx, alice, "A")?;
                    let _ = appended.send(seq);
                    // Stay open until the test lets this transaction commit.
                    let _ = go.lock().unwrap().recv_timeout(Duration::from_secs(20));
                    Ok::<_, StoreError>(seq)
                })
                .await
        }
    });
    let a_seq = tokio::task::spawn_blocking(move || a_appended.recv().unwrap())
        .await
        .unwrap();
    assert_eq!(a_seq, 1);

    let second = tokio::spawn({
        let store = store.clone();
        async move {
            store
                .write(move |tx: &mut dyn Tx| append(tx, alice, "B"))
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        !second.is_finished(),
        "B committed while A, which appended first, was still open"
    );
    // A client syncs now: nothing is committed yet.
    assert!(sync(&store, alice, 0).await.is_empty());

    release_a.send(()).unwrap();
    assert_eq!(first.await.unwrap().unwrap(), 1);
    let page = sync(&store, alice, 0).await;
    let cursor = page.last().map(|event| event.seq).unwrap_or(0);
    // A is visible; B may or may not have committed by now, but never before A.
    assert_eq!(page[0].seq, 1);
    assert_eq!(page[0].data["label"], "A");

    let b_seq = second.await.unwrap().unwrap();
    assert_eq!(b_seq, 2, "B took its number after A committed");
    let rest = sync(&store, alice, cursor).await;
    let all: Vec<(i64, String)> = page
        .iter()
        .chain(rest.iter())
        .map(|event| (event.seq, event.data["label"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(all, vec![(1, "A".to_owned()), (2, "B".to_owned())]);
}

/// Forty concurrent writers append to one feed (and to their own): the shared feed is
/// numbered 1..=40 with no gap and no duplicate, and every append is there once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_number_a_feed_without_gaps() {
    let Some(store) = store() else { return };
    let shared = user(&store, "shared").await;
    let mut writers = Vec::new();
    for n in 0..40 {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            store
                .write(move |tx: &mut dyn Tx| append(tx, shared, &format!("w{n}")))
                .await
                .unwrap()
        }));
    }
    let mut taken = Vec::new();
    for writer in writers {
        taken.push(writer.await.unwrap());
    }
    taken.sort_unstable();
    assert_eq!(taken, (1..=40).collect::<Vec<i64>>());
    let feed = sync(&store, shared, 0).await;
    let seqs: Vec<i64> = feed.iter().map(|event| event.seq).collect();
    assert_eq!(seqs, (1..=40).collect::<Vec<i64>>());
    let mut labels: Vec<String> = feed
        .iter()
        .map(|event| event.data["label"].as_str().unwrap().to_owned())
        .collect();
    labels.sort();
    labels.dedup();
    assert_eq!(labels.len(), 40);
}

/// Two instances starting together on one database agree on the keys the first one made,
/// and the migrations ran once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_share_the_keys_the_first_one_made() {
    if !common::on_postgres() {
        eprintln!("skipped: DANBAO_TEST_DATABASE_URL is not set");
        return;
    }
    let url = common::fresh_database();
    let starts: Vec<_> = (0..2)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut config = danbao_server::Config::for_tests("unused.db".into());
                config.database_url = Some(url.as_str().into());
                let app = danbao_server::open(config).unwrap();
                (app.seal_key, app.code_public_key)
            })
        })
        .collect();
    let keys: Vec<_> = starts.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(keys[0], keys[1]);
    assert_ne!(keys[0].0, [0u8; 32]);

    // No instance may make up an operator token the others would not know.
    let mut config = danbao_server::Config::for_tests("unused.db".into());
    config.database_url = Some(url.as_str().into());
    config.operator_token = None;
    let refused =
        std::thread::spawn(move || danbao_server::open(config).err().unwrap().to_string())
            .join()
            .unwrap();
    assert!(
        refused.contains("operator token must be configured"),
        "{refused}"
    );
}

/// A device revoked through one instance is refused by another instance that had its key
/// cached: its changes at once (checked in the write transaction), its reads within the
/// cache's lifetime.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_device_revoked_through_one_instance_is_refused_by_the_other() {
    if !common::on_postgres() {
        eprintln!("skipped: DANBAO_TEST_DATABASE_URL is not set");
        return;
    }
    let first = common::Server::start().await;
    let alice = first.sign_up("alice", "Alice").await;
    first.top_up("alice", "10.00", "CNY").await;
    first.sign_up("bob", "Bob").await;
    let (status, answer) = alice.approval_code().await;
    assert_eq!(status, 201, "{answer}");
    let mut tablet = first.new_device();
    let (status, joined) = tablet
        .join(answer["code"].as_str().unwrap(), None, "Tablet")
        .await;
    assert_eq!(status, 201, "{joined}");

    // A second instance on the same database.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        first.dir.path().join("database-url"),
        dir.path().join("database-url"),
    )
    .unwrap();
    let second = common::Server::start_in(dir, |_| {}).await;
    let phone_on_second = alice.at(&second.url);
    let (status, _) = phone_on_second.get("/v1/balances").await;
    assert_eq!(
        status, 200,
        "the second instance now has the phone's key cached"
    );

    let (status, body) = tablet
        .post(
            &format!("/v1/devices/{}/revoke", alice.device),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let send = serde_json::json!({"to": "bob", "amount": "1.00", "currency": "CNY"});
    let (status, body) = phone_on_second.post("/v1/transfers", &send).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("device_revoked")),
        "{body}"
    );
    tokio::time::sleep(Duration::from_millis(
        danbao_server::app::DEVICE_CACHE_SECS * 1000 + 300,
    ))
    .await;
    let (status, body) = phone_on_second.get("/v1/balances").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("device_revoked")),
        "{body}"
    );
    let (status, _) = alice.get("/v1/balances").await;
    assert_eq!(status, 401, "the instance that revoked it refuses it too");
}

/// Rate limits hold for the instances together: a device allowed 3 payments a minute gets 3
/// across two instances, not 3 on each, and the refusal says when to retry. Sign-ups from
/// one address are counted across instances too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_limits_are_shared_by_the_instances() {
    if !common::on_postgres() {
        eprintln!("skipped: DANBAO_TEST_DATABASE_URL is not set");
        return;
    }
    let limits = |config: &mut danbao_server::Config| {
        config.rate_limit = 3;
        config.rate_limit_address = 100;
        config.sign_up_limit = 3;
    };
    let first = common::Server::start_with(limits).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        first.dir.path().join("database-url"),
        dir.path().join("database-url"),
    )
    .unwrap();
    let second = common::Server::start_in(dir, limits).await;

    let alice = first.sign_up("alice", "Alice").await;
    second.sign_up("bob", "Bob").await;
    let (status, refused) = second.sign_up_raw("carol").await;
    assert_eq!(status, 201, "the third sign-up of the address: {refused}");
    let (status, refused) = first.sign_up_raw("dave").await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (429, Some("rate_limited")),
        "a fourth sign-up from the address, through the other instance: {refused}"
    );

    first.top_up("alice", "10.00", "CNY").await;
    let alice_on_second = alice.at(&second.url);
    let send = serde_json::json!({"to": "bob", "amount": "1.00", "currency": "CNY"});
    for wallet in [&alice, &alice_on_second, &alice] {
        let (status, body) = wallet.post("/v1/transfers", &send).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = alice_on_second.post("/v1/transfers", &send).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (429, Some("rate_limited")),
        "the fourth payment within the minute, through the instance that allowed one: {body}"
    );
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("at most 3 a minute"),
        "{body}"
    );
    assert_eq!(
        alice.available("CNY").await,
        700,
        "the refused payment moved nothing"
    );
}

/// A connection PostgreSQL closed (its backend terminated, as on a restart) is replaced by the
/// pool, never handed out again: after both pooled connections are killed, every job runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_the_server_closed_is_replaced_not_handed_out() {
    if !common::on_postgres() {
        eprintln!("skipped: DANBAO_TEST_DATABASE_URL is not set");
        return;
    }
    let url = common::fresh_database();
    let store = {
        let url = url.clone();
        off_runtime(move || PgStore::connect(&url, 2, 64)).unwrap()
    };
    let alice = user(&store, "alice").await;

    // Two jobs at once, each waiting for the other inside its transaction: both pooled
    // connections are open.
    let both = std::sync::Arc::new(std::sync::Barrier::new(2));
    let jobs: Vec<_> = (0..2)
        .map(|_| {
            let store = store.clone();
            let both = both.clone();
            tokio::spawn(async move {
                store
                    .read(move |tx: &mut dyn Tx| {
                        let user = tx.user(alice)?;
                        both.wait();
                        Ok::<_, StoreError>(user.is_some())
                    })
                    .await
                    .unwrap()
            })
        })
        .collect();
    for job in jobs {
        assert!(job.await.unwrap());
    }
    // The rate limiter's own connection is open too.
    let buckets = store.shared_buckets().unwrap();
    let take = || buckets.take(vec![("test:device:1".to_owned(), 100)]);
    assert_eq!(take().await.unwrap(), None);

    // Terminate every backend of the test database, and wait until they are gone.
    let database = url.rsplit_once('/').unwrap().1.to_owned();
    let admin = common::test_database_url().unwrap();
    let killed = off_runtime(move || {
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        let killed: i64 = client
            .query_one(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = $1 AND pid <> pg_backend_pid()) AS killed",
                &[&database],
            )
            .unwrap()
            .get(0);
        for _ in 0..100 {
            let left: i64 = client
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = $1",
                    &[&database],
                )
                .unwrap()
                .get(0);
            if left == 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        killed
    });
    // The start-up connection (migrations) is closed before the pool opens its own; under
    // load its backend may still be exiting here, and is counted too.
    assert!(
        killed >= 2,
        "both pooled connections were open: {killed} killed"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;

    for n in 0..4 {
        let label = format!("after {n}");
        let seq = store
            .write(move |tx: &mut dyn Tx| append(tx, alice, &label))
            .await
            .unwrap();
        assert_eq!(seq, n + 1);
    }
    assert_eq!(sync(&store, alice, 0).await.len(), 4);
    // The limiter replaced its connection as well.
    assert_eq!(take().await.unwrap(), None);
}

/// `--write-queue` bounds the jobs waiting for a connection: with one connection busy and one
/// job waiting, the next is refused `Busy` at once; a waiting job that is given up (its request
/// dropped) frees its place; and the waiting job runs when the connection is free.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_refuses_busy_and_a_dropped_waiter_frees_its_place() {
    let Some(url) = common::on_postgres().then(common::fresh_database) else {
        eprintln!("skipped: DANBAO_TEST_DATABASE_URL is not set");
        return;
    };
    let store = off_runtime(move || PgStore::connect(&url, 1, 1)).unwrap();
    let alice = user(&store, "alice").await;

    let (started, holding) = mpsc::channel::<()>();
    let (release, go) = mpsc::channel::<()>();
    let go = std::sync::Mutex::new(go);
    let holder = tokio::spawn({
        let store = store.clone();
        async move {
            store
                .write(move |tx: &mut dyn Tx| {
                    let seq = append(tx, alice, "holder")?;
                    let _ = started.send(());
                    let _ = go.lock().unwrap().recv_timeout(Duration::from_secs(20));
                    Ok::<_, StoreError>(seq)
                })
                .await
        }
    });
    tokio::task::spawn_blocking(move || holding.recv().unwrap())
        .await
        .unwrap();

    // A waiter, given up on before it gets the connection: its place in the queue is freed.
    let given_up = tokio::spawn({
        let store = store.clone();
        async move {
            store
                .write(move |tx: &mut dyn Tx| append(tx, alice, "given up"))
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    given_up.abort();
    assert!(given_up.await.unwrap_err().is_cancelled());

    let waiter = tokio::spawn({
        let store = store.clone();
        async move {
            store
                .write(move |tx: &mut dyn Tx| append(tx, alice, "waiter"))
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiter.is_finished(), "the waiter waits for the connection");
    let refused = store
        .write(move |tx: &mut dyn Tx| append(tx, alice, "refused"))
        .await;
    assert!(matches!(refused, Err(StoreError::Busy)), "{refused:?}");

    release.send(()).unwrap();
    assert_eq!(holder.await.unwrap().unwrap(), 1);
    assert_eq!(waiter.await.unwrap().unwrap(), 2);
    let labels: Vec<String> = sync(&store, alice, 0)
        .await
        .iter()
        .map(|event| event.data["label"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(labels, ["holder", "waiter"]);
}

/// A write the store sends with the next statement (a balance update) and that fails there:
/// the job fails, at the statement it travelled with or at the `COMMIT`, and nothing of it
/// commits (the feed event written before it included). A valid one commits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deferred_write_that_fails_undoes_the_whole_job() {
    use danbao_domain::ledger::Balances;
    use danbao_domain::money::Currency;
    use danbao_server::store::AccountKind;

    let Some(store) = store() else {
        eprintln!("skipped: DANBAO_TEST_DATABASE_URL is not set");
        return;
    };
    let alice = user(&store, "alice").await;
    let cny = Currency::from_code("CNY").unwrap();
    let wallet = store
        .write(move |tx: &mut dyn Tx| tx.create_account(Some(alice), AccountKind::Wallet, cny))
        .await
        .unwrap();
    // A wallet may not be overdrawn (a CHECK constraint): this update fails in PostgreSQL.
    let overdrawn = Balances {
        debits_posted: 500,
        ..Balances::default()
    };
    let funded = Balances {
        credits_posted: 700,
        ..Balances::default()
    };
    let id = wallet.id;

    // Failing before the next statement of the job.
    let early = store
        .write(move |tx: &mut dyn Tx| {
            tx.save_balances(id, &overdrawn)?;
            append(tx, alice, "after the overdraft")
        })
        .await;
    assert!(
        matches!(early, Err(StoreError::Constraint(_))),
        "the next statement reports the deferred write's failure: {early:?}"
    );

    // Failing at the COMMIT it travels with.
    let late = store
        .write(move |tx: &mut dyn Tx| {
            append(tx, alice, "before the overdraft")?;
            tx.save_balances(id, &overdrawn)
        })
        .await;
    assert!(
        late.is_err(),
        "the commit reports the deferred write's failure"
    );

    assert!(
        sync(&store, alice, 0).await.is_empty(),
        "no event committed"
    );
    let stored = store
        .read(move |tx: &mut dyn Tx| tx.account(id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.balances, Balances::default(), "no balance committed");

    // A valid deferred write commits with its job, and the job reads its own write back.
    let seen = store
        .write(move |tx: &mut dyn Tx| {
            tx.save_balances(id, &funded)?;
            let seq = append(tx, alice, "funded")?;
            let row = tx.account(id)?.map(|account| account.balances);
            Ok::<_, StoreError>((seq, row))
        })
        .await
        .unwrap();
    assert_eq!(seen, (1, Some(funded)));
    let stored = store
        .read(move |tx: &mut dyn Tx| tx.account(id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.balances, funded);
    assert_eq!(sync(&store, alice, 0).await.len(), 1);
}

/// Takes that arrive together are sent together (one round trip) and still counted one by
/// one: 40 concurrent takes from a bucket of 10 a minute, through two stores (instances),
/// leave exactly 10 taken; every refusal names the bucket and a wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_takes_of_one_bucket_are_counted_exactly() {
    if !common::on_postgres() {
        eprintln!("skipped: DANBAO_TEST_DATABASE_URL is not set");
        return;
    }
    let url = common::fresh_database();
    // Two stores on one database: two instances' limiters.
    let connect = |url: String| off_runtime(move || PgStore::connect(&url, 4, 64)).unwrap();
    let first = connect(url.clone());
    let second = connect(url);
    let first_buckets = first.shared_buckets().unwrap();
    let second_buckets = second.shared_buckets().unwrap();
    let takes: Vec<_> = (0..40)
        .map(|n| {
            let buckets = if n % 2 == 0 {
                first_buckets.clone()
            } else {
                second_buckets.clone()
            };
            tokio::spawn(async move {
                buckets
                    .take(vec![
                        ("test:user:1".to_owned(), 10),
                        (format!("test:device:{n}"), 100),
                    ])
                    .await
            })
        })
        .collect();
    let mut taken = 0;
    for take in takes {
        match take.await.unwrap().unwrap() {
            None => taken += 1,
            Some(empty) => {
                assert_eq!(empty.place, 0, "the shared bucket is the one that refuses");
                assert!((1..=60).contains(&empty.wait_secs), "{empty:?}");
            }
        }
    }
    assert_eq!(taken, 10);
}
