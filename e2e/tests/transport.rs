//! The wallet core's transport and typed API against a real in-process danbao-server on
//! 127.0.0.1: every endpoint through the typed calls, the JSON mirrored field for field,
//! problem codes mapped, a POST retried after a dropped answer applied once, retry rules on a
//! scripted server, plain-HTTP refusal, SPKI pinning through a local TLS terminator, and the
//! dependency tree free of aws-lc-rs / OpenSSL / native-tls.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use danbao_client::api::{
    self, CreateOrder, DeviceApi, IssueKind, NewCode, NewRequest, OperatorApi, OrderAction,
    PayCode, RefundRequest, ResolutionKind, Resolve, Send, Ship, TopUp, Withdraw,
};
use danbao_client::secrets::SoftwareSigner;
use danbao_client::transport::{
    Call, Clock, Credentials, Jitter, Outcome, PinSet, RetryPolicy, SpkiPin, TimeoutPhase,
    Transport, TransportConfig, TransportError, TrustRoots,
};
use danbao_domain::escrow::{OrderState, Party};
use danbao_domain::money::{Currency, Money};
use danbao_server::{App, Backend, Config};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const OPERATOR_TOKEN: &str = "operator-test-token";

struct Server {
    url: String,
    app: App<Backend>,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start_server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::for_tests(dir.path().join("danbao.db"));
    let app = danbao_server::open(config).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(danbao_server::serve(app.clone(), listener, async {
        let _ = stopped.await;
    }));
    Server {
        url,
        app,
        _dir: dir,
        _stop: stop,
    }
}

/// The server's clock (which the sandbox can advance), so signatures stay fresh.
struct ServerClock(App<Backend>);
impl Clock for ServerClock {
    fn now_unix_secs(&self) -> i64 {
        self.0.now()
    }
}

/// No waiting between retries.
struct NoJitter;
impl Jitter for NoJitter {
    fn pick(&self, _ceiling: Duration) -> Duration {
        Duration::ZERO
    }
}

fn fast_retries(config: &mut TransportConfig) {
    config.retry = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    };
    config.connect_timeout = Duration::from_secs(2);
    config.request_timeout = Duration::from_secs(5);
}

fn transport_to(url: &str, server: &Server) -> Transport {
    let mut config = TransportConfig::new(url);
    fast_retries(&mut config);
    Transport::new(
        config,
        Arc::new(ServerClock(server.app.clone())),
        Arc::new(NoJitter),
    )
    .unwrap()
}

fn key() -> String {
    api::new_idempotency_key().unwrap()
}

fn cny(text: &str) -> Money {
    Money::parse(text, Currency::from_code("CNY").unwrap()).unwrap()
}

fn signer() -> Arc<SoftwareSigner> {
    Arc::new(SoftwareSigner::generate(&ring::rand::SystemRandom::new()).unwrap())
}

async fn sign_up(transport: &Transport, handle: &str, name: &str) -> DeviceApi {
    let (device, signed_up) = DeviceApi::sign_up(
        transport.clone(),
        signer(),
        handle,
        name,
        "test phone",
        &key(),
    )
    .await
    .unwrap();
    assert_eq!(signed_up.handle, handle);
    assert_eq!(device.device_id(), signed_up.device_id);
    device
}

fn operator(transport: &Transport) -> OperatorApi {
    OperatorApi::new(transport.clone(), OPERATOR_TOKEN)
}

/// Typed value written back as JSON equals what the server sent: every field mirrored.
fn assert_mirrors<T: Serialize>(typed: &T, raw: &[u8], what: &str) {
    let raw: Value = serde_json::from_slice(raw).unwrap();
    assert_eq!(serde_json::to_value(typed).unwrap(), raw, "{what}");
}

/// A POST through `raw` first, then the typed call with the same key: the server answers the
/// stored first answer byte for byte (which also proves the typed call sent the same body).
async fn mirrored_post<B, T, F, Fut>(
    device: &DeviceApi,
    path: &str,
    body: Option<&B>,
    typed: F,
) -> T
where
    B: Serialize,
    T: Serialize + DeserializeOwned,
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<T, TransportError>>,
{
    let idempotency_key = key();
    let bytes = body.map_or_else(Vec::new, |b| serde_json::to_vec(b).unwrap());
    let raw = device
        .raw(&Call::post(path, bytes, Some(&idempotency_key)))
        .await
        .unwrap_or_else(|e| panic!("raw POST {path}: {e}"));
    let value = typed(idempotency_key)
        .await
        .unwrap_or_else(|e| panic!("typed POST {path}: {e}"));
    assert_mirrors(&value, &raw.body, path);
    value
}

/// A GET through `raw` and typed; both must read the same JSON.
async fn mirrored_get<T, F, Fut>(device: &DeviceApi, path: &str, typed: F) -> T
where
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T, TransportError>>,
{
    let raw = device.raw(&Call::get(path)).await.unwrap();
    let value = typed().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert_mirrors(&value, &raw.body, path);
    value
}

/// The server's reading of a request body, as its handlers parse it (`service::parse_body`:
/// the wire types refuse unknown fields).
fn server_reads<T: DeserializeOwned>(body: &impl Serialize) -> T {
    danbao_server::service::parse_body(&serde_json::to_vec(body).unwrap()).unwrap()
}

/// Requests as the client serializes them are read by the server as it parses its bodies:
/// same names, nothing missing, nothing extra (both use `danbao_domain::protocol::wire`).
#[test]
fn request_bodies_match_the_server_types() {
    let send: Send = server_reads(&Send::new("bob", cny("1.50"), "hi"));
    assert_eq!(
        (
            send.to.as_str(),
            send.amount.as_str(),
            send.currency.as_str()
        ),
        ("bob", "1.50", "CNY")
    );
    let withdraw: Withdraw = server_reads(&Withdraw::new(cny("2.00")));
    assert_eq!(withdraw.amount, "2.00");
    let top_up: TopUp = server_reads(&TopUp::new("ann", cny("3.00")));
    assert_eq!(top_up.handle, "ann");
    let mut code = NewCode::new(IssueKind::Merchant, Some(cny("4.00")));
    code.mcc = Some("5411".into());
    code.svg = true;
    let parsed: NewCode = server_reads(&code);
    assert_eq!(parsed.mcc.as_deref(), Some("5411"));
    assert!(parsed.svg);
    let pay: PayCode = server_reads(&PayCode {
        code: "c".into(),
        amount: Some("1.00".into()),
        memo: "m".into(),
    });
    assert_eq!(pay.amount.as_deref(), Some("1.00"));
    let request: NewRequest = server_reads(&NewRequest::new("bob", cny("5.00"), "lunch"));
    assert_eq!(request.note, "lunch");
    let mut order = CreateOrder::new("Book", cny("6.00"));
    order.pay_window_secs = Some(120);
    order.buyer = Some("bob".into());
    let parsed: CreateOrder = server_reads(&order);
    assert_eq!(parsed.pay_window_secs, Some(120));
    assert_eq!(parsed.buyer.as_deref(), Some("bob"));
    let charge: api::Charge = server_reads(&api::Charge::new("123", cny("7.00"), ""));
    assert_eq!(charge.payment_code, "123");
    let parsed: Ship = server_reads(&Ship {
        carrier: "SF".into(),
        tracking: "1".into(),
    });
    assert_eq!(parsed.carrier, "SF");
    let parsed: Resolve = server_reads(&Resolve {
        resolution: ResolutionKind::Split,
        to_seller: Some("1.00".into()),
    });
    assert_eq!(parsed.to_seller.as_deref(), Some("1.00"));
    // A field the server does not know is refused, not ignored.
    let mut extra = serde_json::to_value(Send::new("bob", cny("1.50"), "hi")).unwrap();
    extra["tip"] = serde_json::json!("1.00");
    let refused = danbao_server::service::parse_body::<Send>(&serde_json::to_vec(&extra).unwrap());
    assert_eq!(refused.map_err(|e| e.code).err(), Some("invalid_body"));
}

/// Every endpoint through the typed API, each answer compared with the raw JSON.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_through_the_typed_api() {
    let server = start_server().await;
    let transport = transport_to(&server.url, &server);
    let operator = operator(&transport);
    let seller = sign_up(&transport, "sella", "Sella Shop").await;
    let buyer = sign_up(&transport, "bao", "Bao Buyer").await;
    let friend = sign_up(&transport, "fen", "Fen Friend").await;
    let (seller, buyer, friend) = (&seller, &buyer, &friend);

    // Sign-up with a taken handle is a precise refusal.
    let taken = DeviceApi::sign_up(transport.clone(), signer(), "bao", "x", "y", &key())
        .await
        .unwrap_err();
    assert_eq!(taken.problem_code(), Some("handle_taken"), "{taken}");

    let moved = operator
        .top_up(&TopUp::new("bao", cny("500.00")), &key())
        .await
        .unwrap();
    assert_eq!(moved.balance.available.minor, 50_000);
    assert_eq!(moved.amount.display, "500.00 CNY");

    let me = mirrored_get(buyer, "/v1/me", || buyer.me()).await;
    assert_eq!(
        (me.handle.as_str(), me.display_name.as_str()),
        ("bao", "Bao Buyer")
    );
    assert_eq!(me.balances[0].available.minor, 50_000);
    let profile = mirrored_get(buyer, "/v1/users/sella", || buyer.lookup("sella")).await;
    assert_eq!(profile.display_name, "Sella Shop");
    let missing = buyer.lookup("nobody.here").await.unwrap_err();
    assert_eq!(missing.problem_code(), Some("unknown_user"));

    // P2P and withdrawal.
    let body = &Send::new("fen", cny("10.00"), "dumplings");
    let sent = mirrored_post(buyer, "/v1/transfers", Some(body), |k| async move {
        buyer.send(body, &k).await
    })
    .await;
    assert_eq!(sent.balance.available.minor, 49_000);
    let body = &Withdraw::new(cny("1.00"));
    let out = mirrored_post(friend, "/v1/withdrawals", Some(body), |k| async move {
        friend.withdraw(body, &k).await
    })
    .await;
    assert_eq!(out.balance.available.minor, 900);
    let balances = mirrored_get(friend, "/v1/balances", || friend.balances()).await;
    assert_eq!(balances[0].available.value, "9.00");

    // Codes: a receive code with an amount, resolved and paid; a static merchant code.
    let body = &NewCode::new(IssueKind::Receive, Some(cny("5.00")));
    let receive = mirrored_post(friend, "/v1/codes", Some(body), |k| async move {
        friend.issue_code(body, &k).await
    })
    .await;
    assert!(receive.signed);
    let scanned = api::ScannedCode {
        code: receive.code.clone(),
    };
    let resolved = mirrored_post(buyer, "/v1/codes/resolve", Some(&scanned), |k| {
        let code = receive.code.clone();
        async move { buyer.resolve_code(&code, &k).await }
    })
    .await;
    assert_eq!(resolved.payee.display_name, "Fen Friend");
    assert!(!resolved.name_mismatch);
    assert_eq!(resolved.amount.as_ref().map(|a| a.minor), Some(500));
    let body = &PayCode {
        code: receive.code.clone(),
        amount: None,
        memo: "thanks".into(),
    };
    let paid = mirrored_post(buyer, "/v1/payments", Some(body), |k| async move {
        buyer.pay_code(body, &k).await
    })
    .await;
    assert_eq!((paid.kind.as_str(), paid.amount.minor), ("p2p", 500));
    let mut static_code = NewCode::new(IssueKind::Merchant, None);
    static_code.svg = true;
    let merchant_code = seller.issue_code(&static_code, &key()).await.unwrap();
    assert!(!merchant_code.signed);
    assert!(
        merchant_code
            .svg
            .as_deref()
            .is_some_and(|s| s.contains("<svg"))
    );
    let paid = buyer
        .pay_code(
            &PayCode {
                code: merchant_code.code.clone(),
                amount: Some("12.00".into()),
                memo: String::new(),
            },
            &key(),
        )
        .await
        .unwrap();
    assert_eq!(
        (paid.kind.as_str(), paid.payee.handle.as_str()),
        ("merchant", "sella")
    );

    // Money requests.
    let body = &NewRequest::new("bao", cny("3.00"), "tea");
    let request = mirrored_post(friend, "/v1/requests", Some(body), |k| async move {
        friend.create_request(body, &k).await
    })
    .await;
    let path = format!("/v1/requests/{}", request.id);
    let seen = mirrored_get(buyer, &path, || buyer.request(request.id)).await;
    assert_eq!(seen.status.as_str(), "open");
    let accepted = mirrored_post(
        buyer,
        &format!("/v1/requests/{}/accept", request.id),
        None::<&()>,
        |k| async move { buyer.accept_request(request.id, &k).await },
    )
    .await;
    assert_eq!(accepted.status.as_str(), "paid");
    assert!(accepted.transfer_id.is_some());
    let second = friend
        .create_request(&NewRequest::new("bao", cny("4.00"), ""), &key())
        .await
        .unwrap();
    let declined = buyer.decline_request(second.id, &key()).await.unwrap();
    assert_eq!(declined.status.as_str(), "declined");
    let again = buyer.accept_request(second.id, &key()).await.unwrap_err();
    assert_eq!(again.problem_code(), Some("request_not_open"), "{again}");

    // Escrow: pay by code, ship, confirm.
    let body = &CreateOrder::new("Teapot", cny("50.00"));
    let created = mirrored_post(seller, "/v1/orders", Some(body), |k| async move {
        seller.create_order(body, &k).await
    })
    .await;
    let id = created.order.id.clone();
    assert_eq!(created.order.state, OrderState::AwaitingPayment);
    let scanned = api::ScannedCode {
        code: created.code.clone(),
    };
    let paid = mirrored_post(buyer, "/v1/orders/pay-code", Some(&scanned), |k| {
        let code = created.code.clone();
        async move { buyer.pay_order_code(&code, &k).await }
    })
    .await;
    assert_eq!((paid.state, paid.role), (OrderState::Paid, Party::Buyer));
    let ship = Ship {
        carrier: "SF Express".into(),
        tracking: "SF123".into(),
    };
    let shipped = mirrored_post(seller, &format!("/v1/orders/{id}/ship"), Some(&ship), |k| {
        let (id, ship) = (id.clone(), ship.clone());
        async move { seller.ship_order(&id, &ship, &k).await }
    })
    .await;
    assert_eq!(shipped.state, OrderState::Shipped);
    assert!(shipped.next_deadline.is_some());
    let wrong = seller
        .order_action(&id, OrderAction::Confirm, &key())
        .await
        .unwrap_err();
    assert_eq!(wrong.outcome(), Outcome::NotApplied);
    assert_eq!(wrong.status_code(), Some(403), "{wrong}");
    let done = mirrored_post(
        buyer,
        &format!("/v1/orders/{id}/confirm"),
        None::<&()>,
        |k| {
            let id = id.clone();
            async move { buyer.order_action(&id, OrderAction::Confirm, &k).await }
        },
    )
    .await;
    assert_eq!(done.state, OrderState::Completed);
    assert_eq!(done.released.as_ref().map(|a| a.minor), Some(5_000));
    let view = mirrored_get(seller, &format!("/v1/orders/{id}"), || seller.order(&id)).await;
    assert_eq!(view.role, Party::Seller);

    // Pay by id then cancel; pay, refund request, accept; pay, ship, refund, reject, resolve.
    let mut outcomes = Vec::new();
    for script in 0..3 {
        let order = seller
            .create_order(
                &CreateOrder::new(format!("Cup {script}"), cny("20.00")),
                &key(),
            )
            .await
            .unwrap();
        let id = order.order.id.clone();
        let _ = buyer.pay_order_code(&order.code, &key()).await.unwrap();
        let end = match script {
            0 => buyer.order_action(&id, OrderAction::Cancel, &key()).await,
            1 => {
                let asked = buyer
                    .request_refund(
                        &id,
                        &RefundRequest {
                            amount: "5.00".into(),
                        },
                        &key(),
                    )
                    .await
                    .unwrap();
                assert_eq!(asked.state, OrderState::RefundRequested);
                seller
                    .order_action(&id, OrderAction::AcceptRefund, &key())
                    .await
            }
            _ => {
                seller.ship_order(&id, &ship, &key()).await.unwrap();
                buyer
                    .request_refund(
                        &id,
                        &RefundRequest {
                            amount: "20.00".into(),
                        },
                        &key(),
                    )
                    .await
                    .unwrap();
                let disputed = seller
                    .order_action(&id, OrderAction::RejectRefund, &key())
                    .await
                    .unwrap();
                assert_eq!(disputed.state, OrderState::Disputed);
                let seen = operator.order(&id).await.unwrap();
                assert_eq!(seen.role, Party::Operator);
                operator
                    .resolve_order(
                        &id,
                        &Resolve {
                            resolution: ResolutionKind::Split,
                            to_seller: Some("8.00".into()),
                        },
                        &key(),
                    )
                    .await
            }
        };
        let end = end.unwrap();
        outcomes.push((
            end.state,
            end.released.map(|a| a.minor),
            end.refunded.map(|a| a.minor),
        ));
    }
    assert_eq!(
        outcomes,
        [
            (OrderState::Refunded, None, Some(2_000)),
            (OrderState::Refunded, Some(1_500), Some(500)),
            (OrderState::Refunded, Some(800), Some(1_200)),
        ]
    );
    let page = mirrored_get(buyer, "/v1/orders?limit=2", || buyer.orders(None, Some(2))).await;
    assert_eq!(page.items.len(), 2);
    let cursor = page.next_cursor.clone().unwrap();
    let rest = buyer.orders(Some(&cursor), Some(50)).await.unwrap();
    assert_eq!(rest.items.len(), 2);
    assert_eq!(rest.next_cursor, None);

    // Payment code: provisioned to the buyer's device, charged by the seller's till, which
    // the operator enrolled (and verified: the buyer's lookup then carries the badge).
    let enrolled = operator
        .change_merchant(
            "@sella",
            &api::MerchantChange::new(api::MerchantAction::Enrol),
        )
        .await
        .unwrap();
    assert!(enrolled.enabled && !enrolled.verified, "{enrolled:?}");
    let verified = operator
        .change_merchant("sella", &api::MerchantChange::verify("Sella Shop Ltd"))
        .await
        .unwrap();
    assert_eq!(verified.verified_name.as_deref(), Some("Sella Shop Ltd"));
    let profile = buyer.lookup("sella").await.unwrap();
    assert!(profile.standing.verified, "{profile:?}");
    let provisioned = buyer.provision_paycode(&key()).await.unwrap();
    assert_eq!(provisioned.digits, 18);
    assert!(!format!("{provisioned:?}").contains(&provisioned.secret));
    let generator = danbao_domain::paycode::PaymentCodeGenerator::new(
        danbao_domain::paycode::PaycodeSecret::from_bytes(
            &STANDARD.decode(&provisioned.secret).unwrap(),
        )
        .unwrap(),
        danbao_domain::paycode::MaskWindow::from_bytes(
            &STANDARD.decode(&provisioned.masks).unwrap(),
        )
        .unwrap(),
        danbao_domain::paycode::AccountIndex::new(provisioned.account_index).unwrap(),
    );
    let code = generator
        .generate(u64::try_from(server.app.now()).unwrap())
        .unwrap();
    let body = &api::Charge::new(code.digits.clone(), cny("9.90"), "coffee");
    let charged = mirrored_post(seller, "/v1/merchant/charges", Some(body), |k| async move {
        seller.charge(body, &k).await
    })
    .await;
    assert_eq!(charged.payer.handle, "bao");
    assert_eq!(charged.amount.minor, 990);

    // Feeds.
    let activity = mirrored_get(buyer, "/v1/activity?limit=3", || {
        buyer.activity(None, Some(3))
    })
    .await;
    assert_eq!(activity.items.len(), 3);
    assert_eq!(activity.items[0].data["type"], "paycode");
    let events = mirrored_get(buyer, "/v1/events", || buyer.events(None, None)).await;
    assert!(events.items.len() > 5);
    let after = buyer.events(events.next_cursor, None).await.unwrap();
    assert!(after.items.is_empty());
    assert_eq!(after.next_cursor, events.next_cursor);

    // Operator: invariants and the clock.
    let invariants = operator.invariants().await.unwrap();
    assert!(invariants.ok, "{:?}", invariants.violation);
    assert!(invariants.posted_volume["CNY"] > 0);
    let before = server.app.now();
    let moved = operator.advance_clock(120).await.unwrap();
    assert!(moved.now >= before + 120);
    // Signatures follow the server clock through the injected Clock.
    assert_eq!(buyer.me().await.unwrap().handle, "bao");
    let wrong_token = OperatorApi::new(transport.clone(), "nope")
        .invariants()
        .await
        .unwrap_err();
    assert_eq!(wrong_token.problem_code(), Some("operator_only"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insufficient_funds_is_a_precise_refusal_sent_once() {
    let server = start_server().await;
    let transport = transport_to(&server.url, &server);
    let ann = sign_up(&transport, "ann", "Ann").await;
    let _bo = sign_up(&transport, "bob", "Bob").await;
    operator(&transport)
        .top_up(&TopUp::new("ann", cny("10.00")), &key())
        .await
        .unwrap();
    let error = ann
        .send(&Send::new("bob", cny("10.01"), ""), &key())
        .await
        .unwrap_err();
    let TransportError::Http {
        status,
        code,
        detail,
        ..
    } = &error
    else {
        panic!("expected a problem, got {error:?}");
    };
    assert_eq!((*status, code.as_str()), (422, "insufficient_funds"));
    assert!(detail.contains("10.01"), "{detail}");
    assert_eq!(error.outcome(), Outcome::NotApplied);
    assert!(!error.is_retryable());
    assert!(
        error
            .to_string()
            .starts_with("the server refused the request (422 insufficient_funds)")
    );
    // A clock more than five minutes off is refused as stale, with the reason.
    struct Skewed;
    impl Clock for Skewed {
        fn now_unix_secs(&self) -> i64 {
            1_000
        }
    }
    let skewed = Transport::new(
        TransportConfig::new(server.url.clone()),
        Arc::new(Skewed),
        Arc::new(NoJitter),
    )
    .unwrap();
    let me = DeviceApi::new(skewed, ann.device_id(), signer()).me().await;
    assert_eq!(me.unwrap_err().problem_code(), Some("stale_request"));
}

/// A TCP proxy in front of the server that, when `drop_next` is set, swallows the next answer
/// the server sends and closes the client's connection — a mobile network dying at the worst
/// moment: the server has applied the request, the client never hears about it.
async fn dropping_proxy(upstream: String, drop_next: Arc<AtomicBool>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let upstream = upstream.clone();
            let drop_next = drop_next.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                let requests = tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
                });
                let mut buffer = vec![0u8; 64 * 1024];
                loop {
                    let n = match server_read.read(&mut buffer).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if drop_next.swap(false, Ordering::SeqCst) {
                        break;
                    }
                    if client_write.write_all(&buffer[..n]).await.is_err() {
                        break;
                    }
                }
                requests.abort();
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_whose_answer_is_lost_is_retried_and_applied_once() {
    let server = start_server().await;
    let upstream = server.url.trim_start_matches("http://").to_owned();
    let drop_next = Arc::new(AtomicBool::new(false));
    let proxy_url = dropping_proxy(upstream, drop_next.clone()).await;
    let transport = transport_to(&proxy_url, &server);
    let ann = sign_up(&transport, "ann", "Ann").await;
    let _bo = sign_up(&transport, "bob", "Bob").await;
    operator(&transport)
        .top_up(&TopUp::new("ann", cny("100.00")), &key())
        .await
        .unwrap();

    // With retries off, the caller sees an unknown outcome.
    let mut single = TransportConfig::new(proxy_url.clone());
    single.retry = RetryPolicy::none();
    let single = Transport::new(
        single,
        Arc::new(ServerClock(server.app.clone())),
        Arc::new(NoJitter),
    )
    .unwrap();
    let signer = signer();
    let (lonely, _) = DeviceApi::sign_up(single, signer, "cyd", "Cyd", "phone", &key())
        .await
        .unwrap();
    operator(&transport)
        .top_up(&TopUp::new("cyd", cny("10.00")), &key())
        .await
        .unwrap();
    drop_next.store(true, Ordering::SeqCst);
    let lost_key = key();
    let lost = lonely
        .send(&Send::new("bob", cny("1.00"), ""), &lost_key)
        .await
        .unwrap_err();
    assert!(
        matches!(lost, TransportError::Interrupted { .. }),
        "{lost:?}"
    );
    assert_eq!(lost.outcome(), Outcome::Unknown);
    // The outbox's retry with the same key (fresh nonce) gets the stored answer, not a second
    // transfer.
    let answer = lonely
        .send(&Send::new("bob", cny("1.00"), ""), &lost_key)
        .await
        .unwrap();
    assert_eq!(answer.balance.available.minor, 900);

    // With retries on, the transport does the same by itself within one call.
    drop_next.store(true, Ordering::SeqCst);
    let idempotency_key = key();
    let call = Call::post(
        "/v1/transfers",
        serde_json::to_vec(&Send::new("bob", cny("25.00"), "rent")).unwrap(),
        Some(&idempotency_key),
    );
    let answer = ann.raw(&call).await.unwrap();
    assert_eq!(answer.attempts, 2);
    let moved: api::Moved = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(moved.balance.available.minor, 7_500);
    // Exactly one transfer: the balance and the payer's activity agree.
    assert_eq!(ann.balances().await.unwrap()[0].available.minor, 7_500);
    let activity = ann.activity(None, Some(50)).await.unwrap();
    let rents = activity
        .items
        .iter()
        .filter(|e| e.data["transfer_id"] == moved.transfer_id.as_str())
        .count();
    assert_eq!(rents, 1);
    assert!(operator(&transport).invariants().await.unwrap().ok);
}

/// A scripted HTTP server: answers every request with `status` and `body`, counting requests.
async fn scripted(
    status: u16,
    extra_headers: &'static str,
    body: &'static str,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let count = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 16 * 1024];
                let _ = stream.read(&mut buffer).await;
                let response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/problem+json\r\n\
                     {extra_headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
            });
        }
    });
    (url, hits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_only_what_may_succeed_and_only_idempotent_requests() {
    let server = start_server().await;
    let make = |url: &str| transport_to(url, &server);
    let problem = r#"{"type":"urn:danbao:problem:x","title":"t","status":0,"code":"busy","detail":"try later"}"#;

    // 503 with Retry-After: a GET is tried max_attempts times, then the last problem returns.
    let (url, hits) = scripted(503, "retry-after: 0\r\n", problem).await;
    let error = make(&url)
        .execute(&Credentials::Anonymous, &Call::get("/health"))
        .await
        .unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 4);
    assert_eq!(error.problem_code(), Some("busy"));
    assert!(error.outcome_unknown());

    // 429 is retried too.
    let (url, hits) = scripted(429, "", problem).await;
    let _ = make(&url)
        .execute(&Credentials::Anonymous, &Call::get("/health"))
        .await;
    assert_eq!(hits.load(Ordering::SeqCst), 4);

    // A 4xx refusal is final: one request.
    let (url, hits) = scripted(422, "", problem).await;
    let error = make(&url)
        .execute(&Credentials::Anonymous, &Call::get("/health"))
        .await
        .unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert_eq!(error.outcome(), Outcome::NotApplied);

    // A POST without an idempotency key is never retried, even after a 503.
    let (url, hits) = scripted(503, "", "oops").await;
    let error = make(&url)
        .execute(
            &Credentials::Anonymous,
            &Call::post("/x", b"{}".to_vec(), None),
        )
        .await
        .unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert_eq!(error.problem_code(), Some("http_503"));

    // With a key it is.
    let (url, hits) = scripted(503, "", "oops").await;
    let _ = make(&url)
        .execute(
            &Credentials::Anonymous,
            &Call::post("/x", b"{}".to_vec(), Some("retry-key-1")),
        )
        .await;
    assert_eq!(hits.load(Ordering::SeqCst), 4);

    // Nobody listening: offline, nothing applied, retried.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let error = make(&url)
        .execute(&Credentials::Anonymous, &Call::get("/health"))
        .await
        .unwrap_err();
    assert!(matches!(error, TransportError::Offline { .. }), "{error:?}");
    assert_eq!(error.outcome(), Outcome::NotApplied);

    // A server that never answers: a response timeout, outcome unknown.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            held.push(stream);
        }
    });
    let mut config = TransportConfig::new(url);
    config.request_timeout = Duration::from_millis(300);
    config.retry = RetryPolicy::none();
    let error = Transport::new(
        config,
        Arc::new(ServerClock(server.app.clone())),
        Arc::new(NoJitter),
    )
    .unwrap()
    .execute(&Credentials::Anonymous, &Call::get("/health"))
    .await
    .unwrap_err();
    assert!(
        matches!(
            error,
            TransportError::Timeout {
                phase: TimeoutPhase::Response,
                after_ms: 300,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.outcome_unknown());

    // Keys are checked before anything is sent.
    let error = make(&server.url)
        .execute(
            &Credentials::Anonymous,
            &Call::post("/v1/transfers", Vec::new(), Some("short")),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, TransportError::InvalidRequest { .. }),
        "{error}"
    );
}

#[test]
fn plain_http_to_a_non_loopback_host_is_refused() {
    let error =
        Transport::with_defaults(TransportConfig::new("http://api.danbao.app")).unwrap_err();
    assert_eq!(
        error,
        TransportError::InvalidUrl {
            url: "http://api.danbao.app".into(),
            reason: "plain http:// is allowed only for loopback hosts (127.0.0.0/8, ::1, \
                     localhost), not api.danbao.app; use https://"
                .into(),
        }
    );
    assert_eq!(error.outcome(), Outcome::NotApplied);
    assert!(Transport::with_defaults(TransportConfig::new("http://192.168.1.2:8080")).is_err());
    assert!(Transport::with_defaults(TransportConfig::new("https://api.danbao.app")).is_ok());
    assert!(Transport::with_defaults(TransportConfig::new("http://127.0.0.1:8080")).is_ok());
}

/// A test CA and a leaf for 127.0.0.1, and a TLS terminator in front of the server.
struct Tls {
    ca_der: Vec<u8>,
    leaf_der: Vec<u8>,
    url: String,
}

async fn tls_terminator(upstream: String) -> Tls {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let leaf_der = leaf.der().to_vec();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![
            rustls::pki_types::CertificateDer::from(leaf_der.clone()),
            ca.der().clone(),
        ],
        rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let upstream = upstream.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let Ok(mut server) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
            });
        }
    });
    Tls {
        ca_der: ca.der().to_vec(),
        leaf_der,
        url,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spki_pins_are_enforced_after_normal_verification() {
    let server = start_server().await;
    let tls = tls_terminator(server.url.trim_start_matches("http://").to_owned()).await;
    let leaf_pin = SpkiPin::of_certificate(&tls.leaf_der).unwrap().to_base64();
    let backup = SpkiPin::of_spki(b"backup key kept offline").to_base64();
    let other = SpkiPin::of_spki(b"some other key").to_base64();
    let transport = |roots: TrustRoots, pins: Option<PinSet>| {
        let mut config = TransportConfig::new(tls.url.clone());
        fast_retries(&mut config);
        config.roots = roots;
        config.pins = pins;
        Transport::new(
            config,
            Arc::new(ServerClock(server.app.clone())),
            Arc::new(NoJitter),
        )
        .unwrap()
    };
    let only_test_ca = || TrustRoots::Only(vec![tls.ca_der.clone()]);

    // Trusted CA and the leaf's pin (with a backup): the whole API works over HTTPS.
    let pinned = transport(
        only_test_ca(),
        Some(PinSet::new(&[leaf_pin.as_str(), backup.as_str()]).unwrap()),
    );
    let ann = sign_up(&pinned, "ann", "Ann").await;
    assert_eq!(ann.me().await.unwrap().handle, "ann");
    // The backup pin alone also works (after a rotation to the backup key the old pin goes).
    let rotated = transport(
        only_test_ca(),
        Some(PinSet::new(&[backup.as_str(), leaf_pin.as_str()]).unwrap()),
    );
    assert!(
        rotated
            .execute(&Credentials::Anonymous, &Call::get("/health"))
            .await
            .is_ok()
    );

    // Trusted CA, but the key is not pinned: refused, not retried, nothing sent.
    let wrong = transport(
        only_test_ca(),
        Some(PinSet::new(&[other.as_str(), backup.as_str()]).unwrap()),
    );
    let error = wrong
        .execute(&Credentials::Anonymous, &Call::get("/health"))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        TransportError::PinMismatch {
            host: "127.0.0.1".into(),
            found: leaf_pin.clone(),
            configured: 2,
        }
    );
    assert!(!error.is_retryable());
    assert_eq!(error.outcome(), Outcome::NotApplied);

    // Pinned key but an untrusted CA (the Mozilla roots do not know the test CA): the pin does
    // not replace verification.
    let untrusted = transport(
        TrustRoots::Mozilla,
        Some(PinSet::new(&[leaf_pin.as_str(), backup.as_str()]).unwrap()),
    );
    let error = untrusted
        .execute(&Credentials::Anonymous, &Call::get("/health"))
        .await
        .unwrap_err();
    let TransportError::Tls { detail, .. } = &error else {
        panic!("expected a TLS error, got {error:?}");
    };
    assert!(detail.contains("UnknownIssuer"), "{detail}");
    assert!(!error.is_retryable());
}

/// `cargo tree -p danbao-client -e normal` for every target platform has ring and rustls, and no
/// aws-lc-rs, OpenSSL or native-tls.
#[test]
fn core_dependency_tree_has_only_the_ring_crypto_stack() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let output = Command::new(cargo)
        .current_dir(workspace)
        .args([
            "tree",
            "-p",
            "danbao-client",
            "-e",
            "normal",
            "--target",
            "all",
            "--prefix",
            "none",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8(output.stdout).unwrap();
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    for needed in ["ring", "rustls", "reqwest", "webpki-roots"] {
        assert!(crates.contains(&needed), "{needed} missing from:\n{tree}");
    }
    let forbidden: Vec<&&str> = crates
        .iter()
        .filter(|name| {
            name.starts_with("aws-lc")
                || name.contains("openssl")
                || name.contains("native-tls")
                || name.starts_with("security-framework")
                || name.starts_with("schannel")
        })
        .collect();
    assert!(forbidden.is_empty(), "forbidden crates: {forbidden:?}");
}

/// A server that answers every request with `status` and `size` bytes of JSON-ish filler,
/// declaring the length when `declared` and streaming it chunked otherwise.
async fn oversized(status: u16, size: usize, declared: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 16 * 1024];
                let _ = stream.read(&mut buffer).await;
                let head = if declared {
                    format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: {size}\r\nconnection: close\r\n\r\n"
                    )
                } else {
                    format!(
                        "HTTP/1.1 {status} X\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
                    )
                };
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 64 * 1024];
                let mut sent = 0;
                while sent < size {
                    let part = &chunk[..chunk.len().min(size - sent)];
                    let written = if declared {
                        stream.write_all(part).await
                    } else {
                        let framed =
                            [format!("{:x}\r\n", part.len()).as_bytes(), part, b"\r\n"].concat();
                        stream.write_all(&framed).await
                    };
                    if written.is_err() {
                        return; // the client stopped reading: what the test wants
                    }
                    sent += part.len();
                }
                if !declared {
                    let _ = stream.write_all(b"0\r\n\r\n").await;
                }
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_longer_than_the_limit_is_refused_not_read_into_memory() {
    let server = start_server().await;
    let limited = |url: &str| {
        let mut config = TransportConfig::new(url);
        fast_retries(&mut config);
        config.max_response_bytes = 256 * 1024;
        Transport::new(
            config,
            Arc::new(ServerClock(server.app.clone())),
            Arc::new(NoJitter),
        )
        .unwrap()
    };
    // Too long, declared in Content-Length (refused before the body) or streamed chunked
    // (refused as the limit is crossed), for a success, a refusal and a server error.
    for (status, declared, outcome) in [
        (200, true, Outcome::Unknown),
        (200, false, Outcome::Unknown),
        (422, true, Outcome::NotApplied),
        (503, false, Outcome::Unknown),
    ] {
        let url = oversized(status, 64 * 1024 * 1024, declared).await;
        let error = limited(&url)
            .execute(&Credentials::Anonymous, &Call::get("/v1/activity"))
            .await
            .unwrap_err();
        match &error {
            TransportError::TooLarge {
                status: got, limit, ..
            } => assert_eq!((*got, *limit), (status, 256 * 1024), "{error}"),
            other => panic!("{status} declared={declared}: {other}"),
        }
        assert_eq!(error.outcome(), outcome, "{status} declared={declared}");
        assert!(!error.is_retryable());
        assert!(
            error
                .to_string()
                .contains("with a body longer than 262144 bytes"),
            "{error}"
        );
    }
    // Just under the limit is read whole.
    let url = oversized(200, 200 * 1024, false).await;
    let answer = limited(&url)
        .execute(&Credentials::Anonymous, &Call::get("/v1/activity"))
        .await
        .unwrap();
    assert_eq!((answer.status, answer.body.len()), (200, 200 * 1024));
}
