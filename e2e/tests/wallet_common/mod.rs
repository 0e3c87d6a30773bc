//! Harness of the wallet e2e tests (`wallet_*.rs`): an in-process danbao-server on
//! 127.0.0.1:0 with a temporary SQLite file, a TCP gate in front of it that can go down, come
//! back and lose answers, and phones — a `Wallet` with its own database, key store and a
//! recording change listener — that can be closed and reopened.
#![allow(dead_code)] // each test file uses a different part of the harness

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use danbao_client::api::{self, BalanceView, DeviceApi, Event, OperatorApi, TopUp};
use danbao_client::secrets::{KeyStore, Signer, SoftwareKeyStore, SoftwareSigner};
use danbao_client::store::{CommandState, LocalStore};
use danbao_client::transport::{RetryPolicy, Transport, TransportConfig};
use danbao_client::{
    BalanceLine, Change, ChangeListener, CommandOutcome, Wallet, WalletConfig, WalletOptions,
};
use danbao_domain::money::{Currency, Money};
use danbao_server::{App, Backend, Config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The operator token of `Config::for_tests`.
pub const OPERATOR_TOKEN: &str = "operator-test-token";

/// A running in-process server.
pub struct Server {
    /// `http://127.0.0.1:port`.
    pub url: String,
    /// The server itself (its clock, its store).
    pub app: App<Backend>,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Server {
    /// Starts a server on a fresh SQLite file with the test configuration.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::for_tests(dir.path().join("danbao.db"));
        let app = danbao_server::open(config).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(danbao_server::serve(app.clone(), listener, async {
            let _ = stopped.await;
        }));
        Self {
            url,
            app,
            _dir: dir,
            _stop: stop,
        }
    }

    /// The address, for a gate in front of it.
    pub fn addr(&self) -> SocketAddr {
        self.url.trim_start_matches("http://").parse().unwrap()
    }

    fn transport(&self) -> Transport {
        Transport::with_defaults(TransportConfig::new(self.url.clone())).unwrap()
    }

    /// The operator's API.
    pub fn operator(&self) -> OperatorApi {
        OperatorApi::new(self.transport(), OPERATOR_TOKEN)
    }

    /// Money in from the sandbox funding account.
    pub async fn top_up(&self, handle: &str, amount: &str) {
        self.operator()
            .top_up(
                &TopUp::new(handle, cny(amount)),
                &api::new_idempotency_key().unwrap(),
            )
            .await
            .unwrap_or_else(|e| panic!("top-up of {amount} to {handle}: {e}"));
    }

    /// The operator enrols `handle` as a merchant: only then does it charge payment codes.
    pub async fn enrol_merchant(&self, handle: &str) {
        let profile = self
            .operator()
            .change_merchant(
                handle,
                &api::MerchantChange::new(api::MerchantAction::Enrol),
            )
            .await
            .unwrap_or_else(|e| panic!("enrolling {handle}: {e}"));
        assert!(profile.enabled, "{profile:?}");
    }

    /// Asserts DESIGN.md §3's invariants on the server (conservation, no negative wallet,
    /// pending resolved once, replay equals balances); returns the journal length.
    pub async fn assert_invariants(&self) -> usize {
        let invariants = self.operator().invariants().await.unwrap();
        assert!(invariants.ok, "server invariants: {invariants:?}");
        invariants.transfers
    }

    /// The server-side API of a device whose signer the test holds.
    pub fn device(&self, device_id: i64, signer: Arc<dyn Signer>) -> DeviceApi {
        DeviceApi::new(self.transport(), device_id, signer)
    }
}

/// CNY money from decimal text.
pub fn cny(text: &str) -> Money {
    Money::parse(text, Currency::from_code("CNY").unwrap()).unwrap()
}

// ---- gate ---------------------------------------------------------------------------------

const OPEN: u8 = 0;
/// Forward the request, swallow the server's answer, close the connection.
const LOSE_NEXT_ANSWER: u8 = 1;
/// Like LOSE_NEXT_ANSWER, then the gate goes down (so the transport's own retries fail too).
const LOSE_NEXT_ANSWER_THEN_CLOSE: u8 = 2;
/// Accept connections and forward requests to the server, but never pass an answer back
/// (the request may or may not reach the server: see `forward_requests`).
const HOLD_ANSWERS: u8 = 3;
/// Accept connections, read the request, never forward it, never answer.
const BLACK_HOLE: u8 = 4;

/// A TCP proxy in front of the server: the wallet's "network". It can go down (its port
/// refuses connections and open connections are cut), come back on the same port, lose the
/// next answer after the server applied the request, or hold answers forever (a request in
/// flight when the app is killed).
pub struct Gate {
    addr: SocketAddr,
    upstream: SocketAddr,
    mode: Arc<AtomicU8>,
    accept: Mutex<Option<JoinHandle<()>>>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
    /// Requests that reached the server through the gate (counted per connection chunk).
    pub forwarded: Arc<std::sync::atomic::AtomicUsize>,
    /// Answers (lose and hold modes) and requests (black hole) the gate swallowed.
    pub lost: Arc<std::sync::atomic::AtomicUsize>,
    /// The request line (`POST /v1/payments`) of every HTTP request forwarded to the server,
    /// in order: what a flow costs in round trips.
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl Gate {
    /// A gate in front of `server`, open.
    pub async fn new(server: &Server) -> Arc<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gate = Arc::new(Self {
            addr: listener.local_addr().unwrap(),
            upstream: server.addr(),
            mode: Arc::new(AtomicU8::new(OPEN)),
            accept: Mutex::new(None),
            connections: Arc::new(Mutex::new(Vec::new())),
            forwarded: Default::default(),
            lost: Default::default(),
            requests: Default::default(),
        });
        gate.serve(listener);
        gate
    }

    /// The request lines forwarded since the last call (and forgets them).
    pub fn take_requests(&self) -> Vec<String> {
        std::mem::take(&mut *self.requests.lock().unwrap())
    }

    /// The URL a wallet uses to reach the server through the gate.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Takes the network down: the port stops listening (connection refused: the request
    /// was definitely not applied) and open connections are cut.
    pub fn close(&self) {
        if let Some(accept) = self.accept.lock().unwrap().take() {
            accept.abort();
        }
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }

    /// Whether the gate is listening.
    pub fn is_open(&self) -> bool {
        self.accept.lock().unwrap().is_some()
    }

    /// Brings the network back on the same port, forwarding normally.
    pub async fn open(self: &Arc<Self>) {
        self.close();
        self.mode.store(OPEN, Ordering::SeqCst);
        // The aborted accept task drops its listener soon after; retry until the port is free.
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(listener) => break listener,
                Err(e) => {
                    tries += 1;
                    assert!(
                        tries < 200,
                        "gate cannot listen again on {}: {e}",
                        self.addr
                    );
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        };
        self.serve(listener);
    }

    /// The next answer from the server is lost after the server applied the request; the
    /// connection is closed (the client sees an unknown outcome).
    pub fn lose_next_answer(&self) {
        self.mode.store(LOSE_NEXT_ANSWER, Ordering::SeqCst);
    }

    /// The next answer is lost and then the network goes down, so retries inside the
    /// transport fail too and the command stays in the outbox with an unknown outcome.
    pub fn lose_next_answer_then_close(&self) {
        self.mode
            .store(LOSE_NEXT_ANSWER_THEN_CLOSE, Ordering::SeqCst);
    }

    /// Requests reach the server; answers never come back (until `open`).
    pub fn hold_answers(&self) {
        self.cut_connections();
        self.mode.store(HOLD_ANSWERS, Ordering::SeqCst);
    }

    /// Requests are swallowed: they never reach the server, no answer comes (until `open`).
    pub fn black_hole(&self) {
        self.cut_connections();
        self.mode.store(BLACK_HOLE, Ordering::SeqCst);
    }

    fn cut_connections(&self) {
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }

    fn serve(self: &Arc<Self>, listener: TcpListener) {
        let gate = Arc::downgrade(self);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Some(gate) = gate.upgrade() else { return };
                let connection = tokio::spawn(proxy(client, Arc::downgrade(&gate)));
                gate.connections.lock().unwrap().push(connection);
            }
        });
        *self.accept.lock().unwrap() = Some(task);
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.close();
    }
}

async fn proxy(client: TcpStream, gate: std::sync::Weak<Gate>) {
    let Some((upstream, mode, forwarded, lost, log)) = gate.upgrade().map(|g| {
        (
            g.upstream,
            g.mode.clone(),
            g.forwarded.clone(),
            g.lost.clone(),
            g.requests.clone(),
        )
    }) else {
        return;
    };
    let (mut client_read, mut client_write) = client.into_split();
    if mode.load(Ordering::SeqCst) == BLACK_HOLE {
        let mut sink = vec![0u8; 16 * 1024];
        while let Ok(n) = client_read.read(&mut sink).await {
            if n == 0 {
                break;
            }
            lost.fetch_add(1, Ordering::SeqCst);
        }
        // Keep the connection open (never answered) until the task is aborted.
        std::future::pending::<()>().await;
        return;
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (mut server_read, mut server_write) = server.into_split();
    let counter = forwarded.clone();
    let requests = tokio::spawn(async move {
        let mut buffer = vec![0u8; 64 * 1024];
        let mut lines = RequestLines::default();
        loop {
            let n = match client_read.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            counter.fetch_add(1, Ordering::SeqCst);
            log.lock().unwrap().extend(lines.feed(&buffer[..n]));
            if server_write.write_all(&buffer[..n]).await.is_err() {
                break;
            }
        }
    });
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = match server_read.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        match mode.load(Ordering::SeqCst) {
            HOLD_ANSWERS => {
                lost.fetch_add(1, Ordering::SeqCst);
                continue;
            }
            LOSE_NEXT_ANSWER => {
                mode.store(OPEN, Ordering::SeqCst);
                lost.fetch_add(1, Ordering::SeqCst);
                break;
            }
            LOSE_NEXT_ANSWER_THEN_CLOSE => {
                mode.store(OPEN, Ordering::SeqCst);
                lost.fetch_add(1, Ordering::SeqCst);
                // Down for every connection, pooled ones included.
                if let Some(gate) = gate.upgrade() {
                    gate.close();
                }
                break;
            }
            _ => {}
        }
        if client_write.write_all(&buffer[..n]).await.is_err() {
            break;
        }
    }
    requests.abort();
}

/// Finds the request lines in a connection's bytes (HTTP/1.1, bodies are JSON): each request
/// head holds one `<METHOD> <path> HTTP/1.1\r\n`; the bytes before it on a kept-alive
/// connection are the previous request's body.
#[derive(Default)]
struct RequestLines {
    pending: Vec<u8>,
}

impl RequestLines {
    fn feed(&mut self, bytes: &[u8]) -> Vec<String> {
        const END: &[u8] = b" HTTP/1.1\r\n";
        self.pending.extend_from_slice(bytes);
        let mut found = Vec::new();
        while let Some(at) = self.pending.windows(END.len()).position(|w| w == END) {
            let head = &self.pending[..at];
            let start = [&b"GET /"[..], &b"POST /"[..]]
                .iter()
                .filter_map(|method| head.windows(method.len()).rposition(|w| w == *method))
                .max();
            if let Some(start) = start {
                found.push(String::from_utf8_lossy(&head[start..]).into_owned());
            }
            self.pending.drain(..at + END.len());
        }
        found
    }
}

// ---- phones -------------------------------------------------------------------------------

/// A change listener that records every change it is told about.
#[derive(Default)]
pub struct Recorder {
    changes: Mutex<Vec<Change>>,
}

impl ChangeListener for Recorder {
    fn on_change(&self, change: Change) {
        self.changes.lock().unwrap().push(change);
    }
}

impl Recorder {
    /// Takes the changes recorded so far.
    pub fn take(&self) -> Vec<Change> {
        std::mem::take(&mut *self.changes.lock().unwrap())
    }
}

/// The production options with short network waits, so the offline and lost-answer tests
/// take milliseconds, not seconds (three tries in one attempt, as in production).
pub fn test_options() -> WalletOptions {
    WalletOptions {
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
        },
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        ..WalletOptions::default()
    }
}

/// One phone: a wallet database, a platform key store (software), optionally a platform
/// signer the test also holds (to read the server's view of this user), and a listener.
pub struct Phone {
    /// The open wallet (`None` between `close` and `reopen`).
    pub wallet: Option<Wallet>,
    /// The database file.
    pub db_path: PathBuf,
    /// The server URL the wallet uses (the server or a gate).
    pub server_url: String,
    key_store: Arc<dyn KeyStore>,
    signer: Option<Arc<SoftwareSigner>>,
    /// What the wallet told its listener.
    pub changes: Arc<Recorder>,
    _dir: tempfile::TempDir,
}

impl Phone {
    /// A new phone talking to `server_url`. With `platform_signer` the device key is a
    /// "platform" key the test keeps (like the Android Keystore); without, the wallet keeps a
    /// software key sealed in its store (the CLI's way).
    pub async fn new(server_url: &str, platform_signer: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let signer = platform_signer
            .then(|| Arc::new(SoftwareSigner::generate(&ring::rand::SystemRandom::new()).unwrap()));
        let mut phone = Self {
            wallet: None,
            db_path: dir.path().join("wallet.db"),
            server_url: server_url.to_owned(),
            key_store: Arc::new(SoftwareKeyStore::generate().unwrap()),
            signer,
            changes: Arc::new(Recorder::default()),
            _dir: dir,
        };
        phone.reopen().await;
        phone
    }

    /// A new phone, signed up as `handle` / `name`.
    pub async fn signed_up(server_url: &str, handle: &str, name: &str, platform: bool) -> Self {
        let phone = Self::new(server_url, platform).await;
        let profile = phone
            .w()
            .sign_up(handle, name, "test phone")
            .await
            .unwrap_or_else(|e| panic!("sign-up of {handle}: {e}"));
        assert_eq!(profile.handle, handle);
        assert_eq!(profile.display_name, name);
        assert!(profile.user_id > 0 && profile.device_id > 0, "{profile:?}");
        phone
    }

    /// The open wallet.
    pub fn w(&self) -> &Wallet {
        self.wallet.as_ref().expect("the phone's wallet is closed")
    }

    /// Drops the wallet, as when the app process dies.
    pub fn close(&mut self) {
        self.wallet = None;
    }

    /// Opens the wallet on the same database and key store (the app starting again).
    pub async fn reopen(&mut self) {
        self.wallet = None;
        let config = WalletConfig {
            db_path: self.db_path.clone(),
            server_url: self.server_url.clone(),
            spki_pins: Vec::new(),
            locale: locale().into(),
            utc_offset_minutes: 0,
            time_zone: String::new(),
        };
        let signer = self.signer.clone().map(|s| s as Arc<dyn Signer>);
        let wallet = Wallet::open_with(config, self.key_store.clone(), signer, test_options())
            .await
            .unwrap_or_else(|e| panic!("open {}: {e}", self.db_path.display()));
        wallet.set_listener(Some(self.changes.clone()));
        self.wallet = Some(wallet);
    }

    /// The body of the server's answer to this phone's newest outbox command, read from its
    /// database beside the open wallet (nothing is sending when it is called).
    pub fn newest_answer(&self) -> Option<String> {
        let store = LocalStore::open(&self.db_path, self.key_store.as_ref()).unwrap();
        let newest = store.outbox(1).unwrap();
        newest
            .first()?
            .answer
            .as_ref()
            .map(|answer| answer.body.clone())
    }

    /// Leaves the closed wallet's unfinished commands as a SIGKILL during their send would:
    /// `sending` on disk. (Dropping a `Wallet` in-process runs its drop guards, which put a
    /// cancelled command back to `pending`; a killed process runs nothing.) Returns how many
    /// commands it marked.
    pub fn leave_unfinished_as_sigkill_would(&self) -> usize {
        assert!(self.wallet.is_none(), "close the wallet first");
        let store = LocalStore::open(&self.db_path, self.key_store.as_ref()).unwrap();
        let mut marked = 0;
        for entry in store.unfinished_commands(100).unwrap() {
            if entry.state == CommandState::Pending {
                let sending = store.mark_sending(entry.id, entry.updated_at).unwrap();
                assert_eq!(sending.state, CommandState::Sending);
                marked += 1;
            }
        }
        marked
    }

    /// The server's API for this device (only for phones with a platform signer).
    pub fn server_view(&self, server: &Server) -> DeviceApi {
        let signer = self
            .signer
            .clone()
            .expect("server_view needs a phone made with a platform signer");
        let profile = self.w().profile().unwrap().expect("signed up");
        server.device(profile.device_id, signer)
    }

    /// Syncs and returns the cached CNY balance line.
    pub async fn synced_cny(&self) -> BalanceLine {
        self.w().sync().await.unwrap();
        self.cny()
    }

    /// The cached CNY balance line (zero line when none cached).
    pub fn cny(&self) -> BalanceLine {
        let home = self.w().home().unwrap();
        home.balances
            .iter()
            .find(|b| b.currency == "CNY")
            .cloned()
            .unwrap_or_else(|| panic!("no CNY balance cached: {home:?}"))
    }
}

/// Asserts a cached balance line: raw minor units and display strings.
#[track_caller]
pub fn assert_line(line: &BalanceLine, available: i64, held_out: i64, incoming: i64, step: &str) {
    assert_eq!(
        (
            line.available.minor,
            line.held_out.minor,
            line.incoming.minor
        ),
        (available, held_out, incoming),
        "{step}: balance line {line:?}"
    );
    assert_eq!(line.available.currency, "CNY", "{step}");
    assert_eq!(
        line.available.display,
        display(available),
        "{step}: {line:?}"
    );
    assert_eq!(line.available.value, value(available), "{step}: {line:?}");
    assert_eq!(line.held_out.display, display(held_out), "{step}: {line:?}");
    assert_eq!(line.incoming.display, display(incoming), "{step}: {line:?}");
}

/// "12.50" for 1250 minor units of CNY.
pub fn value(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", minor.abs() / 100, minor.abs() % 100)
}

thread_local! {
    /// The locale of the phones this test's thread opens ([`speak`]).
    static LOCALE: std::cell::Cell<&'static str> = const { std::cell::Cell::new("en-US") };
}

/// The phones opened from now on by this test (its thread) speak `locale`: the flow tests
/// run once in English and once in Chinese.
pub fn speak(locale: &'static str) {
    LOCALE.with(|l| l.set(locale));
}

/// The locale of this test's phones.
pub fn locale() -> &'static str {
    LOCALE.with(std::cell::Cell::get)
}

/// Whether this test's phones speak Chinese.
pub fn in_chinese() -> bool {
    locale().starts_with("zh")
}

/// How the core displays CNY amounts in this test's locale, CLDR's way: `CN¥1,012.50` in
/// English, `¥1,012.50` in Chinese.
pub fn display(minor: i64) -> String {
    let plain = value(minor.abs());
    let (whole, cents) = plain.split_once('.').unwrap();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if minor < 0 { "-" } else { "" };
    let symbol = if in_chinese() { "¥" } else { "CN¥" };
    format!("{sign}{symbol}{grouped}.{cents}")
}

/// The server's CNY balance of a device's user: (available, held_out, incoming), zeros when
/// the user has no CNY account yet.
pub async fn server_cny(device: &DeviceApi) -> (i64, i64, i64) {
    device
        .balances()
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.currency == "CNY")
        .map_or((0, 0, 0), |b: BalanceView| {
            (b.available.minor, b.held_out.minor, b.incoming.minor)
        })
}

/// Every entry of the user's server activity (all pages), newest first.
pub async fn server_activity(device: &DeviceApi) -> Vec<Event> {
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let page = device.activity(cursor, Some(200)).await.unwrap();
        all.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return all,
        }
    }
}

/// Asserts that a command completed and returns it.
#[track_caller]
pub fn done(
    outcome: Result<CommandOutcome, danbao_client::WalletError>,
    step: &str,
) -> CommandOutcome {
    let outcome = outcome.unwrap_or_else(|e| panic!("{step}: {e}"));
    assert_eq!(outcome.state.as_str(), "done", "{step}: {outcome:?}");
    assert!(!outcome.idempotency_key.is_empty(), "{step}: {outcome:?}");
    outcome
}
