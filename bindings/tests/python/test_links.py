"""Payment links through the Python bindings, against a real server: a shop's link
(`https://<host>/pay?code=…`, the code percent-encoded as a browser writes it) is read by
`scan` as the order it carries, and paying it holds the money in escrow."""

import urllib.parse

import danbao_client

from parties import CURRENCY, STARTING_MINOR, run_async


@run_async
async def test_a_payment_link_is_scanned_and_paid_as_its_code(people):
    buyer, seller = people.buyer, people.seller
    created = await seller.wallet.create_order("Tea set", "40.00", CURRENCY)
    link = "https://pay.danbao.app/pay?code=" + urllib.parse.quote_plus(created.code.text)

    screen = await buyer.wallet.scan(link)
    assert screen.kind == danbao_client.ScanKind.DANBAO_ORDER and screen.payable
    assert screen.order_id == created.order.id
    assert screen.code == created.code.text, "the screen holds the code, not the link"

    outcome = await buyer.wallet.pay(screen.code, None)
    assert outcome.state == danbao_client.CommandState.DONE, outcome.message
    await buyer.wallet.sync()
    line = buyer.balance()
    assert (line.available.minor, line.held_out.minor) == (STARTING_MINOR - 4_000, 4_000)


@run_async
async def test_a_broken_link_says_why_and_cannot_be_paid(people):
    screen = await people.buyer.wallet.scan("danbao://pay?code=1&code=2")
    assert screen.kind == danbao_client.ScanKind.INVALID and not screen.payable
    assert any("two codes" in reason for reason in screen.reasons), screen.reasons
