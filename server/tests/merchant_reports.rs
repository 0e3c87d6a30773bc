//! Settlement reports (issue 15 point 5): for a date range, every settled order with gross,
//! fee, refunds, net and its `merchant_reference`, and every merchant payment (a scanned
//! merchant code) with gross, fee, net and its transfer id, as JSON and CSV; the totals
//! reconcile exactly with the merchant wallet's movements in the ledger journal.

mod common;

use common::{Server, Wallet, next_key};
use danbao_domain::ledger::TransferKind;
use danbao_domain::money::Currency;
use danbao_server::store::{AccountKind, Store};
use serde_json::{Value, json};

const CNY: &str = "CNY";

async fn api(
    server: &Server,
    key: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, String) {
    let mut request = server
        .http
        .request(method.parse().unwrap(), format!("{}{path}", server.url))
        .bearer_auth(key);
    if let Some(body) = body {
        request = request
            .header("Idempotency-Key", next_key())
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn api_json(
    server: &Server,
    key: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let (status, text) = api(server, key, method, path, body).await;
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Creates an order through the API and has Bea pay it; returns its id.
async fn paid_order(
    server: &Server,
    key: &str,
    buyer: &Wallet,
    reference: &str,
    amount: &str,
) -> String {
    let body =
        json!({"merchant_reference": reference, "title": "Tea", "amount": amount, "currency": CNY});
    let (status, created) =
        api_json(server, key, "POST", "/v1/merchant-api/orders", Some(&body)).await;
    assert_eq!(status, 201, "{created}");
    let (status, paid) = buyer
        .post("/v1/orders/pay-code", &json!({"code": created["code"]}))
        .await;
    assert_eq!(status, 200, "{paid}");
    created["order"]["id"].as_str().unwrap().to_owned()
}

async fn step(server: &Server, key: &str, id: &str, action: &str, body: Value) {
    let (status, answer) = api_json(
        server,
        key,
        "POST",
        &format!("/v1/merchant-api/orders/{id}/{action}"),
        Some(&body),
    )
    .await;
    assert_eq!(status, 200, "{action}: {answer}");
}

#[tokio::test]
async fn the_report_lists_every_settled_order_and_reconciles_with_the_ledger() {
    let server = Server::start().await;
    let merchant = server.sign_up_merchant("teashop", "Tea Shop").await;
    let buyer = server.sign_up("bea", "Bea Wang").await;
    server.top_up("bea", "1000.00", CNY).await;
    let (status, _) = server
        .operator(
            "POST",
            "/v1/admin/fees",
            Some(&json!({"merchant": "teashop", "currency": CNY, "basis_points": 150, "fixed_minor": 20})),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, issued) = merchant
        .post(
            "/v1/merchant/api-keys",
            &json!({"name": "books", "scopes": ["orders:write", "refunds:write", "reports:read"]}),
        )
        .await;
    assert_eq!(status, 201);
    let key = issued["secret"].as_str().unwrap().to_owned();
    let start = server.app.now();
    let ship = || json!({"carrier": "SF", "tracking": "SF9"});

    // Completed: 88.00 → fee 1.32 + 0.20 = 1.52, net 86.48.
    let a = paid_order(&server, &key, &buyer, "web-a", "88.00").await;
    step(&server, &key, &a, "ship", ship()).await;
    let (status, _) = buyer
        .post(&format!("/v1/orders/{a}/confirm"), &json!({}))
        .await;
    assert_eq!(status, 200);
    // Partly refunded: 100.00 with 30.00 back → gross 70.00, fee 1.05 + 0.20 = 1.25.
    let b = paid_order(&server, &key, &buyer, "web-b", "100.00").await;
    step(&server, &key, &b, "ship", ship()).await;
    let (status, _) = buyer
        .post(
            &format!("/v1/orders/{b}/refund-request"),
            &json!({"amount": "30.00"}),
        )
        .await;
    assert_eq!(status, 200);
    step(&server, &key, &b, "refund-accept", json!({})).await;
    // Fully refunded before shipping: no fee.
    let c = paid_order(&server, &key, &buyer, "web-c", "20.00").await;
    step(&server, &key, &c, "cancel", json!({})).await;
    // A merchant payment (a scanned code): 50.00 → fee 0.75 + 0.20 = 0.95, net 49.05.
    let (status, code) = merchant
        .post(
            "/v1/codes",
            &json!({"kind": "merchant", "amount": "50.00", "currency": CNY}),
        )
        .await;
    assert_eq!(status, 201, "{code}");
    let (status, payment) = buyer
        .post("/v1/payments", &json!({"code": code["code"]}))
        .await;
    assert_eq!(status, 200, "{payment}");
    let payment_id = payment["transfer_id"].as_str().unwrap().to_owned();
    // Never paid: not settled, not in the report.
    let body =
        json!({"merchant_reference": "web-d", "title": "Tea", "amount": "5.00", "currency": CNY});
    let (status, _) = api_json(
        &server,
        &key,
        "POST",
        "/v1/merchant-api/orders",
        Some(&body),
    )
    .await;
    assert_eq!(status, 201);

    let end = server.app.now() + 1;
    let path = format!("/v1/merchant-api/reports/settlements?from={start}&to={end}");
    let (status, report) = api_json(&server, &key, "GET", &path, None).await;
    assert_eq!(status, 200, "{report}");
    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), 4, "{report}");
    let references: Vec<&str> = items
        .iter()
        .filter(|i| i["kind"] == "order")
        .map(|i| i["merchant_reference"].as_str().unwrap())
        .collect();
    let mut sorted = references.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["web-a", "web-b", "web-c"]);
    let line = |reference: &str| {
        items
            .iter()
            .find(|i| i["merchant_reference"] == reference)
            .unwrap()
            .clone()
    };
    let minor = |v: &Value, field: &str| v[field]["minor"].as_i64().unwrap();
    let la = line("web-a");
    assert_eq!(
        [
            minor(&la, "amount"),
            minor(&la, "refunded"),
            minor(&la, "gross"),
            minor(&la, "fee"),
            minor(&la, "net")
        ],
        [8_800, 0, 8_800, 152, 8_648]
    );
    let lb = line("web-b");
    assert_eq!(
        [
            minor(&lb, "amount"),
            minor(&lb, "refunded"),
            minor(&lb, "gross"),
            minor(&lb, "fee"),
            minor(&lb, "net")
        ],
        [10_000, 3_000, 7_000, 125, 6_875]
    );
    let lc = line("web-c");
    assert_eq!(
        [
            minor(&lc, "amount"),
            minor(&lc, "refunded"),
            minor(&lc, "gross"),
            minor(&lc, "fee"),
            minor(&lc, "net")
        ],
        [2_000, 2_000, 0, 0, 0]
    );
    let paid = items.iter().find(|i| i["kind"] == "payment").unwrap();
    assert_eq!(paid["transfer_id"], payment_id.as_str());
    assert_eq!(paid["order_id"], "");
    assert!(paid["merchant_reference"].is_null(), "{paid}");
    assert_eq!(
        [
            minor(paid, "amount"),
            minor(paid, "refunded"),
            minor(paid, "gross"),
            minor(paid, "fee"),
            minor(paid, "net")
        ],
        [5_000, 0, 5_000, 95, 4_905]
    );
    let totals = &report["totals"][0];
    assert_eq!(totals["currency"], CNY);
    assert_eq!(totals["orders"], 3);
    assert_eq!(totals["payments"], 1);
    assert_eq!(minor(totals, "gross"), 20_800);
    assert_eq!(minor(totals, "fee"), 372);
    assert_eq!(minor(totals, "net"), 20_428);
    assert_eq!(minor(totals, "refunded"), 5_000);

    // Reconciliation with the ledger journal: escrow posts and payments into the merchant's
    // wallet sum to the gross, transfers from it to the platform's revenue to the fee, and the wallet holds
    // exactly the net (it had nothing else).
    let merchant_id = merchant.user_id;
    let cny = Currency::from_code(CNY).unwrap();
    let (posted_in, fees_out) = server
        .app
        .store
        .read(move |tx| {
            let wallet = tx
                .find_account(Some(merchant_id), AccountKind::Wallet, cny)?
                .unwrap();
            let revenue = tx.find_account(None, AccountKind::Revenue, cny)?.unwrap();
            let (mut posted_in, mut fees_out) = (0, 0);
            for (_, transfer) in tx.journal(0, 10_000)? {
                if transfer.credit == wallet.id
                    && matches!(
                        transfer.kind,
                        TransferKind::Post { .. } | TransferKind::Posted
                    )
                {
                    posted_in += transfer.amount.minor();
                }
                if transfer.debit == wallet.id && transfer.credit == revenue.id {
                    fees_out += transfer.amount.minor();
                }
            }
            Ok::<_, danbao_server::store::StoreError>((posted_in, fees_out))
        })
        .await
        .unwrap();
    assert_eq!(posted_in, minor(totals, "gross"));
    assert_eq!(fees_out, minor(totals, "fee"));
    assert_eq!(merchant.available(CNY).await, minor(totals, "net"));

    // The same report as CSV: a header and one line per order whose net sums to the total.
    let (status, csv) = api(&server, &key, "GET", &format!("{path}&format=csv"), None).await;
    assert_eq!(status, 200, "{csv}");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "order_id,merchant_reference,currency,amount,refunded,gross,fee,net,settled_at,kind,\
         transfer_id"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 4);
    let row_p = rows.iter().find(|r| r[9] == "payment").unwrap();
    assert_eq!(
        row_p[..],
        [
            "",
            "",
            CNY,
            "50.00",
            "0.00",
            "50.00",
            "0.95",
            "49.05",
            row_p[8],
            "payment",
            payment_id.as_str()
        ]
    );
    let row_a = rows.iter().find(|r| r[1] == "web-a").unwrap();
    assert_eq!(
        &row_a[..8],
        [
            a.as_str(),
            "web-a",
            CNY,
            "88.00",
            "0.00",
            "88.00",
            "1.52",
            "86.48"
        ]
    );
    let net_cents: i64 = rows
        .iter()
        .map(|r| r[7].replace('.', "").parse::<i64>().unwrap())
        .sum();
    assert_eq!(net_cents, 20_428);

    // A range that ends before the settlements is empty; bad ranges and a key without the
    // scope are refused.
    let (_, empty) = api_json(
        &server,
        &key,
        "GET",
        &format!(
            "/v1/merchant-api/reports/settlements?from={}&to={start}",
            start - 86_400
        ),
        None,
    )
    .await;
    assert_eq!(empty["items"], json!([]));
    assert_eq!(empty["totals"], json!([]));
    for query in [
        format!("from={end}&to={start}"),
        format!("from=0&to={end}"),
        format!("from={start}&to={end}&format=xml"),
        "to=5".to_owned(),
    ] {
        let (status, refused) = api_json(
            &server,
            &key,
            "GET",
            &format!("/v1/merchant-api/reports/settlements?{query}"),
            None,
        )
        .await;
        assert_eq!(
            (status, &refused["code"]),
            (400, &json!("invalid_query")),
            "{query}"
        );
    }
    let (_, reader) = merchant
        .post(
            "/v1/merchant/api-keys",
            &json!({"name": "orders only", "scopes": ["orders:read"]}),
        )
        .await;
    let (status, refused) = api_json(
        &server,
        reader["secret"].as_str().unwrap(),
        "GET",
        &path,
        None,
    )
    .await;
    assert_eq!((status, &refused["code"]), (403, &json!("missing_scope")));
    server.invariants().await;
}
