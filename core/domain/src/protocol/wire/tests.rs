//! Round trips of every wire type and command, and the feed events pinned to the JSON the
//! server has always written (docs/protocol.md), so old clients and cached rows still read.

use std::collections::BTreeMap;
use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::*;
use crate::escrow::{Deadline, OrderState, Party};
use crate::money::{Currency, Money};
use crate::protocol::{Command, OrderStepCommand};

fn cny(text: &str) -> Money {
    Money::parse(text, Currency::from_code("CNY").unwrap()).unwrap()
}

fn amount(text: &str) -> AmountView {
    cny(text).into()
}

fn balance() -> BalanceView {
    BalanceView {
        currency: "CNY".into(),
        available: amount("10.00"),
        held_out: amount("2.00"),
        incoming: amount("0.50"),
    }
}

fn party(handle: &str) -> PartyView {
    PartyView {
        handle: handle.into(),
        display_name: format!("{handle} Ödön \"Q\""),
    }
}

fn order() -> OrderView {
    OrderView {
        id: "ord_1".into(),
        title: "Tea".into(),
        state: OrderState::Shipped,
        role: Party::Buyer,
        actions: vec!["confirm".into(), "refund-request".into()],
        amount: amount("30.00"),
        seller: party("sam"),
        buyer: Some(party("bob")),
        pay_by: 100,
        auto_confirm_at: Some(900),
        refund_request: Some(RefundRequestView {
            amount: amount("5.00"),
            answer_by: 700,
        }),
        shipment: Some(ShipmentView {
            carrier: "SF".into(),
            tracking: "SF1".into(),
        }),
        released: None,
        refunded: Some(amount("1.00")),
        next_deadline: Some(DeadlineView {
            kind: Deadline::AutoConfirm,
            at: 900,
        }),
        created_at: 1,
        updated_at: 2,
        balance: None,
    }
}

fn request() -> RequestView {
    RequestView {
        id: 7,
        requester: party("amy"),
        payer: party("bob"),
        amount: amount("8.00"),
        note: "lunch\n🍜".into(),
        status: REQUEST_PAID.into(),
        transfer_id: Some("00ff".into()),
        created_at: 5,
        balance: None,
    }
}

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let text = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&text).unwrap();
    assert_eq!(&back, value, "{text}");
}

#[test]
fn every_wire_type_round_trips() {
    round_trip(&amount("12.50"));
    round_trip(&balance());
    round_trip(&SignUp {
        handle: "amy".into(),
        display_name: "Amy".into(),
        public_key: "BAAA".into(),
        device_name: "phone".into(),
    });
    round_trip(&SignedUp {
        user_id: 1,
        device_id: 2,
        handle: "amy".into(),
    });
    round_trip(&PublicProfile {
        handle: "amy".into(),
        display_name: "Amy".into(),
        standing: PayeeStanding::default(),
    });
    round_trip(&PublicProfile {
        handle: "lotus".into(),
        display_name: "Lotus Tea House".into(),
        standing: PayeeStanding {
            verified: true,
            verified_name: Some("Lotus Tea House Ltd".into()),
            look_alike: true,
            resembles_verified: false,
        },
    });
    round_trip(&Rename {
        display_name: "Amy Li".into(),
    });
    round_trip(&MerchantChange::verify("Lotus Tea House Ltd"));
    round_trip(&MerchantProfile {
        handle: "lotus".into(),
        display_name: "Lotus Tea House".into(),
        enrolled_at: 1,
        enabled: true,
        verified: true,
        verified_name: Some("Lotus Tea House Ltd".into()),
        verified_at: Some(2),
        category: Some("5814".into()),
    });
    round_trip(&Me {
        user_id: 1,
        handle: "amy".into(),
        display_name: "Amy".into(),
        device_id: 2,
        balances: vec![balance()],
    });
    round_trip(&party("amy"));
    round_trip(&TopUp::new("amy", cny("100")));
    round_trip(&Withdraw::new(cny("1")));
    round_trip(&Send::new("bob", cny("2"), "hi"));
    round_trip(&Moved {
        transfer_id: "00ff".into(),
        amount: amount("1.00"),
        balance: balance(),
    });
    round_trip(&NewCode::new(IssueKind::Merchant, Some(cny("4"))));
    round_trip(&NewCode {
        city: Some("Hangzhou".into()),
        country: Some("CN".into()),
        mcc: Some("5812".into()),
        expires_in_secs: Some(60),
        svg: true,
        ..NewCode::new(IssueKind::Receive, None)
    });
    round_trip(&IssuedCode {
        code: "000201".into(),
        kind: IssueKind::Merchant.as_str().into(),
        signed: true,
        amount: Some(amount("4.00")),
        currency: "CNY".into(),
        payee: "sam".into(),
        printed_name: "Sam".into(),
        expires_at: Some(9),
        svg: Some("<svg/>".into()),
    });
    round_trip(&ScannedCode {
        code: "000201".into(),
    });
    round_trip(&Resolved {
        kind: "order".into(),
        payee: party("sam"),
        printed_name: "Sam".into(),
        name_mismatch: true,
        amount: None,
        currency: "CNY".into(),
        signed: false,
        expires_at: None,
        order_id: Some("ord_1".into()),
        standing: PayeeStanding {
            resembles_verified: true,
            ..PayeeStanding::default()
        },
    });
    round_trip(&PayCode {
        code: "000201".into(),
        amount: Some("1.00".into()),
        memo: String::new(),
    });
    round_trip(&CodePaid {
        transfer_id: "00ff".into(),
        kind: PaymentKind::Merchant.as_str().into(),
        payee: party("sam"),
        amount: amount("1.00"),
        balance: balance(),
    });
    round_trip(&CreateOrder::new("Tea", cny("30")));
    round_trip(&order());
    round_trip(&CreatedOrder {
        order: order(),
        code: "000201".into(),
    });
    round_trip(&OrderList {
        items: vec![order()],
        next_cursor: Some("1:ord_1".into()),
    });
    round_trip(&OrderPage {
        cursor: Some("1:ord_1".into()),
        limit: Some(5),
    });
    round_trip(&Ship {
        carrier: "SF".into(),
        tracking: "1".into(),
    });
    round_trip(&RefundRequest {
        amount: "5.00".into(),
    });
    for resolution in [
        ResolutionKind::Release,
        ResolutionKind::Refund,
        ResolutionKind::Split,
    ] {
        round_trip(&Resolve {
            resolution,
            to_seller: (resolution == ResolutionKind::Split).then(|| "4.00".to_owned()),
        });
    }
    for step in StepAction::ALL {
        round_trip(&step);
        assert_eq!(StepAction::from_slug(step.slug()), Some(step));
        assert_eq!(serde_json::to_value(step).unwrap(), json!(step.slug()));
    }
    round_trip(&NewRequest::new("bob", cny("8"), "lunch"));
    round_trip(&request());
    round_trip(&RequestView {
        balance: Some(balance()),
        ..request()
    });
    round_trip(&OrderView {
        balance: Some(balance()),
        ..order()
    });
    round_trip(&Provisioned {
        account_index: 42,
        secret: "c2VjcmV0".into(),
        masks: "a2V5".into(),
        digits: 18,
        step_seconds: 60,
    });
    round_trip(&PaycodeMasks {
        masks: "a2V5".into(),
    });
    round_trip(&Charge::new("123456789012345678", cny("3"), "till"));
    round_trip(&Charged {
        transfer_id: "00ff".into(),
        payer: party("bob"),
        amount: amount("3.00"),
        balance: balance(),
        step_offset: -1,
        platform_fee: Some(amount("0.06")),
        net_to_payee: Some(amount("2.94")),
    });
    round_trip(&Invariants {
        ok: true,
        violation: None,
        accounts: 3,
        transfers: 4,
        posted_volume: BTreeMap::from([("CNY".to_owned(), 100)]),
    });
    round_trip(&AdvanceClock { advance_secs: 60 });
    round_trip(&DeviceApproval {
        code: "0000-0000-0000-0000".into(),
        qr_payload: approval_qr_payload("0000-0000-0000-0000"),
        expires_at: 600,
    });
    round_trip(&JoinDevice {
        code: "0000-0000-0000-0000".into(),
        handle: Some("amy".into()),
        public_key: "BAAA".into(),
        device_name: "tablet".into(),
    });
    round_trip(&JoinDevice {
        code: "0000-0000-0000-0000".into(),
        handle: None,
        public_key: "BAAA".into(),
        device_name: "tablet".into(),
    });
    round_trip(&Joined {
        user_id: 1,
        device_id: 2,
        handle: "amy".into(),
        display_name: "Amy".into(),
    });
    round_trip(&DeviceList {
        devices: vec![
            DeviceView {
                id: 1,
                name: "phone".into(),
                created_at: 1,
                last_seen_at: 5,
                revoked_at: None,
                this_device: true,
            },
            DeviceView {
                id: 2,
                name: "lost phone".into(),
                created_at: 2,
                last_seen_at: 3,
                revoked_at: Some(4),
                this_device: false,
            },
        ],
    });
    round_trip(&Problem {
        kind: "urn:danbao:problem:insufficient_funds".into(),
        title: "Unprocessable Entity".into(),
        status: 422,
        code: "insufficient_funds".into(),
        detail: "needs 1.00 CNY more".into(),
    });
    round_trip(&ServerTime { now: 1 });
    round_trip(&Page {
        cursor: Some(3),
        limit: None,
    });
    round_trip(&FeedPage {
        items: vec![Event {
            seq: 1,
            kind: "transfer".into(),
            data: json!({"type": "top_up"}),
            created_at: 2,
        }],
        next_cursor: Some(1),
    });
}

#[test]
fn request_bodies_refuse_unknown_fields_and_default_their_notes() {
    let send: Send =
        serde_json::from_value(json!({"to": "bob", "amount": "1", "currency": "CNY"})).unwrap();
    assert_eq!(send.memo, "");
    assert!(
        serde_json::from_value::<Send>(
            json!({"to": "bob", "amount": "1", "currency": "CNY", "tip": "1"})
        )
        .is_err()
    );
    // Answers accept fields a newer server adds.
    let mut moved = serde_json::to_value(Moved {
        transfer_id: "00ff".into(),
        amount: amount("1.00"),
        balance: balance(),
    })
    .unwrap();
    moved["new_field"] = json!(1);
    assert!(serde_json::from_value::<Moved>(moved).is_ok());
    // The secrets of a provisioning answer never reach a log.
    let provisioned = Provisioned {
        account_index: 1,
        secret: "SECRET".into(),
        masks: "MASK".into(),
        digits: 18,
        step_seconds: 60,
    };
    let debug = format!(
        "{provisioned:?} {:?}",
        PaycodeMasks {
            masks: "MASK".into()
        }
    );
    assert!(
        !debug.contains("SECRET") && !debug.contains("MASK"),
        "{debug}"
    );
}

fn commands() -> Vec<Command> {
    let plain = [
        OrderAction::Pay,
        OrderAction::Cancel,
        OrderAction::Confirm,
        OrderAction::AcceptRefund,
        OrderAction::RejectRefund,
    ];
    let mut all = vec![
        Command::SignUp(SignUp {
            handle: "amy".into(),
            display_name: "Amy".into(),
            public_key: "BAAA".into(),
            device_name: "phone".into(),
        }),
        Command::TopUp(TopUp::new("amy", cny("100"))),
        Command::Withdraw(Withdraw::new(cny("1"))),
        Command::Send(Send::new("bob", cny("2"), "hi")),
        Command::IssueCode(NewCode::new(IssueKind::Receive, None)),
        Command::ResolveCode(ScannedCode {
            code: "0002".into(),
        }),
        Command::PayCode(PayCode {
            code: "0002".into(),
            amount: None,
            memo: String::new(),
        }),
        Command::CreateOrder(CreateOrder::new("Tea", cny("30"))),
        Command::PayOrderCode(ScannedCode {
            code: "0002".into(),
        }),
        Command::OrderStep {
            order_id: "ord_1".into(),
            step: OrderStepCommand::Ship(Ship {
                carrier: "SF".into(),
                tracking: "1".into(),
            }),
        },
        Command::OrderStep {
            order_id: "ord 2/x".into(),
            step: OrderStepCommand::RequestRefund(RefundRequest {
                amount: "1.00".into(),
            }),
        },
        Command::ResolveOrder {
            order_id: "ord_1".into(),
            resolution: Resolve {
                resolution: ResolutionKind::Split,
                to_seller: Some("4.00".into()),
            },
        },
        Command::NewRequest(NewRequest::new("bob", cny("8"), "lunch")),
        Command::AcceptRequest { id: 7 },
        Command::DeclineRequest { id: 8 },
        Command::ProvisionPaycode,
        Command::Charge(Charge::new("123456789012345678", cny("3"), "")),
        Command::AdvanceClock(AdvanceClock { advance_secs: 60 }),
        Command::Deposit(Deposit {
            handle: "amy".into(),
            amount: "5.00".into(),
            currency: "CNY".into(),
            external_ref: "BANK-1".into(),
        }),
        Command::MarkPaidOut {
            id: 3,
            mark: MarkPaidOut {
                payout_ref: "OUT-9".into(),
            },
        },
        Command::MarkFailed {
            id: 4,
            mark: MarkFailed {
                reason: "account closed".into(),
            },
        },
        Command::ApproveDevice,
        Command::JoinDevice(JoinDevice {
            code: "ABCD-EFGH".into(),
            handle: None,
            public_key: "BAAA".into(),
            device_name: "tablet".into(),
        }),
        Command::RevokeDevice { id: 12 },
        Command::RefreshPaycodeMasks,
    ];
    all.extend(plain.into_iter().map(|action| Command::OrderStep {
        order_id: "ord_1".into(),
        step: OrderStepCommand::Plain(action),
    }));
    all
}

#[test]
fn every_command_round_trips_and_names_its_request() {
    for command in commands() {
        round_trip(&command);
        assert_eq!(command.method(), "POST");
        assert!(command.path().starts_with("/v1/"), "{command:?}");
        let bytes = command.body_bytes().unwrap();
        if let Some(body) = command.body().unwrap() {
            assert_eq!(
                serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
                body
            );
        } else {
            assert!(bytes.is_empty());
        }
    }
    let paths: Vec<(String, String)> = commands().iter().map(|c| (c.name(), c.path())).collect();
    for expected in [
        ("send", "/v1/transfers"),
        ("pay_code", "/v1/payments"),
        ("pay_order", "/v1/orders/pay-code"),
        ("order_ship", "/v1/orders/ord_1/ship"),
        (
            "order_refund-request",
            "/v1/orders/ord%202%2Fx/refund-request",
        ),
        ("order_refund-accept", "/v1/orders/ord_1/refund-accept"),
        ("order_confirm", "/v1/orders/ord_1/confirm"),
        ("resolve_order", "/v1/admin/orders/ord_1/resolve"),
        ("request_accept", "/v1/requests/7/accept"),
        ("request_decline", "/v1/requests/8/decline"),
        ("charge", "/v1/merchant/charges"),
        ("provision_paycode", "/v1/paycode/provision"),
        ("advance_clock", "/v1/admin/clock"),
        ("deposit", "/v1/admin/deposits"),
        ("mark_paid_out", "/v1/admin/withdrawals/3/paid-out"),
        ("mark_failed", "/v1/admin/withdrawals/4/failed"),
        ("approve_device", "/v1/devices/approvals"),
        ("join_device", "/v1/devices/join"),
        ("revoke_device", "/v1/devices/12/revoke"),
        ("refresh_paycode_masks", "/v1/paycode/masks"),
    ] {
        assert!(
            paths.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {paths:?}"
        );
    }
    let unkeyed: Vec<String> = commands()
        .iter()
        .filter(|c| !c.is_keyed())
        .map(Command::name)
        .collect();
    assert_eq!(unkeyed, ["advance_clock"]);
    // The stored form names the command and carries the body.
    assert_eq!(
        serde_json::to_value(Command::AcceptRequest { id: 7 }).unwrap(),
        json!({"command": "accept_request", "args": {"id": 7}})
    );
}

/// Pins `event` to the `kind` and `data` the server has always written, and reads that JSON
/// (as an old server stored it) back to the same event.
fn pins(event: FeedEvent, kind: &str, data: serde_json::Value) {
    assert_eq!(event.kind(), kind);
    assert_eq!(event.data().unwrap(), data);
    let stored: serde_json::Value = serde_json::from_str(&event.data_json().unwrap()).unwrap();
    assert_eq!(stored, data);
    let entry = Event {
        seq: 1,
        kind: kind.into(),
        data: serde_json::from_str(&data.to_string()).unwrap(),
        created_at: 2,
    };
    assert_eq!(entry.feed_event().unwrap(), event);
    round_trip(&event);
}

#[test]
fn top_ups_and_withdrawals_are_pinned() {
    for (kind, direction, event) in [
        (
            "top_up",
            "in",
            TransferEvent::TopUp as fn(Movement) -> TransferEvent,
        ),
        ("withdrawal", "out", TransferEvent::Withdrawal),
        ("deposit", "in", TransferEvent::Deposit),
    ] {
        let movement = Movement {
            direction: if direction == "in" {
                Direction::In
            } else {
                Direction::Out
            },
            transfer_id: "00ff".into(),
            amount: amount("100.00"),
        };
        pins(
            FeedEvent::Transfer(event(movement)),
            "transfer",
            json!({"type": kind, "direction": direction, "transfer_id": "00ff",
                "amount": {"minor": 10000, "currency": "CNY", "value": "100.00",
                    "display": "100.00 CNY"}}),
        );
    }
}

#[test]
fn withdrawal_payouts_are_pinned() {
    let payout = |direction, payout_ref: Option<&str>, reason: Option<&str>| Payout {
        direction,
        transfer_id: "00ff".into(),
        amount: amount("100.00"),
        withdrawal_id: 7,
        payout_ref: payout_ref.map(str::to_owned),
        reason: reason.map(str::to_owned),
    };
    let money = json!({"minor": 10000, "currency": "CNY", "value": "100.00",
        "display": "100.00 CNY"});
    pins(
        FeedEvent::Transfer(TransferEvent::WithdrawalPaidOut(payout(
            Direction::Out,
            Some("BANK-1"),
            None,
        ))),
        "transfer",
        json!({"type": "withdrawal_paid_out", "direction": "out", "transfer_id": "00ff",
            "amount": money, "withdrawal_id": 7, "payout_ref": "BANK-1"}),
    );
    pins(
        FeedEvent::Transfer(TransferEvent::WithdrawalReturned(payout(
            Direction::In,
            None,
            Some("account closed"),
        ))),
        "transfer",
        json!({"type": "withdrawal_returned", "direction": "in", "transfer_id": "00ff",
            "amount": money, "withdrawal_id": 7, "reason": "account closed"}),
    );
    round_trip(&WithdrawalView {
        id: 7,
        handle: "alice".into(),
        amount: amount("100.00"),
        status: WithdrawalStatus::PaidOut,
        payout_ref: Some("BANK-1".into()),
        reason: None,
        requested_at: 1,
        settled_at: Some(2),
    });
    round_trip(&MarkPaidOut {
        payout_ref: "BANK-1".into(),
    });
    round_trip(&MarkFailed {
        reason: "closed".into(),
    });
    for status in [
        WithdrawalStatus::Requested,
        WithdrawalStatus::PaidOut,
        WithdrawalStatus::Returned,
    ] {
        assert_eq!(WithdrawalStatus::parse(status.as_str()), Some(status));
        assert_eq!(json!(status), json!(status.as_str()));
    }
}

#[test]
fn payments_between_users_are_pinned() {
    for kind in [
        PaymentKind::P2p,
        PaymentKind::Request,
        PaymentKind::Merchant,
        PaymentKind::Paycode,
    ] {
        let payment = Payment {
            direction: Direction::Out,
            transfer_id: "00ff".into(),
            counterparty: "bob".into(),
            counterparty_name: "Bob \"B\" Ödön".into(),
            amount: amount("12.34"),
            memo: "lunch\n🍜".into(),
            platform_fee: None,
            net_to_payee: None,
        };
        let event = FeedEvent::Transfer(TransferEvent::payment(kind, payment));
        assert_eq!(event.counterparty(), Some(("bob", "Bob \"B\" Ödön")));
        pins(
            event,
            "transfer",
            json!({"type": kind.as_str(), "direction": "out", "transfer_id": "00ff",
                "counterparty": "bob", "counterparty_name": "Bob \"B\" Ödön",
                "amount": amount("12.34"), "memo": "lunch\n🍜"}),
        );
    }
}

#[test]
fn escrow_movements_are_pinned() {
    let movement = |returned: Option<AmountView>| EscrowMovement {
        direction: Direction::In,
        transfer_id: "00aa".into(),
        order_id: "ord_1".into(),
        amount: amount("30.00"),
        counterparty: "bob".into(),
        counterparty_name: "Bob".into(),
        memo: "Tea".into(),
        returned_to_buyer: returned,
        platform_fee: None,
        net_to_seller: None,
    };
    let base = json!({"direction": "in", "transfer_id": "00aa", "order_id": "ord_1",
        "amount": amount("30.00"), "counterparty": "bob", "counterparty_name": "Bob",
        "memo": "Tea"});
    let with = |kind: &str, extra: Option<serde_json::Value>| {
        let mut data = base.clone();
        data["type"] = json!(kind);
        if let Some(returned) = extra {
            data["returned_to_buyer"] = returned;
        }
        data
    };
    pins(
        FeedEvent::Transfer(TransferEvent::EscrowHold(movement(None))),
        "transfer",
        with("escrow_hold", None),
    );
    pins(
        FeedEvent::Transfer(TransferEvent::EscrowRelease(movement(Some(amount("5.00"))))),
        "transfer",
        with("escrow_release", Some(json!(amount("5.00")))),
    );
    pins(
        FeedEvent::Transfer(TransferEvent::EscrowRefund(movement(None))),
        "transfer",
        with("escrow_refund", None),
    );
}

#[test]
fn order_events_are_pinned() {
    use crate::escrow::{Event as Step, Resolution};
    let steps = [
        (OrderStep::Create, "create"),
        (OrderStep::from(&Step::Pay), "pay"),
        (
            OrderStep::from(&Step::Ship {
                carrier: "SF".into(),
                tracking: "1".into(),
            }),
            "ship",
        ),
        (OrderStep::from(&Step::Cancel), "cancel"),
        (OrderStep::from(&Step::ConfirmReceipt), "confirm"),
        (
            OrderStep::from(&Step::RequestRefund { amount: cny("1") }),
            "refund-request",
        ),
        (OrderStep::from(&Step::AcceptRefund), "refund-accept"),
        (OrderStep::from(&Step::RejectRefund), "refund-reject"),
        (
            OrderStep::from(&Step::Resolve(Resolution::Release)),
            "resolve",
        ),
        (
            OrderStep::from(&Step::Deadline(Deadline::PayBy)),
            "pay deadline",
        ),
        (
            OrderStep::from(&Step::Deadline(Deadline::AutoConfirm)),
            "auto-confirm deadline",
        ),
        (
            OrderStep::from(&Step::Deadline(Deadline::RefundAnswer)),
            "refund answer deadline",
        ),
    ];
    for (step, name) in steps {
        pins(
            FeedEvent::Order(Box::new(OrderEvent {
                event: step,
                order: order(),
            })),
            "order",
            json!({"event": name, "order": serde_json::to_value(order()).unwrap()}),
        );
    }
    // The order view inside is the API's, field for field.
    let view = serde_json::to_value(order()).unwrap();
    assert_eq!(view["state"], "shipped");
    assert_eq!(view["role"], "buyer");
    assert_eq!(
        view["next_deadline"],
        json!({"kind": "auto_confirm", "at": 900})
    );
}

#[test]
fn request_events_are_pinned() {
    for (action, name) in [
        (RequestAction::Created, "created"),
        (RequestAction::Paid, "paid"),
        (RequestAction::Declined, "declined"),
    ] {
        for (role, role_name) in [
            (RequestRole::Requester, "requester"),
            (RequestRole::Payer, "payer"),
        ] {
            let event = FeedEvent::Request(Box::new(RequestEvent::new(action, role, request())));
            assert_eq!(event.counterparty(), None);
            pins(
                event,
                "request",
                json!({"type": "request", "action": name, "role": role_name,
                    "request": serde_json::to_value(request()).unwrap()}),
            );
        }
    }
}

#[test]
fn unknown_events_are_refused_not_misread() {
    let entry = Event {
        seq: 1,
        kind: "badge".into(),
        data: json!({}),
        created_at: 1,
    };
    assert!(entry.feed_event().is_err());
    assert!(
        FeedEvent::from_parts("transfer", &json!({"type": "cashback", "direction": "in"})).is_err()
    );
}
