//! The `danbao` wallet commands as processes against a real `danbao-server` process: three
//! profiles (buyer alice, seller bob, friend carol) sign up, get sandbox money, send P2P, buy
//! through escrow with an order code, pay a static receive code with an entered amount, and
//! have a payment code charged at bob's till. Exit codes and the money are asserted.
//!
//! The server binary is the workspace's `target/<profile>/danbao-server`, next to the `danbao`
//! binary under test: `cargo test --workspace` builds it; for `cargo test -p danbao-cli` run
//! `cargo build -p danbao-server` first.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const OPERATOR_TOKEN: &str = "cli-test-operator-token";

/// A running server process, killed on drop.
struct Server {
    child: Option<Child>,
    url: String,
    port: u16,
    /// Holds the database until the server is gone.
    dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Server {
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and database.
    fn restart(&mut self) {
        self.stop();
        let child = spawn_server(self.dir.path(), self.port).expect("danbao-server restarts");
        self.child = Some(child);
    }
}

fn server_binary() -> PathBuf {
    let danbao = Path::new(env!("CARGO_BIN_EXE_danbao"));
    let dir = danbao.parent().expect("the danbao binary has a directory");
    let server = dir.join(format!("danbao-server{}", std::env::consts::EXE_SUFFIX));
    assert!(
        server.exists(),
        "{} is missing: build it with `cargo build -p danbao-server` (cargo test --workspace \
         builds it too)",
        server.display()
    );
    server
}

/// Runs the server on `port` with its database in `dir`; `None` if it exits or does not listen
/// within 20 s.
fn spawn_server(dir: &Path, port: u16) -> Option<Child> {
    let mut child = Command::new(server_binary())
        .arg("--bind")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--db")
        .arg(dir.join("server.db"))
        .env("DANBAO_OPERATOR_TOKEN", OPERATOR_TOKEN)
        .env("DANBAO_SANDBOX", "true")
        .env("DANBAO_RATE_LIMIT", "1000000")
        .env("DANBAO_RATE_LIMIT_ADDRESS", "1000000")
        .env("DANBAO_SIGN_UP_LIMIT", "1000000")
        .env("DANBAO_TIMER_INTERVAL_MS", "100")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start danbao-server");
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return None; // exited (port taken?)
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(child);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

fn start_server() -> Server {
    // A port can be taken between probing and binding: try a few.
    for _ in 0..5 {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = tempfile::tempdir().expect("temp dir");
        if let Some(child) = spawn_server(dir.path(), port) {
            return Server {
                child: Some(child),
                url: format!("http://127.0.0.1:{port}"),
                port,
                dir,
            };
        }
    }
    panic!("danbao-server did not start listening");
}

/// One `danbao` run.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    #[track_caller]
    fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "expected exit 0\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

struct Cli {
    home: tempfile::TempDir,
    /// `--lang` of every run.
    lang: &'static str,
}

impl Cli {
    fn new() -> Self {
        Self::speaking("en-US")
    }

    fn speaking(lang: &'static str) -> Self {
        Self {
            home: tempfile::tempdir().expect("temp home"),
            lang,
        }
    }

    fn zh(&self) -> bool {
        self.lang.starts_with("zh")
    }

    /// In Chinese, `text` holds no run of three or more ASCII letters outside what a message
    /// may quote: `backticked commands`, `--options`, URLs, and the tokens of this test
    /// (handles, profile names, the currency code).
    #[track_caller]
    fn says_no_english(&self, text: &str) {
        if !self.zh() {
            return;
        }
        let allowed = ["CNY", "alice", "bob", "carol", "dave", "erin", "danbao"];
        let mut plain = String::new();
        for (i, part) in text.split('`').enumerate() {
            if i % 2 == 0 {
                plain.push_str(part);
                plain.push(' ');
            }
        }
        let english: Vec<&str> = plain
            .split(|c: char| c.is_whitespace() || "（）：；，“”".contains(c))
            .filter(|token| {
                !token.starts_with("--") && !token.starts_with("http") && !token.starts_with('/')
            })
            .flat_map(|token| token.split(|c: char| !c.is_ascii_alphabetic()))
            .filter(|w| w.len() >= 3 && !allowed.contains(w))
            .collect();
        assert!(english.is_empty(), "English in {text:?}: {english:?}");
    }

    fn run(&self, profile: &str, args: &[&str]) -> Run {
        let out: Output = Command::new(env!("CARGO_BIN_EXE_danbao"))
            .arg("--home")
            .arg(self.home.path())
            .arg("--profile")
            .arg(profile)
            .arg("--lang")
            .arg(self.lang)
            .args(args)
            .env_remove("DANBAO_OPERATOR_TOKEN")
            .env_remove("DANBAO_HOME")
            .env_remove("DANBAO_PROFILE")
            .stdin(Stdio::null())
            .output()
            .expect("run danbao");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `danbao balance --json`: (available, held_out, incoming) in minor units of CNY.
    #[track_caller]
    fn cny(&self, profile: &str) -> (i64, i64, i64) {
        let balances = self.run(profile, &["balance", "--json"]).ok().json();
        let line = balances
            .as_array()
            .expect("balances array")
            .iter()
            .find(|b| b["currency"] == "CNY");
        match line {
            Some(line) => (
                line["available"]["minor"].as_i64().expect("available"),
                line["held_out"]["minor"].as_i64().expect("held_out"),
                line["incoming"]["minor"].as_i64().expect("incoming"),
            ),
            None => (0, 0, 0),
        }
    }
}

fn signup(cli: &Cli, server: &Server, profile: &str, name: &str) {
    let out = cli
        .run(
            profile,
            &[
                "signup",
                "--server",
                &server.url,
                "--handle",
                profile,
                "--name",
                name,
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(out["handle"], profile);
    assert_eq!(out["display_name"], name);
    assert!(out["user_id"].as_i64().is_some_and(|id| id > 0));
}

#[test]
fn three_wallets_through_every_payment_flow() {
    payment_flows_in("en-US");
}

#[test]
fn three_wallets_through_every_payment_flow_in_chinese() {
    payment_flows_in("zh-Hans-CN");
}

/// Every payment flow, the wallets speaking `lang`: the records' words and amounts follow it,
/// the JSON's codes and minor units do not.
fn payment_flows_in(lang: &'static str) {
    let server = start_server();
    let cli = Cli::speaking(lang);
    signup(&cli, &server, "alice", "Alice Liu");
    signup(&cli, &server, "bob", "Bob Chen");
    signup(&cli, &server, "carol", "Carol Wang");

    // A second sign-up in the same profile is refused before anything is sent.
    let again = cli.run(
        "alice",
        &[
            "signup",
            "--server",
            &server.url,
            "--handle",
            "alice2",
            "--name",
            "A",
        ],
    );
    assert_eq!(again.code, 1, "{}", again.stderr);
    let taken = if cli.zh() {
        "已经有一个钱包"
    } else {
        "already has a wallet"
    };
    assert!(again.stderr.contains(taken), "{}", again.stderr);
    cli.says_no_english(&again.stderr);

    // A sign-up in text mode says who signed up, in the run's language.
    let dave = cli.run(
        "dave",
        &[
            "signup",
            "--server",
            &server.url,
            "--handle",
            "dave",
            "--name",
            "大卫",
        ],
    );
    assert_eq!(dave.code, 0, "{}", dave.stderr);
    let signed_up = if cli.zh() {
        "已注册 @dave（大卫）"
    } else {
        "Signed up @dave (大卫)"
    };
    assert!(dave.stdout.contains(signed_up), "{}", dave.stdout);
    cli.says_no_english(&dave.stdout);
    // The sandbox in text mode, and its refusals: no token, a bad amount.
    let topped = cli.run(
        "dave",
        &[
            "sandbox",
            "top-up",
            "dave",
            "1.00",
            "CNY",
            "--operator-token",
            OPERATOR_TOKEN,
        ],
    );
    assert_eq!(topped.code, 0, "{}", topped.stderr);
    let topped_up = if cli.zh() {
        "已为 @dave 充值"
    } else {
        "Topped up @dave with"
    };
    assert!(topped.stdout.contains(topped_up), "{}", topped.stdout);
    cli.says_no_english(&topped.stdout);
    let tokenless = cli.run("dave", &["sandbox", "top-up", "dave", "1.00", "CNY"]);
    assert_eq!(tokenless.code, 2, "{}", tokenless.stderr);
    cli.says_no_english(&tokenless.stderr);
    let bad_amount = cli.run(
        "dave",
        &[
            "sandbox",
            "top-up",
            "dave",
            "1.234",
            "CNY",
            "--operator-token",
            OPERATOR_TOKEN,
        ],
    );
    assert_eq!(bad_amount.code, 1, "{}", bad_amount.stderr);
    cli.says_no_english(&bad_amount.stderr);
    let no_profile = cli.run("erin", &["balance"]);
    assert_eq!(no_profile.code, 1, "{}", no_profile.stderr);
    cli.says_no_english(&no_profile.stderr);

    // Sandbox money for alice and carol.
    let top_up = cli
        .run(
            "alice",
            &[
                "sandbox",
                "top-up",
                "alice",
                "500.00",
                "CNY",
                "--operator-token",
                OPERATOR_TOKEN,
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(top_up["balance"]["available"]["minor"], 50_000);
    let wrong_token = cli.run(
        "carol",
        &[
            "sandbox",
            "top-up",
            "carol",
            "1.00",
            "CNY",
            "--operator-token",
            "nope",
        ],
    );
    assert_eq!(wrong_token.code, 1);
    let operator = if cli.zh() {
        "只有运营方"
    } else {
        "operator"
    };
    assert!(
        wrong_token.stderr.contains(operator),
        "{}",
        wrong_token.stderr
    );
    cli.says_no_english(&wrong_token.stderr);
    cli.run(
        "carol",
        &[
            "sandbox",
            "top-up",
            "carol",
            "100.00",
            "CNY",
            "--server",
            &server.url,
            "--operator-token",
            OPERATOR_TOKEN,
        ],
    )
    .ok();
    assert_eq!(cli.cny("alice"), (50_000, 0, 0));

    // P2P: alice sends carol 25.00.
    let sent = cli
        .run(
            "alice",
            &["send", "carol", "25.00", "CNY", "--memo", "lunch", "--json"],
        )
        .ok()
        .json();
    assert_eq!(sent["state"], "done");
    assert!(sent["transfer_id"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(cli.cny("alice"), (47_500, 0, 0));
    assert_eq!(cli.cny("carol"), (12_500, 0, 0));
    let activity = cli
        .run("carol", &["activity", "--limit", "5", "--json"])
        .ok()
        .json();
    let lunch = activity["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["amount"]["minor"] == 2_500)
        .unwrap_or_else(|| panic!("no 25.00 row in carol's activity: {activity}"));
    assert_eq!(lunch["direction"], "in");
    assert_eq!(lunch["counterparty"], "alice");
    // Too much: refused with the server's reason, nothing moves.
    let broke = cli.run("alice", &["send", "carol", "9000.00", "CNY"]);
    assert_eq!(broke.code, 1, "{}\n{}", broke.stdout, broke.stderr);
    assert!(!broke.stderr.trim().is_empty());
    assert_eq!(cli.cny("alice"), (47_500, 0, 0));

    // Escrow: bob sells a teapot, alice scans and pays, bob ships, alice confirms.
    let created = cli
        .run(
            "bob",
            &[
                "merchant",
                "order",
                "--title",
                "Blue teapot",
                "--amount",
                "88.00",
                "--currency",
                "CNY",
                "--json",
            ],
        )
        .ok()
        .json();
    let order_id = created["order"]["id"]
        .as_str()
        .expect("order id")
        .to_owned();
    let order_code = created["code"]["text"].as_str().expect("code").to_owned();
    assert_eq!(created["order"]["amount"]["minor"], 8_800);

    let screen = cli
        .run("alice", &["scan", &order_code, "--json"])
        .ok()
        .json();
    assert_eq!(screen["kind"], "danbao_order");
    assert_eq!(screen["payable"], true);
    assert_eq!(screen["payee_name"], "Bob Chen");
    assert_eq!(screen["amount"]["minor"], 8_800);
    assert_eq!(screen["order_id"], order_id.as_str());
    let screen_text = cli.run("alice", &["scan", &order_code]).ok();
    assert!(
        screen_text.stdout.contains("Bob Chen"),
        "{}",
        screen_text.stdout
    );

    let paid = cli
        .run("alice", &["pay", &order_code, "--json"])
        .ok()
        .json();
    assert_eq!(paid["state"], "done");
    assert_eq!(cli.cny("alice"), (38_700, 8_800, 0));
    assert_eq!(cli.cny("bob"), (0, 0, 8_800));
    // Only the seller ships; only the buyer confirms.
    let wrong_party = cli.run(
        "alice",
        &[
            "merchant",
            "ship",
            &order_id,
            "--carrier",
            "SF",
            "--tracking",
            "X",
        ],
    );
    assert_eq!(wrong_party.code, 1, "{}", wrong_party.stdout);
    cli.run(
        "bob",
        &[
            "merchant",
            "ship",
            &order_id,
            "--carrier",
            "SF",
            "--tracking",
            "SF1234567",
        ],
    )
    .ok();
    let alice_orders = cli.run("alice", &["orders", "--json"]).ok().json();
    let teapot = alice_orders
        .as_array()
        .expect("orders")
        .iter()
        .find(|o| o["id"] == order_id.as_str())
        .unwrap_or_else(|| panic!("order missing from alice's list: {alice_orders}"));
    assert_eq!(teapot["role"], "buyer");
    assert_eq!(
        teapot["shipment"],
        serde_json::json!({"carrier": "SF", "tracking": "SF1234567"}),
        "the buyer sees how it travels: {teapot}"
    );
    let listed = cli.run("alice", &["orders"]).ok();
    let shipped = if cli.zh() {
        "已由 SF 发货，运单号 SF1234567"
    } else {
        "shipped with SF, tracking SF1234567"
    };
    assert!(listed.stdout.contains(shipped), "{}", listed.stdout);
    assert!(
        teapot["actions"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "confirm")),
        "{teapot}"
    );
    cli.run("alice", &["orders", "confirm", &order_id]).ok();
    assert_eq!(cli.cny("bob"), (8_800, 0, 0));
    assert_eq!(cli.cny("alice"), (38_700, 0, 0));
    let shown = cli
        .run("bob", &["orders", "show", &order_id, "--json"])
        .ok()
        .json();
    assert_eq!(shown["role"], "seller");
    assert_eq!(shown["released"]["minor"], 8_800, "{shown}");
    assert!(shown["refunded"].is_null(), "{shown}");
    let listed = cli.run("bob", &["orders"]).ok();
    let released = if cli.zh() {
        "付给卖家 ¥88.00"
    } else {
        "CN¥88.00 to the seller"
    };
    assert!(listed.stdout.contains(released), "{}", listed.stdout);
    let state_word = if cli.zh() {
        "交易完成：款项已归你"
    } else {
        "Completed: the money is yours"
    };
    assert_eq!(shown["state_label"], state_word, "{shown}");
    assert!(
        shown["state"]
            .as_str()
            .is_some_and(|s| s.to_lowercase().contains("complet")),
        "{shown}"
    );

    // Bob's static receive code: carol enters the amount.
    let receive = cli.run("bob", &["receive-code", "--json"]).ok().json();
    let receive_code = receive["text"].as_str().expect("receive code").to_owned();
    assert!(receive["amount"].is_null());
    let screen = cli
        .run("carol", &["scan", &receive_code, "--json"])
        .ok()
        .json();
    assert_eq!(screen["payee_name"], "Bob Chen");
    assert_eq!(screen["needs_amount"], true);
    let no_amount = cli.run("carol", &["pay", &receive_code]);
    assert_eq!(no_amount.code, 1, "{}", no_amount.stdout);
    cli.run("carol", &["pay", &receive_code, "--amount", "12.50"])
        .ok();
    assert_eq!(cli.cny("bob"), (10_050, 0, 0));
    assert_eq!(cli.cny("carol"), (11_250, 0, 0));

    // Carol's payment code charged at bob's till.
    let pay_code = cli
        .run("carol", &["pay-code", "--enable", "--json"])
        .ok()
        .json();
    let digits = pay_code["digits"].as_str().expect("digits").to_owned();
    assert_eq!(digits.len(), 18);
    assert!(digits.bytes().all(|b| b.is_ascii_digit()));
    assert!(
        pay_code["seconds_remaining"]
            .as_u64()
            .is_some_and(|s| s <= 60)
    );
    // Bob is no merchant yet: his till is refused, and nothing moves.
    let not_enrolled = cli.run("bob", &["merchant", "charge", &digits, "9.90", "CNY"]);
    assert_eq!(not_enrolled.code, 1, "{}", not_enrolled.stdout);
    let reason = if lang == "en-US" {
        "merchant_not_enrolled"
    } else {
        "商户"
    };
    assert!(
        not_enrolled.stderr.contains(reason),
        "{}",
        not_enrolled.stderr
    );
    assert_eq!(cli.cny("carol"), (11_250, 0, 0));
    // The operator enrols him (the command a newcomer runs in the README tour).
    let enrolled = cli
        .run(
            "bob",
            &[
                "admin",
                "merchant",
                "enrol",
                "bob",
                "--category",
                "5814",
                "--operator-token",
                OPERATOR_TOKEN,
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(enrolled["handle"], "bob");
    assert_eq!(enrolled["enabled"], true);
    assert_eq!(enrolled["category"], "5814");
    cli.run("bob", &["merchant", "charge", &digits, "9.90", "CNY"])
        .ok();
    assert_eq!(cli.cny("bob"), (11_040, 0, 0));
    assert_eq!(cli.cny("carol"), (10_260, 0, 0));
    // The same code twice is refused.
    let replay = cli.run("bob", &["merchant", "charge", &digits, "9.90", "CNY"]);
    assert_eq!(replay.code, 1, "{}", replay.stdout);
    assert_eq!(cli.cny("carol"), (10_260, 0, 0));

    // Nothing left waiting.
    let outbox = cli.run("alice", &["outbox", "--json"]).ok().json();
    let commands = outbox.as_array().expect("outbox array");
    assert_eq!(commands.len(), 5, "{outbox}");
    assert!(
        commands
            .iter()
            .all(|c| c["state"] == "done" || c["state"] == "failed"),
        "{outbox}"
    );
    // The refused ones keep the server's reason.
    assert!(
        commands.iter().any(|c| c["state"] == "failed"
            && c["outcome"].as_str().is_some_and(|o| if cli.zh() {
                o == "被拒绝：钱包余额不足，无法支付 ¥9,000.00"
            } else {
                o.contains("insufficient_funds")
            })),
        "{outbox}"
    );
    let text = cli.run("alice", &["outbox"]).ok();
    let nothing = if cli.zh() {
        "没有等待发送的操作"
    } else {
        "Nothing waiting"
    };
    assert!(text.stdout.starts_with(nothing), "{}", text.stdout);
}

#[test]
fn usage_and_missing_wallets() {
    let cli = Cli::new();
    let bad_profile = cli.run("../escape", &["balance"]);
    assert_eq!(bad_profile.code, 2);
    assert!(
        bad_profile.stderr.contains("profile name"),
        "{}",
        bad_profile.stderr
    );
    let none = cli.run("nobody", &["balance"]);
    assert_eq!(none.code, 1);
    assert!(none.stderr.contains("signup"), "{}", none.stderr);
    let usage = cli.run("nobody", &["send", "carol"]);
    assert_eq!(usage.code, 2);
    let token = cli.run(
        "nobody",
        &[
            "sandbox",
            "top-up",
            "a",
            "1",
            "CNY",
            "--server",
            "http://127.0.0.1:1",
        ],
    );
    assert_eq!(token.code, 2);
    assert!(token.stderr.contains("operator token"), "{}", token.stderr);
}

#[test]
fn a_send_while_offline_is_queued_then_applied_once() {
    let mut server = start_server();
    let cli = Cli::new();
    signup(&cli, &server, "dora", "Dora Li");
    signup(&cli, &server, "eli", "Eli Zhou");
    cli.run(
        "dora",
        &[
            "sandbox",
            "top-up",
            "dora",
            "50.00",
            "CNY",
            "--operator-token",
            OPERATOR_TOKEN,
        ],
    )
    .ok();

    server.stop();
    let queued = cli.run("dora", &["send", "eli", "7.00", "CNY", "--json"]);
    assert_eq!(queued.code, 3, "{}\n{}", queued.stdout, queued.stderr);
    assert_eq!(queued.json()["state"], "queued");
    assert!(
        queued.stderr.contains("do not issue it again"),
        "{}",
        queued.stderr
    );
    let waiting = cli.run("dora", &["outbox", "--json"]).ok().json();
    assert_eq!(waiting[0]["kind"], "send");
    assert_eq!(waiting[0]["state"], "pending", "{waiting}");
    // Reads still answer from the cache, with a warning.
    let cached = cli.run("dora", &["balance"]).ok();
    assert!(
        cached.stderr.contains("showing cached data"),
        "{}",
        cached.stderr
    );

    server.restart();
    // Opening the wallet resends the queued command; flushing again finds nothing.
    let flushed = cli.run("dora", &["outbox", "flush", "--json"]).ok().json();
    assert!(
        flushed
            .as_array()
            .is_some_and(|a| a.iter().all(|o| o["state"] == "done")),
        "{flushed}"
    );
    let outbox = cli.run("dora", &["outbox", "--json"]).ok().json();
    assert_eq!(outbox[0]["state"], "done", "{outbox}");
    assert_eq!(cli.cny("eli"), (700, 0, 0));
    assert_eq!(cli.cny("dora"), (4_300, 0, 0));
    // A second flush and sync change nothing: exactly once.
    cli.run("dora", &["outbox", "flush"]).ok();
    cli.run("dora", &["sync"]).ok();
    assert_eq!(cli.cny("eli"), (700, 0, 0));
}

#[test]
fn a_second_device_joins_with_the_code_and_a_lost_one_is_revoked() {
    let server = start_server();
    let cli = Cli::new();
    signup(&cli, &server, "alice", "Alice Liu");

    let shown = cli.run("alice", &["device", "add"]).ok();
    assert!(
        shown.stdout.contains("Approval code for a new device:"),
        "{}",
        shown.stdout
    );
    assert!(shown.stdout.contains("It works once, for 10 minutes."));
    let code = cli.run("alice", &["device", "add", "--json"]).ok().json();
    let payload = code["qr_payload"].as_str().expect("qr_payload").to_owned();

    let joined = cli
        .run(
            "tablet",
            &[
                "device",
                "join",
                "--server",
                &server.url,
                "--code",
                &payload,
                "--device-name",
                "Tablet",
            ],
        )
        .ok();
    assert!(
        joined
            .stdout
            .starts_with("Joined @alice (Alice Liu) as device "),
        "{}",
        joined.stdout
    );
    let listed = cli.run("tablet", &["device", "list"]).ok();
    assert!(
        listed.stdout.contains("Tablet (this device)"),
        "{}",
        listed.stdout
    );
    let devices = cli.run("alice", &["device", "list", "--json"]).ok().json();
    let tablet = devices[1]["id"].as_i64().expect("tablet id");
    assert_eq!(devices[0]["this_device"], true);

    let revoked = cli
        .run("alice", &["device", "revoke", &tablet.to_string()])
        .ok();
    assert!(
        revoked
            .stdout
            .starts_with(&format!("Revoked device {tablet}:")),
        "{}",
        revoked.stdout
    );
    let refused = cli.run("tablet", &["device", "list"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("device_revoked"),
        "{}",
        refused.stderr
    );
    let last = cli.run(
        "alice",
        &["device", "revoke", &devices[0]["id"].to_string()],
    );
    assert_eq!(last.code, 1);
    assert!(last.stderr.contains("last_device"), "{}", last.stderr);
}
