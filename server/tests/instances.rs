//! The two-instance fault test (issue 13 point 4): two `danbao-server` processes on one
//! PostgreSQL database, clients spread over both, random SIGKILLs of either instance under
//! load, and duplicate idempotency keys sent to both instances at once.
//!
//! After each round (load, a kill, a restart):
//! - every acknowledged transfer is in its payer's activity exactly once;
//! - every unknown-outcome request retried with its key (on either instance) completes once;
//! - every balance equals what the answers imply, nothing was created or lost, no wallet is
//!   negative, and the invariants hold (asked of both instances);
//! - a key sent to both instances at once had one effect: two acknowledgements of it carry
//!   the same transfer id, and the payer's activity holds it once.
//!
//! Runs only with `DANBAO_TEST_DATABASE_URL` (the PostgreSQL pass of `cargo xtask test`).
//! `INSTANCES_SEED=<n>` replays the random choices (the seed is printed).

mod common;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Rng, Wallet, decimal, fresh_nonce, next_key, sign_up_at, unix_now};
use serde_json::{Value, json};

const OPERATOR: &str = "instances-test-operator-token";
const USERS: usize = 8;
const ROUNDS: usize = 6;
const OPENING_MINOR: i64 = 100_000;

/// One server process on a fixed port, on the shared database.
struct Instance {
    child: Option<Child>,
    bind: SocketAddr,
    database_url: String,
    logs: std::path::PathBuf,
    name: usize,
    starts: usize,
}

impl Instance {
    fn spawn(&mut self) {
        let log = std::fs::File::create(
            self.logs
                .join(format!("instance-{}-{}.log", self.name, self.starts)),
        )
        .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_danbao-server"))
            .arg("--database-url")
            .arg(&self.database_url)
            .arg("--bind")
            .arg(self.bind.to_string())
            .env("DANBAO_OPERATOR_TOKEN", OPERATOR)
            .env("DANBAO_SANDBOX", "true")
            .env("DANBAO_DATABASE_POOL", "8")
            .env("DANBAO_RATE_LIMIT", "1000000")
            .env("DANBAO_RATE_LIMIT_ADDRESS", "1000000")
            .env("DANBAO_SIGN_UP_LIMIT", "1000000")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        self.child = Some(child);
        self.starts += 1;
    }

    /// SIGKILL: no shutdown path runs, open transactions die with their connections.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.bind)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_bind() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

async fn wait_until_up(http: &common::Client, url: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(response) = http.get(format!("{url}/health")).send().await
            && response.status().is_success()
        {
            return;
        }
        assert!(Instant::now() < deadline, "{url} did not come up");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn operator(http: &common::Client, url: &str, path: &str) -> (u16, Value) {
    let response = http
        .get(format!("{url}{path}"))
        .bearer_auth(OPERATOR)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn top_up(http: &common::Client, url: &str, handle: &str, minor: i64) {
    let body = json!({"handle": handle, "amount": decimal(minor), "currency": "CNY"});
    let response = http
        .post(format!("{url}/v1/sandbox/top-ups"))
        .bearer_auth(OPERATOR)
        .header("Idempotency-Key", next_key())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[derive(Debug, Clone)]
struct Sent {
    from: usize,
    to: usize,
    amount: i64,
    key: String,
}

#[derive(Default)]
struct Record {
    acked: Vec<(Sent, String)>,
    refused: usize,
    unknown: Vec<Sent>,
    /// Keys sent to both instances at once.
    doubled: usize,
}

struct Clients {
    /// Each user's device, once per instance.
    wallets: Vec<[Wallet; 2]>,
    handles: Vec<String>,
    record: Mutex<Record>,
}

impl Clients {
    async fn send(&self, sent: &Sent, instance: usize) -> Option<(u16, Value)> {
        let wallet = &self.wallets[sent.from][instance];
        let body =
            json!({"to": self.handles[sent.to], "amount": decimal(sent.amount), "currency": "CNY"})
                .to_string()
                .into_bytes();
        let request = wallet
            .signed(
                &wallet.device,
                "POST",
                "/v1/transfers",
                body,
                Some(&sent.key),
                &fresh_nonce(),
                unix_now(),
            )
            .timeout(Duration::from_secs(15));
        let response = request.send().await.ok()?;
        let status = response.status().as_u16();
        let text = response.text().await.ok()?;
        Some((status, serde_json::from_str(&text).ok()?))
    }

    fn note(&self, sent: Sent, answer: Option<(u16, Value)>) {
        let mut record = self.record.lock().unwrap();
        match answer {
            Some((200, answer)) => {
                let id = answer["transfer_id"].as_str().unwrap().to_owned();
                record.acked.push((sent, id));
            }
            Some((422, answer)) if answer["code"] == "insufficient_funds" => record.refused += 1,
            Some((status, _)) if status >= 500 => record.unknown.push(sent),
            None => record.unknown.push(sent),
            Some(other) => panic!("unexpected answer {other:?}"),
        }
    }

    async fn run(self: Arc<Self>, from: usize, seed: u64, stop: Arc<AtomicBool>) {
        let mut rng = Rng::new(seed);
        while !stop.load(Ordering::SeqCst) {
            let mut to = rng.below(USERS as u64 - 1) as usize;
            if to >= from {
                to += 1;
            }
            let amount = if rng.percent(5) {
                rng.between(50_000, 500_000)
            } else {
                rng.between(1, 3_000)
            };
            let sent = Sent {
                from,
                to,
                amount,
                key: next_key(),
            };
            if rng.percent(20) {
                // The same request, same key, to both instances at once.
                let (first, second) = tokio::join!(self.send(&sent, 0), self.send(&sent, 1));
                self.record.lock().unwrap().doubled += 1;
                let answer = match (first, second) {
                    (Some(a), Some(b)) if a.0 < 500 && b.0 < 500 => {
                        assert_eq!(a, b, "one key on two instances got two answers");
                        Some(a)
                    }
                    (Some(a), _) if a.0 < 500 => Some(a),
                    (_, Some(b)) if b.0 < 500 => Some(b),
                    _ => None,
                };
                self.note(sent, answer);
            } else {
                let instance = rng.below(2) as usize;
                let answer = self.send(&sent, instance).await;
                let failed = answer.is_none();
                self.note(sent, answer);
                if failed {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }
    }
}

async fn outgoing(wallet: &Wallet) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for item in wallet.all_activity().await {
        let data = &item["data"];
        if data["direction"] == "out" && data["type"] == "p2p" {
            *seen
                .entry(data["transfer_id"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
    }
    seen
}

async fn invariants_hold(http: &common::Client, urls: &[String], round: usize) -> Value {
    let mut last = Value::Null;
    for url in urls {
        let (status, checked) = operator(http, url, "/v1/admin/invariants").await;
        assert_eq!(
            (status, &checked["ok"]),
            (200, &json!(true)),
            "round {round} on {url}: {checked}"
        );
        last = checked;
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_survive_sigkills_and_one_key_has_one_effect() {
    if !common::on_postgres() {
        eprintln!("skipped: DANBAO_TEST_DATABASE_URL is not set (the PostgreSQL pass runs it)");
        return;
    }
    let seed = Rng::seed_from_env("INSTANCES_SEED");
    println!("instances test seed: {seed} (INSTANCES_SEED={seed} replays the choices)");
    let started = Instant::now();
    let mut rng = Rng::new(seed);
    let database_url = common::fresh_database();
    let logs = tempfile::tempdir().unwrap();
    let mut instances: Vec<Instance> = (0..2)
        .map(|name| Instance {
            child: None,
            bind: free_bind(),
            database_url: database_url.clone(),
            logs: logs.path().to_path_buf(),
            name,
            starts: 0,
        })
        .collect();
    let http = common::Client::new();
    // Both start at once: one runs the migrations and makes the keys, the other waits.
    for instance in &mut instances {
        instance.spawn();
    }
    let urls: Vec<String> = instances.iter().map(Instance::url).collect();
    for url in &urls {
        wait_until_up(&http, url).await;
    }

    let mut wallets = Vec::new();
    let mut handles = Vec::new();
    for i in 0..USERS {
        let handle = format!("inst{i}");
        // Sign up on one instance, top up on the other.
        let wallet = sign_up_at(&urls[i % 2], &http, &handle, &format!("Inst {i}")).await;
        top_up(&http, &urls[(i + 1) % 2], &handle, OPENING_MINOR).await;
        wallets.push([wallet.at(&urls[0]), wallet.at(&urls[1])]);
        handles.push(handle);
    }
    let clients = Arc::new(Clients {
        wallets,
        handles,
        record: Mutex::default(),
    });
    let mut expected = [OPENING_MINOR; USERS];
    let mut owed: Vec<HashSet<String>> = vec![HashSet::new(); USERS];
    let (mut acked_total, mut unknown_total, mut doubled_total) = (0, 0, 0);

    for round in 0..ROUNDS {
        let stop = Arc::new(AtomicBool::new(false));
        let tasks: Vec<_> = (0..USERS)
            .map(|i| tokio::spawn(clients.clone().run(i, rng.next_u64(), stop.clone())))
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.between(300, 1_200) as u64)).await;
        // Each instance is killed at least once; then either.
        let victim = if round < 2 {
            round
        } else {
            rng.below(2) as usize
        };
        instances[victim].kill();
        // The other instance keeps serving; clients of the dead one get no answer.
        tokio::time::sleep(Duration::from_millis(rng.between(100, 600) as u64)).await;
        instances[victim].spawn();
        wait_until_up(&http, &urls[victim]).await;
        tokio::time::sleep(Duration::from_millis(rng.between(100, 400) as u64)).await;
        stop.store(true, Ordering::SeqCst);
        for task in tasks {
            task.await.unwrap();
        }

        let record = std::mem::take(&mut *clients.record.lock().unwrap());
        assert!(
            !record.acked.is_empty(),
            "round {round}: nothing acknowledged"
        );
        for (sent, id) in &record.acked {
            expected[sent.from] -= sent.amount;
            expected[sent.to] += sent.amount;
            owed[sent.from].insert(id.clone());
        }
        acked_total += record.acked.len();
        doubled_total += record.doubled;

        for (i, wallet) in clients.wallets.iter().enumerate() {
            let seen = outgoing(&wallet[0]).await;
            for id in &owed[i] {
                assert_eq!(
                    seen.get(id),
                    Some(&1),
                    "round {round}: acknowledged transfer {id} of {}",
                    clients.handles[i]
                );
            }
        }
        invariants_hold(&http, &urls, round).await;

        // Retry every unknown outcome with its key, on a random instance, twice.
        for sent in &record.unknown {
            let id = danbao_server::service::ledger::transfer_id(
                clients.wallets[sent.from][0].user_id,
                &sent.key,
                "p2p",
            );
            let id = format!("{:032x}", id.0);
            let answer = clients
                .send(sent, rng.below(2) as usize)
                .await
                .expect("a live instance answers");
            let again = clients
                .send(sent, rng.below(2) as usize)
                .await
                .expect("a live instance answers");
            assert_eq!(answer, again, "two retries got two answers");
            match answer.0 {
                200 => {
                    assert_eq!(answer.1["transfer_id"], id.as_str());
                    expected[sent.from] -= sent.amount;
                    expected[sent.to] += sent.amount;
                    owed[sent.from].insert(id);
                }
                422 if answer.1["code"] == "insufficient_funds" => {}
                _ => panic!("unexpected retry answer {answer:?}"),
            }
        }
        unknown_total += record.unknown.len();

        for (i, wallet) in clients.wallets.iter().enumerate() {
            let seen = outgoing(&wallet[(i + round) % 2]).await;
            assert!(
                seen.values().all(|count| *count == 1),
                "round {round}: a transfer of {} appears twice",
                clients.handles[i]
            );
            let ids: HashSet<String> = seen.into_keys().collect();
            assert_eq!(
                ids, owed[i],
                "round {round}: outgoing transfers of {}",
                clients.handles[i]
            );
            let available = wallet[i % 2].available("CNY").await;
            assert_eq!(
                available, expected[i],
                "round {round}: balance of {}",
                clients.handles[i]
            );
            assert!(available >= 0, "a negative balance");
        }
        let checked = invariants_hold(&http, &urls, round).await;
        assert_eq!(
            expected.iter().sum::<i64>(),
            OPENING_MINOR * USERS as i64,
            "money was created or lost"
        );
        println!(
            "round {round}: killed instance {victim}; {} acknowledged, {} refused, {} unknown, \
             {} keys sent to both; journal {}",
            record.acked.len(),
            record.refused,
            record.unknown.len(),
            record.doubled,
            checked["transfers"]
        );
    }
    assert!(doubled_total > 0, "no key was sent to both instances");
    println!(
        "instances test: {ROUNDS} SIGKILLs over two instances, {acked_total} acknowledged \
         transfers all present once, {unknown_total} unknown outcomes retried once, \
         {doubled_total} keys sent to both instances at once, invariants held; {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
