"""Paying people and merchants through the Python bindings, against a real server: merchant QR
codes (static and with an amount), P2P send, money requests, and a payment code charged at
the merchant's till. Balances are checked in fen after sync()."""

import danbao
import danbao_client
import danbao_domain
import pytest

import emv
from foreign import AesGcmKeyStore, P256Signer, RecordingListener
from parties import CURRENCY, STARTING_MINOR, new_party, open_wallet, run_async


@run_async
async def test_static_merchant_code_is_paid_with_an_entered_amount(people):
    buyer, merchant = people.buyer, people.seller
    code = await merchant.wallet.merchant_code(None, CURRENCY)
    assert code.amount is None and code.expires_at is None
    assert "<svg" in code.svg

    screen = await buyer.wallet.scan(code.text)
    assert screen.kind == danbao_client.ScanKind.MERCHANT_PAYMENT
    assert screen.payable and screen.needs_amount
    assert (screen.payee_handle, screen.payee_name) == (merchant.handle, "Lotus Tea House")
    assert screen.name_warning is None
    assert screen.currency == CURRENCY and screen.amount is None

    outcome = await buyer.wallet.pay(screen.code, "12.30")
    assert outcome.state == danbao_client.CommandState.DONE, outcome.message
    assert outcome.message == f"Paid CN¥12.30 to Lotus Tea House (@{merchant.handle})"
    assert outcome.transfer_id

    assert await buyer.available() == STARTING_MINOR - 1230
    assert await merchant.available() == STARTING_MINOR + 1230
    latest = buyer.wallet.home().recent[0]
    assert (latest.kind, latest.direction, latest.amount.minor) == ("merchant", danbao_domain.Direction.OUT, 1230)
    assert latest.counterparty == merchant.handle


@run_async
async def test_merchant_code_with_amount_pays_once(people):
    buyer, merchant = people.buyer, people.seller
    code = await merchant.wallet.merchant_code("8.88", CURRENCY)
    assert code.amount.minor == 888 and code.expires_at is not None

    screen = await buyer.wallet.scan(code.text)
    assert screen.kind == danbao_client.ScanKind.MERCHANT_PAYMENT
    assert screen.payable and not screen.needs_amount
    assert screen.payee_name == "Lotus Tea House"
    assert (screen.amount.minor, screen.amount.display) == (888, "CN¥8.88")

    outcome = await buyer.wallet.pay(code.text, None)
    assert outcome.state == danbao_client.CommandState.DONE, outcome.message

    # A signed code pays once: scanning it again shows why it cannot be paid.
    again = await buyer.wallet.scan(code.text)
    assert again.kind == danbao_client.ScanKind.INVALID and not again.payable
    assert "code_used" in again.reasons[0], again.reasons
    assert await buyer.available() == STARTING_MINOR - 888
    assert await merchant.available() == STARTING_MINOR + 888


@run_async
async def test_scan_names_the_real_payee_when_the_printed_name_is_forged(people):
    buyer, merchant = people.buyer, people.seller
    code = await merchant.wallet.merchant_code(None, CURRENCY)
    # Reprinted with another shop's name and a correct CRC: only the server can tell.
    forged = emv.with_field(code.text, "59", "Bamboo Grove")

    screen = await buyer.wallet.scan(forged)
    assert screen.kind == danbao_client.ScanKind.MERCHANT_PAYMENT
    assert screen.printed_name == "Bamboo Grove"
    assert (screen.payee_handle, screen.payee_name) == (merchant.handle, "Lotus Tea House")
    assert screen.name_warning is not None
    assert "Bamboo Grove" in screen.name_warning and "Lotus Tea House" in screen.name_warning


@run_async
async def test_send_to_a_friend_moves_money_and_tells_both_listeners(people):
    buyer, friend = people.buyer, people.friend
    sender_changes, receiver_changes = RecordingListener(), RecordingListener()
    buyer.wallet.set_listener(sender_changes)
    friend.wallet.set_listener(receiver_changes)

    outcome = await buyer.wallet.send(friend.handle, "5.00", CURRENCY, "lunch")
    assert outcome.state == danbao_client.CommandState.DONE, outcome.message
    assert outcome.message == f"Sent CN¥5.00 to @{friend.handle}"
    # The command went through the outbox and moved money: both areas re-render.
    assert {danbao_client.Change.OUTBOX, danbao_client.Change.BALANCES} <= sender_changes.take()
    assert buyer.balance().available.minor == STARTING_MINOR - 500

    changes = await friend.wallet.sync()
    assert set(changes) == {danbao_client.Change.BALANCES, danbao_client.Change.ACTIVITY}
    assert receiver_changes.take() == set(changes)
    assert friend.balance().available.minor == STARTING_MINOR + 500
    received = friend.wallet.home().recent[0]
    assert (received.kind, received.direction, received.amount.minor) == ("p2p", danbao_domain.Direction.IN, 500)
    assert (received.counterparty, received.counterparty_name) == (buyer.handle, "Wei Buyer")
    assert received.memo == "lunch"
    assert received.title == f"Received from Wei Buyer (@{buyer.handle})"
    assert [c.handle for c in friend.wallet.contacts(10)] == [buyer.handle]

    # Nothing new: a second sync changes nothing and tells the listener nothing.
    assert await friend.wallet.sync() == []
    assert receiver_changes.take() == set()
    friend.wallet.set_listener(None)
    buyer.wallet.set_listener(None)


@run_async
async def test_a_request_accepted_pays_the_requester(people):
    requester, payer = people.seller, people.friend
    asked = await requester.wallet.request_money(payer.handle, "7.50", CURRENCY, "tickets")
    assert (asked.requester, asked.payer, asked.status) == (requester.handle, payer.handle, danbao_domain.RequestStatus.OPEN)
    assert asked.status_label == "open"
    assert (asked.amount.minor, asked.note) == (750, "tickets")

    await payer.wallet.sync()
    waiting = [r for r in payer.wallet.requests() if r.id == asked.id]
    assert len(waiting) == 1 and waiting[0].status == danbao_domain.RequestStatus.OPEN

    outcome = await payer.wallet.answer_request(asked.id, True)
    assert outcome.state == danbao_client.CommandState.DONE, outcome.message
    assert outcome.transfer_id

    assert await payer.available() == STARTING_MINOR - 750
    assert await requester.available() == STARTING_MINOR + 750
    (answered,) = [r for r in requester.wallet.requests() if r.id == asked.id]
    assert answered.status == danbao_domain.RequestStatus.PAID


@run_async
async def test_a_request_declined_moves_nothing(people):
    requester, payer = people.seller, people.friend
    asked = await requester.wallet.request_money(payer.handle, "2.00", CURRENCY, "snacks")
    await payer.wallet.sync()

    outcome = await payer.wallet.answer_request(asked.id, False)
    assert outcome.state == danbao_client.CommandState.DONE, outcome.message
    assert outcome.transfer_id is None
    assert "Declined" in outcome.message

    assert await payer.available() == STARTING_MINOR
    assert await requester.available() == STARTING_MINOR
    (answered,) = [r for r in requester.wallet.requests() if r.id == asked.id]
    assert answered.status == danbao_domain.RequestStatus.DECLINED


@run_async
async def test_payment_code_is_charged_by_the_merchant_once(people, server):
    customer, merchant = people.buyer, people.seller
    with pytest.raises(danbao.DanbaoError.NotReady):
        customer.wallet.payment_code()
    assert not customer.wallet.home().payment_code_enabled
    await customer.wallet.enable_payment_code()
    assert customer.wallet.home().payment_code_enabled
    shown = customer.wallet.payment_code()
    assert len(shown.digits) == 18 and shown.digits.isdigit()
    assert 1 <= shown.seconds_remaining <= 60

    # The merchant's scanner knows it is a payment code, to charge rather than pay.
    screen = await merchant.wallet.scan(shown.digits)
    assert screen.kind == danbao_client.ScanKind.PAYMENT_CODE and not screen.payable

    # Not enrolled yet: the till is refused (and learns nothing about the customer).
    refused = await merchant.wallet.charge_payment_code(shown.digits, "3.00", CURRENCY)
    assert refused.state == danbao_client.CommandState.FAILED
    assert refused.problem == "merchant_not_enrolled", refused.message
    assert customer.handle not in refused.message
    await danbao.enrol_merchant(server.url, server.operator_token, merchant.handle)

    charged = await merchant.wallet.charge_payment_code(shown.digits, "3.00", CURRENCY)
    assert charged.state == danbao_client.CommandState.DONE, charged.message
    assert charged.message == f"Charged CN¥3.00 to Wei Buyer (@{customer.handle})"

    again = await merchant.wallet.charge_payment_code(shown.digits, "3.00", CURRENCY)
    assert again.state == danbao_client.CommandState.FAILED
    assert "(payment_code_used)" in again.message, again.message
    assert again.transfer_id is None

    assert await customer.available() == STARTING_MINOR - 300
    assert await merchant.available() == STARTING_MINOR + 300


@run_async
async def test_the_confirm_screen_badges_the_verified_and_warns_of_look_alikes_and_first_payments(
    people, server, tmp_path
):
    """Issue 12 point 2 through the bindings: a verified merchant's badge, the warning for an
    unverified look-alike of it, a refused look-alike sign-up, and the first-payment warning
    shown until the wallet paid the payee once."""
    buyer = people.buyer
    name = f"Jade Pavilion {buyer.handle[-6:]}"
    # The impostor took a look-alike name (Cyrillic а) before the shop was verified.
    impostor = await new_party(server, tmp_path, "fake", name.replace("a", "\u0430"), funded=False)
    shop = await new_party(server, tmp_path, "jade", name, funded=False)
    await danbao.enrol_merchant(server.url, server.operator_token, shop.handle)
    await danbao.verify_merchant(server.url, server.operator_token, shop.handle, name)

    # After the verification, a look-alike sign-up is refused.
    late = await open_wallet(server, tmp_path / "late.db", AesGcmKeyStore(), P256Signer())
    with pytest.raises(danbao.DanbaoError.Refused, match="409 display_name_confusable"):
        await late.sign_up(f"late{buyer.handle[-6:]}", name.replace(" ", "  "), "phone")

    sticker = await impostor.wallet.merchant_code(None, CURRENCY)
    screen = await buyer.wallet.scan(sticker.text)
    assert not screen.payee_verified and screen.verified_label is None
    assert screen.look_alike_warning.startswith("Not a verified merchant"), screen.look_alike_warning
    assert screen.first_payment_warning is not None

    code = await shop.wallet.merchant_code("2.00", CURRENCY)
    screen = await buyer.wallet.scan(code.text)
    assert screen.payee_verified
    assert screen.verified_label == f"Verified merchant: {name}"
    assert screen.look_alike_warning is None
    assert screen.first_payment_warning == (
        f"You have never paid @{shop.handle} before. Check the name and handle before you pay."
    )
    paid = await buyer.wallet.pay(code.text, None)
    assert paid.state == danbao_client.CommandState.DONE, paid.message

    again = await shop.wallet.merchant_code("3.00", CURRENCY)
    screen = await buyer.wallet.scan(again.text)
    assert screen.first_payment_warning is None

    payee = await buyer.wallet.check_payee(shop.handle)
    assert payee.verified and payee.first_payment_warning is None
    friend = await buyer.wallet.check_payee(people.friend.handle)
    assert (friend.name, friend.verified) == ("Carol Friend", False)
    assert friend.first_payment_warning is not None
