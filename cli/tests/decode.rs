//! `danbao qr decode` as a process: the JSON report, exit codes and hostile input.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

const SPEC_EXAMPLE: &str = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";
const PIX: &str = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";
/// github.com/dtinth/promptpay-qr tests (local phone number): no 52, 59 or 60.
const PROMPTPAY: &str =
    "00020101021129370016A000000677010111011300668012345675802TH530376463046197";

const KEYS: [&str; 14] = [
    "valid",
    "crc_ok",
    "point_of_initiation",
    "schemes",
    "merchant_accounts",
    "mcc",
    "currency",
    "amount",
    "country",
    "merchant_name",
    "merchant_city",
    "additional_data",
    "problems",
    "errors",
];

fn danbao(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_danbao"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        pipe.write_all(bytes).unwrap();
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// Runs `danbao qr decode` and returns (exit code, report), checking the key set.
fn decode(arg: &str, stdin: Option<&[u8]>) -> (i32, Value) {
    let out = danbao(&["qr", "decode", arg], stdin);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let mut keys: Vec<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut expected = KEYS.to_vec();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    (out.status.code().unwrap(), report)
}

#[test]
fn the_spec_example_is_reported_field_by_field() {
    let (code, r) = decode(SPEC_EXAMPLE, None);
    assert_eq!(code, 0);
    assert_eq!(r["valid"], true);
    assert_eq!(r["crc_ok"], true);
    assert_eq!(r["point_of_initiation"], "dynamic");
    assert_eq!(r["schemes"], json!([]));
    assert_eq!(
        r["merchant_accounts"],
        json!([
            {"tag": "29", "guid": "D15600000000", "fields": {"05": "A93FO3230Q"}, "value": null},
            {"tag": "31", "guid": "D15600000001", "fields": {"03": "12345678"}, "value": null},
        ])
    );
    assert_eq!(r["mcc"], "4111");
    assert_eq!(r["currency"], "CNY");
    assert_eq!(r["amount"], "23.72");
    assert_eq!(r["country"], "CN");
    assert_eq!(r["merchant_name"], "BEST TRANSPORT");
    assert_eq!(r["merchant_city"], "BEIJING");
    let add = &r["additional_data"];
    assert_eq!(add["store_label"], "1234");
    assert_eq!(add["customer_label"], "***");
    assert_eq!(add["terminal_label"], "A6008667");
    assert_eq!(add["consumer_data_request"], "ME");
    assert_eq!(add["bill_number"], Value::Null);
    assert_eq!(r["problems"], json!([]));
    assert_eq!(r["errors"], json!([]));
}

#[test]
fn stdin_is_read_with_one_trailing_newline_trimmed() {
    for input in [format!("{PIX}\n"), format!("{PIX}\r\n"), PIX.to_owned()] {
        let (code, r) = decode("-", Some(input.as_bytes()));
        assert_eq!(code, 0, "{input:?}: {r}");
        assert_eq!(
            r["schemes"],
            json!([{"id": "pix", "name": "Pix", "country": "BR"}])
        );
        assert_eq!(r["currency"], "BRL");
        assert_eq!(r["point_of_initiation"], Value::Null);
        assert_eq!(r["additional_data"]["reference_label"], "***");
        assert_eq!(
            r["merchant_accounts"][0]["fields"]["01"],
            "123e4567-e12b-12d1-a456-426655440000"
        );
    }
    // Only one newline is trimmed: a second one follows the CRC.
    let (code, r) = decode("-", Some(format!("{PIX}\n\n").as_bytes()));
    assert_eq!(code, 1);
    assert!(
        r["errors"][0]
            .as_str()
            .unwrap()
            .contains("not the last data object"),
        "{r}"
    );
}

#[test]
fn problems_do_not_make_a_code_invalid() {
    let (code, r) = decode(PROMPTPAY, None);
    assert_eq!(code, 0);
    assert_eq!(r["valid"], true);
    assert_eq!(
        r["schemes"],
        json!([{"id": "promptpay", "name": "PromptPay", "country": "TH"}])
    );
    let tags: Vec<&str> = r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["52", "59", "60"]);
    assert!(
        r["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("mandatory")
    );
}

#[test]
fn invalid_codes_exit_1_with_the_reason() {
    let wrong_crc = SPEC_EXAMPLE.replace("6304A13A", "6304A13B");
    let edited = SPEC_EXAMPLE.replace("BEST TRANSPORT", "BEST TRANSPORX");
    let cases: [(&str, Option<bool>, &str); 6] = [
        (
            &wrong_crc,
            Some(false),
            "CRC mismatch: the payload says A13B but its content has CRC A13A",
        ),
        (&edited, Some(false), "CRC mismatch"),
        ("000201010", None, "truncated data object 01 at character 6"),
        (
            "0002010102115999ABC",
            None,
            "declares 99 characters but only 3 remain",
        ),
        ("", None, "empty input"),
        ("hello world", None, "has id \"he\""),
    ];
    for (input, crc_ok, needle) in cases {
        let (code, r) = decode(input, None);
        assert_eq!(code, 1, "{input:?}");
        assert_eq!(r["valid"], false);
        assert_eq!(r["crc_ok"], json!(crc_ok), "{input:?}");
        assert_eq!(r["merchant_accounts"], json!([]));
        let errors = r["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].as_str().unwrap().contains(needle),
            "{input:?}: {errors:?}"
        );
    }
}

#[test]
fn non_utf8_stdin_is_invalid_not_a_crash() {
    let mut bytes = PIX.as_bytes().to_vec();
    bytes[10] = 0xFF;
    let (code, r) = decode("-", Some(&bytes));
    assert_eq!(code, 1);
    assert_eq!(r["valid"], false);
    assert_eq!(r["crc_ok"], Value::Null);
    assert_eq!(
        r["errors"],
        json!([
            "input is not UTF-8: byte 0xFF at offset 10 does not start a valid UTF-8 sequence; an EMV payload is UTF-8 text"
        ])
    );
}

#[test]
fn ten_kilobytes_are_refused_from_argument_and_stdin() {
    let big = "0".repeat(10 * 1024);
    for (arg, stdin) in [(big.as_str(), None), ("-", Some(big.as_bytes()))] {
        let (code, r) = decode(arg, stdin);
        assert_eq!(code, 1);
        assert_eq!(
            r["errors"],
            json!([
                "input is 10240 bytes long; a QR code carries at most 2953 bytes, so this is not a scanned payload"
            ])
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(danbao(&["qr", "decode"], None).status.code(), Some(2));
    assert_eq!(
        danbao(&["qr", "decode", "a", "b"], None).status.code(),
        Some(2)
    );
    assert_eq!(
        danbao(&["qr", "decode", "--bogus", "x"], None)
            .status
            .code(),
        Some(2)
    );
}
