//! The crash test: the real `danbao-server` binary runs on a SQLite file while clients send
//! P2P transfers; it is killed with SIGKILL at random moments and restarted on the same file.
//!
//! Clients record every request that was acknowledged (a 200 answer) and every request whose
//! outcome they cannot know (the connection dropped, or the server was down). After each
//! restart:
//! - every acknowledged transfer is in its payer's activity, exactly once;
//! - the invariants hold (the journal replays to the stored balances, totals conserved);
//! - retrying every unknown-outcome request with its Idempotency-Key (re-signed with a fresh
//!   nonce) completes it exactly once: a retry of a request that had committed returns the
//!   stored answer, one that had not now runs, and every balance equals what the answers imply.
//!
//! `CRASH_SEED=<n>` replays the random choices (the seed is printed).

mod common;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Rng, Wallet, decimal, fresh_nonce, next_key, sign_up_at, unix_now};
use serde_json::{Value, json};

const OPERATOR: &str = "crash-test-operator-token";
const USERS: usize = 8;
const KILLS: usize = 6;
const OPENING_MINOR: i64 = 100_000;

/// The server as a child process on a fixed port and database file.
struct Process {
    child: Option<Child>,
    bind: SocketAddr,
    dir: tempfile::TempDir,
    starts: usize,
}

impl Process {
    fn spawn(&mut self) {
        let log =
            std::fs::File::create(self.dir.path().join(format!("server-{}.log", self.starts)))
                .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_danbao-server"));
        // On PostgreSQL (DANBAO_TEST_DATABASE_URL) every start uses the database recorded
        // in the directory, like the SQLite file.
        if let Some(url) = common::config_in(&self.dir).database_url {
            command.arg("--database-url").arg(url.expose());
        }
        let child = command
            .arg("--db")
            .arg(self.dir.path().join("danbao.db"))
            .arg("--bind")
            .arg(self.bind.to_string())
            .env("DANBAO_OPERATOR_TOKEN", OPERATOR)
            .env("DANBAO_SANDBOX", "true")
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

    /// SIGKILL (what `Child::kill` sends on Unix): no shutdown path runs.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.bind)
    }

    fn log(&self) -> String {
        self.log_of(self.starts - 1)
    }

    /// What the `start`th process (from 0) logged.
    fn log_of(&self, start: usize) -> String {
        let path = self.dir.path().join(format!("server-{start}.log"));
        std::fs::read_to_string(path).unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn wait_until_up(http: &common::Client, process: &Process) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(response) = http.get(format!("{}/health", process.url())).send().await
            && response.status().is_success()
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not come up: {}",
            process.log()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn operator(http: &common::Client, url: &str, method: &str, path: &str) -> (u16, Value) {
    let response = http
        .request(method.parse().unwrap(), format!("{url}{path}"))
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

/// One P2P request as the client made it: enough to retry it byte for byte (bar the nonce).
#[derive(Debug, Clone)]
struct Sent {
    from: usize,
    to: usize,
    amount: i64,
    key: String,
}

impl Sent {
    fn body(&self, handles: &[String]) -> Vec<u8> {
        json!({"to": handles[self.to], "amount": decimal(self.amount), "currency": "CNY"})
            .to_string()
            .into_bytes()
    }
}

#[derive(Default)]
struct Record {
    /// Answered 200: (request, transfer id).
    acked: Vec<(Sent, String)>,
    /// Answered 422 insufficient_funds: no effect.
    refused: usize,
    /// No answer: the connection failed or dropped.
    unknown: Vec<Sent>,
}

struct Clients {
    wallets: Vec<Wallet>,
    handles: Vec<String>,
    record: Mutex<Record>,
}

impl Clients {
    /// Sends `sent` signed with a fresh nonce; `None` when no answer came back.
    async fn send(&self, sent: &Sent) -> Option<(u16, Value)> {
        let wallet = &self.wallets[sent.from];
        let request = wallet
            .signed(
                &wallet.device,
                "POST",
                "/v1/transfers",
                sent.body(&self.handles),
                Some(&sent.key),
                &fresh_nonce(),
                unix_now(),
            )
            .timeout(Duration::from_secs(10));
        let response = request.send().await.ok()?;
        let status = response.status().as_u16();
        let text = response.text().await.ok()?;
        Some((status, serde_json::from_str(&text).ok()?))
    }

    /// Sends transfers from user `from` until `stop`.
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
            match self.send(&sent).await {
                Some((200, answer)) => {
                    let id = answer["transfer_id"].as_str().unwrap().to_owned();
                    self.record.lock().unwrap().acked.push((sent, id));
                }
                Some((422, answer)) if answer["code"] == "insufficient_funds" => {
                    self.record.lock().unwrap().refused += 1;
                }
                // A storage error answers 5xx: nothing of the batch is durable; retry later.
                Some((status, _)) if status >= 500 => {
                    self.record.lock().unwrap().unknown.push(sent);
                }
                Some(other) => panic!("unexpected answer {other:?}"),
                None => {
                    self.record.lock().unwrap().unknown.push(sent);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }
    }
}

/// Outgoing P2P transfer ids in a user's activity, with how often each appears.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_transfers_survive_sigkill_and_retries_complete_once() {
    let seed = Rng::seed_from_env("CRASH_SEED");
    println!("crash test seed: {seed} (CRASH_SEED={seed} replays the choices)");
    let started = Instant::now();
    let mut rng = Rng::new(seed);
    let bind = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut process = Process {
        child: None,
        bind,
        dir: tempfile::tempdir().unwrap(),
        starts: 0,
    };
    let http = common::Client::new();
    process.spawn();
    wait_until_up(&http, &process).await;
    let url = process.url();

    let mut wallets = Vec::new();
    let mut handles = Vec::new();
    for i in 0..USERS {
        let handle = format!("crash{i}");
        wallets.push(sign_up_at(&url, &http, &handle, &format!("Crash {i}")).await);
        top_up(&http, &url, &handle, OPENING_MINOR).await;
        handles.push(handle);
    }
    let clients = Arc::new(Clients {
        wallets,
        handles,
        record: Mutex::default(),
    });
    // Expected available balance per user, from answers only.
    let mut expected = [OPENING_MINOR; USERS];
    // Transfer ids each payer's activity must hold exactly once.
    let mut owed: Vec<HashSet<String>> = vec![HashSet::new(); USERS];
    let (mut acked_total, mut unknown_total, mut unknown_committed) = (0, 0, 0);

    for kill in 0..KILLS {
        // Load, then SIGKILL at a random moment while the clients keep sending.
        let stop = Arc::new(AtomicBool::new(false));
        let tasks: Vec<_> = (0..USERS)
            .map(|i| tokio::spawn(clients.clone().run(i, rng.next_u64(), stop.clone())))
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.between(300, 1_500) as u64)).await;
        process.kill();
        // Clients keep trying against the dead server for a moment (those are unknown too).
        tokio::time::sleep(Duration::from_millis(rng.between(0, 100) as u64)).await;
        stop.store(true, Ordering::SeqCst);
        for task in tasks {
            task.await.unwrap();
        }
        process.spawn();
        wait_until_up(&http, &process).await;

        let record = std::mem::take(&mut *clients.record.lock().unwrap());
        assert!(
            !record.acked.is_empty(),
            "round {kill}: no transfer was acknowledged before the kill ({} unknown); the \
             killed server logged:\n{}",
            record.unknown.len(),
            process.log_of(process.starts - 2)
        );
        for (sent, id) in &record.acked {
            expected[sent.from] -= sent.amount;
            expected[sent.to] += sent.amount;
            owed[sent.from].insert(id.clone());
        }
        acked_total += record.acked.len();

        // Every acknowledged transfer survived, exactly once.
        let mut before_retry = Vec::new();
        for (i, wallet) in clients.wallets.iter().enumerate() {
            let seen = outgoing(wallet).await;
            for id in &owed[i] {
                assert_eq!(
                    seen.get(id),
                    Some(&1),
                    "round {kill}: acknowledged transfer {id} of {} after restart",
                    clients.handles[i]
                );
            }
            before_retry.push(seen);
        }
        let (status, checked) = operator(&http, &url, "GET", "/v1/admin/invariants").await;
        assert_eq!(
            (status, &checked["ok"]),
            (200, &json!(true)),
            "round {kill}: {checked}"
        );

        // Retry every unknown-outcome request with its key and a fresh nonce.
        for sent in &record.unknown {
            let wallet = &clients.wallets[sent.from];
            let id = danbao_server::service::ledger::transfer_id(wallet.user_id, &sent.key, "p2p");
            let id = format!("{:032x}", id.0);
            let committed = before_retry[sent.from].contains_key(&id);
            let answer = clients
                .send(sent)
                .await
                .expect("the restarted server answers");
            let again = clients
                .send(sent)
                .await
                .expect("the restarted server answers");
            assert_eq!(answer, again, "a second retry got another answer");
            match answer.0 {
                200 => {
                    assert_eq!(answer.1["transfer_id"], id.as_str());
                    expected[sent.from] -= sent.amount;
                    expected[sent.to] += sent.amount;
                    owed[sent.from].insert(id);
                    unknown_committed += usize::from(committed);
                }
                422 if answer.1["code"] == "insufficient_funds" => {
                    assert!(!committed, "a refused retry's transfer {id} exists");
                }
                _ => panic!("unexpected retry answer {answer:?}"),
            }
        }
        unknown_total += record.unknown.len();

        // Each transfer exactly once, nothing else, and balances as the answers imply.
        for (i, wallet) in clients.wallets.iter().enumerate() {
            let seen = outgoing(wallet).await;
            assert!(
                seen.values().all(|count| *count == 1),
                "round {kill}: a transfer of {} appears twice",
                clients.handles[i]
            );
            let ids: HashSet<String> = seen.into_keys().collect();
            assert_eq!(
                ids, owed[i],
                "round {kill}: outgoing transfers of {} differ from the answers",
                clients.handles[i]
            );
            assert_eq!(
                wallet.available("CNY").await,
                expected[i],
                "round {kill}: balance of {}",
                clients.handles[i]
            );
        }
        let (status, checked) = operator(&http, &url, "GET", "/v1/admin/invariants").await;
        assert_eq!(
            (status, &checked["ok"]),
            (200, &json!(true)),
            "round {kill}: {checked}"
        );
        assert_eq!(
            expected.iter().sum::<i64>(),
            OPENING_MINOR * USERS as i64,
            "money was created or lost"
        );
        println!(
            "round {kill}: {} acknowledged, {} refused, {} unknown before the kill; journal {}",
            record.acked.len(),
            record.refused,
            record.unknown.len(),
            checked["transfers"]
        );
    }
    assert!(
        unknown_total > 0,
        "no request was in flight at any kill: the test did not test the crash window"
    );
    println!(
        "crash test: {KILLS} SIGKILLs, {acked_total} acknowledged transfers all present, \
         {unknown_total} unknown-outcome requests retried ({unknown_committed} had committed \
         before the kill, the rest ran on retry), invariants held; {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
