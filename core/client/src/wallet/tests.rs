//! Unit tests of the facade's pure parts: view mapping, argument checks, sync batches and
//! outbox presentation (no server).

use super::args::{check_note, currency, handle_arg};
use super::home::activity_page;
use super::orders::{checked_ship, ship_body};
use super::pay::amount_for_code;
use super::sync::{answered_balance, sync_batch};
use super::*;
use crate::api;
use crate::api::Command;
use crate::store::CommandAnswer;
use crate::store::{Balance, CachedOrder, CommandState, FeedEvent, OutboxEntry, StoredCommand};
use danbao_domain::escrow::{OrderState, Party};
use danbao_domain::money::{Currency, Money};
use danbao_domain::protocol::limits::MAX_CARRIER_CHARS;
use danbao_domain::protocol::wire::{RequestStatus, StepAction};
use danbao_domain::qr::{ScanOutcome, scan};
use serde_json::{Value, json};

/// English, the locale the English expectations of these tests are written in.
fn en() -> crate::i18n::Texts {
    crate::i18n::Texts::new("en-US").unwrap()
}

fn event(seq: i64, kind: &str, data: Value) -> FeedEvent {
    FeedEvent {
        seq,
        kind: kind.to_owned(),
        data_json: data.to_string(),
        created_at: 1_700_000_000 + seq,
    }
}

fn amount_json(minor: i64, value: &str) -> Value {
    json!({"minor": minor, "currency": "CNY", "value": value, "display": format!("{value} CNY")})
}

#[test]
fn amounts_are_raw_and_formatted() {
    let a = Amount::new(1250, "CNY");
    assert_eq!(
        (a.minor, a.value.as_str(), a.display.as_str()),
        (1250, "12.50", "12.50 CNY")
    );
    let yen = Amount::new(1250, "JPY");
    assert_eq!(yen.display, "1250 JPY");
    let kwd = Amount::new(-5, "KWD");
    assert_eq!(kwd.value, "-0.005");
    let unknown = Amount::new(7, "ZZZ");
    assert_eq!(
        (unknown.value.as_str(), unknown.display.as_str()),
        ("7", "7 ZZZ")
    );
}

#[test]
fn balance_lines_format_every_column() {
    let line = BalanceLine::new(
        &Balance {
            currency: "CNY".into(),
            available: 10_000,
            held_out: 2_550,
            incoming: 1,
        },
        &en(),
    );
    assert_eq!(line.available.display, "CN¥100.00");
    assert_eq!(line.held_out.value, "25.50");
    assert_eq!(line.incoming.minor, 1);
}

#[test]
fn activity_rows_get_kind_direction_party_and_title() {
    let sent = view::activity_item(
        &event(
            7,
            "transfer",
            json!({"type": "p2p", "direction": "out", "transfer_id": "ab", "counterparty": "bob",
               "counterparty_name": "Bob", "amount": amount_json(1250, "12.50"), "memo": "lunch"}),
        ),
        &en(),
    );
    assert_eq!(sent.seq, 7);
    assert_eq!(sent.kind, "p2p");
    assert_eq!(sent.direction, api::Direction::Out);
    assert_eq!(sent.amount.display, "CN¥12.50");
    assert_eq!(sent.counterparty.as_deref(), Some("bob"));
    assert_eq!(sent.counterparty_name.as_deref(), Some("Bob"));
    assert_eq!(sent.memo.as_deref(), Some("lunch"));
    assert_eq!(sent.title, "Sent to Bob (@bob)");
    assert_eq!(sent.created_at, 1_700_000_007);

    let received = view::activity_item(
        &event(
            8,
            "transfer",
            json!({"type": "p2p", "direction": "in", "counterparty": "alice",
               "counterparty_name": "Alice", "amount": amount_json(5, "0.05"), "memo": ""}),
        ),
        &en(),
    );
    assert_eq!(received.title, "Received from Alice (@alice)");
    assert_eq!(received.memo, None, "an empty memo is no memo");

    let top_up = view::activity_item(
        &event(
            9,
            "transfer",
            json!({"type": "top_up", "direction": "in", "amount": amount_json(100, "1.00")}),
        ),
        &en(),
    );
    assert_eq!(
        (top_up.title.as_str(), top_up.counterparty),
        ("Top-up", None)
    );

    let hold = view::activity_item(
        &event(
            10,
            "transfer",
            json!({"type": "escrow_hold", "direction": "out", "counterparty": "shop",
               "counterparty_name": "Shop", "amount": amount_json(9900, "99.00"),
               "memo": "Teapot", "order_id": "ord_1"}),
        ),
        &en(),
    );
    assert_eq!(hold.title, "Paid into escrow: Teapot");
    let release = view::activity_item(
        &event(
            11,
            "transfer",
            json!({"type": "escrow_release", "direction": "in", "counterparty": "ann",
               "counterparty_name": "ann", "amount": amount_json(9900, "99.00"), "memo": "Teapot"}),
        ),
        &en(),
    );
    assert_eq!(release.title, "Released to you by @ann: Teapot");
    // With the platform's fee (issue 15): the seller's row says the fee and what it kept.
    let with_fee = json!({"type": "escrow_release", "direction": "in", "counterparty": "ann",
        "counterparty_name": "ann", "amount": amount_json(9900, "99.00"), "memo": "Teapot",
        "platform_fee": amount_json(59, "0.59"), "net_to_seller": amount_json(9841, "98.41")});
    let release = view::activity_item(&event(12, "transfer", with_fee.clone()), &en());
    assert_eq!(release.amount.minor, 9900);
    assert!(
        release
            .title
            .starts_with("Released to you by @ann: Teapot (platform fee ")
            && release.title.contains("0.59")
            && release.title.contains("98.41"),
        "{}",
        release.title
    );
    let chinese = view::activity_item(&event(12, "transfer", with_fee), &zh());
    assert!(
        chinese.title.contains("平台服务费") && chinese.title.contains("98.41"),
        "{}",
        chinese.title
    );
    // A merchant payment with the platform's fee (issue 15): the merchant's row says it too.
    let paid = json!({"type": "merchant", "direction": "in", "counterparty": "bob",
        "counterparty_name": "bob", "amount": amount_json(1000, "10.00"), "memo": "",
        "platform_fee": amount_json(30, "0.30"), "net_to_payee": amount_json(970, "9.70")});
    let row = view::activity_item(&event(13, "transfer", paid.clone()), &en());
    assert_eq!(row.amount.minor, 1000);
    assert!(
        row.title.starts_with("Payment from @bob (platform fee ")
            && row.title.contains("0.30")
            && row.title.contains("9.70"),
        "{}",
        row.title
    );
    let chinese = view::activity_item(&event(13, "transfer", paid), &zh());
    assert!(
        chinese.title.contains("平台服务费") && chinese.title.contains("9.70"),
        "{}",
        chinese.title
    );
    // Without a fee (a friend's payment) the row is the plain one.
    let friend = json!({"type": "p2p", "direction": "in", "counterparty": "bob",
        "counterparty_name": "bob", "amount": amount_json(1000, "10.00"), "memo": ""});
    let row = view::activity_item(&event(14, "transfer", friend), &en());
    assert_eq!(row.title, "Received from @bob");
}

#[test]
fn an_unreadable_activity_row_still_maps() {
    let broken = view::activity_item(
        &FeedEvent {
            seq: 3,
            kind: "transfer".into(),
            data_json: "not json".into(),
            created_at: 5,
        },
        &en(),
    );
    assert_eq!(broken.seq, 3);
    assert_eq!(broken.amount.minor, 0);
    assert_eq!(broken.title, "Unreadable transfer entry");
}

#[test]
fn a_payment_code_guessing_notice_is_a_readable_row() {
    let notice =
        api::FeedEvent::Security(api::SecurityEvent::PaycodeGuessed(api::PaycodeGuessed {
            failures: 5,
            window_secs: 600,
            refused_until: 1_600,
        }));
    let row = view::activity_item(
        &FeedEvent {
            seq: 9,
            kind: notice.kind().into(),
            data_json: notice.data_json().unwrap(),
            created_at: 1_000,
        },
        &en(),
    );
    assert_eq!(row.kind, "paycode_guessed");
    assert_eq!(row.amount.minor, 0);
    assert_eq!(
        row.title,
        "Someone tried to charge your payment code with wrong codes; it is paused for a while. \
         If you did not show it to anyone, make a fresh one."
    );
    let zh = crate::i18n::Texts::new("zh-Hans-CN").unwrap();
    let row = view::activity_item(
        &FeedEvent {
            seq: 9,
            kind: notice.kind().into(),
            data_json: notice.data_json().unwrap(),
            created_at: 1_000,
        },
        &zh,
    );
    assert!(
        row.title.starts_with("有人用错误的付款码尝试扣款"),
        "{}",
        row.title
    );
}

/// A device added to or removed from the account is a row of its own, naming the device, in
/// both languages: a join the user did not make is seen from every other device.
#[test]
fn device_notices_are_readable_rows() {
    let zh = crate::i18n::Texts::new("zh-Hans-CN").unwrap();
    let row_of = |notice: api::SecurityEvent, texts: &crate::i18n::Texts| {
        let event = api::FeedEvent::Security(notice);
        view::activity_item(
            &FeedEvent {
                seq: 4,
                kind: event.kind().into(),
                data_json: event.data_json().unwrap(),
                created_at: 1_000,
            },
            texts,
        )
    };
    let tablet = || api::DeviceNotice {
        device_id: 7,
        name: "Tablet".into(),
    };
    let added = row_of(api::SecurityEvent::DeviceAdded(tablet()), &en());
    assert_eq!(added.kind, "device_added");
    assert_eq!(added.amount.minor, 0);
    assert_eq!(
        added.title,
        "The device “Tablet” was added to your account. If you did not add it, revoke it now \
         from Devices."
    );
    let revoked = row_of(api::SecurityEvent::DeviceRevoked(tablet()), &zh);
    assert_eq!(revoked.kind, "device_revoked");
    assert_eq!(revoked.title, "设备“Tablet”已从你的账户中移除");
}

/// A withdrawal's rows say where it is: requested, paid out (with the bank's reference), or
/// returned to the wallet (with the reason), in both languages.
#[test]
fn withdrawal_rows_show_the_payout_status() {
    let amount = || {
        api::AmountView::from(danbao_domain::money::Money::from_minor(
            2_000,
            danbao_domain::money::Currency::from_code("CNY").unwrap(),
        ))
    };
    let payout = |direction, payout_ref: Option<&str>, reason: Option<&str>| api::Payout {
        direction,
        transfer_id: "00ff".into(),
        amount: amount(),
        withdrawal_id: 7,
        payout_ref: payout_ref.map(str::to_owned),
        reason: reason.map(str::to_owned),
    };
    let events = [
        api::TransferEvent::Withdrawal(api::Movement {
            direction: api::Direction::Out,
            transfer_id: "00aa".into(),
            amount: amount(),
        }),
        api::TransferEvent::WithdrawalPaidOut(payout(api::Direction::Out, Some("BANK-1"), None)),
        api::TransferEvent::WithdrawalReturned(payout(
            api::Direction::In,
            None,
            Some("account closed"),
        )),
    ];
    let zh = crate::i18n::Texts::new("zh-Hans-CN").unwrap();
    let rows: Vec<(String, String, String, String)> = events
        .into_iter()
        .map(|event| {
            let event = api::FeedEvent::Transfer(event);
            let stored = FeedEvent {
                seq: 1,
                kind: event.kind().into(),
                data_json: event.data_json().unwrap(),
                created_at: 1_000,
            };
            let en_row = view::activity_item(&stored, &en());
            let zh_row = view::activity_item(&stored, &zh);
            assert_eq!(en_row.amount.minor, 2_000);
            (
                en_row.kind,
                en_row.direction.as_str().to_owned(),
                en_row.title,
                zh_row.title,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "withdrawal".to_owned(),
                "out".to_owned(),
                "Withdrawal requested: on its way to your bank".to_owned(),
                "已申请提现，正在转入您的银行账户".to_owned()
            ),
            (
                "withdrawal_paid_out".to_owned(),
                "out".to_owned(),
                "Withdrawal paid out to your bank (transfer BANK-1)".to_owned(),
                "提现已转入您的银行账户（转账编号 BANK-1）".to_owned()
            ),
            (
                "withdrawal_returned".to_owned(),
                "in".to_owned(),
                "Withdrawal failed and returned to your wallet: account closed".to_owned(),
                "提现未成功，款项已退回钱包：account closed".to_owned()
            ),
        ]
    );
}

fn order_view(state: &str, role: &str, actions: &[&str], buyer: Option<&str>) -> api::OrderView {
    serde_json::from_value(json!({
        "id": "ord_1", "title": "Teapot", "state": state, "role": role, "actions": actions,
        "amount": amount_json(9900, "99.00"),
        "seller": {"handle": "shop", "display_name": "Tea Shop"},
        "buyer": buyer.map(|h| json!({"handle": h, "display_name": h})),
        "pay_by": 100, "auto_confirm_at": null, "refund_request": null, "shipment": null,
        "released": null, "refunded": null,
        "next_deadline": {"kind": "auto_confirm", "at": 864_100},
        "created_at": 1, "updated_at": 2
    }))
    .unwrap()
}

#[test]
fn order_summaries_name_the_counterparty_and_the_actions() {
    let buyer = view::order_summary(
        &order_view(
            "shipped",
            "buyer",
            &["confirm", "refund-request"],
            Some("ann"),
        ),
        0,
        &en(),
    );
    assert_eq!(buyer.id, "ord_1");
    assert_eq!(buyer.state, OrderState::Shipped);
    assert_eq!(buyer.role, Party::Buyer);
    assert_eq!(buyer.counterparty.as_deref(), Some("shop"));
    assert_eq!(buyer.amount.display, "CN¥99.00");
    assert_eq!(buyer.deadline, Some(864_100));
    assert!(view::needs_action(&buyer));

    let seller = view::order_summary(
        &order_view("awaiting_payment", "seller", &["cancel"], None),
        0,
        &en(),
    );
    assert_eq!(seller.counterparty, None, "nobody has paid yet");
    assert!(
        !view::needs_action(&seller),
        "cancelling is optional: the order waits for the buyer"
    );
    let paid_buyer = view::order_summary(
        &order_view("paid", "buyer", &["cancel", "refund-request"], Some("ann")),
        0,
        &en(),
    );
    assert!(!view::needs_action(&paid_buyer), "waiting for the seller");
    let to_ship = view::order_summary(
        &order_view("paid", "seller", &["ship", "cancel"], Some("ann")),
        0,
        &en(),
    );
    assert!(view::needs_action(&to_ship));
    assert_eq!(to_ship.counterparty.as_deref(), Some("ann"));
}

#[test]
fn order_summaries_carry_the_shipment_the_refund_asked_and_the_outcome() {
    let mut refund_asked = order_view(
        "refund_requested",
        "seller",
        &["refund-accept", "refund-reject"],
        Some("ann"),
    );
    refund_asked.shipment = Some(api::ShipmentView {
        carrier: "SF Express".into(),
        tracking: "SF1234".into(),
    });
    refund_asked.refund_request = Some(api::RefundRequestView {
        amount: serde_json::from_value(amount_json(2500, "25.00")).unwrap(),
        answer_by: 500,
    });
    let summary = view::order_summary(&refund_asked, 0, &en());
    assert_eq!(
        summary.shipment,
        Some(view::Shipment {
            carrier: "SF Express".into(),
            tracking: "SF1234".into()
        })
    );
    let asked = summary.refund_asked.expect("the open request's amount");
    assert_eq!((asked.minor, asked.display.as_str()), (2500, "CN¥25.00"));
    assert_eq!((summary.released, summary.refunded), (None, None));

    let mut refunded = order_view("refunded", "buyer", &[], Some("ann"));
    refunded.refund_request = refund_asked.refund_request.clone();
    refunded.released = Some(serde_json::from_value(amount_json(7400, "74.00")).unwrap());
    refunded.refunded = Some(serde_json::from_value(amount_json(2500, "25.00")).unwrap());
    let summary = view::order_summary(&refunded, 0, &en());
    assert_eq!(
        summary.refund_asked, None,
        "the request ended with the order"
    );
    assert_eq!(summary.released.map(|a| a.minor), Some(7400));
    assert_eq!(
        summary.refunded.map(|a| a.display),
        Some("CN¥25.00".to_owned())
    );
    let unshipped = view::order_summary(
        &order_view("paid", "buyer", &["cancel"], Some("ann")),
        0,
        &en(),
    );
    assert_eq!(unshipped.shipment, None);
}

#[test]
fn order_summaries_carry_the_words_and_buttons_of_the_screen() {
    let buyer = view::order_summary(
        &order_view(
            "shipped",
            "buyer",
            &["confirm", "refund-request"],
            Some("ann"),
        ),
        0,
        &en(),
    );
    assert_eq!(
        buyer.state_label,
        "Shipped: confirm receipt when it arrives"
    );
    let buttons: Vec<(&str, &str, view::ActionInput)> = buyer
        .buttons
        .iter()
        .map(|b| (b.action.slug(), b.label.as_str(), b.input))
        .collect();
    assert_eq!(
        buttons,
        [
            ("confirm", "Confirm receipt", view::ActionInput::Nothing),
            (
                "refund-request",
                "Ask for a refund",
                view::ActionInput::RefundAmount
            ),
        ]
    );
    let seller = view::order_summary(
        &order_view("paid", "seller", &["ship", "cancel"], Some("ann")),
        0,
        &en(),
    );
    assert_eq!(seller.state_label, "Paid into escrow: ship it");
    assert_eq!(seller.buttons[0].input, view::ActionInput::Shipment);
    assert_eq!(seller.buttons[1].label, "Cancel the order");
    // Every state has words for both roles, and none is shown as a raw code.
    for state in ALL_STATES {
        for role in [Party::Buyer, Party::Seller] {
            let label = view::state_label(role, state, &en());
            assert!(
                !label.contains('_') && label.len() > 5,
                "{role:?} {state:?}: {label}"
            );
        }
    }
    // A step a newer server offers that this version does not know gets no button (and no
    // entry in `actions`), never a wrong one; the steps it knows keep theirs.
    let newer = view::order_summary(
        &order_view(
            "paid",
            "seller",
            &["ship", "split-the-difference"],
            Some("ann"),
        ),
        0,
        &en(),
    );
    assert_eq!(newer.actions, [StepAction::Ship]);
    assert_eq!(newer.buttons.len(), 1);
    assert_eq!(newer.buttons[0].action, StepAction::Ship);
}

/// Every state of the escrow machine.
const ALL_STATES: [OrderState; 8] = [
    OrderState::AwaitingPayment,
    OrderState::Paid,
    OrderState::Shipped,
    OrderState::RefundRequested,
    OrderState::Disputed,
    OrderState::Completed,
    OrderState::Cancelled,
    OrderState::Refunded,
];

#[test]
fn order_views_round_trip_through_the_cache_row() {
    let order = order_view("paid", "seller", &["ship", "cancel"], Some("ann"));
    let row = view::cached_order(&order).unwrap();
    assert_eq!((row.state.as_str(), row.role.as_str()), ("paid", "seller"));
    assert_eq!(row.updated_at, 2);
    assert_eq!(view::order_view(&row).unwrap(), order);
    let broken = CachedOrder {
        view_json: "{}".into(),
        ..row
    };
    assert!(view::order_view(&broken).unwrap_err().contains("ord_1"));
}

#[test]
fn sync_batches_carry_order_views_and_the_furthest_cursor() {
    let order = order_view("paid", "seller", &["ship"], Some("ann"));
    let mut later = order.clone();
    later.state = danbao_domain::escrow::OrderState::Shipped;
    later.updated_at = 3;
    let page = api::FeedPage {
        items: vec![
            api::Event {
                seq: 4,
                kind: "order".into(),
                data: json!({"event": "pay", "order": order}),
                created_at: 10,
            },
            api::Event {
                seq: 5,
                kind: "transfer".into(),
                data: json!({"type": "escrow_hold"}),
                created_at: 10,
            },
            api::Event {
                seq: 6,
                kind: "order".into(),
                data: json!({"event": "ship", "order": later}),
                created_at: 11,
            },
        ],
        next_cursor: Some(6),
    };
    let batch = sync_batch(&page, Some(3));
    assert_eq!(batch.events.len(), 3);
    assert_eq!(batch.events[1].seq, 5);
    assert_eq!(batch.cursor, 6);
    assert_eq!(
        batch.orders.len(),
        1,
        "one row per order, the latest event's"
    );
    assert_eq!(batch.orders[0].state, "shipped");

    let empty = api::FeedPage {
        items: vec![],
        next_cursor: None,
    };
    assert_eq!(
        sync_batch(&empty, Some(9)).cursor,
        9,
        "the cursor never goes back"
    );
    assert_eq!(sync_batch(&empty, None).cursor, 0);
}

#[test]
fn activity_pages_have_a_cursor_only_when_full() {
    let rows: Vec<FeedEvent> = (1..=3)
        .rev()
        .map(|seq| event(seq, "transfer", json!({"type": "top_up"})))
        .collect();
    let full = activity_page(&rows, 3, &en());
    assert_eq!(full.next_cursor, Some(1));
    assert_eq!(full.items.len(), 3);
    assert_eq!(activity_page(&rows, 4, &en()).next_cursor, None);
}

#[test]
fn amounts_for_codes_are_checked_against_the_code() {
    let cny = Currency::from_code("CNY").unwrap();
    assert_eq!(amount_for_code(None, cny, Some(1250)).unwrap(), None);
    assert_eq!(
        amount_for_code(Some("12.50"), cny, Some(1250))
            .unwrap()
            .map(Money::format),
        Some("12.50".to_owned())
    );
    let mismatch = amount_for_code(Some("13"), cny, Some(1250)).unwrap_err();
    assert!(
        mismatch
            .to_string()
            .contains("asks for CN¥12.50; you entered CN¥13.00"),
        "{mismatch}"
    );
    let missing = amount_for_code(None, cny, None).unwrap_err();
    assert!(matches!(&missing, WalletError::InvalidInput { field, .. } if field == "amount"));
    let decimals = amount_for_code(Some("1.234"), cny, None).unwrap_err();
    assert!(
        decimals.to_string().contains("3 decimals; CNY allows 2"),
        "{decimals}"
    );
    let zero = amount_for_code(Some("0.00"), cny, None).unwrap_err();
    assert!(zero.to_string().contains("not more than zero"), "{zero}");
}

#[test]
fn arguments_are_refused_with_the_field_and_the_fix() {
    assert_eq!(handle_arg("to_handle", " @Bob ").unwrap(), "bob");
    assert!(
        matches!(handle_arg("to_handle", "@"), Err(WalletError::InvalidInput { field, .. }) if field == "to_handle")
    );
    assert!(check_note("memo", &"x".repeat(140)).is_ok());
    let long = check_note("memo", &"x".repeat(141)).unwrap_err();
    assert!(long.to_string().contains("141 characters; at most 140"));
    let hidden = check_note("memo", "tea \u{202E}321").unwrap_err();
    assert!(
        matches!(&hidden, WalletError::InvalidInput { field, reason }
            if field == "memo" && reason.to_string().contains("bidirectional control U+202E at character 5")),
        "{hidden}"
    );
    let currency_error = currency("CNX").unwrap_err();
    assert!(
        matches!(&currency_error, WalletError::InvalidInput { field, .. } if field == "currency")
    );
    let ship = ship_body(Some(json!({"carrier": "SF", "tracking": ""}))).unwrap_err();
    assert!(ship.to_string().contains("body.tracking"), "{ship}");
    assert_eq!(
        serde_json::to_value(
            ship_body(Some(json!({"carrier": " SF ", "tracking": "123"}))).unwrap()
        )
        .unwrap(),
        json!({"carrier": "SF", "tracking": "123"})
    );
    // The typed step (an app's button) is checked by the same rule, its fields named alike.
    let typed = checked_ship(" SF ", "  ").unwrap_err();
    assert!(
        matches!(&typed, WalletError::InvalidInput { field, .. } if field == "body.tracking"),
        "{typed}"
    );
    let long = "x".repeat(MAX_CARRIER_CHARS + 1);
    assert!(checked_ship(&long, "123").is_err());
    assert_eq!(
        checked_ship(" SF ", " 123 ").unwrap(),
        api::Ship {
            carrier: "SF".into(),
            tracking: "123".into()
        }
    );
}

#[test]
fn sign_up_keys_are_stable_per_key_and_handle() {
    let a = sign_up_key(&[4, 1, 2], "ann");
    assert_eq!(a, sign_up_key(&[4, 1, 2], "ann"));
    assert_ne!(a, sign_up_key(&[4, 1, 2], "bob"));
    assert_ne!(a, sign_up_key(&[4, 1, 3], "ann"));
    assert!(danbao_domain::protocol::idempotency_key_is_well_formed(&a));
}

fn entry(command: Command, state: CommandState) -> OutboxEntry {
    OutboxEntry {
        id: 4,
        idempotency_key: "dbk-key-0001".into(),
        command: StoredCommand::Known(command),
        state,
        attempts: 1,
        next_attempt_at: 0,
        created_at: 0,
        updated_at: 0,
        last_error: None,
        answer: None,
    }
}

fn order_step(order_id: &str, action: api::OrderAction) -> Command {
    Command::OrderStep {
        order_id: order_id.into(),
        step: api::OrderStepCommand::Plain(action),
    }
}

#[test]
fn outbox_rows_say_what_the_command_does_and_how_it_ended() {
    let body = api::Send {
        to: "bob".into(),
        amount: "12.50".into(),
        currency: "CNY".into(),
        memo: String::new(),
    };
    let mut send = entry(Command::Send(body), CommandState::Pending);
    assert_eq!(view::command_summary(&send, &en()), "Send CN¥12.50 to @bob");
    send.last_error = Some("cannot reach the server".into());
    let queued = view::command_outcome(&send, &en());
    assert_eq!(queued.state, OutcomeState::Queued);
    assert_eq!(
        queued.message, "queued: cannot reach the server; it is sent when the connection is back",
        "the transport's cause stays in the log"
    );
    assert_eq!(queued.command_id, 4);
    assert_eq!(queued.idempotency_key, "dbk-key-0001");

    send.state = CommandState::Done;
    send.answer = Some(CommandAnswer {
        status: 200,
        body: json!({"transfer_id": "00ff", "amount": amount_json(1250, "12.50")}).to_string(),
    });
    let done = view::command_outcome(&send, &en());
    assert_eq!(done.state, OutcomeState::Done);
    assert_eq!(done.message, "Sent CN¥12.50 to @bob");
    assert_eq!(done.transfer_id.as_deref(), Some("00ff"));
    let item = view::outbox_item(&send, &en());
    assert_eq!(item.kind, CommandKind::Send);
    assert_eq!(item.state, CommandState::Done);
    assert_eq!(item.outcome.as_deref(), Some("Sent CN¥12.50 to @bob"));

    send.state = CommandState::Failed;
    send.answer = Some(CommandAnswer {
        status: 422,
        body: json!({"code": "insufficient_funds", "detail": "the wallet has 1.00 CNY"})
            .to_string(),
    });
    let failed = view::command_outcome(&send, &en());
    assert_eq!(failed.state, OutcomeState::Failed);
    assert_eq!(
        failed.message,
        "Refused: the wallet has 1.00 CNY (insufficient_funds)"
    );
    assert_eq!(failed.transfer_id, None);
    assert_eq!(failed.problem.as_deref(), Some("insufficient_funds"));
    assert_eq!(done.problem, None);
    assert_eq!(queued.problem, None);

    let confirm = entry(
        order_step("ord_9", api::OrderAction::Confirm),
        CommandState::Pending,
    );
    assert_eq!(
        view::command_summary(&confirm, &en()),
        "Confirm receipt of order ord_9"
    );
    let fresh = view::outbox_item(
        &OutboxEntry {
            attempts: 0,
            ..confirm
        },
        &en(),
    );
    assert_eq!(fresh.outcome, None, "not tried yet: nothing to say");
    assert_eq!(fresh.kind, CommandKind::OrderConfirm);
    let decline = entry(Command::DeclineRequest { id: 12 }, CommandState::Pending);
    assert_eq!(view::command_summary(&decline, &en()), "Decline request 12");
}

#[test]
fn outbox_rows_read_the_stored_command_typed() {
    let ship = entry(
        Command::OrderStep {
            order_id: "ord_7".into(),
            step: api::OrderStepCommand::Ship(api::Ship {
                carrier: "SF".into(),
                tracking: "T1".into(),
            }),
        },
        CommandState::Pending,
    );
    assert_eq!(
        view::command_summary(&ship, &en()),
        "Mark order ord_7 shipped (SF T1)"
    );
    assert_eq!(view::outbox_item(&ship, &en()).kind, CommandKind::OrderShip);
    let refund = entry(
        Command::OrderStep {
            order_id: "ord_7".into(),
            step: api::OrderStepCommand::RequestRefund(api::RefundRequest {
                amount: "3.00".into(),
            }),
        },
        CommandState::Pending,
    );
    assert_eq!(
        view::command_summary(&refund, &en()),
        "Ask for 3.00 back on order ord_7"
    );
    let charge = entry(
        Command::Charge(api::Charge {
            payment_code: "291234567890123456".into(),
            amount: "9.90".into(),
            currency: "CNY".into(),
            memo: String::new(),
        }),
        CommandState::Pending,
    );
    assert_eq!(
        view::command_summary(&charge, &en()),
        "Charge CN¥9.90 to a payment code"
    );
    assert_eq!(view::outbox_item(&charge, &en()).kind, CommandKind::Charge);
    let accept = entry(Command::AcceptRequest { id: 5 }, CommandState::Pending);
    assert_eq!(view::command_summary(&accept, &en()), "Pay request 5");
    assert_eq!(
        view::outbox_item(&accept, &en()).kind,
        CommandKind::RequestAccept
    );

    // A row the migration kept but could not read: shown failed with its reason.
    let mut kept = entry(Command::ProvisionPaycode, CommandState::Failed);
    kept.command = StoredCommand::Unreadable(crate::store::UnreadableCommand {
        request: "gift (POST /v1/gifts)".into(),
        reason: "/v1/gifts is not a request this version knows".into(),
    });
    kept.answer = Some(CommandAnswer {
        status: 0,
        body: json!({"code": "not_converted", "detail": "/v1/gifts is not a request this version knows"})
            .to_string(),
    });
    let item = view::outbox_item(&kept, &en());
    assert_eq!(item.kind, CommandKind::Unreadable);
    assert_eq!(
        item.summary,
        "gift (POST /v1/gifts) (not readable by this version)"
    );
    assert_eq!(
        item.outcome.as_deref(),
        Some("Refused: /v1/gifts is not a request this version knows (not_converted)")
    );
    assert_eq!(item.state, CommandState::Failed);
}

#[test]
fn order_answers_read_as_sentences() {
    let mut confirm = entry(
        order_step("ord_1", api::OrderAction::Confirm),
        CommandState::Done,
    );
    let answer =
        serde_json::to_string(&order_view("completed", "buyer", &[], Some("ann"))).unwrap();
    confirm.answer = Some(CommandAnswer {
        status: 200,
        body: answer,
    });
    assert_eq!(
        view::command_outcome(&confirm, &en()).message,
        "Confirmed receipt of “Teapot” (ord_1); the order is now completed"
    );
}

#[test]
fn scans_that_need_no_server() {
    let screen = view::local_scan_screen(&scan("hello"), "hello", &en()).unwrap();
    assert_eq!(screen.kind, ScanKind::Invalid);
    assert!(!screen.payable);
    assert!(!screen.reasons.is_empty());
    assert_eq!(screen.code, "hello");

    // PromptPay (github.com/dtinth/promptpay-qr test vector, core/domain/tests/fixtures/emv).
    let promptpay = "00020101021129370016A000000677010111011300668012345675802TH530376463046197";
    let foreign = view::local_scan_screen(&scan(promptpay), promptpay, &en()).unwrap();
    assert_eq!(foreign.kind, ScanKind::ForeignScheme);
    assert!(!foreign.payable);
    assert_eq!(foreign.scheme.as_deref(), Some("PromptPay, Thailand"));
    assert!(
        foreign.reasons[0] == "PromptPay, Thailand: this wallet pays Danbao codes only",
        "{:?}",
        foreign.reasons
    );

    let digits = "291234567890123456";
    assert!(matches!(scan(digits), ScanOutcome::PaymentCode { .. }));
    let screen = view::local_scan_screen(&scan(digits), digits, &en()).unwrap();
    assert_eq!(screen.kind, ScanKind::PaymentCode);
    assert!(!screen.payable);
    assert!(screen.reasons[0].contains("charge_payment_code"));

    assert!(
        view::local_scan_screen(&scan(promptpay), promptpay, &en()).is_some()
            && view::danbao_kind(&scan(promptpay)).is_none(),
        "foreign codes never go to the server"
    );
}

#[test]
fn resolved_codes_show_the_servers_name_and_warn_on_a_mismatch() {
    let resolved: api::Resolved = serde_json::from_value(json!({
        "kind": "merchant",
        "payee": {"handle": "mallory", "display_name": "Mallory"},
        "printed_name": "Tea Shop",
        "name_mismatch": true,
        "amount": null,
        "currency": "CNY",
        "signed": false,
        "expires_at": null,
        "order_id": null
    }))
    .unwrap();
    let screen =
        view::resolved_scan_screen(ScanKind::MerchantPayment, &resolved, "000201…", true, &en());
    assert!(screen.payable);
    assert_eq!(screen.payee_name.as_deref(), Some("Mallory"));
    assert_eq!(screen.payee_handle.as_deref(), Some("mallory"));
    assert_eq!(screen.printed_name.as_deref(), Some("Tea Shop"));
    let warning = screen.name_warning.unwrap();
    assert!(
        warning.contains("“Tea Shop”") && warning.contains("Mallory (@mallory)"),
        "{warning}"
    );
    assert!(screen.needs_amount);
    assert_eq!(screen.currency.as_deref(), Some("CNY"));

    let honest = api::Resolved {
        name_mismatch: false,
        printed_name: "Mallory".into(),
        amount: Some(serde_json::from_value(amount_json(500, "5.00")).unwrap()),
        ..resolved
    };
    let screen = view::resolved_scan_screen(ScanKind::MerchantPayment, &honest, "x", true, &en());
    assert_eq!(screen.first_payment_warning, None);
    assert_eq!(screen.look_alike_warning, None);
    assert!(!screen.payee_verified);
    assert_eq!(screen.name_warning, None);
    assert!(!screen.needs_amount);
    assert_eq!(screen.amount.unwrap().display, "CN¥5.00");

    let refused = view::refused_scan_screen(
        "Tea Shop".into(),
        "signature invalid",
        "code_signature_invalid",
        "x",
        &en(),
    );
    assert_eq!(refused.kind, ScanKind::Invalid);
    assert!(!refused.payable);
    assert_eq!(
        refused.reasons,
        ["the server refused this code: signature invalid (code_signature_invalid)"]
    );
    let in_chinese = view::refused_scan_screen(
        "Tea Shop".into(),
        "signature invalid",
        "code_signature_invalid",
        "x",
        &zh(),
    );
    assert_eq!(
        in_chinese.reasons,
        ["服务器拒绝了此二维码：此二维码的签名不真实"]
    );
}

/// Issue 12 point 2: the confirm screen carries the verified badge of a verified merchant, a
/// warning for an unverified payee whose name looks like a verified merchant's (or another
/// account's), and a first-payment warning until the wallet paid the payee once; in both
/// catalogues.
#[test]
fn the_confirm_screen_shows_the_badge_the_look_alike_and_the_first_payment_warnings() {
    let impostor: api::Resolved = serde_json::from_value(json!({
        "kind": "merchant",
        "payee": {"handle": "lotus_tea", "display_name": "L\u{43e}tus Tea House"},
        "printed_name": "L\u{43e}tus Tea House",
        "name_mismatch": false,
        "amount": null,
        "currency": "CNY",
        "signed": false,
        "expires_at": null,
        "order_id": null,
        "verified": false,
        "verified_name": null,
        "look_alike": true,
        "resembles_verified": true
    }))
    .unwrap();
    let screen =
        view::resolved_scan_screen(ScanKind::MerchantPayment, &impostor, "x", false, &en());
    assert!(!screen.payee_verified);
    assert_eq!(screen.verified_label, None);
    assert_eq!(
        screen.look_alike_warning.as_deref(),
        Some(
            "Not a verified merchant: the name “L\u{43e}tus Tea House” (@lotus_tea) only looks \
             like a verified merchant's name. Check the handle before you pay."
        )
    );
    assert_eq!(
        screen.first_payment_warning.as_deref(),
        Some("You have never paid @lotus_tea before. Check the name and handle before you pay.")
    );
    let in_chinese =
        view::resolved_scan_screen(ScanKind::MerchantPayment, &impostor, "x", false, &zh());
    assert!(
        in_chinese
            .look_alike_warning
            .as_deref()
            .is_some_and(|w| w.starts_with("不是已认证商户")),
        "{in_chinese:?}"
    );
    assert_eq!(
        in_chinese.first_payment_warning.as_deref(),
        Some("你从未向 @lotus_tea 付过款。付款前请核对名称和账号。")
    );

    // An ordinary name someone else shares: the milder warning.
    let twin = api::Resolved {
        standing: api::PayeeStanding {
            look_alike: true,
            ..api::PayeeStanding::default()
        },
        ..impostor.clone()
    };
    let screen = view::resolved_scan_screen(ScanKind::MerchantPayment, &twin, "x", true, &en());
    assert!(
        screen
            .look_alike_warning
            .as_deref()
            .is_some_and(|w| w.starts_with("Another account has a name that looks like")),
        "{screen:?}"
    );
    assert_eq!(
        screen.first_payment_warning, None,
        "paid before: no warning"
    );

    // The verified merchant: the badge with the verified name, no look-alike warning.
    let shop = api::Resolved {
        payee: api::PartyView {
            handle: "lotus".into(),
            display_name: "Lotus Tea House".into(),
        },
        standing: api::PayeeStanding {
            verified: true,
            verified_name: Some("Lotus Tea House Ltd".into()),
            look_alike: true,
            resembles_verified: false,
        },
        ..impostor
    };
    let screen = view::resolved_scan_screen(ScanKind::MerchantPayment, &shop, "x", true, &en());
    assert!(screen.payee_verified);
    assert_eq!(
        screen.verified_label.as_deref(),
        Some("Verified merchant: Lotus Tea House Ltd")
    );
    assert_eq!(screen.look_alike_warning, None);
    let screen = view::resolved_scan_screen(ScanKind::MerchantPayment, &shop, "x", true, &zh());
    assert_eq!(
        screen.verified_label.as_deref(),
        Some("已认证商户：Lotus Tea House Ltd")
    );
}

fn request_event(seq: i64, id: i64, status: &str) -> FeedEvent {
    event(
        seq,
        "request",
        json!({"type": "request", "action": status, "role": "payer", "request": {
            "id": id, "requester": {"handle": "carol", "display_name": "Carol"},
            "payer": {"handle": "ann", "display_name": "Ann"},
            "amount": amount_json(200, "2.00"), "note": "coffee", "status": status,
            "transfer_id": null, "created_at": 5}}),
    )
}

#[test]
fn requests_show_each_once_in_its_latest_state() {
    let newest_first = vec![
        request_event(9, 2, "open"),
        request_event(8, 1, "paid"),
        FeedEvent {
            data_json: "[]".into(),
            ..request_event(7, 3, "open")
        },
        request_event(6, 1, "open"),
    ];
    let requests = view::latest_requests(&newest_first, Some("ann"), &en());
    let seen: Vec<(i64, &str)> = requests.iter().map(|r| (r.id, r.status.as_str())).collect();
    assert_eq!(seen, vec![(2, "open"), (1, "paid")]);
    // Ann pays: she may answer the open request only; Carol (the requester) never may.
    assert_eq!(
        (requests[0].can_answer, requests[1].can_answer),
        (true, false)
    );
    let as_requester = view::latest_requests(&newest_first, Some("carol"), &en());
    assert!(as_requester.iter().all(|r| !r.can_answer));
    assert_eq!(requests[1].requester, "carol");
    assert_eq!(requests[1].payer, "ann");
    assert_eq!(requests[1].amount.display, "CN¥2.00");
    assert_eq!(requests[1].note, "coffee");
}

#[test]
fn a_request_status_this_version_does_not_know_is_left_out() {
    let newest_first = vec![request_event(9, 2, "expired"), request_event(8, 1, "open")];
    let requests = view::latest_requests(&newest_first, Some("ann"), &en());
    let seen: Vec<(i64, RequestStatus)> = requests.iter().map(|r| (r.id, r.status)).collect();
    assert_eq!(seen, vec![(1, RequestStatus::Open)]);
}

/// The closed sets a screen shows as a word come with that word from the catalogue, in both
/// languages, so no shell keeps a table of them.
#[test]
fn roles_request_statuses_and_outbox_states_have_words_in_both_languages() {
    let zh = zh();
    let as_seller = order_view("paid", "seller", &["ship"], Some("ann"));
    assert_eq!(
        view::order_summary(&as_seller, 0, &en()).role_label,
        "seller"
    );
    assert_eq!(view::order_summary(&as_seller, 0, &zh).role_label, "卖家");
    let as_buyer = order_view("paid", "buyer", &[], None);
    assert_eq!(view::order_summary(&as_buyer, 0, &en()).role_label, "buyer");
    assert_eq!(view::order_summary(&as_buyer, 0, &zh).role_label, "买家");

    let words = |status: &str| {
        let events = [request_event(1, 1, status)];
        let en_word = view::latest_requests(&events, None, &en())[0]
            .status_label
            .clone();
        let zh_word = view::latest_requests(&events, None, &zh)[0]
            .status_label
            .clone();
        (en_word, zh_word)
    };
    assert_eq!(words("open"), ("open".to_owned(), "待处理".to_owned()));
    assert_eq!(words("paid"), ("paid".to_owned(), "已支付".to_owned()));
    assert_eq!(
        words("declined"),
        ("declined".to_owned(), "已拒绝".to_owned())
    );

    let send = Command::Send(api::Send::new(
        "bob",
        Money::parse("1.00", Currency::from_code("CNY").unwrap()).unwrap(),
        "",
    ));
    let said = |state: CommandState| {
        let row = entry(send.clone(), state);
        (
            view::outbox_item(&row, &en()).state_label,
            view::outbox_item(&row, &zh).state_label,
        )
    };
    assert_eq!(
        said(CommandState::Pending),
        ("waiting to send".to_owned(), "等待发送".to_owned())
    );
    assert_eq!(
        said(CommandState::Sending),
        ("sending".to_owned(), "发送中".to_owned())
    );
    assert_eq!(
        said(CommandState::Done),
        ("sent".to_owned(), "已发送".to_owned())
    );
    assert_eq!(
        said(CommandState::Failed),
        ("refused".to_owned(), "被拒绝".to_owned())
    );
}

/// UniFFI and multi-threaded runtimes need a `Send + Sync` wallet and `Send` futures.
#[test]
fn the_wallet_and_its_futures_can_cross_threads() {
    fn shareable<T: Send + Sync>() {}
    fn sendable<T: Send>(_: &T) {}
    fn futures(wallet: &Wallet) {
        sendable(&wallet.sync());
        sendable(&wallet.scan(""));
        sendable(&wallet.pay("", None));
        sendable(&wallet.send("", "", "", ""));
        sendable(&wallet.order_action("", "", None));
        sendable(&wallet.flush_outbox());
        sendable(&wallet.activity(None, 1));
        sendable(&wallet.sign_up("", "", ""));
        sendable(&wallet.create_order("", "", ""));
        sendable(&wallet.enable_payment_code());
    }
    shareable::<Wallet>();
    let _ = futures;
    sendable(&Wallet::open(
        WalletConfig {
            db_path: PathBuf::new(),
            server_url: String::new(),
            spki_pins: Vec::new(),
            locale: "en-US".into(),
            utc_offset_minutes: 0,
            time_zone: String::new(),
        },
        Arc::new(crate::secrets::SoftwareKeyStore::from_bytes(&[1; 32]).unwrap()),
        None,
    ));
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

/// A wallet on a fresh database that is not signed up (nothing goes to the network).
fn offline_wallet(dir: &tempfile::TempDir) -> Wallet {
    block_on(Wallet::open(
        WalletConfig {
            db_path: dir.path().join("wallet.db"),
            server_url: "http://127.0.0.1:9".into(),
            spki_pins: Vec::new(),
            locale: "en-US".into(),
            utc_offset_minutes: 0,
            time_zone: String::new(),
        },
        Arc::new(crate::secrets::SoftwareKeyStore::from_bytes(&[3; 32]).unwrap()),
        None,
    ))
    .unwrap()
}

#[test]
fn home_is_built_from_the_cache_alone() {
    let dir = tempfile::tempdir().unwrap();
    let wallet = offline_wallet(&dir);
    let empty = wallet.home().unwrap();
    assert_eq!(empty.profile, None);
    assert!(empty.balances.is_empty() && empty.recent.is_empty() && empty.outbox.is_empty());
    assert_eq!(
        block_on(wallet.sync()).unwrap_err(),
        WalletError::NotSignedUp
    );
    assert_eq!(
        block_on(wallet.send("bob", "1.00", "CNY", "")).unwrap_err(),
        WalletError::NotSignedUp
    );

    let store = wallet.local_store();
    let mut finished = order_view("completed", "buyer", &[], Some("ann"));
    finished.id = "ord_done".into();
    let waiting = order_view(
        "shipped",
        "buyer",
        &["confirm", "refund-request"],
        Some("ann"),
    );
    let mut not_yet = order_view("paid", "buyer", &["cancel", "refund-request"], Some("ann"));
    not_yet.id = "ord_paid".into();
    for order in [&finished, &waiting, &not_yet] {
        store
            .upsert_order(&view::cached_order(order).unwrap())
            .unwrap();
    }
    let events: Vec<FeedEvent> = (1..=25)
        .map(|seq| {
            event(
                seq,
                if seq == 25 { "order" } else { "transfer" },
                json!({"type": "top_up", "direction": "in", "amount": amount_json(seq, "0.01")}),
            )
        })
        .collect();
    store.apply_events(&events, 25, 0).unwrap();
    store
        .replace_balances(
            &[Balance {
                currency: "CNY".into(),
                available: 300,
                held_out: 9900,
                incoming: 0,
            }],
            0,
        )
        .unwrap();

    let home = wallet.home().unwrap();
    assert_eq!(home.balances.len(), 1);
    assert_eq!(home.balances[0].held_out.display, "CN¥99.00");
    assert_eq!(home.recent.len(), 20, "at most 20 rows");
    assert_eq!(home.recent[0].seq, 24, "money movements only, newest first");
    let needing: Vec<&str> = home
        .orders_needing_action
        .iter()
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(needing, vec!["ord_1"]);
    assert_eq!(
        wallet.orders().unwrap().len(),
        3,
        "the list has every order"
    );

    let page = block_on(wallet.activity(None, 10)).unwrap();
    assert_eq!(page.items.len(), 10);
    assert_eq!(page.next_cursor, Some(15));
    let rest = block_on(wallet.activity(page.next_cursor, 50)).unwrap();
    assert_eq!(rest.items.len(), 14);
    assert_eq!(rest.next_cursor, None);
    assert!(matches!(
        block_on(wallet.activity(None, 0)),
        Err(WalletError::InvalidInput { field, .. }) if field == "limit"
    ));
    assert!(matches!(
        wallet.payment_code(1_700_000_000),
        Err(WalletError::NotReady { .. })
    ));
}

#[test]
fn the_software_key_is_kept_across_opens() {
    let dir = tempfile::tempdir().unwrap();
    let first = offline_wallet(&dir).device_public_key();
    let second = offline_wallet(&dir).device_public_key();
    assert_eq!(first, second);
    assert_eq!(first.len(), 65, "uncompressed P-256 point");
}

#[test]
fn a_payments_answer_gives_the_payers_balance_only_when_it_is_fresh() {
    let balance = json!({
        "currency": "CNY",
        "available": amount_json(8770, "87.70"),
        "held_out": amount_json(0, "0.00"),
        "incoming": amount_json(0, "0.00"),
    });
    let pay = Command::PayCode(api::PayCode {
        code: "000201".into(),
        amount: None,
        memo: String::new(),
    });
    let mut paid = entry(pay, CommandState::Done);
    paid.answer = Some(CommandAnswer {
        status: 200,
        body: json!({"transfer_id": "ab", "balance": balance}).to_string(),
    });
    assert_eq!(
        answered_balance(&paid),
        Some(Balance {
            currency: "CNY".into(),
            available: 8770,
            held_out: 0,
            incoming: 0,
        })
    );
    // A later attempt may be answered with the server's stored first answer: not fresh.
    let retried = OutboxEntry {
        attempts: 2,
        ..paid.clone()
    };
    assert_eq!(answered_balance(&retried), None);
    // An answer without a balance (an older server, an order step today): read them again.
    let mut bare = paid.clone();
    bare.answer = Some(CommandAnswer {
        status: 200,
        body: json!({"transfer_id": "ab"}).to_string(),
    });
    assert_eq!(answered_balance(&bare), None);
    // A step whose caller is not the payer: its answer's balance is not taken.
    let mut ship = entry(
        Command::OrderStep {
            order_id: "ord_1".into(),
            step: api::OrderStepCommand::Ship(api::Ship {
                carrier: "SF".into(),
                tracking: "T".into(),
            }),
        },
        CommandState::Done,
    );
    ship.answer = paid.answer.clone();
    assert_eq!(answered_balance(&ship), None);
}

/// Simplified Chinese, for the same rows the English tests above map.
fn zh() -> crate::i18n::Texts {
    crate::i18n::Texts::new("zh-Hans-CN").unwrap()
}

#[test]
fn the_screens_speak_chinese_with_chinese_amounts() {
    let zh = zh();
    let line = BalanceLine::new(
        &Balance {
            currency: "CNY".into(),
            available: 123_456_789,
            held_out: 2_550,
            incoming: 0,
        },
        &zh,
    );
    assert_eq!(line.available.display, "¥1,234,567.89");
    assert_eq!(
        line.available.value, "1234567.89",
        "the plain decimal stays"
    );

    let sent = view::activity_item(
        &event(
            7,
            "transfer",
            json!({"type": "p2p", "direction": "out", "counterparty": "bob",
                   "counterparty_name": "Bob", "amount": amount_json(1250, "12.50")}),
        ),
        &zh,
    );
    assert_eq!(sent.title, "转账给 Bob（@bob）");
    // 1_700_000_007 is 2023-11-14 22:13:27 UTC; these texts are in UTC.
    assert_eq!(sent.time_label, "2023年11月14日 22:13");
    assert_eq!(sent.amount.display, "¥12.50");
    let hold = view::activity_item(
        &event(
            8,
            "transfer",
            json!({"type": "escrow_hold", "direction": "out", "counterparty": "shop",
                   "amount": amount_json(9900, "99.00"), "memo": "茶壶"}),
        ),
        &zh,
    );
    assert_eq!(hold.title, "已付款至担保：茶壶");
    let top_up = view::activity_item(
        &event(9, "transfer", json!({"type": "top_up", "direction": "in"})),
        &zh,
    );
    assert_eq!(top_up.title, "充值");

    // 864_100 is the order's deadline; 9 days and a bit before it is "9天后" rounded up to 10.
    let shipped = order_view(
        "shipped",
        "buyer",
        &["confirm", "refund-request"],
        Some("ann"),
    );
    let buyer = view::order_summary(&shipped, 864_100 - 9 * 86_400, &zh);
    assert_eq!(buyer.state_label, "已发货：收到货后请确认收货");
    assert_eq!(buyer.amount.display, "¥99.00");
    assert_eq!(buyer.deadline_label.as_deref(), Some("9天后自动确认收货"));
    let labels: Vec<&str> = buyer.buttons.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["确认收货", "申请退款"]);
    let english = view::order_summary(&shipped, 864_100 - 9 * 86_400 + 1, &en());
    assert_eq!(
        english.deadline_label.as_deref(),
        Some("Confirms automatically in 9 days")
    );
    for state in ALL_STATES {
        for role in [Party::Buyer, Party::Seller] {
            let label = view::state_label(role, state, &zh);
            assert!(
                label.chars().all(|c| !c.is_ascii_alphabetic()),
                "{role:?} {state:?}: {label}"
            );
        }
    }
    for action in StepAction::ALL {
        let label = view::order_button(action, &zh).label;
        assert!(
            label.chars().all(|c| !c.is_ascii_alphabetic()),
            "{action:?}: {label}"
        );
    }
}

#[test]
fn outbox_rows_and_outcomes_speak_chinese() {
    let zh = zh();
    let body = api::Send {
        to: "bob".into(),
        amount: "1234.50".into(),
        currency: "CNY".into(),
        memo: String::new(),
    };
    let mut send = entry(Command::Send(body), CommandState::Pending);
    assert_eq!(view::command_summary(&send, &zh), "转账 ¥1,234.50 给 @bob");
    send.last_error = Some("cannot reach the server".into());
    assert_eq!(
        view::command_outcome(&send, &zh).message,
        "已排队：暂时无法连接服务器，联网后自动发送"
    );
    send.state = CommandState::Done;
    send.answer = Some(CommandAnswer {
        status: 200,
        body: json!({"transfer_id": "00ff", "amount": amount_json(123_450, "1234.50")}).to_string(),
    });
    assert_eq!(
        view::command_outcome(&send, &zh).message,
        "已转账 ¥1,234.50 给 @bob"
    );
    send.state = CommandState::Failed;
    send.answer = Some(CommandAnswer {
        status: 422,
        body: json!({"code": "insufficient_funds", "detail": "the wallet has 1.00 CNY"})
            .to_string(),
    });
    let failed = view::command_outcome(&send, &zh);
    // The shortfall names the command's own amount in the locale's format, not the
    // server's English "1.00 CNY".
    assert_eq!(failed.message, "被拒绝：钱包余额不足，无法支付 ¥1,234.50");
    assert_eq!(failed.problem.as_deref(), Some("insufficient_funds"));

    let mut confirm = entry(
        order_step("ord_1", api::OrderAction::Confirm),
        CommandState::Done,
    );
    assert_eq!(view::command_summary(&confirm, &zh), "确认收货：订单 ord_1");
    confirm.answer = Some(CommandAnswer {
        status: 200,
        body: serde_json::to_string(&order_view("completed", "buyer", &[], Some("ann"))).unwrap(),
    });
    assert_eq!(
        view::command_outcome(&confirm, &zh).message,
        "已确认收货：“Teapot”（ord_1），订单现在已完成"
    );
}

#[test]
fn scans_and_name_warnings_speak_chinese() {
    let zh = zh();
    let invalid = view::local_scan_screen(&scan("hello"), "hello", &zh).unwrap();
    assert_eq!(invalid.kind, ScanKind::Invalid);
    assert_eq!(invalid.reasons, ["这不是可以付款的二维码"]);
    let digits = "291234567890123456";
    let screen = view::local_scan_screen(&scan(digits), digits, &zh).unwrap();
    assert_eq!(
        screen.reasons,
        ["这是顾客的付款码：由商家扣款，不能从钱包付款"]
    );
    let resolved: api::Resolved = serde_json::from_value(json!({
        "kind": "merchant", "payee": {"handle": "teashop", "display_name": "Tea Shop"},
        "printed_name": "Tea Shop Official", "name_mismatch": true,
        "amount": amount_json(500, "5.00"), "currency": "CNY", "order_id": null, "signed": false
    }))
    .unwrap();
    let screen = view::resolved_scan_screen(ScanKind::MerchantPayment, &resolved, "x", true, &zh);
    assert_eq!(
        screen.name_warning.as_deref(),
        Some(
            "二维码上写的是“Tea Shop Official”，但实际收款人是 Tea Shop（@teashop）。\
             请确认这是你要付款的人再付款。"
        )
    );
    assert_eq!(screen.amount.unwrap().display, "¥5.00");
}

#[test]
fn a_locale_change_reaches_the_next_record() {
    let dir = tempfile::tempdir().unwrap();
    let wallet = offline_wallet(&dir);
    wallet
        .local_store()
        .replace_balances(
            &[Balance {
                currency: "CNY".into(),
                available: 123_456,
                held_out: 0,
                incoming: 0,
            }],
            0,
        )
        .unwrap();
    assert_eq!(wallet.locale(), "en-US");
    assert_eq!(
        wallet.home().unwrap().balances[0].available.display,
        "CN¥1,234.56"
    );
    wallet.set_locale("zh-Hans-CN").unwrap();
    assert_eq!(wallet.locale(), "zh-Hans-CN");
    assert_eq!(
        wallet.home().unwrap().balances[0].available.display,
        "¥1,234.56"
    );
    assert!(matches!(
        wallet.set_locale("!!"),
        Err(WalletError::InvalidInput { field, .. }) if field == "locale"
    ));
    assert_eq!(
        wallet.locale(),
        "zh-Hans-CN",
        "a refused tag changes nothing"
    );
    wallet.set_utc_offset(480).unwrap();
    assert_eq!(wallet.texts().zone().offset_minutes_at(0), 480);
    assert_eq!(wallet.locale(), "zh-Hans-CN", "the zone keeps the language");
    wallet.set_locale("en-US").unwrap();
    assert_eq!(
        wallet.texts().zone().offset_minutes_at(0),
        480,
        "the language keeps the zone"
    );
    assert!(matches!(
        wallet.set_utc_offset(2_000),
        Err(WalletError::InvalidInput { field, .. }) if field == "utc_offset_minutes"
    ));
    // An IANA zone: the offset of each instant, daylight saving included.
    wallet.set_time_zone("Europe/Berlin").unwrap();
    assert_eq!(wallet.time_zone().as_deref(), Some("Europe/Berlin"));
    let winter = 1_767_268_800; // 2026-01-01 12:00 UTC
    let summer = 1_782_907_200; // 2026-07-01 12:00 UTC
    assert_eq!(
        wallet.texts().date_time(winter),
        "Jan 1, 2026, 1:00\u{202f}PM"
    );
    assert_eq!(
        wallet.texts().date_time(summer),
        "Jul 1, 2026, 2:00\u{202f}PM"
    );
    wallet.set_locale("zh-Hans-CN").unwrap();
    assert_eq!(
        wallet.time_zone().as_deref(),
        Some("Europe/Berlin"),
        "the language keeps the named zone"
    );
    let unknown = wallet.set_time_zone("Mars/Olympus_Mons").unwrap_err();
    assert!(
        matches!(&unknown, WalletError::InvalidInput { field, .. } if field == "time_zone"),
        "{unknown:?}"
    );
    assert!(
        unknown
            .to_string()
            .contains("“Mars/Olympus_Mons” is not a time zone"),
        "{unknown}"
    );
    assert_eq!(
        wallet.error_message(&unknown),
        "时区无效，请检查后重新输入（“Mars/Olympus_Mons”不是时区数据库中的时区，请使用设备的时区名称）"
    );
    assert_eq!(
        wallet.time_zone().as_deref(),
        Some("Europe/Berlin"),
        "a refused zone changes nothing"
    );
    wallet.set_utc_offset(60).unwrap();
    assert_eq!(
        wallet.time_zone(),
        None,
        "the fixed offset replaces the zone"
    );
}
