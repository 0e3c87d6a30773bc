package app.danbao.wallet.screens

import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.test.SkikoComposeUiTest
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.hasAnyAncestor
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.isDialog
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.performTextReplacement
import app.danbao.core.OrderAction
import app.danbao.core.domain.RequestStatus
import app.danbao.wallet.ui.HomeScreen
import app.danbao.wallet.ui.OrderScreen
import app.danbao.wallet.ui.PayConfirmScreen
import app.danbao.wallet.ui.PaymentCodeScreen
import app.danbao.wallet.ui.SendScreen
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.AfterClass
import org.junit.Test

/**
 * The screens pressed like a shopper presses them, with the money checked on the server: each
 * balance below is read after a sync with the real danbao-server.
 */
class FlowUiTest {

    companion object {
        /** The sheet again, with this class's pictures (the test classes run in any order). */
        @JvmStatic
        @AfterClass
        fun contactSheet() {
            ContactSheet.write(screenshotDir)
        }
    }

    @Test
    fun `Pay on the confirm screen moves the amount on the server, and the result is shown`() {
        val buyer = phone("buyer", "Bea Buyer")
        val seller = phone("seller", "Lotus Tea House")
        listOf(buyer, seller).useAll {
            val code = runBlocking { seller.wallet.merchantCode("12.34", "CNY") }.text
            scan(buyer, code)
            phoneTest(buyer.model) {
                showApp(buyer.model) {
                    var paid by remember { mutableStateOf(false) }
                    if (!paid) {
                        PayConfirmScreen(buyer.model, onBack = {}, onPaid = { paid = true })
                    } else {
                        HomeScreen(buyer.model, onNavigate = {}, onOrder = {})
                    }
                }
                awaitText("CN¥12.34")
                onNode(button("Pay")).assertIsEnabled().performClick()
                val message = awaitSnackbar(buyer.model)
                assertTrue("the outcome names the amount: $message", "CN¥12.34" in message)
                framesUntil("home shows the new balance") {
                    onAllNodes(hasText("CN¥87.66")).fetchSemanticsNodes().isNotEmpty()
                }
                screenshot("pay-result")
            }
            assertEquals("the buyer paid 12.34", 10_000L - 1_234, buyer.availableFen())
            assertEquals("the shop received 12.34", 10_000L + 1_234, seller.availableFen())
        }
    }

    @Test
    fun `the buyer's Confirm receipt completes the order and the seller's balance rises`() {
        val buyer = phone("buyer", "Bea Buyer")
        val seller = phone("seller", "Lotus Tea House")
        listOf(buyer, seller).useAll {
            val id = runBlocking {
                val created = seller.wallet.createOrder("Tea set", "40.00", "CNY")
                buyer.wallet.pay(created.code.text, null).done("pay")
                seller.wallet.orderAction(created.order.id, OrderAction.Ship("SF Express", "SF77")).done("ship")
                buyer.wallet.sync()
                created.order.id
            }
            assertEquals("held, not yet the seller's", 10_000L, seller.availableFen())
            phoneTest(buyer.model) {
                showApp(buyer.model) { OrderScreen(buyer.model, id = id, onBack = {}) }
                awaitText("Shipped: confirm receipt when it arrives")
                onNode(button("Confirm receipt")).assertIsEnabled().performClick()
                awaitText("Completed: the money went to the seller")
                awaitText("To the seller: CN¥40.00")
                assertEquals("no button is left", emptyList<String>(), clickableLabels().filter { it != "Back" })
            }
            assertEquals("released to the seller", 10_000L + 4_000, seller.availableFen())
            val line = buyer.syncedCny()
            assertEquals(listOf(10_000L - 4_000, 0L), listOf(line.available.minor, line.heldOut.minor))
        }
    }

    @Test
    fun `a refund request asks for an amount and the seller's Accept returns it`() {
        val buyer = phone("buyer", "Bea Buyer")
        val seller = phone("seller", "Lotus Tea House")
        listOf(buyer, seller).useAll {
            val id = runBlocking {
                val created = seller.wallet.createOrder("Teapot", "50.00", "CNY")
                buyer.wallet.pay(created.code.text, null).done("pay")
                buyer.wallet.sync()
                created.order.id
            }
            phoneTest(buyer.model) {
                showApp(buyer.model) { OrderScreen(buyer.model, id = id, onBack = {}) }
                awaitText("Paid into escrow: waiting for the seller to ship")
                onNode(button("Ask for a refund") and !hasAnyAncestor(isDialog())).performClick()
                // The dialog offers the price; the buyer asks for part of it.
                val field = await("the refund amount field", hasSetTextAction() and hasAnyAncestor(isDialog()))
                assertEquals("50.00", editableText(field))
                field.performTextReplacement("20.00")
                onNode(button("Ask for a refund") and hasAnyAncestor(isDialog())).performClick()
                awaitText("Refund requested: waiting for the seller")
                awaitText("Refund asked: CN¥20.00")
            }
            runBlocking { seller.wallet.sync() }
            phoneTest(seller.model) {
                showApp(seller.model) { OrderScreen(seller.model, id = id, onBack = {}) }
                awaitText("The buyer asks for a refund: accept or reject it")
                awaitText("Refund asked: CN¥20.00")
                onNode(button("Accept the refund")).assertIsEnabled().performClick()
                awaitText("Refunded")
                awaitText("Back to the buyer: CN¥20.00")
            }
            assertEquals("20.00 back to the buyer", 10_000L - 5_000 + 2_000, buyer.availableFen())
            assertEquals("the rest to the seller", 10_000L + 3_000, seller.availableFen())
        }
    }

    @Test
    fun `the payment code screen shows 18 digits that change at the next step`() {
        val buyer = phone("buyer", "Bea Buyer")
        buyer.use {
            phoneTest(buyer.model) {
                mainClock.autoAdvance = false
                showApp(buyer.model) { PaymentCodeScreen(buyer.model, onBack = {}) }
                // Not set up on this phone yet: the screen offers to enable it (a server call).
                onNode(button("Enable payment codes")).assertIsEnabled().performClick()
                // The screen asks the core again each second of the test clock.
                framesUntil("18 digits on screen", frameMillis = 1_000) {
                    onAllNodes(textMatching(EIGHTEEN_DIGITS)).fetchSemanticsNodes().isNotEmpty()
                }
                val first = textOf(onNode(textMatching(EIGHTEEN_DIGITS)))
                val code = runBlocking(Dispatchers.Main) { buyer.wallet.paymentCode() }
                assertEquals("the screen shows the core's code", code.digits, first)
                // A new code at the next 60 s step (real time: the core reads the clock).
                framesUntil("a new code", seconds = 75, frameMillis = 1_000) {
                    val now = onAllNodes(textMatching(EIGHTEEN_DIGITS)).fetchSemanticsNodes()
                    now.isNotEmpty() && textOf(onNode(textMatching(EIGHTEEN_DIGITS))) != first
                }
                val second = textOf(onNode(textMatching(EIGHTEEN_DIGITS)))
                assertTrue(second, EIGHTEEN_DIGITS.matches(second))
                assertNotEquals(first, second)
            }
        }
    }

    @Test
    fun `Send to a friend typed on the send screen, and Pay on the friend's request, move money`() {
        val buyer = phone("buyer", "Bea Buyer")
        val friend = phone("friend", "Fay Friend")
        listOf(buyer, friend).useAll {
            phoneTest(buyer.model) {
                showApp(buyer.model) { SendScreen(buyer.model, onBack = {}, onSent = {}) }
                await("the handle field", hasSetTextAction() and hasText("Friend's handle")).performTextInput(friend.handle)
                await("the amount field", hasSetTextAction() and hasText("Amount")).performTextInput("7.25")
                await("the memo field", hasSetTextAction() and hasText("Memo")).performTextInput("dumplings")
                onNode(button("Send")).performClick()
                val message = awaitSnackbar(buyer.model)
                assertTrue("the outcome names the amount: $message", "CN¥7.25" in message)
            }
            assertEquals(10_000L - 725, buyer.availableFen())
            assertEquals(10_000L + 725, friend.availableFen())

            val request = runBlocking { friend.wallet.requestMoney(buyer.handle, "4.00", "CNY", "bus") }
            runBlocking { buyer.wallet.sync() }
            phoneTest(buyer.model) {
                showApp(buyer.model) { SendScreen(buyer.model, onBack = {}, onSent = {}) }
                awaitText("@${friend.handle} asks @${buyer.handle} for CN¥4.00")
                onNode(button("Pay")).assertIsEnabled().performClick()
                awaitSnackbar(buyer.model)
            }
            assertEquals(10_000L - 725 - 400, buyer.availableFen())
            assertEquals(10_000L + 725 + 400, friend.availableFen())
            assertEquals(RequestStatus.PAID, runBlocking { friend.wallet.requests() }.single { it.id == request.id }.status)
        }
    }

    @Test
    fun `insufficient funds from the core is shown and moves nothing`() {
        val buyer = phone("buyer", "Bea Buyer")
        val seller = phone("seller", "Lotus Tea House")
        listOf(buyer, seller).useAll {
            val code = runBlocking { seller.wallet.merchantCode("500.00", "CNY") }.text
            scan(buyer, code)
            phoneTest(buyer.model) {
                showApp(buyer.model) { PayConfirmScreen(buyer.model, onBack = {}, onPaid = {}) }
                awaitText("CN¥500.00")
                onNode(button("Pay")).performClick()
                val message = awaitSnackbar(buyer.model)
                assertTrue("the refusal says why: $message", "insufficient" in message)
                screenshot("error-insufficient-funds")
            }
            assertEquals(10_000L, buyer.availableFen())
            assertEquals(10_000L, seller.availableFen())
        }
    }

    @Test
    fun `an offline server is shown to the user`() {
        // Nothing listens on the discard port of loopback.
        val offline = phone("offline", "Off Line", signedUp = false, serverUrl = "http://127.0.0.1:9")
        offline.use {
            phoneTest(offline.model) {
                showApp(offline.model) { error("not signed up") }
                await("the handle field", hasSetTextAction() and hasText("Handle")).performTextInput(offline.handle)
                await("the name field", hasSetTextAction() and hasText("Your name")).performTextInput("Off Line")
                onNode(button("Sign up")).performClick()
                val message = awaitSnackbar(offline.model)
                assertTrue("the message names the problem: $message", "the server cannot be reached" in message)
                assertTrue("the transport's cause stays in the log: $message", "tcp" !in message && "os error" !in message)
                screenshot("error-offline")
            }
            assertEquals("still not signed up", null, offline.model.profile.value)
        }
    }

    private fun scan(phone: Phone, text: String) {
        runBlocking(Dispatchers.Main) { phone.model.scan(text, {}, {}) }
        waitFor("the scan") { phone.model.scan.value?.code == text.trim() && !phone.model.busy.value }
    }

    private fun SkikoComposeUiTest.editableText(node: androidx.compose.ui.test.SemanticsNodeInteraction): String =
        node.fetchSemanticsNode().config[androidx.compose.ui.semantics.SemanticsProperties.EditableText].text
}
