package app.danbao.core.flows

import app.danbao.core.domain.OrderStep
import app.danbao.core.domain.OrderState
import app.danbao.core.domain.OrderRole
import app.danbao.core.client.ActionInput
import app.danbao.core.OrderAction
import app.danbao.core.client.ScanKind
import app.danbao.core.client.Shipment
import java.nio.file.Path
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/** Escrow purchases by order code: paid, shipped, confirmed; and a partial refund. */
class EscrowTest : FlowTest() {
    @Test
    fun `purchase - pay into escrow, ship, confirm receipt releases to the seller`(@TempDir dir: Path) =
        withPeople(dir) {
            val created = seller.wallet.createOrder("Tea set", "88.00", "CNY")
            val id = created.order.id
            assertEquals(OrderRole.SELLER, created.order.role)
            // The role's word comes from the core's catalogue: no table in the app.
            assertEquals("seller", created.order.roleLabel)
            assertEquals(OrderState.AWAITING_PAYMENT, created.order.state)
            assertEquals(8_800L, created.order.amount.minor)
            assertEquals("CN¥88.00", created.order.amount.display)
            assertEquals(listOf(OrderStep.CANCEL), created.order.actions, "seller, unpaid: ${created.order}")
            assertEquals(8_800L, created.code.amount?.minor)

            val screen = buyer.wallet.scan(created.code.text)
            assertEquals(ScanKind.DANBAO_ORDER, screen.kind, "$screen")
            assertTrue(screen.payable, "$screen")
            assertFalse(screen.needsAmount, "$screen")
            assertEquals(id, screen.orderId)
            assertEquals(8_800L, screen.amount?.minor)
            assertEquals("Lotus Tea House", screen.payeeName)

            buyer.wallet.pay(created.code.text, null).done("pay the order")
            buyer.assertBalance(START_MINOR - 8_800, heldOut = 8_800, step = "paid into escrow")
            seller.assertBalance(START_MINOR, incoming = 8_800, step = "paid into escrow")

            val toShip = seller.wallet.order(id)
            assertEquals(OrderState.PAID, toShip.state)
            assertEquals(buyer.handle, toShip.counterparty)
            assertEquals(listOf(OrderStep.SHIP, OrderStep.CANCEL), toShip.actions, "seller, paid: $toShip")
            assertEquals(toShip.actions, toShip.buttons.map { it.action }, "one button per action: $toShip")
            assertEquals(ActionInput.SHIPMENT, toShip.buttons.first().input, "ship asks for the shipment")
            assertTrue(toShip.stateLabel.isNotBlank(), "$toShip")
            assertTrue(seller.wallet.home().ordersNeedingAction.any { it.id == id }, "the seller must ship")
            val waiting = buyer.wallet.order(id)
            assertEquals(OrderRole.BUYER, waiting.role)
            assertEquals("buyer", waiting.roleLabel)
            assertEquals(listOf(OrderStep.CANCEL, OrderStep.REQUEST_REFUND), waiting.actions, "buyer, paid: $waiting")
            assertFalse(buyer.wallet.home().ordersNeedingAction.any { it.id == id }, "a paid order waits for the seller")

            seller.wallet.orderAction(id, OrderAction.Ship("SF Express", "SF1234567890")).done("ship")
            buyer.assertBalance(START_MINOR - 8_800, heldOut = 8_800, step = "shipped: nothing moves")
            val toConfirm = buyer.wallet.home().ordersNeedingAction.single { it.id == id }
            assertEquals(OrderState.SHIPPED, toConfirm.state)
            assertEquals(listOf(OrderStep.CONFIRM, OrderStep.REQUEST_REFUND), toConfirm.actions, "buyer, shipped: $toConfirm")
            assertEquals(
                listOf(ActionInput.NOTHING, ActionInput.REFUND_AMOUNT),
                toConfirm.buttons.map { it.input },
                "buyer, shipped: $toConfirm",
            )
            assertNotNull(toConfirm.deadline, "auto-confirm deadline: $toConfirm")
            assertEquals(Shipment("SF Express", "SF1234567890"), toConfirm.shipment, "the buyer sees the tracking")
            assertNull(waiting.shipment, "not shipped yet: $waiting")
            assertEquals(seller.handle, toConfirm.counterparty)
            assertEquals(emptyList<OrderStep>(), seller.wallet.order(id).actions, "seller, shipped")

            buyer.wallet.orderAction(id, OrderAction.Confirm).done("confirm receipt")
            seller.assertBalance(START_MINOR + 8_800, step = "released to the seller")
            buyer.assertBalance(START_MINOR - 8_800, heldOut = 0, step = "released to the seller")
            val finished = seller.wallet.order(id)
            assertEquals(OrderState.COMPLETED, finished.state)
            assertEquals(emptyList<OrderStep>(), finished.actions)
            assertEquals(8_800L, finished.released?.minor, "released in full: $finished")
            assertNull(finished.refunded, "$finished")
            assertEquals(OrderState.COMPLETED, buyer.wallet.orders().single { it.id == id }.state)
        }

    @Test
    fun `refund - the buyer asks 15 of 40 back, the seller accepts`(@TempDir dir: Path) = withPeople(dir) {
        val teapot = seller.wallet.createOrder("Teapot", "40.00", "CNY")
        val id = teapot.order.id
        buyer.wallet.pay(teapot.code.text, null).done("pay the teapot")
        buyer.assertBalance(START_MINOR - 4_000, heldOut = 4_000, step = "teapot paid")

        buyer.wallet.orderAction(id, OrderAction.RequestRefund("15.00")).done("refund request")
        seller.wallet.sync()
        val toAnswer = seller.wallet.home().ordersNeedingAction.single { it.id == id }
        assertEquals(OrderState.REFUND_REQUESTED, toAnswer.state)
        assertEquals(listOf(OrderStep.ACCEPT_REFUND, OrderStep.REJECT_REFUND), toAnswer.actions, "seller: $toAnswer")
        assertEquals("CN¥15.00", toAnswer.refundAsked?.display, "the seller sees what is asked: $toAnswer")

        seller.wallet.orderAction(id, OrderAction.AcceptRefund).done("refund accept")
        buyer.assertBalance(START_MINOR - 4_000 + 1_500, step = "15.00 back, the rest released")
        seller.assertBalance(START_MINOR + 2_500, step = "15.00 back, the rest released")
        val refunded = buyer.wallet.order(id)
        assertEquals(OrderState.REFUNDED, refunded.state, "$refunded")
        assertEquals(emptyList<OrderStep>(), refunded.actions)
        assertEquals(2_500L, refunded.released?.minor, "$refunded")
        assertEquals(1_500L, refunded.refunded?.minor, "$refunded")
        assertNull(refunded.refundAsked, "the request is answered: $refunded")
    }
}
