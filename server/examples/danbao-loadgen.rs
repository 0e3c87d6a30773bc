//! `danbao-loadgen`: a load benchmark for the Danbao server on SQLite or PostgreSQL.
//!
//! Starts the release `danbao-server` binary on a fresh database (or targets `--url`); with
//! `--database-url` the server runs on that PostgreSQL database, and `--instances N` starts N
//! servers on it with the clients spread over them (client `i` talks to instance `i % N`). Signs up
//! `--users` users, tops them up, then runs `--clients` concurrent clients for `--secs` seconds
//! doing signed P2P transfers, and the same for escrow cycles (create, pay, ship, confirm).
//! Every answer counted is a 200 from the server, which answers only after the commit that
//! holds the transfer returned (`synchronous=FULL`): these are durable transfers.
//!
//! Reports transfers/s, p50/p99/max latency, and where the CPU went (server process, this
//! load generator, and the share of ECDSA P-256 signing and verification), as text and JSON.
//!
//! ```text
//! cargo build --release -p danbao-server --bin danbao-server --example danbao-loadgen
//! target/release/examples/danbao-loadgen --clients 64 --secs 10 --json bench.json
//! ```

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[path = "../tests/common/http_client.rs"]
mod http_client;

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use clap::Parser;
use danbao_domain::protocol;
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair,
    UnparsedPublicKey,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const OPERATOR: &str = "loadgen-operator-token";

/// Command-line settings.
#[derive(Debug, Parser)]
#[command(name = "danbao-loadgen", about = "Load benchmark for danbao-server")]
struct Args {
    /// Target a running server instead of starting one (its operator token in
    /// DANBAO_OPERATOR_TOKEN).
    #[arg(long)]
    url: Option<String>,
    /// The server binary to start (default: danbao-server next to this example's directory).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Start the server(s) on this PostgreSQL database (an empty one) instead of SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// Servers to start on `--database-url` (the clients are spread over them).
    #[arg(long, default_value_t = 1)]
    instances: usize,
    /// Users to sign up.
    #[arg(long, default_value_t = 64)]
    users: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Seconds per phase.
    #[arg(long, default_value_t = 10)]
    secs: u64,
    /// Skip the escrow phase.
    #[arg(long)]
    no_escrow: bool,
    /// Also write the JSON report to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// A user's device.
struct Device {
    key: EcdsaKeyPair,
    device: String,
    handle: String,
}

struct Client {
    /// For setup and checks only (sign-ups, top-ups, /health, invariants).
    http: http_client::Client,
    url: String,
    /// `host:port` of the server, for the hand-written HTTP/1.1 connections.
    authority: String,
    /// Idle keep-alive connections for the signed requests of the phases.
    idle: Mutex<Vec<Conn>>,
    rng: SystemRandom,
    counter: AtomicU64,
    run_id: u64,
}

/// One keep-alive HTTP/1.1 connection to the server. The signed requests are written and their
/// answers read by hand: a request line, the headers and the body in one write, then the
/// status line, the headers and a `Content-Length` body (the server always sends one). This
/// costs the load generator much less CPU per request than a general client, and the load
/// generator runs on the same cores as the server.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(authority: &str) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(authority)
            .await
            .with_context(|| format!("connecting to {authority}"))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::with_capacity(4096),
        })
    }

    /// Sends one request and reads its whole answer: `(status, body)`.
    async fn exchange(&mut self, request: &[u8]) -> anyhow::Result<(u16, Vec<u8>)> {
        self.stream.write_all(request).await?;
        self.buf.clear();
        let mut head: Option<(u16, usize, usize)> = None;
        loop {
            if let Some((status, start, length)) = head
                && self.buf.len() >= start + length
            {
                if self.buf.len() > start + length {
                    bail!("the server sent more than one answer");
                }
                return Ok((status, self.buf[start..].to_vec()));
            }
            self.buf.reserve(4096);
            if self.stream.read_buf(&mut self.buf).await? == 0 {
                bail!("the server closed the connection");
            }
            if head.is_none()
                && let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n")
            {
                head = Some(parse_head(&self.buf[..end], end + 4)?);
            }
        }
    }
}

/// Status and body length from an answer's status line and headers.
fn parse_head(head: &[u8], body_start: usize) -> anyhow::Result<(u16, usize, usize)> {
    let text = std::str::from_utf8(head).context("answer head is not UTF-8")?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("bad status line {status_line:?}"))?;
    let mut length = None;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.trim().parse::<usize>()?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                bail!("chunked answers are not supported by the load generator");
            }
        }
    }
    Ok((status, body_start, length.unwrap_or(0)))
}

impl Client {
    fn nonce(&self) -> String {
        format!(
            "lg{}-{:012}",
            self.run_id,
            self.counter.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// A signed POST with a fresh timestamp, nonce and idempotency key, each signed on its own
    /// just before it is sent; `Ok((status, body))` or the transport error.
    async fn post(
        &self,
        device: &Device,
        path: &str,
        body: &[u8],
    ) -> anyhow::Result<(u16, Vec<u8>)> {
        let key = self.nonce();
        let nonce = self.nonce();
        let timestamp = unix_now();
        let message = protocol::signing_message(&protocol::SignedParts {
            method: "POST",
            host: &self.authority,
            path,
            body,
            device: &device.device,
            timestamp,
            nonce: &nonce,
            idempotency_key: &key,
        });
        let signature = device
            .key
            .sign(&self.rng, &message)
            .map_err(|_| anyhow::anyhow!("signing failed"))?;
        let mut request = Vec::with_capacity(512 + body.len());
        write!(
            request,
            "POST {path} HTTP/1.1\r\nhost: {host}\r\n{device_h}: {device}\r\n\
             {timestamp_h}: {timestamp}\r\n{nonce_h}: {nonce}\r\n{signature_h}: {signature}\r\n\
             {key_h}: {key}\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n",
            host = self.authority,
            device_h = protocol::HEADER_DEVICE,
            device = device.device,
            timestamp_h = protocol::HEADER_TIMESTAMP,
            nonce_h = protocol::HEADER_NONCE,
            signature_h = protocol::HEADER_SIGNATURE,
            signature = STANDARD.encode(signature.as_ref()),
            key_h = protocol::HEADER_IDEMPOTENCY_KEY,
            length = body.len(),
        )?;
        request.extend_from_slice(body);
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut conn = match idle {
            Some(conn) => conn,
            None => Conn::open(&self.authority).await?,
        };
        // A connection that failed is dropped; the next request opens a new one.
        let answer = conn.exchange(&request).await?;
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
        Ok(answer)
    }

    async fn operator(
        &self,
        token: &str,
        path: &str,
        body: &Value,
    ) -> anyhow::Result<(u16, Value)> {
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .bearer_auth(token)
            .header(protocol::HEADER_IDEMPOTENCY_KEY, self.nonce())
            .json(body)
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }

    async fn sign_up(&self, handle: &str) -> anyhow::Result<Device> {
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &self.rng)
            .map_err(|_| anyhow::anyhow!("key generation failed"))?;
        let key =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &self.rng)
                .map_err(|_| anyhow::anyhow!("key parsing failed"))?;
        let mut device = Device {
            key,
            device: "new".to_owned(),
            handle: handle.to_owned(),
        };
        let body = json!({
            "handle": handle,
            "display_name": format!("Load {handle}"),
            "public_key": URL_SAFE_NO_PAD.encode(device.key.public_key().as_ref()),
            "device_name": "loadgen",
        });
        let (status, answer) = self
            .post(&device, "/v1/users", body.to_string().as_bytes())
            .await?;
        if status != 201 {
            bail!("sign-up of {handle} answered {status}: {}", text(&answer));
        }
        let answer: Value = serde_json::from_slice(&answer)?;
        device.device = answer["device_id"]
            .as_i64()
            .context("sign-up answer without device_id")?
            .to_string();
        Ok(device)
    }
}

/// An answer body for an error message.
fn text(body: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(body)
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// CPU seconds (user + system) a process has used so far, from /proc (Linux).
fn cpu_secs(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// CPU seconds per thread name of a process (threads of one name summed), from /proc.
fn thread_cpu(pid: &str) -> BTreeMap<String, f64> {
    let mut threads = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return threads;
    };
    for task in tasks.flatten() {
        let tid = task.file_name().to_string_lossy().into_owned();
        let name = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/comm"))
            .unwrap_or_default()
            .trim()
            .to_owned();
        if let Some(secs) = cpu_secs(&format!("{pid}/task/{tid}")) {
            *threads.entry(name).or_insert(0.0) += secs;
        }
    }
    threads
}

/// Latencies of one kind of request, in microseconds.
#[derive(Default)]
struct Latencies(Vec<u32>);

impl Latencies {
    fn quantile(&self, q: f64) -> f64 {
        if self.0.is_empty() {
            return 0.0;
        }
        let index = ((self.0.len() as f64 - 1.0) * q).round() as usize;
        f64::from(self.0[index]) / 1000.0
    }

    fn json(&mut self) -> Value {
        self.0.sort_unstable();
        json!({"count": self.0.len(), "p50_ms": self.quantile(0.5), "p99_ms": self.quantile(0.99),
               "max_ms": self.quantile(1.0)})
    }
}

struct Phase {
    name: &'static str,
    /// Requests answered 200 per kind.
    latencies: Vec<(&'static str, Latencies)>,
    /// Completed units (transfers, or escrow cycles).
    done: u64,
    failures: u64,
    wall: Duration,
    server_cpu: Option<f64>,
    client_cpu: Option<f64>,
    /// Server CPU seconds per thread name during the phase.
    server_threads: BTreeMap<String, f64>,
}

impl Phase {
    fn report(&mut self) -> Value {
        let secs = self.wall.as_secs_f64();
        let kinds: serde_json::Map<String, Value> = self
            .latencies
            .iter_mut()
            .map(|(kind, latencies)| ((*kind).to_owned(), latencies.json()))
            .collect();
        let per = |cpu: Option<f64>| cpu.map(|c| c / self.done.max(1) as f64 * 1e6);
        json!({
            "phase": self.name,
            "completed": self.done,
            "failures": self.failures,
            "seconds": secs,
            "per_second": self.done as f64 / secs,
            "latency": kinds,
            "server_cpu_secs": self.server_cpu,
            "loadgen_cpu_secs": self.client_cpu,
            "server_cpu_us_per_unit": per(self.server_cpu),
            "server_threads_us_per_unit": self.server_threads.iter()
                .map(|(name, cpu)| (name.clone(), json!(per(Some(*cpu)))))
                .collect::<serde_json::Map<String, Value>>(),
            "loadgen_cpu_us_per_unit": per(self.client_cpu),
        })
    }
}

/// How long one ECDSA P-256 signature and one verification take here (µs), measured.
fn ecdsa_costs() -> anyhow::Result<(f64, f64)> {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
        .map_err(|_| anyhow::anyhow!("key generation failed"))?;
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
        .map_err(|_| anyhow::anyhow!("key parsing failed"))?;
    let message = protocol::signing_message(&protocol::SignedParts {
        method: "POST",
        host: "127.0.0.1:8080",
        path: "/v1/transfers",
        body: b"{}",
        device: "1",
        timestamp: 1,
        nonce: "n",
        idempotency_key: "k",
    });
    let rounds = 2_000;
    let started = Instant::now();
    let mut signature = None;
    for _ in 0..rounds {
        signature = Some(
            key.sign(&rng, &message)
                .map_err(|_| anyhow::anyhow!("signing failed"))?,
        );
    }
    let sign = started.elapsed().as_secs_f64() / f64::from(rounds) * 1e6;
    let signature = signature.context("no signature")?;
    let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, key.public_key().as_ref());
    let started = Instant::now();
    for _ in 0..rounds {
        public
            .verify(&message, signature.as_ref())
            .map_err(|_| anyhow::anyhow!("verification failed"))?;
    }
    let verify = started.elapsed().as_secs_f64() / f64::from(rounds) * 1e6;
    Ok((sign, verify))
}

struct Run {
    /// One per server instance; client task `i` uses `instances[i % len]`.
    instances: Vec<Arc<Client>>,
    devices: Arc<Vec<Device>>,
    clients: usize,
    secs: u64,
    server_pids: Vec<String>,
}

/// CPU seconds of all `pids` together (None if one cannot be read).
fn cpu_of(pids: &[String]) -> Option<f64> {
    if pids.is_empty() {
        return None;
    }
    pids.iter().map(|pid| cpu_secs(pid)).sum()
}

impl Run {
    /// Runs `clients` tasks of `work` for `secs` seconds and gathers their latencies.
    async fn phase<F, Fut>(&self, name: &'static str, kinds: &[&'static str], work: F) -> Phase
    where
        F: Fn(Arc<Client>, Arc<Vec<Device>>, usize, u64) -> Fut + Send + Sync + 'static + Clone,
        Fut: std::future::Future<Output = Result<Vec<(usize, u32)>, String>> + Send + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let server_before = cpu_of(&self.server_pids);
        let threads_before = threads_of(&self.server_pids);
        let client_before = cpu_secs("self");
        let started = Instant::now();
        let mut tasks = Vec::new();
        for index in 0..self.clients {
            let (client, devices, stop, work) = (
                self.instances[index % self.instances.len()].clone(),
                self.devices.clone(),
                stop.clone(),
                work.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut samples: Vec<(usize, u32)> = Vec::new();
                let (mut done, mut failures, mut round) = (0u64, 0u64, 0u64);
                while !stop.load(Ordering::Relaxed) {
                    match work(client.clone(), devices.clone(), index, round).await {
                        Ok(steps) => {
                            samples.extend(steps);
                            done += 1;
                        }
                        Err(error) => {
                            failures += 1;
                            if failures <= 3 {
                                eprintln!("{name}: {error}");
                            }
                        }
                    }
                    round += 1;
                }
                (samples, done, failures)
            }));
        }
        tokio::time::sleep(Duration::from_secs(self.secs)).await;
        stop.store(true, Ordering::Relaxed);
        let mut phase = Phase {
            name,
            latencies: kinds.iter().map(|k| (*k, Latencies::default())).collect(),
            done: 0,
            failures: 0,
            wall: Duration::ZERO,
            server_cpu: None,
            client_cpu: None,
            server_threads: BTreeMap::new(),
        };
        for task in tasks {
            if let Ok((samples, done, failures)) = task.await {
                for (kind, micros) in samples {
                    phase.latencies[kind].1.0.push(micros);
                }
                phase.done += done;
                phase.failures += failures;
            }
        }
        phase.wall = started.elapsed();
        phase.server_cpu = server_before
            .zip(cpu_of(&self.server_pids))
            .map(|(before, after)| after - before);
        for (name, after) in threads_of(&self.server_pids) {
            let before = threads_before.get(&name).copied().unwrap_or(0.0);
            phase.server_threads.insert(name, after - before);
        }
        phase.client_cpu = client_before
            .zip(cpu_secs("self"))
            .map(|(before, after)| after - before);
        phase
    }
}

/// Per-thread-name CPU seconds summed over `pids`.
fn threads_of(pids: &[String]) -> BTreeMap<String, f64> {
    let mut all = BTreeMap::new();
    for pid in pids {
        for (name, secs) in thread_cpu(pid) {
            *all.entry(name).or_insert(0.0) += secs;
        }
    }
    all
}

fn micros(since: Instant) -> u32 {
    u32::try_from(since.elapsed().as_micros()).unwrap_or(u32::MAX)
}

/// One P2P transfer from the client's own user to another.
async fn transfer(
    client: Arc<Client>,
    devices: Arc<Vec<Device>>,
    index: usize,
    round: u64,
) -> Result<Vec<(usize, u32)>, String> {
    let from = index % devices.len();
    let to = (from + 1 + (round as usize % (devices.len() - 1))) % devices.len();
    // Handles are [a-z0-9]: the JSON needs no escaping.
    let body = format!(
        r#"{{"to":"{}","amount":"0.01","currency":"CNY"}}"#,
        devices[to].handle
    );
    let started = Instant::now();
    match client
        .post(&devices[from], "/v1/transfers", body.as_bytes())
        .await
    {
        Ok((200, _)) => Ok(vec![(0, micros(started))]),
        Ok((status, answer)) => Err(format!("transfer answered {status}: {}", text(&answer))),
        Err(error) => Err(format!("transfer failed: {error}")),
    }
}

/// One escrow cycle: the seller creates an order, the buyer pays (a hold), the seller ships,
/// the buyer confirms (the hold is posted to the seller).
async fn escrow(
    client: Arc<Client>,
    devices: Arc<Vec<Device>>,
    index: usize,
    round: u64,
) -> Result<Vec<(usize, u32)>, String> {
    let buyer = &devices[index % devices.len()];
    let seller = &devices[(index + 1 + round as usize % (devices.len() - 1)) % devices.len()];
    let mut samples = Vec::with_capacity(4);
    let mut step = async |kind: usize, who: &Device, path: String, body: Value, want: u16| {
        let started = Instant::now();
        match client.post(who, &path, body.to_string().as_bytes()).await {
            Ok((status, answer)) if status == want => {
                samples.push((kind, micros(started)));
                Ok(answer)
            }
            Ok((status, answer)) => Err(format!("{path} answered {status}: {}", text(&answer))),
            Err(error) => Err(format!("{path} failed: {error}")),
        }
    };
    let body = json!({"title": "load", "amount": "1.00", "currency": "CNY"});
    let created = step(0, seller, "/v1/orders".to_owned(), body, 201).await?;
    let created: Value = serde_json::from_slice(&created).map_err(|e| e.to_string())?;
    let id = created["order"]["id"]
        .as_str()
        .ok_or("order without id")?
        .to_owned();
    // An order is paid by its signed code (or by a buyer it names): not by its id alone.
    let code = created["code"].as_str().ok_or("order without code")?;
    let scanned = json!({ "code": code });
    step(1, buyer, "/v1/orders/pay-code".to_owned(), scanned, 200).await?;
    let ship = json!({"carrier": "SF", "tracking": format!("SF{round}")});
    step(2, seller, format!("/v1/orders/{id}/ship"), ship, 200).await?;
    step(3, buyer, format!("/v1/orders/{id}/confirm"), json!({}), 200).await?;
    Ok(samples)
}

struct Server {
    children: Vec<Child>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        for mut child in self.children.drain(..) {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }
}

/// Starts the server (`--instances` of them on `--database-url`); their URLs.
fn start_servers(args: &Args) -> anyhow::Result<(Server, Vec<String>)> {
    if args.instances == 0 || (args.instances > 1 && args.database_url.is_none()) {
        bail!("--instances above 1 needs --database-url (SQLite serves one instance)");
    }
    let mut server = Server {
        children: Vec::new(),
        _dir: None,
    };
    let mut urls = Vec::new();
    for _ in 0..args.instances {
        let (child, dir, url) = start_server(args)?;
        server.children.push(child);
        server._dir.get_or_insert(dir);
        urls.push(url);
    }
    Ok((server, urls))
}

fn start_server(args: &Args) -> anyhow::Result<(Child, tempfile::TempDir, String)> {
    let bin = match &args.server_bin {
        Some(path) => path.clone(),
        None => std::env::current_exe()?
            .parent()
            .and_then(|examples| examples.parent())
            .map(|dir| dir.join("danbao-server"))
            .context("cannot locate the target directory")?,
    };
    if !bin.exists() {
        bail!(
            "{} does not exist; build it with `cargo build --release -p danbao-server --bin \
             danbao-server` or pass --server-bin",
            bin.display()
        );
    }
    let dir = tempfile::tempdir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let bind = format!("127.0.0.1:{port}");
    let mut command = Command::new(&bin);
    if let Some(database_url) = &args.database_url {
        command.arg("--database-url").arg(database_url);
    }
    let child = command
        .arg("--db")
        .arg(dir.path().join("bench.db"))
        .arg("--bind")
        .arg(&bind)
        .env("DANBAO_OPERATOR_TOKEN", OPERATOR)
        .env("DANBAO_SANDBOX", "true")
        // A load run is a flood from one address by design.
        .env("DANBAO_RATE_LIMIT", "1000000000")
        .env("DANBAO_RATE_LIMIT_ADDRESS", "1000000000")
        .env("DANBAO_SIGN_UP_LIMIT", "1000000000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let store = match &args.database_url {
        Some(_) => "PostgreSQL".to_owned(),
        None => format!("db in {}", dir.path().display()),
    };
    println!("server: {} on {bind}, {store}", bin.display());
    Ok((child, dir, format!("http://{bind}")))
}

/// A client of the server at `url`, once it answers `/health`.
async fn connect_client(url: &str, run_id: u64) -> anyhow::Result<Arc<Client>> {
    let authority = url
        .strip_prefix("http://")
        .context("the load generator speaks plain http:// only")?
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let client = Arc::new(Client {
        authority,
        idle: Mutex::new(Vec::new()),
        http: http_client::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?,
        url: url.to_owned(),
        rng: SystemRandom::new(),
        counter: AtomicU64::new(0),
        run_id,
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    while client
        .http
        .get(format!("{url}/health"))
        .send()
        .await
        .is_err()
    {
        if Instant::now() > deadline {
            bail!("the server at {url} did not answer /health");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    Ok(client)
}

/// One thread: the load generator shares the machine's cores with the server, and a
/// single-threaded runtime spends less CPU per request than a work-stealing one.
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.users < 2 || args.clients == 0 || args.secs == 0 {
        bail!("--users must be at least 2, --clients and --secs at least 1");
    }
    let (server, urls, token) = match &args.url {
        Some(url) => (
            Server {
                children: Vec::new(),
                _dir: None,
            },
            vec![url.trim_end_matches('/').to_owned()],
            std::env::var("DANBAO_OPERATOR_TOKEN")
                .context("set DANBAO_OPERATOR_TOKEN to the target server's operator token")?,
        ),
        None => {
            let (server, urls) = start_servers(&args)?;
            (server, urls, OPERATOR.to_owned())
        }
    };
    let server_pids: Vec<String> = server
        .children
        .iter()
        .map(|child| child.id().to_string())
        .collect();
    let run_id = u64::from(std::process::id()) ^ unix_now() as u64;
    let mut instances = Vec::new();
    for (index, url) in urls.iter().enumerate() {
        // Each instance's client numbers its nonces apart: a device's nonces must differ
        // across instances too (they share the database).
        instances.push(connect_client(url, run_id.wrapping_add(index as u64 * 7_919)).await?);
    }
    let url = urls[0].clone();
    let client = instances[0].clone();
    let mut devices = Vec::new();
    let prefix = format!("lg{}", client.run_id % 1_000_000);
    for i in 0..args.users {
        let device = client.sign_up(&format!("{prefix}u{i}")).await?;
        let top_up = json!({"handle": device.handle, "amount": "1000000.00", "currency": "CNY"});
        let (status, answer) = client
            .operator(&token, "/v1/sandbox/top-ups", &top_up)
            .await?;
        if status != 200 {
            bail!("top-up answered {status}: {answer}");
        }
        devices.push(device);
    }
    println!(
        "{} users signed up and topped up; {} clients, {} s per phase",
        args.users, args.clients, args.secs
    );
    let run = Run {
        instances,
        devices: Arc::new(devices),
        clients: args.clients,
        secs: args.secs,
        server_pids,
    };
    let mut phases = vec![run.phase("p2p", &["transfer"], transfer).await];
    if !args.no_escrow {
        phases.push(
            run.phase("escrow", &["create", "pay", "ship", "confirm"], escrow)
                .await,
        );
    }
    let checked = client
        .http
        .get(format!("{url}/v1/admin/invariants"))
        .bearer_auth(&token)
        .send()
        .await?
        .json::<Value>()
        .await?;
    let (sign_us, verify_us) = ecdsa_costs()?;

    let reports: Vec<Value> = phases.iter_mut().map(Phase::report).collect();
    for report in &reports {
        println!(
            "{:<7} {:>8} completed in {:>5.1} s = {:>8.0}/s  ({} failures)",
            report["phase"].as_str().unwrap_or(""),
            report["completed"],
            report["seconds"].as_f64().unwrap_or(0.0),
            report["per_second"].as_f64().unwrap_or(0.0),
            report["failures"],
        );
        if let Some(kinds) = report["latency"].as_object() {
            for (kind, latency) in kinds {
                println!(
                    "        {kind:<9} p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
                    latency["p50_ms"].as_f64().unwrap_or(0.0),
                    latency["p99_ms"].as_f64().unwrap_or(0.0),
                    latency["max_ms"].as_f64().unwrap_or(0.0),
                );
            }
        }
        println!(
            "        CPU per unit: server {:.0} µs, loadgen {:.0} µs (2 cores shared)",
            report["server_cpu_us_per_unit"]
                .as_f64()
                .unwrap_or(f64::NAN),
            report["loadgen_cpu_us_per_unit"]
                .as_f64()
                .unwrap_or(f64::NAN),
        );
    }
    println!(
        "ECDSA P-256 here: sign {sign_us:.1} µs (loadgen, per request), verify {verify_us:.1} µs \
         (server, per request)"
    );
    println!(
        "invariants after the run: ok={} journal={} transfers",
        checked["ok"], checked["transfers"]
    );
    let report = json!({
        "instances": urls.len(),
        "store": if args.database_url.is_some() { "postgresql" } else { "sqlite" },
        "users": args.users,
        "clients": args.clients,
        "phases": reports,
        "ecdsa_sign_us": sign_us,
        "ecdsa_verify_us": verify_us,
        "invariants_ok": checked["ok"],
        "journal_transfers": checked["transfers"],
    });
    println!("{report}");
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
    }
    if checked["ok"] != true {
        bail!("the invariants failed after the run: {checked}");
    }
    Ok(())
}
