//! The OpenAPI document at `/openapi.json` against the server that serves it: every route the
//! router serves is documented with its methods and security, nothing else is; request bodies
//! refuse unknown fields; POSTs declare the Idempotency-Key; and real answers of every flow —
//! successes and refusals — conform to the documented schemas and carry documented codes.

mod common;

use std::collections::BTreeSet;

use common::{Server, Wallet, next_key};
use serde_json::{Value, json};

/// Every (method, path) `danbao_server::api::router` serves, read off `router()`.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/health"),
    ("GET", "/openapi.json"),
    ("POST", "/v1/users"),
    ("GET", "/v1/users/{handle}"),
    ("GET", "/v1/me"),
    ("GET", "/v1/devices"),
    ("POST", "/v1/devices/approvals"),
    ("POST", "/v1/devices/join"),
    ("POST", "/v1/devices/{id}/revoke"),
    ("POST", "/v1/sandbox/top-ups"),
    ("POST", "/v1/admin/deposits"),
    ("POST", "/v1/withdrawals"),
    ("POST", "/v1/transfers"),
    ("GET", "/v1/balances"),
    ("GET", "/v1/activity"),
    ("GET", "/v1/events"),
    ("POST", "/v1/codes"),
    ("POST", "/v1/codes/resolve"),
    ("POST", "/v1/payments"),
    ("POST", "/v1/requests"),
    ("GET", "/v1/requests/{id}"),
    ("POST", "/v1/requests/{id}/accept"),
    ("POST", "/v1/requests/{id}/decline"),
    ("POST", "/v1/paycode/provision"),
    ("POST", "/v1/paycode/masks"),
    ("POST", "/v1/merchant/charges"),
    ("GET", "/v1/admin/invariants"),
    ("POST", "/v1/admin/clock"),
    ("POST", "/v1/admin/merchants/{handle}"),
    ("GET", "/v1/admin/merchants/{handle}"),
    ("POST", "/v1/me/display-name"),
    ("POST", "/v1/orders"),
    ("GET", "/v1/orders"),
    ("POST", "/v1/orders/pay-code"),
    ("GET", "/v1/orders/{id}"),
    ("POST", "/v1/orders/{id}/{action}"),
    ("GET", "/v1/admin/orders/{id}"),
    ("POST", "/v1/admin/orders/{id}/resolve"),
    ("GET", "/v1/admin/withdrawals"),
    ("POST", "/v1/admin/withdrawals/{id}/paid-out"),
    ("POST", "/v1/admin/withdrawals/{id}/failed"),
    ("POST", "/v1/admin/fees"),
    ("POST", "/v1/merchant/api-keys"),
    ("GET", "/v1/merchant/api-keys"),
    ("POST", "/v1/merchant/api-keys/{id}/rotate"),
    ("POST", "/v1/merchant/api-keys/{id}/revoke"),
    ("POST", "/v1/merchant-api/orders"),
    ("GET", "/v1/merchant-api/orders"),
    ("GET", "/v1/merchant-api/orders/{id}"),
    ("POST", "/v1/merchant-api/orders/{id}/{action}"),
    ("GET", "/v1/merchant-api/reports/settlements"),
    ("POST", "/v1/merchant-api/webhooks"),
    ("GET", "/v1/merchant-api/webhooks"),
    ("POST", "/v1/merchant-api/webhooks/{id}/rotate-secret"),
    ("POST", "/v1/merchant-api/webhooks/{id}/enable"),
    ("POST", "/v1/merchant-api/webhooks/{id}/test"),
    ("GET", "/v1/merchant-api/webhooks/{id}/deliveries"),
    ("POST", "/v1/merchant-api/webhook-deliveries/{id}/redeliver"),
];

/// How an unauthenticated request to a route is answered, by its documented security.
#[derive(Debug, PartialEq, Eq)]
enum Guard {
    Public,
    Operator,
    Signed,
    MerchantKey,
}

struct Doc(Value);

impl Doc {
    async fn fetch(server: &Server) -> Self {
        let response = server
            .http
            .get(format!("{}/openapi.json", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "application/json"
        );
        let text = response.text().await.unwrap();
        Self(serde_json::from_str(&text).expect("/openapi.json is JSON"))
    }

    fn operation(&self, method: &str, path: &str) -> &Value {
        let operation = &self.0["paths"][path][method.to_ascii_lowercase()];
        assert!(operation.is_object(), "{method} {path} is not documented");
        operation
    }

    fn operations(&self) -> Vec<(String, String, &Value)> {
        let mut all = Vec::new();
        for (path, item) in self.0["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                all.push((method.to_ascii_uppercase(), path.clone(), operation));
            }
        }
        all
    }

    fn guard(&self, operation: &Value) -> Guard {
        let security = operation.get("security").unwrap_or(&self.0["security"]);
        let schemes: BTreeSet<&str> = security
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|requirement| requirement.as_object().unwrap().keys())
            .map(String::as_str)
            .collect();
        if schemes.is_empty() {
            Guard::Public
        } else if schemes == BTreeSet::from(["operator"]) {
            Guard::Operator
        } else if schemes == BTreeSet::from(["Merchant-Key"]) {
            Guard::MerchantKey
        } else {
            let signed = BTreeSet::from([
                "Danbao-Device",
                "Danbao-Timestamp",
                "Danbao-Nonce",
                "Danbao-Signature",
            ]);
            assert_eq!(schemes, signed, "unexpected security {security}");
            Guard::Signed
        }
    }

    fn schema(&self, name: &str) -> &Value {
        let schema = &self.0["components"]["schemas"][name];
        assert!(schema.is_object(), "no schema {name}");
        schema
    }

    /// The object schemas a body may be: `oneOf` options flattened, `null` (no body) left out.
    fn alternatives<'a>(&'a self, schema: &'a Value) -> Vec<&'a Value> {
        let schema = self.resolve(schema);
        match schema["oneOf"].as_array() {
            Some(options) => options
                .iter()
                .flat_map(|option| self.alternatives(option))
                .collect(),
            None if schema["type"] == "null" => Vec::new(),
            None => vec![schema],
        }
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference
                    .strip_prefix("#/components/schemas/")
                    .unwrap_or_else(|| panic!("unexpected $ref {reference}"));
                self.resolve(self.schema(name))
            }
            None => schema,
        }
    }

    /// Checks that a real answer of `method path` with `status` is documented: the status is,
    /// the body conforms to its schema, and a problem's `code` is among the listed ones.
    fn check(&self, method: &str, path: &str, status: u16, body: &Value) {
        let operation = self.operation(method, path);
        let response = &operation["responses"][status.to_string()];
        assert!(
            response.is_object(),
            "{method} {path} answered {status}, which is not documented: {body}"
        );
        let content = response["content"].as_object().unwrap();
        let (media, content) = content.iter().next().unwrap();
        if status >= 400 {
            assert_eq!(
                media, "application/problem+json",
                "{method} {path} {status}"
            );
            let code = body["code"].as_str().unwrap_or_else(|| panic!("{body}"));
            let listed = codes(response["description"].as_str().unwrap());
            assert!(
                listed.contains(code),
                "{method} {path} answered {status} {code}, but the document lists {listed:?}"
            );
        }
        if let Err(problem) = self.conforms(&content["schema"], body, "$") {
            panic!("{method} {path} {status}: {problem}\nbody: {body}");
        }
    }

    /// Whether `value` conforms to `schema`; answers are checked strictly (a property the
    /// schema does not name is an error unless it allows additional properties by schema).
    fn conforms(&self, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
        let schema = self.resolve(schema);
        if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
            let fits = options
                .iter()
                .filter(|option| self.conforms(option, value, at).is_ok())
                .count();
            return match fits {
                1 => Ok(()),
                n => Err(format!("{at}: {value} fits {n} of the oneOf options")),
            };
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            return Err(format!("{at}: {value} is not one of {allowed:?}"));
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => return Ok(()),
        };
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let fits = types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
        if !fits {
            return Err(format!(
                "{at}: {value} is {actual}, documented as {types:?}"
            ));
        }
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.conforms(&schema["items"], item, &format!("{at}[{i}]"))?;
                }
            }
            Value::Object(fields) => {
                for required in schema["required"].as_array().into_iter().flatten() {
                    let name = required.as_str().unwrap();
                    if !fields.contains_key(name) {
                        return Err(format!("{at}: required {name} is missing"));
                    }
                }
                for (name, field) in fields {
                    let at = format!("{at}.{name}");
                    match (&schema["properties"][name], &schema["additionalProperties"]) {
                        (Value::Object(property), _) => {
                            self.conforms(&Value::Object(property.clone()), field, &at)?;
                        }
                        (_, Value::Object(extra)) => {
                            self.conforms(&Value::Object(extra.clone()), field, &at)?;
                        }
                        _ if schema.get("properties").is_none()
                            && schema.get("additionalProperties").is_none() =>
                        {
                            // A free-form object (`Object`): any fields.
                        }
                        _ => return Err(format!("{at} is not documented")),
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// The problem codes a response description lists ("a, b (note), c").
fn codes(description: &str) -> BTreeSet<String> {
    description
        .split(", ")
        .map(|part| part.split(' ').next().unwrap_or_default().to_owned())
        .collect()
}

/// A concrete path for a documented template.
fn concrete(template: &str) -> String {
    template
        .replace("{handle}", "alice")
        .replace("{action}", "pay")
        .replace("{id}", "1")
}

#[tokio::test]
async fn the_document_lists_exactly_the_routes_the_router_serves() {
    let server = Server::start().await;
    let doc = Doc::fetch(&server).await;
    let version = doc.0["openapi"].as_str().unwrap();
    assert!(version.starts_with("3.1."), "openapi {version}");
    assert_eq!(doc.0["info"]["title"], "Danbao API");

    let documented: BTreeSet<(String, String)> = doc
        .operations()
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect();
    let served: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    assert_eq!(documented, served);

    // Each documented operation is really routed, guarded as documented: unauthenticated, a
    // public route answers, an operator route wants the token, a signed one the signature.
    for (method, path, operation) in doc.operations() {
        let url = format!("{}{}", server.url, concrete(&path));
        let response = server
            .http
            .request(method.parse().unwrap(), &url)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        match doc.guard(operation) {
            Guard::Public => assert_eq!(status, 200, "{method} {path}"),
            Guard::Operator => {
                assert_eq!(
                    (status, &body["code"]),
                    (401, &json!("operator_only")),
                    "{method} {path}"
                );
                doc.check(&method, &path, status, &body);
            }
            Guard::Signed => {
                assert_eq!(
                    (status, &body["code"]),
                    (401, &json!("missing_signature")),
                    "{method} {path}"
                );
                doc.check(&method, &path, status, &body);
            }
            Guard::MerchantKey => {
                assert_eq!(
                    (status, &body["code"]),
                    (401, &json!("missing_api_key")),
                    "{method} {path}"
                );
                doc.check(&method, &path, status, &body);
            }
        }
        // A method the document does not list for this path is not served there.
        for other in ["GET", "POST"] {
            if doc.0["paths"][&path][other.to_ascii_lowercase()].is_null() {
                let status = server
                    .http
                    .request(other.parse().unwrap(), &url)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16();
                assert_eq!(status, 405, "{other} {path} is served but not documented");
            }
        }
    }

    // And what is not documented is not routed.
    let response = server
        .http
        .get(format!("{}/v1/nothing-here", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "no_such_route");
}

#[tokio::test]
async fn schemas_security_and_headers_are_declared() {
    let server = Server::start().await;
    let doc = Doc::fetch(&server).await;

    let amount = doc.schema("AmountView");
    let fields: BTreeSet<&str> = amount["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        fields,
        BTreeSet::from(["minor", "currency", "value", "display"])
    );
    assert_eq!(amount["properties"]["minor"]["type"], "integer");
    let problem = doc.schema("Problem");
    for field in ["type", "title", "status", "code", "detail"] {
        assert!(problem["properties"][field].is_object(), "Problem.{field}");
    }
    for name in [
        "BalanceView",
        "OrderView",
        "Event",
        "RequestView",
        "Resolved",
        "Charged",
    ] {
        doc.schema(name);
    }
    assert_eq!(
        doc.schema("OrderState")["enum"],
        json!([
            "awaiting_payment",
            "paid",
            "shipped",
            "refund_requested",
            "disputed",
            "completed",
            "cancelled",
            "refunded"
        ])
    );

    // The P2P body refuses unknown fields, as the server does (deny_unknown_fields).
    let send = doc.schema("Send");
    assert_eq!(send["additionalProperties"], false);
    assert_eq!(send["required"], json!(["to", "amount", "currency"]));

    let schemes = &doc.0["components"]["securitySchemes"];
    for header in [
        "Danbao-Device",
        "Danbao-Timestamp",
        "Danbao-Nonce",
        "Danbao-Signature",
    ] {
        assert_eq!(schemes[header]["type"], "apiKey", "{header}");
        assert_eq!(schemes[header]["in"], "header", "{header}");
        assert_eq!(schemes[header]["name"], header);
    }
    assert_eq!(schemes["operator"]["type"], "http");
    assert_eq!(schemes["operator"]["scheme"], "bearer");

    for (method, path, operation) in doc.operations() {
        // Every JSON body the server reads refuses unknown fields.
        if let Some(schema) = operation["requestBody"]["content"]["application/json"].get("schema")
        {
            for body in doc.alternatives(schema) {
                assert_eq!(
                    body["additionalProperties"], false,
                    "{method} {path}: {body}"
                );
            }
        }
        // Every POST but the sandbox clock, the merchant changes and the fee schedules (each
        // sets a state, safe to repeat) declares the required Idempotency-Key header.
        let has_key = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| {
                p["name"] == "Idempotency-Key" && p["in"] == "header" && p["required"] == true
            });
        let wants_key = method == "POST"
            && path != "/v1/admin/clock"
            && path != "/v1/admin/merchants/{handle}"
            && path != "/v1/admin/fees";
        assert_eq!(has_key, wants_key, "{method} {path} Idempotency-Key");
        // Every refusal is a Problem in problem+json, with its codes listed.
        for (status, response) in operation["responses"].as_object().unwrap() {
            if status.starts_with('4') || status.starts_with('5') {
                let schema = &response["content"]["application/problem+json"]["schema"];
                assert_eq!(
                    schema["$ref"], "#/components/schemas/Problem",
                    "{method} {path} {status}"
                );
                let listed = codes(response["description"].as_str().unwrap());
                assert!(
                    !listed.is_empty()
                        && listed.iter().all(|code| {
                            !code.is_empty()
                                && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                        }),
                    "{method} {path} {status}: {listed:?}"
                );
            }
        }
        // Path parameters are declared.
        for name in ["id", "handle", "action"] {
            if path.contains(&format!("{{{name}}}")) {
                let declared = operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["name"] == name && p["in"] == "path");
                assert!(declared, "{method} {path} does not declare {name}");
            }
        }
    }
    // Operator routes say so.
    let invariants = doc.operation("GET", "/v1/admin/invariants");
    assert_eq!(invariants["security"], json!([{"operator": []}]));
}

/// A signed call whose answer is checked against the document; returns the body.
async fn call(
    doc: &Doc,
    wallet: &Wallet,
    method: &str,
    template: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let key = (method == "POST").then(next_key);
    let (status, answer) = wallet
        .call(method, path, body.as_ref(), key.as_deref())
        .await;
    doc.check(method, template, status, &answer);
    (status, answer)
}

async fn operator(
    doc: &Doc,
    server: &Server,
    method: &str,
    template: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let key = (method == "POST"
        && template != "/v1/admin/clock"
        && template != "/v1/admin/merchants/{handle}"
        && template != "/v1/admin/fees")
        .then(next_key);
    let (status, answer) = server
        .operator(method, path, body.as_ref(), key.as_deref())
        .await;
    doc.check(method, template, status, &answer);
    (status, answer)
}

#[tokio::test]
async fn real_answers_conform_to_the_document() {
    let server = Server::start().await;
    let doc = Doc::fetch(&server).await;

    let (status, answer) = server.sign_up_raw("carol").await;
    doc.check("POST", "/v1/users", status, &answer);
    assert_eq!(status, 201);
    let (status, answer) = server.sign_up_raw("carol").await;
    doc.check("POST", "/v1/users", status, &answer);
    assert_eq!(status, 409);

    let alice = server.sign_up("alice", "Alice Chen").await;
    let bob = server.sign_up("bob", "Bob Li").await;
    let (status, _) = operator(
        &doc,
        &server,
        "POST",
        "/v1/sandbox/top-ups",
        "/v1/sandbox/top-ups",
        Some(json!({"handle": "bob", "amount": "500.00", "currency": "CNY"})),
    )
    .await;
    assert_eq!(status, 200);

    // Wallet.
    let (status, _) = call(&doc, &alice, "GET", "/v1/me", "/v1/me", None).await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &doc,
        &alice,
        "GET",
        "/v1/users/{handle}",
        "/v1/users/bob",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &doc,
        &alice,
        "GET",
        "/v1/users/{handle}",
        "/v1/users/nobody",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let send = |body: Value| {
        call(
            &doc,
            &bob,
            "POST",
            "/v1/transfers",
            "/v1/transfers",
            Some(body),
        )
    };
    let (status, _) =
        send(json!({"to": "alice", "amount": "10.00", "currency": "CNY", "memo": "hi"})).await;
    assert_eq!(status, 200);
    let (status, _) = send(json!({"to": "alice", "amount": "9999.00", "currency": "CNY"})).await;
    assert_eq!(status, 422);
    let (status, _) =
        send(json!({"to": "alice", "amount": "1.00", "currency": "CNY", "tip": 1})).await;
    assert_eq!(status, 400);
    let (status, _) = send(json!({"to": "nobody", "amount": "1.00", "currency": "CNY"})).await;
    assert_eq!(status, 404);
    let (status, _) = call(
        &doc,
        &alice,
        "POST",
        "/v1/withdrawals",
        "/v1/withdrawals",
        Some(json!({"amount": "1.00", "currency": "CNY"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(&doc, &alice, "GET", "/v1/balances", "/v1/balances", None).await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &doc,
        &alice,
        "GET",
        "/v1/activity",
        "/v1/activity?limit=5",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &doc,
        &alice,
        "GET",
        "/v1/events",
        "/v1/events?limit=0",
        None,
    )
    .await;
    assert_eq!(status, 400);

    // Danbao codes.
    let (status, issued) = call(
        &doc,
        &alice,
        "POST",
        "/v1/codes",
        "/v1/codes",
        Some(json!({"kind": "merchant", "amount": "25.00", "currency": "CNY"})),
    )
    .await;
    assert_eq!(status, 201);
    let code = issued["code"].clone();
    let (status, resolved) = call(
        &doc,
        &bob,
        "POST",
        "/v1/codes/resolve",
        "/v1/codes/resolve",
        Some(json!({"code": code})),
    )
    .await;
    assert_eq!((status, &resolved["name_mismatch"]), (200, &json!(false)));
    let (status, _) = call(
        &doc,
        &bob,
        "POST",
        "/v1/payments",
        "/v1/payments",
        Some(json!({"code": code})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &doc,
        &bob,
        "POST",
        "/v1/payments",
        "/v1/payments",
        Some(json!({"code": code})),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _) = call(
        &doc,
        &bob,
        "POST",
        "/v1/codes/resolve",
        "/v1/codes/resolve",
        Some(json!({"code": "not a code"})),
    )
    .await;
    assert_eq!(status, 422);

    // Money requests.
    let (status, request) = call(
        &doc,
        &alice,
        "POST",
        "/v1/requests",
        "/v1/requests",
        Some(json!({"from": "bob", "amount": "5.00", "currency": "CNY", "note": "tea"})),
    )
    .await;
    assert_eq!(status, 201);
    let id = request["id"].as_i64().unwrap();
    let (status, _) = call(
        &doc,
        &alice,
        "POST",
        "/v1/requests/{id}/accept",
        &format!("/v1/requests/{id}/accept"),
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(
        &doc,
        &bob,
        "POST",
        "/v1/requests/{id}/accept",
        &format!("/v1/requests/{id}/accept"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &doc,
        &bob,
        "POST",
        "/v1/requests/{id}/decline",
        &format!("/v1/requests/{id}/decline"),
        None,
    )
    .await;
    assert_eq!(status, 409);
    let (status, _) = call(
        &doc,
        &bob,
        "GET",
        "/v1/requests/{id}",
        &format!("/v1/requests/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &doc,
        &bob,
        "GET",
        "/v1/requests/{id}",
        "/v1/requests/999999",
        None,
    )
    .await;
    assert_eq!(status, 404);

    // Escrow orders, through a dispute and a split.
    let (status, created) = call(
        &doc,
        &alice,
        "POST",
        "/v1/orders",
        "/v1/orders",
        Some(json!({"title": "Teapot", "amount": "80.00", "currency": "CNY", "buyer": "bob"})),
    )
    .await;
    assert_eq!(status, 201);
    let order = created["order"]["id"].as_str().unwrap().to_owned();
    let step = |wallet: &'static str, action: &str, body: Option<Value>| {
        let path = format!("/v1/orders/{order}/{action}");
        let wallet = if wallet == "alice" { &alice } else { &bob };
        let doc = &doc;
        async move { call(doc, wallet, "POST", "/v1/orders/{id}/{action}", &path, body).await }
    };
    let (status, paid) = call(
        &doc,
        &bob,
        "POST",
        "/v1/orders/pay-code",
        "/v1/orders/pay-code",
        Some(json!({"code": created["code"]})),
    )
    .await;
    assert_eq!((status, &paid["state"]), (200, &json!("paid")));
    let (status, _) = call(
        &doc,
        &bob,
        "POST",
        "/v1/orders/pay-code",
        "/v1/orders/pay-code",
        Some(json!({"code": created["code"]})),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _) = step(
        "bob",
        "ship",
        Some(json!({"carrier": "SF", "tracking": "SF1"})),
    )
    .await;
    assert_eq!(status, 403);
    let (status, shipped) = step(
        "alice",
        "ship",
        Some(json!({"carrier": "SF", "tracking": "SF1"})),
    )
    .await;
    assert_eq!((status, &shipped["state"]), (200, &json!("shipped")));
    let (status, asked) = step("bob", "refund-request", Some(json!({"amount": "30.00"}))).await;
    assert_eq!((status, &asked["state"]), (200, &json!("refund_requested")));
    let (status, _) = step("bob", "confirm", None).await;
    assert_eq!(status, 409);
    let (status, disputed) = step("alice", "refund-reject", None).await;
    assert_eq!((status, &disputed["state"]), (200, &json!("disputed")));
    let (status, _) = step("alice", "teleport", None).await;
    assert_eq!(status, 404);
    let admin_path = format!("/v1/admin/orders/{order}");
    let (status, _) = operator(
        &doc,
        &server,
        "GET",
        "/v1/admin/orders/{id}",
        &admin_path,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, settled) = operator(
        &doc,
        &server,
        "POST",
        "/v1/admin/orders/{id}/resolve",
        &format!("{admin_path}/resolve"),
        Some(json!({"resolution": "split", "to_seller": "50.00"})),
    )
    .await;
    assert_eq!((status, &settled["state"]), (200, &json!("refunded")));
    let (status, _) = call(
        &doc,
        &bob,
        "GET",
        "/v1/orders/{id}",
        &format!("/v1/orders/{order}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &doc,
        &bob,
        "GET",
        "/v1/orders/{id}",
        "/v1/orders/ord_nothing",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, list) = call(
        &doc,
        &alice,
        "GET",
        "/v1/orders",
        "/v1/orders?limit=10",
        None,
    )
    .await;
    assert_eq!(
        (status, list["items"].as_array().map(Vec::len)),
        (200, Some(1))
    );
    let (status, _) = call(
        &doc,
        &alice,
        "GET",
        "/v1/orders",
        "/v1/orders?cursor=garbage",
        None,
    )
    .await;
    assert_eq!(status, 400);

    // Payment codes.
    let (status, _) = call(
        &doc,
        &bob,
        "POST",
        "/v1/paycode/provision",
        "/v1/paycode/provision",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &doc,
        &bob,
        "POST",
        "/v1/paycode/masks",
        "/v1/paycode/masks",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &doc,
        &alice,
        "POST",
        "/v1/merchant/charges",
        "/v1/merchant/charges",
        Some(json!({"payment_code": "290000000000000000", "amount": "1.00", "currency": "CNY"})),
    )
    .await;
    assert_eq!(status, 403, "alice is no merchant yet");
    for (method, change) in [
        ("GET", None),
        (
            "POST",
            Some(json!({"action": "verify", "verified_name": "Alice"})),
        ),
        ("POST", Some(json!({"action": "enrol", "category": "5814"}))),
        ("POST", Some(json!({"action": "verify"}))),
        (
            "POST",
            Some(json!({"action": "verify", "verified_name": "Alice Chen Tea"})),
        ),
        ("GET", None),
    ] {
        let (status, _) = operator(
            &doc,
            &server,
            method,
            "/v1/admin/merchants/{handle}",
            "/v1/admin/merchants/alice",
            change,
        )
        .await;
        assert!([200, 404, 422].contains(&status), "{status}");
    }
    let (status, _) = call(
        &doc,
        &alice,
        "POST",
        "/v1/merchant/charges",
        "/v1/merchant/charges",
        Some(json!({"payment_code": "280000000000000000", "amount": "1.00", "currency": "CNY"})),
    )
    .await;
    assert_eq!(status, 422);
    for (name, expected) in [("Alice C.", 200), ("Alice Chen Te\u{430}", 409), ("", 422)] {
        let (status, _) = call(
            &doc,
            &bob,
            "POST",
            "/v1/me/display-name",
            "/v1/me/display-name",
            Some(json!({"display_name": name})),
        )
        .await;
        assert_eq!(status, expected, "{name:?}");
    }

    // The feed, with transfer, request and order events in it.
    let (status, events) = call(
        &doc,
        &bob,
        "GET",
        "/v1/events",
        "/v1/events?limit=200",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let kinds: BTreeSet<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(kinds, BTreeSet::from(["order", "request", "transfer"]));

    // Operator.
    let (status, _) = operator(
        &doc,
        &server,
        "POST",
        "/v1/admin/clock",
        "/v1/admin/clock",
        Some(json!({"advance_secs": 1})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = operator(
        &doc,
        &server,
        "POST",
        "/v1/admin/clock",
        "/v1/admin/clock",
        Some(json!({"advance_secs": -1})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = operator(
        &doc,
        &server,
        "GET",
        "/v1/admin/invariants",
        "/v1/admin/invariants",
        None,
    )
    .await;
    assert_eq!(status, 200);
    server.invariants().await;

    // The bearer token is what makes an operator call; a device signature is not.
    let (status, body) = alice.get("/v1/admin/invariants").await;
    assert_eq!((status, &body["code"]), (401, &json!("operator_only")));
}

#[tokio::test]
async fn the_checker_refuses_answers_the_document_does_not_describe() {
    let server = Server::start().await;
    let doc = Doc::fetch(&server).await;
    let moved = json!({"$ref": "#/components/schemas/Moved"});
    let amount = json!({"minor": 1, "currency": "CNY", "value": "0.01", "display": "0.01 CNY"});
    let balance =
        json!({"currency": "CNY", "available": amount, "held_out": amount, "incoming": amount});
    let good = json!({"transfer_id": "ab", "amount": amount, "balance": balance});
    assert_eq!(doc.conforms(&moved, &good, "$"), Ok(()));

    let mut extra = good.clone();
    extra["fee"] = json!(0);
    assert_eq!(
        doc.conforms(&moved, &extra, "$"),
        Err("$.fee is not documented".to_owned())
    );
    let mut missing = good.clone();
    missing["balance"]
        .as_object_mut()
        .unwrap()
        .remove("incoming");
    assert_eq!(
        doc.conforms(&moved, &missing, "$"),
        Err("$.balance: required incoming is missing".to_owned())
    );
    let mut wrong = good.clone();
    wrong["amount"]["minor"] = json!("1");
    assert!(doc.conforms(&moved, &wrong, "$").is_err());
    let state = json!({"$ref": "#/components/schemas/OrderState"});
    assert!(doc.conforms(&state, &json!("lost"), "$").is_err());
    assert_eq!(doc.conforms(&state, &json!("disputed"), "$"), Ok(()));

    let listed = codes(
        doc.operation("POST", "/v1/orders/{id}/{action}")["responses"]["404"]["description"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(
        listed,
        BTreeSet::from(["unknown_order".to_owned(), "no_such_route".to_owned()])
    );
}

/// A merchant-key call whose answer is checked against the document.
async fn key_call(
    doc: &Doc,
    server: &Server,
    key: &str,
    method: &str,
    template: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = server
        .http
        .request(method.parse().unwrap(), format!("{}{path}", server.url))
        .bearer_auth(key);
    if method == "POST" {
        request = request.header("Idempotency-Key", next_key());
    }
    if let Some(body) = &body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    doc.check(method, template, status, &answer);
    (status, answer)
}

#[tokio::test]
async fn merchant_api_answers_conform_to_the_document() {
    let server = Server::start().await;
    let doc = Doc::fetch(&server).await;
    let merchant = server.sign_up_merchant("teashop", "Tea Shop").await;
    let buyer = server.sign_up("bea", "Bea Wang").await;
    server.top_up("bea", "500.00", "CNY").await;
    let (status, fee) = operator(
        &doc,
        &server,
        "POST",
        "/v1/admin/fees",
        "/v1/admin/fees",
        Some(json!({"merchant": "teashop", "currency": "CNY", "basis_points": 60})),
    )
    .await;
    assert_eq!(status, 200, "{fee}");
    let (status, issued) = call(
        &doc,
        &merchant,
        "POST",
        "/v1/merchant/api-keys",
        "/v1/merchant/api-keys",
        Some(json!({"name": "shop", "scopes": ["orders:write", "orders:read", "refunds:write", "reports:read", "webhooks:write"]})),
    )
    .await;
    assert_eq!(status, 201);
    let key = issued["secret"].as_str().unwrap().to_owned();
    let key_id = issued["key"]["id"].as_str().unwrap().to_owned();
    let (status, _) = call(
        &doc,
        &merchant,
        "GET",
        "/v1/merchant/api-keys",
        "/v1/merchant/api-keys",
        None,
    )
    .await;
    assert_eq!(status, 200);

    let order = json!({"merchant_reference": "web-1", "title": "Tea", "amount": "88.00", "currency": "CNY",
                       "line_items": [{"name": "Tea", "quantity": 1, "unit_amount": "88.00"}],
                       "metadata": {"cart": "1"}});
    let (status, created) = key_call(
        &doc,
        &server,
        &key,
        "POST",
        "/v1/merchant-api/orders",
        "/v1/merchant-api/orders",
        Some(order.clone()),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = key_call(
        &doc,
        &server,
        &key,
        "POST",
        "/v1/merchant-api/orders",
        "/v1/merchant-api/orders",
        Some(order),
    )
    .await;
    assert_eq!(status, 200);
    let id = created["order"]["id"].as_str().unwrap().to_owned();
    let (status, _) = buyer
        .post("/v1/orders/pay-code", &json!({"code": created["code"]}))
        .await;
    assert_eq!(status, 200);
    let step = "/v1/merchant-api/orders/{id}/{action}";
    let (status, _) = key_call(
        &doc,
        &server,
        &key,
        "POST",
        step,
        &format!("/v1/merchant-api/orders/{id}/ship"),
        Some(json!({"carrier": "SF", "tracking": "1"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = key_call(
        &doc,
        &server,
        &key,
        "POST",
        step,
        &format!("/v1/merchant-api/orders/{id}/confirm"),
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = buyer
        .post(&format!("/v1/orders/{id}/confirm"), &json!({}))
        .await;
    assert_eq!(status, 200);
    let (status, shown) = key_call(
        &doc,
        &server,
        &key,
        "GET",
        "/v1/merchant-api/orders/{id}",
        &format!("/v1/merchant-api/orders/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(shown["settlement"]["fee"]["minor"], 53);
    let (status, _) = key_call(
        &doc,
        &server,
        &key,
        "GET",
        "/v1/merchant-api/orders/{id}",
        "/v1/merchant-api/orders/ord_nothing",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = key_call(
        &doc,
        &server,
        &key,
        "GET",
        "/v1/merchant-api/orders",
        "/v1/merchant-api/orders?state=completed",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let now = server.app.now();
    let (status, _) = key_call(
        &doc,
        &server,
        &key,
        "GET",
        "/v1/merchant-api/reports/settlements",
        &format!(
            "/v1/merchant-api/reports/settlements?from={}&to={}",
            now - 60,
            now + 60
        ),
        None,
    )
    .await;
    assert_eq!(status, 200);

    let (status, endpoint) = key_call(
        &doc,
        &server,
        &key,
        "POST",
        "/v1/merchant-api/webhooks",
        "/v1/merchant-api/webhooks",
        Some(json!({"url": "http://127.0.0.1:9/hook", "events": ["*"]})),
    )
    .await;
    assert_eq!(status, 201);
    let endpoint_id = endpoint["endpoint"]["id"].as_str().unwrap().to_owned();
    let (status, _) = key_call(
        &doc,
        &server,
        &key,
        "GET",
        "/v1/merchant-api/webhooks",
        "/v1/merchant-api/webhooks",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, test) = key_call(
        &doc,
        &server,
        &key,
        "POST",
        "/v1/merchant-api/webhooks/{id}/test",
        &format!("/v1/merchant-api/webhooks/{endpoint_id}/test"),
        None,
    )
    .await;
    assert_eq!(status, 201);
    let delivery = test["id"].as_i64().unwrap();
    let (status, _) = key_call(
        &doc,
        &server,
        &key,
        "GET",
        "/v1/merchant-api/webhooks/{id}/deliveries",
        &format!("/v1/merchant-api/webhooks/{endpoint_id}/deliveries"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = key_call(
        &doc,
        &server,
        &key,
        "POST",
        "/v1/merchant-api/webhook-deliveries/{id}/redeliver",
        &format!("/v1/merchant-api/webhook-deliveries/{delivery}/redeliver"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = key_call(
        &doc,
        &server,
        &key,
        "POST",
        "/v1/merchant-api/webhooks/{id}/rotate-secret",
        &format!("/v1/merchant-api/webhooks/{endpoint_id}/rotate-secret"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = key_call(
        &doc,
        &server,
        &key,
        "POST",
        "/v1/merchant-api/webhooks/{id}/enable",
        &format!("/v1/merchant-api/webhooks/{endpoint_id}/enable"),
        None,
    )
    .await;
    assert_eq!(status, 200);

    let (status, _) = call(
        &doc,
        &merchant,
        "POST",
        "/v1/merchant/api-keys/{id}/rotate",
        &format!("/v1/merchant/api-keys/{key_id}/rotate"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &doc,
        &merchant,
        "POST",
        "/v1/merchant/api-keys/{id}/revoke",
        &format!("/v1/merchant/api-keys/{key_id}/revoke"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = key_call(
        &doc,
        &server,
        &key,
        "GET",
        "/v1/merchant-api/orders",
        "/v1/merchant-api/orders",
        None,
    )
    .await;
    assert_eq!(status, 401);
}
