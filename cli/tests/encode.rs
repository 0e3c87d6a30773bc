//! `danbao qr encode`: runs the real binary, then reads each code back with `danbao qr decode`
//! and with the core's verifier.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use danbao_domain::qr::danbao::{DanbaoCode, DanbaoError, verify};
use serde_json::Value;

const NOW: u64 = 1_735_689_600;

fn danbao(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_danbao"))
        .args(args)
        .output()
        .expect("the danbao binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("danbao-encode-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs keygen and returns (key file, key id, public key).
fn keygen(dir: &TempDir) -> (PathBuf, String, [u8; 32]) {
    let key = dir.path("signing.der");
    let output = danbao(&["qr", "encode", "keygen", "--out", path_str(&key)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).expect("keygen prints JSON");
    let hex = report["public_key"].as_str().expect("public_key");
    assert_eq!(hex.len(), 64);
    let mut public_key = [0u8; 32];
    for (i, byte) in public_key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex");
    }
    let key_id = report["key_id"].as_str().expect("key_id").to_owned();
    (key, key_id, public_key)
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

fn decode(text: &str) -> (Value, Option<i32>) {
    let output = danbao(&["qr", "decode", text]);
    let report = serde_json::from_str(&stdout(&output)).expect("decode prints JSON");
    (report, output.status.code())
}

fn assert_valid_danbao(report: &Value, initiation: &str) {
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["crc_ok"], true, "{report}");
    assert_eq!(report["point_of_initiation"], initiation, "{report}");
    assert_eq!(report["schemes"][0]["id"], "danbao", "{report}");
    assert_eq!(report["problems"], serde_json::json!([]), "{report}");
}

const PLACE: [&str; 8] = [
    "--name",
    "Lotus Tea House",
    "--city",
    "Hangzhou",
    "--country",
    "CN",
    "--currency",
    "CNY",
];

#[test]
fn keygen_writes_a_private_key_file_and_never_prints_it() {
    let dir = TempDir::new("keygen");
    let (key, key_id, _) = keygen(&dir);
    let der = std::fs::read(&key).expect("key file");
    assert!(der.len() >= 48, "PKCS#8 DER of an Ed25519 key");
    assert!(key_id.starts_with('k') && key_id.len() == 9, "{key_id}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A second keygen to the same file refuses to overwrite it.
    let again = danbao(&["qr", "encode", "keygen", "--out", path_str(&key)]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("--force"));
    assert_eq!(std::fs::read(&key).expect("key file"), der);
}

#[test]
fn static_merchant_code_decodes_as_danbao() {
    let mut args = vec![
        "qr",
        "encode",
        "merchant",
        "--merchant-id",
        "m-1001",
        "--mcc",
        "5812",
    ];
    args.extend(PLACE);
    let output = danbao(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output).trim().to_owned();
    let (report, code) = decode(&text);
    assert_eq!(code, Some(0));
    assert_valid_danbao(&report, "static");
    assert_eq!(report["merchant_accounts"][0]["fields"]["01"], "m-1001");
    assert_eq!(report["amount"], Value::Null);
    let verified = verify(&text, &BTreeMap::new(), NOW).expect("unsigned static code");
    assert!(verified.seal.is_none());
}

#[test]
fn signed_order_decodes_and_verifies_under_the_generated_key() {
    let dir = TempDir::new("order");
    let (key, key_id, public_key) = keygen(&dir);
    let now = NOW.to_string();
    let mut args = vec![
        "qr",
        "encode",
        "order",
        "--key-file",
        path_str(&key),
        "--merchant-id",
        "m-1001",
        "--order-id",
        "ord-42",
        "--mcc",
        "5812",
        "--amount",
        "128.50",
        "--now",
        &now,
        "--ttl",
        "600",
    ];
    args.extend(PLACE);
    let output = danbao(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output).trim().to_owned();

    let (report, code) = decode(&text);
    assert_eq!(code, Some(0));
    assert_valid_danbao(&report, "dynamic");
    assert_eq!(report["amount"], "128.50");
    assert_eq!(report["currency"], "CNY");
    assert_eq!(report["merchant_accounts"][0]["fields"]["03"], "ord-42");

    let keys = BTreeMap::from([(key_id.clone(), public_key)]);
    let verified = verify(&text, &keys, NOW + 10).expect("verifies");
    let DanbaoCode::Order(order) = verified.code else {
        panic!("expected an order code");
    };
    assert_eq!(
        (order.order_id.as_str(), order.amount_minor),
        ("ord-42", 12_850)
    );
    let seal = verified.seal.expect("sealed");
    assert_eq!(
        (seal.key_id, seal.issued_at, seal.expires_at),
        (key_id, NOW, NOW + 600)
    );
    assert_eq!(
        verify(&text, &keys, NOW + 600),
        Err(DanbaoError::Expired {
            expires_at: NOW + 600,
            now: NOW + 600
        })
    );
}

#[test]
fn two_issues_of_one_order_have_different_nonces() {
    let dir = TempDir::new("nonce");
    let (key, key_id, _) = keygen(&dir);
    let mut args = vec![
        "qr",
        "encode",
        "order",
        "--key-file",
        path_str(&key),
        "--key-id",
        "shop-1",
        "--merchant-id",
        "m-1001",
        "--order-id",
        "ord-42",
        "--mcc",
        "5812",
        "--amount",
        "1.00",
        "--now",
        "1735689600",
    ];
    args.extend(PLACE);
    let first = stdout(&danbao(&args));
    let second = stdout(&danbao(&args));
    assert_ne!(first, second, "random nonces");
    assert!(
        first.contains("0010app.danbao0106shop-1"),
        "explicit --key-id {first}"
    );
    assert!(!first.contains(&key_id));
}

#[test]
fn receive_codes_with_and_without_amount() {
    let dir = TempDir::new("receive");
    let (key, _, _) = keygen(&dir);
    let base = [
        "qr",
        "encode",
        "receive",
        "--handle",
        "alice.w",
        "--name",
        "Alice Wang",
        "--city",
        "Shanghai",
        "--country",
        "CN",
        "--currency",
        "CNY",
    ];
    let plain = danbao(&base);
    assert!(plain.status.success(), "{}", stderr(&plain));
    let (report, _) = decode(stdout(&plain).trim());
    assert_valid_danbao(&report, "static");
    assert_eq!(report["merchant_accounts"][0]["fields"]["02"], "alice.w");

    let mut unsigned = base.to_vec();
    unsigned.extend(["--amount", "5.00"]);
    let refused = danbao(&unsigned);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("--key-file"),
        "{}",
        stderr(&refused)
    );

    unsigned.extend(["--key-file", path_str(&key)]);
    let signed = danbao(&unsigned);
    assert!(signed.status.success(), "{}", stderr(&signed));
    let (report, _) = decode(stdout(&signed).trim());
    assert_valid_danbao(&report, "dynamic");
    assert_eq!(report["amount"], "5.00");
}

#[test]
fn svg_output_is_an_svg_document() {
    let mut args = vec![
        "qr",
        "encode",
        "merchant",
        "--merchant-id",
        "m-1001",
        "--mcc",
        "5812",
        "--svg",
    ];
    args.extend(PLACE);
    let output = danbao(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let svg = stdout(&output);
    assert!(
        svg.contains("<svg") && svg.trim_end().ends_with("</svg>"),
        "{svg}"
    );
}

#[test]
fn bad_values_are_refused_with_the_reason() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["--amount", "12.345", "--order-id", "o1"],
            "3 decimals; CNY allows 2",
        ),
        (&["--amount", "1.00", "--order-id", "o1"], "--key-file"),
        (&["--amount", "1.00", "--order-id", "bad id"], "order_id"),
        (&["--amount=-1", "--order-id", "o1"], "sign"),
        (
            &[
                "--amount",
                "1.00",
                "--order-id",
                "o1",
                "--key-file",
                "/nonexistent/k",
            ],
            "cannot read key file",
        ),
    ];
    let dir = TempDir::new("bad");
    let (key, _, _) = keygen(&dir);
    for (extra, needle) in cases {
        let mut args = vec![
            "qr",
            "encode",
            "order",
            "--merchant-id",
            "m-1",
            "--mcc",
            "5812",
        ];
        args.extend(PLACE);
        args.extend(extra);
        if needle == "order_id" {
            args.extend(["--key-file", path_str(&key)]);
        }
        let output = danbao(&args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&output).contains(needle),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty());
    }
    // Usage errors are clap's: exit 2.
    let output = danbao(&["qr", "encode", "order", "--merchant-id", "m-1"]);
    assert_eq!(output.status.code(), Some(2));
}

/// Runs of three or more ASCII letters in `text` outside what a Chinese message may quote:
/// `backticked commands`, `--options`, paths and the tokens in `allowed`.
fn english_words(text: &str, allowed: &[&str]) -> Vec<String> {
    let mut plain = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 0 {
            plain.push_str(part);
            plain.push(' ');
        }
    }
    plain
        .split(|c: char| c.is_whitespace() || "（）：；，“”".contains(c))
        .filter(|token| !token.starts_with("--") && !token.starts_with('/'))
        .flat_map(|token| token.split(|c: char| !c.is_ascii_alphabetic()))
        .filter(|w| w.len() >= 3 && !allowed.contains(w))
        .map(str::to_owned)
        .collect()
}

#[test]
fn bad_values_are_refused_in_chinese_too() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["--amount", "12.345", "--order-id", "o1"],
            "有 3 位小数；CNY 最多 2 位",
        ),
        (&["--amount", "1.00", "--order-id", "o1"], "必须签名"),
        (&["--amount=-1", "--order-id", "o1"], "不能带正负号"),
        (
            &[
                "--amount",
                "1.00",
                "--order-id",
                "o1",
                "--key-file",
                "/nonexistent/k",
            ],
            "无法读取密钥文件 /nonexistent/k",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec![
            "--lang",
            "zh-Hans-CN",
            "qr",
            "encode",
            "order",
            "--merchant-id",
            "m-1",
            "--mcc",
            "5812",
        ];
        args.extend(PLACE);
        args.extend(extra);
        let output = danbao(&args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let said = stderr(&output);
        assert!(said.contains(needle), "{args:?}: {said}");
        // The operating system's own words for a missing file are its, not the CLI's.
        let said = said
            .replace("No such file or directory", "")
            .replace("os error", "");
        let english = english_words(&said, &["CNY"]);
        assert!(english.is_empty(), "{args:?}: {said} has {english:?}");
    }
}
