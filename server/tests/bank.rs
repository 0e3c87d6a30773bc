//! The bank test, in the Jepsen style: many concurrent clients move money at random — P2P
//! transfers, withdrawals, operator top-ups, escrow orders — while also resending requests
//! (concurrent duplicates under one Idempotency-Key, retries re-signed with a fresh nonce,
//! verbatim replays, a key reused for another request). A checker reads the invariants while
//! the run goes on; every read must find the totals conserved and no wallet negative.
//!
//! Afterwards every user's balance must equal what the acknowledged (200) answers imply, each
//! acknowledged transfer must appear exactly once in the payer's activity, and the money users
//! hold plus what was withdrawn must equal what was topped up.
//!
//! Every seller pays the platform fee [`FEE`] on each release and on each merchant payment (a
//! scanned merchant code, issue 15): the fee moves to the platform's revenue account in the
//! release's or the payment's transaction, and the totals must still add up to the cent.
//!
//! `BANK_SEED=<n>` replays a run's random choices (the seed is printed).

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{Rng, Server, decimal, fresh_nonce, next_key, unix_now};
use danbao_domain::money::Currency;
use danbao_server::store::{AccountKind, Store};
use serde_json::{Value, json};

/// Concurrent clients, each with its own user, wallet and device key.
const CLIENTS: usize = 16;
/// Logical operations per client (each may send several HTTP requests).
const OPS_PER_CLIENT: usize = 626;
/// What every user is topped up with before the run, in minor units (1,000.00 CNY).
const OPENING_MINOR: i64 = 100_000;
const CURRENCY: &str = "CNY";

/// The platform fee every seller pays on a release: 1 % + 0.10, at least 0.20, at most 5.00.
fn fee_schedule() -> danbao_domain::fees::FeeSchedule {
    danbao_domain::fees::FeeSchedule {
        currency: Currency::from_code(CURRENCY).unwrap(),
        basis_points: 100,
        fixed_minor: 10,
        min_minor: Some(20),
        max_minor: Some(500),
    }
}

/// What the clients learned from acknowledged answers.
struct Book {
    server: Arc<Server>,
    wallets: Vec<common::Wallet>,
    handles: Vec<String>,
    /// Expected available balance per client, from acknowledged answers only.
    expected: Vec<AtomicI64>,
    topped_up: AtomicI64,
    withdrawn: AtomicI64,
    /// Platform fees of acknowledged releases and merchant payments.
    fees: AtomicI64,
    /// (payer index, transfer id) of every acknowledged P2P transfer and withdrawal.
    acked: std::sync::Mutex<Vec<(usize, String)>>,
    ops: AtomicU64,
    requests: AtomicU64,
    refusals: AtomicU64,
    escrow_orders: AtomicU64,
    merchant_payments: AtomicU64,
    escrow_available: bool,
}

fn code(answer: &(u16, Value)) -> &str {
    answer.1["code"].as_str().unwrap_or("")
}

impl Book {
    fn count(&self, requests: u64) {
        self.requests.fetch_add(requests, Ordering::Relaxed);
    }

    /// Books one P2P answer: a 200 moves `amount` from `from` to `to`; an overdraft refusal
    /// moves nothing; anything else fails the test.
    fn p2p_answer(&self, from: usize, to: usize, amount: i64, answer: &(u16, Value)) {
        match answer.0 {
            200 => {
                assert_eq!(answer.1["amount"]["minor"], amount, "{}", answer.1);
                assert!(
                    answer.1["balance"]["available"]["minor"].as_i64().unwrap() >= 0,
                    "a wallet went negative: {}",
                    answer.1
                );
                self.expected[from].fetch_sub(amount, Ordering::SeqCst);
                self.expected[to].fetch_add(amount, Ordering::SeqCst);
                let id = answer.1["transfer_id"].as_str().unwrap().to_owned();
                self.acked.lock().unwrap().push((from, id));
            }
            422 if code(answer) == "insufficient_funds" => {
                self.refusals.fetch_add(1, Ordering::Relaxed);
            }
            _ => panic!("unexpected P2P answer {answer:?}"),
        }
    }

    fn p2p_body(&self, to: usize, amount: i64) -> Value {
        json!({"to": self.handles[to], "amount": decimal(amount), "currency": CURRENCY,
               "memo": "bank test"})
    }

    /// A P2P transfer sent once.
    async fn transfer(&self, rng: &mut Rng, from: usize) {
        let to = other(rng, from);
        let amount = amount(rng);
        let answer = self.wallets[from]
            .post("/v1/transfers", &self.p2p_body(to, amount))
            .await;
        self.count(1);
        self.p2p_answer(from, to, amount, &answer);
    }

    /// The same request under one key, sent 2–4 times at once (each re-signed with its own
    /// nonce): every answer is the first answer, and the money moves once.
    async fn concurrent_duplicates(self: &Arc<Self>, rng: &mut Rng, from: usize) {
        let to = other(rng, from);
        let amount = amount(rng);
        let key = next_key();
        let body = self.p2p_body(to, amount);
        let copies = rng.between(2, 4) as usize;
        let mut tasks = Vec::new();
        for _ in 0..copies {
            let (book, key, body) = (self.clone(), key.clone(), body.clone());
            tasks.push(tokio::spawn(async move {
                book.wallets[from]
                    .call("POST", "/v1/transfers", Some(&body), Some(&key))
                    .await
            }));
        }
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.unwrap());
        }
        self.count(copies as u64);
        assert!(
            answers.iter().all(|a| *a == answers[0]),
            "concurrent duplicates answered differently: {answers:?}"
        );
        self.p2p_answer(from, to, amount, &answers[0]);
    }

    /// A request, then 1–2 retries re-signed with a fresh nonce and the same key (the client
    /// did not see the first answer): each retry gets the first answer byte for byte.
    async fn retries(&self, rng: &mut Rng, from: usize) {
        let to = other(rng, from);
        let amount = amount(rng);
        let key = next_key();
        let body = self.p2p_body(to, amount);
        let wallet = &self.wallets[from];
        let first = wallet
            .call("POST", "/v1/transfers", Some(&body), Some(&key))
            .await;
        let retries = rng.between(1, 2);
        for _ in 0..retries {
            let again = wallet
                .call("POST", "/v1/transfers", Some(&body), Some(&key))
                .await;
            assert_eq!(again, first, "a retry got another answer");
        }
        self.count(1 + retries as u64);
        self.p2p_answer(from, to, amount, &first);
    }

    /// A request replayed verbatim (same nonce): the replay is refused and moves nothing.
    /// Then the key is reused for another amount: refused as a reused key.
    async fn replay_and_key_reuse(&self, rng: &mut Rng, from: usize) {
        let to = other(rng, from);
        let amount = amount(rng);
        let key = next_key();
        let body = self.p2p_body(to, amount).to_string().into_bytes();
        let (nonce, timestamp) = (fresh_nonce(), unix_now());
        let wallet = &self.wallets[from];
        let send = || {
            wallet.signed(
                &wallet.device,
                "POST",
                "/v1/transfers",
                body.clone(),
                Some(&key),
                &nonce,
                timestamp,
            )
        };
        let first = response(send().send().await.unwrap()).await;
        let replay = response(send().send().await.unwrap()).await;
        assert_eq!(
            (replay.0, code(&replay)),
            (401, "replayed_request"),
            "{replay:?}"
        );
        let other_body = self.p2p_body(to, amount + 1);
        let reused = wallet
            .call("POST", "/v1/transfers", Some(&other_body), Some(&key))
            .await;
        assert_eq!(
            (reused.0, code(&reused)),
            (422, "idempotency_key_reused"),
            "{reused:?}"
        );
        self.count(3);
        self.p2p_answer(from, to, amount, &first);
    }

    /// A withdrawal, sometimes retried.
    async fn withdraw(&self, rng: &mut Rng, from: usize) {
        let amount = rng.between(1, 500);
        let key = next_key();
        let body = json!({"amount": decimal(amount), "currency": CURRENCY});
        let wallet = &self.wallets[from];
        let answer = wallet
            .call("POST", "/v1/withdrawals", Some(&body), Some(&key))
            .await;
        let mut requests = 1;
        if rng.percent(30) {
            let again = wallet
                .call("POST", "/v1/withdrawals", Some(&body), Some(&key))
                .await;
            assert_eq!(again, answer, "a retried withdrawal got another answer");
            requests += 1;
        }
        self.count(requests);
        match answer.0 {
            200 => {
                assert_eq!(answer.1["amount"]["minor"], amount);
                self.expected[from].fetch_sub(amount, Ordering::SeqCst);
                self.withdrawn.fetch_add(amount, Ordering::SeqCst);
                let id = answer.1["transfer_id"].as_str().unwrap().to_owned();
                self.acked.lock().unwrap().push((from, id));
            }
            422 if code(&answer) == "insufficient_funds" => {
                self.refusals.fetch_add(1, Ordering::Relaxed);
            }
            _ => panic!("unexpected withdrawal answer {answer:?}"),
        }
    }

    /// An operator top-up of a random user, its key sent twice at once.
    async fn top_up(&self, rng: &mut Rng) {
        let to = rng.below(CLIENTS as u64) as usize;
        let amount = rng.between(100, 5_000);
        let key = next_key();
        let body = json!({"handle": self.handles[to], "amount": decimal(amount),
                          "currency": CURRENCY});
        let path = "/v1/sandbox/top-ups";
        let (a, b) = tokio::join!(
            self.server.operator("POST", path, Some(&body), Some(&key)),
            self.server.operator("POST", path, Some(&body), Some(&key)),
        );
        self.count(2);
        assert_eq!(a, b, "duplicate top-ups answered differently");
        assert_eq!(a.0, 200, "{a:?}");
        self.expected[to].fetch_add(amount, Ordering::SeqCst);
        self.topped_up.fetch_add(amount, Ordering::SeqCst);
    }

    /// One escrow order between `buyer` and a random seller: create, pay (a hold), then either
    /// ship + confirm (the hold is posted to the seller) or cancel (the hold is voided); an
    /// order the buyer cannot afford is cancelled unpaid. Half of the steps are retried under
    /// their key, and the retry must get the first answer.
    async fn escrow(&self, rng: &mut Rng, buyer: usize) {
        let seller = other(rng, buyer);
        let amount = amount(rng);
        let (s, b) = (&self.wallets[seller], &self.wallets[buyer]);
        let mut requests = 0;
        let mut act = async |wallet, path: String, body: Value, rng: &mut Rng| {
            let (answer, sent) = step(wallet, path, body, rng.percent(50)).await;
            requests += sent;
            answer
        };
        let body = json!({"title": "bank test item", "amount": decimal(amount),
                          "currency": CURRENCY, "buyer": self.handles[buyer]});
        let created = act(s, "/v1/orders".to_owned(), body, rng).await;
        assert_eq!(created.0, 201, "order create: {created:?}");
        let id = created.1["order"]["id"].as_str().unwrap().to_owned();
        let paid = act(b, format!("/v1/orders/{id}/pay"), json!({}), rng).await;
        match paid.0 {
            200 => {
                assert_eq!(paid.1["state"], "paid", "{paid:?}");
                self.expected[buyer].fetch_sub(amount, Ordering::SeqCst);
                if rng.percent(75) {
                    let tracking = format!("SF{}", rng.next_u64());
                    let ship = json!({"carrier": "SF Express", "tracking": tracking});
                    let shipped = act(s, format!("/v1/orders/{id}/ship"), ship, rng).await;
                    assert_eq!(shipped.0, 200, "ship: {shipped:?}");
                    let path = format!("/v1/orders/{id}/confirm");
                    let confirmed = act(b, path, json!({}), rng).await;
                    assert_eq!(confirmed.0, 200, "confirm: {confirmed:?}");
                    assert_eq!(confirmed.1["state"], "completed", "{confirmed:?}");
                    assert_eq!(confirmed.1["released"]["minor"], amount, "{confirmed:?}");
                    let gross = danbao_domain::money::Money::from_minor(
                        amount,
                        Currency::from_code(CURRENCY).unwrap(),
                    );
                    self.book_fee(seller, gross);
                } else {
                    let path = format!("/v1/orders/{id}/cancel");
                    let cancelled = act(b, path, json!({}), rng).await;
                    assert_eq!(cancelled.0, 200, "cancel after pay: {cancelled:?}");
                    assert_eq!(cancelled.1["state"], "refunded", "{cancelled:?}");
                    self.expected[buyer].fetch_add(amount, Ordering::SeqCst);
                }
            }
            422 if code(&paid) == "insufficient_funds" => {
                self.refusals.fetch_add(1, Ordering::Relaxed);
                let path = format!("/v1/orders/{id}/cancel");
                let cancelled = act(s, path, json!({}), rng).await;
                assert_eq!(cancelled.0, 200, "cancel unpaid: {cancelled:?}");
                assert_eq!(cancelled.1["state"], "cancelled", "{cancelled:?}");
            }
            _ => panic!("unexpected pay answer {paid:?}"),
        }
        self.count(requests);
        self.escrow_orders.fetch_add(1, Ordering::Relaxed);
    }
}

impl Book {
    /// Books `gross` to `seller` less the platform fee.
    fn book_fee(&self, seller: usize, gross: danbao_domain::money::Money) {
        let split = fee_schedule().apply(gross).unwrap();
        self.expected[seller].fetch_add(split.net.minor(), Ordering::SeqCst);
        self.fees.fetch_add(split.fee.minor(), Ordering::SeqCst);
    }

    /// A buyer pays a merchant code the seller issued (half of the payments retried under
    /// their key): the seller receives the amount less the platform fee, charged once.
    async fn merchant_payment(&self, rng: &mut Rng, buyer: usize) {
        let seller = other(rng, buyer);
        let amount = amount(rng);
        let issue = json!({"kind": "merchant", "amount": decimal(amount), "currency": CURRENCY});
        let (status, issued) = self.wallets[seller].post("/v1/codes", &issue).await;
        assert_eq!(status, 201, "merchant code: {issued}");
        let body = json!({"code": issued["code"], "memo": "bank test"});
        let retry = rng.percent(50);
        let (paid, sent) = step(&self.wallets[buyer], "/v1/payments".to_owned(), body, retry).await;
        self.count(sent + 1);
        match paid.0 {
            200 => {
                assert_eq!(paid.1["amount"]["minor"], amount, "{paid:?}");
                self.expected[buyer].fetch_sub(amount, Ordering::SeqCst);
                let gross = danbao_domain::money::Money::from_minor(
                    amount,
                    Currency::from_code(CURRENCY).unwrap(),
                );
                self.book_fee(seller, gross);
            }
            422 if code(&paid) == "insufficient_funds" => {
                self.refusals.fetch_add(1, Ordering::Relaxed);
            }
            _ => panic!("unexpected merchant payment answer {paid:?}"),
        }
        self.merchant_payments.fetch_add(1, Ordering::Relaxed);
    }
}

/// Sends a signed POST and, if `retry`, again under the same key (re-signed with a fresh
/// nonce), checking the second answer is the first. Returns the answer and the request count.
async fn step(
    wallet: &common::Wallet,
    path: String,
    body: Value,
    retry: bool,
) -> ((u16, Value), u64) {
    let key = next_key();
    let first = wallet.call("POST", &path, Some(&body), Some(&key)).await;
    if !retry {
        return (first, 1);
    }
    let again = wallet.call("POST", &path, Some(&body), Some(&key)).await;
    assert_eq!(again, first, "a retried {path} got another answer");
    (first, 2)
}

async fn response(response: common::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn other(rng: &mut Rng, me: usize) -> usize {
    let pick = rng.below(CLIENTS as u64 - 1) as usize;
    if pick >= me { pick + 1 } else { pick }
}

/// Mostly small amounts (0.01–20.00); one in twenty is large enough to be refused sometimes.
fn amount(rng: &mut Rng) -> i64 {
    if rng.percent(5) {
        rng.between(50_000, 300_000)
    } else {
        rng.between(1, 2_000)
    }
}

async fn client(book: Arc<Book>, index: usize, seed: u64) {
    let mut rng = Rng::new(seed ^ (index as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    for _ in 0..OPS_PER_CLIENT {
        let roll = rng.below(100);
        match roll {
            0..=44 => book.transfer(&mut rng, index).await,
            45..=54 => book.concurrent_duplicates(&mut rng, index).await,
            55..=64 => book.retries(&mut rng, index).await,
            65..=69 => book.replay_and_key_reuse(&mut rng, index).await,
            70..=79 => book.withdraw(&mut rng, index).await,
            80..=82 => book.top_up(&mut rng).await,
            83..=88 => book.merchant_payment(&mut rng, index).await,
            _ if book.escrow_available => book.escrow(&mut rng, index).await,
            _ => book.transfer(&mut rng, index).await,
        }
        book.ops.fetch_add(1, Ordering::Relaxed);
    }
}

/// Reads the invariants until told to stop: the journal replays to the stored balances, the
/// totals per currency balance to zero, nothing is left pending, and no wallet is negative.
async fn checker(server: Arc<Server>, stop: Arc<AtomicBool>) -> usize {
    let mut reads = 0;
    loop {
        let done = stop.load(Ordering::SeqCst);
        let checked = server.invariants().await;
        assert_eq!(checked["ok"], true, "invariants during the run: {checked}");
        let accounts = server.app.store.read(|tx| tx.all_accounts()).await.unwrap();
        let mut net: HashMap<String, i64> = HashMap::new();
        let mut pending: HashMap<String, i64> = HashMap::new();
        for account in &accounts {
            let b = account.balances;
            let code = account.currency.code().to_owned();
            *net.entry(code.clone()).or_default() += b.credits_posted - b.debits_posted;
            *pending.entry(code).or_default() += b.credits_pending - b.debits_pending;
            if account.no_overdraft {
                assert!(
                    b.available() >= 0,
                    "wallet {} is negative: {b:?}",
                    account.id.0
                );
            }
        }
        assert!(
            net.values()
                .chain(pending.values())
                .all(|total| *total == 0),
            "totals not conserved during the run: posted {net:?}, pending {pending:?}"
        );
        reads += 1;
        if done {
            return reads;
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
}

async fn escrow_routes_exist(server: &Server, wallet: &common::Wallet) -> bool {
    let probe = wallet
        .post(
            "/v1/orders",
            &json!({"title": "probe", "amount": "1.00", "currency": CURRENCY}),
        )
        .await;
    server.invariants().await;
    !(probe.0 == 404 && code(&probe) == "no_such_route")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bank_conserves_money_under_concurrency_duplicates_and_retries() {
    let seed = Rng::seed_from_env("BANK_SEED");
    println!("bank test seed: {seed} (BANK_SEED={seed} replays the choices)");
    let started = Instant::now();
    let server = Arc::new(Server::start().await);
    let mut wallets = Vec::new();
    let mut handles = Vec::new();
    for i in 0..CLIENTS {
        let handle = format!("client{i:02}");
        // Every client is an enrolled merchant too (friends' transfers between them still
        // carry no fee).
        wallets.push(
            server
                .sign_up_merchant(&handle, &format!("Client {i}"))
                .await,
        );
        server
            .top_up(&handle, &decimal(OPENING_MINOR), CURRENCY)
            .await;
        let schedule = fee_schedule();
        let body = json!({"merchant": handle, "currency": CURRENCY,
                          "basis_points": schedule.basis_points,
                          "fixed_minor": schedule.fixed_minor,
                          "min_minor": schedule.min_minor, "max_minor": schedule.max_minor});
        let (status, answer) = server
            .operator("POST", "/v1/admin/fees", Some(&body), None)
            .await;
        assert_eq!(status, 200, "fee schedule: {answer}");
        handles.push(handle);
    }
    let escrow_available = escrow_routes_exist(&server, &wallets[0]).await;
    println!("escrow orders in the mix: {escrow_available}");
    let book = Arc::new(Book {
        server: server.clone(),
        wallets,
        handles,
        expected: (0..CLIENTS)
            .map(|_| AtomicI64::new(OPENING_MINOR))
            .collect(),
        topped_up: AtomicI64::new(OPENING_MINOR * CLIENTS as i64),
        withdrawn: AtomicI64::new(0),
        fees: AtomicI64::new(0),
        acked: Default::default(),
        ops: AtomicU64::new(0),
        requests: AtomicU64::new(0),
        refusals: AtomicU64::new(0),
        escrow_orders: AtomicU64::new(0),
        merchant_payments: AtomicU64::new(0),
        escrow_available,
    });

    let stop = Arc::new(AtomicBool::new(false));
    let checking = tokio::spawn(checker(server.clone(), stop.clone()));
    let run = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| tokio::spawn(client(book.clone(), i, seed)))
        .collect();
    for client in clients {
        client.await.unwrap();
    }
    let run_time = run.elapsed();
    stop.store(true, Ordering::SeqCst);
    let reads = checking.await.unwrap();

    let ops = book.ops.load(Ordering::Relaxed);
    assert!(ops >= 10_000, "only {ops} operations ran");
    assert!(
        reads >= 3,
        "the checker read the invariants only {reads} times during the run"
    );

    // Every balance is what the acknowledged answers imply: duplicates had one effect.
    let mut held = 0;
    for (i, wallet) in book.wallets.iter().enumerate() {
        let (status, balances) = wallet.get("/v1/balances").await;
        assert_eq!(status, 200);
        let cny = balances
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["currency"] == CURRENCY)
            .unwrap();
        assert_eq!(
            cny["available"]["minor"].as_i64().unwrap(),
            book.expected[i].load(Ordering::SeqCst),
            "balance of {} differs from its acknowledged movements",
            book.handles[i]
        );
        held += cny["held_out"]["minor"].as_i64().unwrap();
    }
    assert_eq!(held, 0, "holds left open after every order settled");

    // Users hold what was topped up minus what was withdrawn; the system accounts agree.
    let topped_up = book.topped_up.load(Ordering::SeqCst);
    let withdrawn = book.withdrawn.load(Ordering::SeqCst);
    let fees = book.fees.load(Ordering::SeqCst);
    let held_by_users: i64 = book.expected.iter().map(|e| e.load(Ordering::SeqCst)).sum();
    assert_eq!(held_by_users + fees, topped_up - withdrawn);
    let cny = Currency::from_code(CURRENCY).unwrap();
    let (funding, sink, revenue) = server
        .app
        .store
        .read(move |tx| {
            Ok::<_, danbao_server::store::StoreError>((
                tx.find_account(None, AccountKind::Funding, cny)?,
                // Requested withdrawals wait there until the operator pays them out.
                tx.find_account(None, AccountKind::PayoutsPending, cny)?,
                tx.find_account(None, AccountKind::Revenue, cny)?,
            ))
        })
        .await
        .unwrap();
    let net = |b: danbao_domain::ledger::Balances| b.credits_posted - b.debits_posted;
    assert_eq!(net(funding.unwrap().balances), -topped_up);
    assert_eq!(net(sink.unwrap().balances), withdrawn);
    assert_eq!(
        revenue.map_or(0, |r| net(r.balances)),
        fees,
        "platform revenue"
    );

    // Every acknowledged transfer appears exactly once in its payer's activity, and nothing
    // else left the payer (refused and duplicate requests left no trace).
    let acked = book.acked.lock().unwrap().clone();
    let mut acked_by_payer: Vec<HashSet<String>> = vec![HashSet::new(); CLIENTS];
    for (payer, id) in &acked {
        assert!(
            acked_by_payer[*payer].insert(id.clone()),
            "transfer {id} acknowledged twice"
        );
    }
    for (i, wallet) in book.wallets.iter().enumerate() {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for item in wallet.all_activity().await {
            let data = &item["data"];
            let kind = data["type"].as_str().unwrap_or("");
            if data["direction"] == "out" && (kind == "p2p" || kind == "withdrawal") {
                *seen
                    .entry(data["transfer_id"].as_str().unwrap().to_owned())
                    .or_default() += 1;
            }
        }
        for id in &acked_by_payer[i] {
            assert_eq!(
                seen.get(id).copied(),
                Some(1),
                "acknowledged transfer {id} of {} in its activity",
                book.handles[i]
            );
        }
        assert_eq!(
            seen.len(),
            acked_by_payer[i].len(),
            "{} has outgoing entries nobody acknowledged",
            book.handles[i]
        );
    }

    let checked = server.invariants().await;
    println!(
        "bank test: {CLIENTS} clients, {ops} operations ({} HTTP requests, {} acknowledged \
         transfers/withdrawals, {} refusals, {} escrow orders, {} merchant payments, {fees} minor units of fees) in {:.1} s; {reads} invariant reads \
         during the run; journal {} transfers; total {:.1} s",
        book.requests.load(Ordering::Relaxed),
        acked.len(),
        book.refusals.load(Ordering::Relaxed),
        book.escrow_orders.load(Ordering::Relaxed),
        book.merchant_payments.load(Ordering::Relaxed),
        run_time.as_secs_f64(),
        checked["transfers"],
        started.elapsed().as_secs_f64(),
    );
}
