"""An escrow purchase through the Python bindings, against a real server: the seller opens an
order, the buyer scans and pays its code into escrow, the seller ships, the buyer confirms
receipt (or asks for part of the money back and the seller accepts). At each step the state
and the buttons (`actions`) each side sees are checked, and the money in fen."""

import danbao
import danbao_client
import danbao_domain

from parties import CURRENCY, STARTING_MINOR, run_async


async def seen_by_both(buyer, seller, order_id):
    """The order as each side sees it now, fresh from the server."""
    return await buyer.wallet.order(order_id), await seller.wallet.order(order_id)


async def paid_order(buyer, seller, title, amount):
    """Opens an order as `seller` and pays it into escrow as `buyer`; the order's id."""
    created = await seller.wallet.create_order(title, amount, CURRENCY)
    assert (created.order.state, created.order.role) == (danbao_domain.OrderState.AWAITING_PAYMENT, danbao_domain.OrderRole.SELLER)
    # The role's word comes from the core's catalogue.
    assert created.order.role_label == "seller"
    assert created.order.actions == [danbao_domain.OrderStep.CANCEL]
    assert created.order.counterparty is None

    screen = await buyer.wallet.scan(created.code.text)
    assert screen.kind == danbao_client.ScanKind.DANBAO_ORDER and screen.payable
    assert screen.order_id == created.order.id
    assert (screen.payee_handle, screen.payee_name) == (seller.handle, "Lotus Tea House")
    assert screen.amount == created.order.amount

    outcome = await buyer.wallet.pay(created.code.text, None)
    assert outcome.state == danbao_client.CommandState.DONE, outcome.message
    assert outcome.message.endswith("the order is now paid"), outcome.message
    return created.order.id


@run_async
async def test_purchase_released_to_the_seller_on_confirmed_receipt(people):
    buyer, seller = people.buyer, people.seller
    order_id = await paid_order(buyer, seller, "Green tea 250g", "30.00")

    as_buyer, as_seller = await seen_by_both(buyer, seller, order_id)
    assert (as_buyer.state, as_buyer.role) == (danbao_domain.OrderState.PAID, danbao_domain.OrderRole.BUYER)
    assert as_buyer.actions == [danbao_domain.OrderStep.CANCEL, danbao_domain.OrderStep.REQUEST_REFUND]
    assert as_buyer.counterparty == seller.handle
    assert (as_seller.state, as_seller.actions) == (danbao_domain.OrderState.PAID, [danbao_domain.OrderStep.SHIP, danbao_domain.OrderStep.CANCEL])
    assert as_seller.counterparty == buyer.handle
    assert as_buyer.shipment is None
    # The money is held: out of the buyer's available, on its way to the seller.
    await buyer.wallet.sync()
    await seller.wallet.sync()
    assert (buyer.balance().available.minor, buyer.balance().held_out.minor) == (
        STARTING_MINOR - 3000,
        3000,
    )
    assert (seller.balance().available.minor, seller.balance().incoming.minor) == (
        STARTING_MINOR,
        3000,
    )
    assert [o.id for o in seller.wallet.home().orders_needing_action] == [order_id]

    ship = danbao.OrderAction.SHIP("SF Express", "SF1234567")
    shipped = await seller.wallet.order_action(order_id, ship)
    assert shipped.state == danbao_client.CommandState.DONE, shipped.message
    as_buyer, as_seller = await seen_by_both(buyer, seller, order_id)
    assert (as_buyer.state, as_buyer.actions) == (danbao_domain.OrderState.SHIPPED, [danbao_domain.OrderStep.CONFIRM, danbao_domain.OrderStep.REQUEST_REFUND])
    assert as_buyer.deadline is not None  # auto-confirm runs from shipping
    assert as_buyer.shipment == danbao_client.Shipment(carrier="SF Express", tracking="SF1234567")
    assert (as_seller.state, as_seller.actions) == (danbao_domain.OrderState.SHIPPED, [])

    confirmed = await buyer.wallet.order_action(order_id, danbao.OrderAction.CONFIRM())
    assert confirmed.state == danbao_client.CommandState.DONE, confirmed.message
    assert confirmed.message.endswith("the order is now completed"), confirmed.message
    as_buyer, as_seller = await seen_by_both(buyer, seller, order_id)
    assert (as_buyer.state, as_buyer.actions) == (danbao_domain.OrderState.COMPLETED, [])
    assert (as_seller.state, as_seller.actions) == (danbao_domain.OrderState.COMPLETED, [])
    assert as_seller.released.minor == 3000
    assert as_seller.refunded is None

    assert await buyer.available() == STARTING_MINOR - 3000
    assert buyer.balance().held_out.minor == 0
    assert await seller.available() == STARTING_MINOR + 3000
    assert seller.balance().incoming.minor == 0
    (cached,) = [o for o in buyer.wallet.orders() if o.id == order_id]
    assert cached.state == danbao_domain.OrderState.COMPLETED


@run_async
async def test_partial_refund_accepted_splits_the_escrow(people):
    buyer, seller = people.buyer, people.seller
    order_id = await paid_order(buyer, seller, "Clay teapot", "40.00")

    refund = danbao.OrderAction.REQUEST_REFUND("15.00")
    asked = await buyer.wallet.order_action(order_id, refund)
    assert asked.state == danbao_client.CommandState.DONE, asked.message
    as_buyer, as_seller = await seen_by_both(buyer, seller, order_id)
    assert (as_buyer.state, as_buyer.actions) == (danbao_domain.OrderState.REFUND_REQUESTED, [])
    assert (as_seller.state, as_seller.actions) == (
        danbao_domain.OrderState.REFUND_REQUESTED,
        [danbao_domain.OrderStep.ACCEPT_REFUND, danbao_domain.OrderStep.REJECT_REFUND],
    )
    assert as_seller.deadline is not None  # the seller must answer in time
    assert as_seller.refund_asked.display == "CN¥15.00"  # what the seller answers

    accepted = await seller.wallet.order_action(order_id, danbao.OrderAction.ACCEPT_REFUND())
    assert accepted.state == danbao_client.CommandState.DONE, accepted.message
    as_buyer, as_seller = await seen_by_both(buyer, seller, order_id)
    assert (as_buyer.state, as_seller.state) == (danbao_domain.OrderState.REFUNDED, danbao_domain.OrderState.REFUNDED)
    assert (as_buyer.actions, as_seller.actions) == ([], [])
    assert (as_buyer.released.minor, as_buyer.refunded.minor) == (2500, 1500)
    assert as_buyer.refund_asked is None

    # 15.00 back to the buyer, the other 25.00 released to the seller.
    assert await buyer.available() == STARTING_MINOR - 4000 + 1500
    assert buyer.balance().held_out.minor == 0
    assert await seller.available() == STARTING_MINOR + 2500
    # A partial refund is a partial release: the activity shows the 25.00 the seller got.
    # (The 15.00 returned has no activity row of its own.)
    released = buyer.wallet.home().recent[0]
    assert (released.kind, released.direction, released.amount.minor) == (
        "escrow_release",
        danbao_domain.Direction.OUT,
        2500,
    )
    received = seller.wallet.home().recent[0]
    assert (received.kind, received.direction, received.amount.minor) == (
        "escrow_release",
        danbao_domain.Direction.IN,
        2500,
    )


@run_async
async def test_an_action_not_offered_is_refused_and_changes_nothing(people):
    buyer, seller = people.buyer, people.seller
    order_id = await paid_order(buyer, seller, "Tea cups", "12.00")

    # Confirm is not among the buyer's actions before shipping: the server refuses it.
    early = await buyer.wallet.order_action(order_id, danbao.OrderAction.CONFIRM())
    assert early.state == danbao_client.CommandState.FAILED, early.message
    assert early.message.startswith("Refused: "), early.message
    as_buyer, _ = await seen_by_both(buyer, seller, order_id)
    assert as_buyer.state == danbao_domain.OrderState.PAID
    assert await seller.available() == STARTING_MINOR
