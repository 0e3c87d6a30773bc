package app.danbao.wallet.screens

import androidx.compose.ui.test.SkikoComposeUiTest
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import app.danbao.core.OrderAction
import app.danbao.core.domain.OrderRole
import app.danbao.core.client.OrderSummary
import app.danbao.wallet.ui.Destination
import app.danbao.wallet.ui.HomeScreen
import app.danbao.wallet.ui.OrderCodeScreen
import app.danbao.wallet.ui.OrderScreen
import app.danbao.wallet.ui.OrdersScreen
import app.danbao.wallet.ui.PayConfirmScreen
import app.danbao.wallet.ui.PaymentCodeScreen
import app.danbao.wallet.ui.ReceiveScreen
import app.danbao.wallet.ui.ScanScreen
import app.danbao.wallet.ui.SendScreen
import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import app.danbao.core.fixtures.Emv

/**
 * Every screen of the app rendered at phone size with real data: phones using the real core
 * against the real danbao-server. Each test asserts, through the semantics tree, what a
 * shopper must see (payee, amount, state, which buttons exist and are enabled), then writes
 * `target/screenshots/android/<screen>.png`; a contact sheet of all of them is written last.
 */
class ScreenshotTest {

    companion object {
        @JvmStatic
        @AfterClass
        fun contactSheet() {
            ContactSheet.write(screenshotDir)
        }
    }

    @Test
    fun `sign-up`() {
        phone("newcomer", "New Comer", signedUp = false).use { phone ->
            phoneTest(phone.model) {
                showApp(phone.model) { error("not signed up: the frame shows sign-up") }
                awaitText(words.strings.getValue("signup_title"))
                onNode(button("Sign up")).assertIsEnabled()
                awaitText("Handle")
                awaitText("Your name")
                awaitText("Server: ${TestServer.shared.url}")
                screenshot("signup")
            }
        }
    }

    @Test
    fun `home with balances, held money and recent activity`() {
        val buyer = phone("buyer", "Bea Buyer")
        val seller = phone("seller", "Lotus Tea House")
        val friend = phone("friend", "Fay Friend")
        listOf(buyer, seller, friend).useAll {
            runBlocking {
                buyer.wallet.send(friend.handle, "8.50", "CNY", "noodles").done("send")
                friend.wallet.send(buyer.handle, "2.00", "CNY", "bus fare").done("send back")
                val created = seller.wallet.createOrder("Green tea, 250 g", "20.00", "CNY")
                buyer.wallet.pay(created.code.text, null).done("pay the order")
                seller.wallet.orderAction(created.order.id, OrderAction.Ship("SF Express", "SF1234567890")).done("ship")
                buyer.wallet.sync()
            }
            phoneTest(buyer.model) {
                showApp(buyer.model) { HomeScreen(buyer.model, onNavigate = {}, onOrder = {}) }
                awaitText("Bea Buyer")
                awaitText("@${buyer.handle}")
                awaitText("CN¥73.50")
                awaitText("Held in escrow for your purchases: CN¥20.00")
                awaitText("On its way to you from buyers: CN¥0.00")
                // The shipped order waits for the buyer's confirmation.
                awaitText("Orders waiting for you")
                awaitText("Green tea, 250 g")
                awaitText("Shipped: confirm receipt when it arrives · buyer")
                awaitText("+ CN¥2.00")
                awaitText("− CN¥8.50")
                for (shortcut in listOf("Scan", "Pay at till", "Receive", "Send", "Orders")) {
                    onNode(button(shortcut)).assertIsEnabled()
                }
                screenshot("home")
            }
        }
    }

    // ---- the confirm screen for each kind of code ----------------------------------------

    @Test
    fun `confirm - a merchant code without an amount asks for one`() = confirm("confirm-merchant") { buyer, seller ->
        val code = runBlocking { seller.wallet.merchantCode(null, "CNY") }.text
        scanned(buyer, code)
        showApp(buyer.model) { PayConfirmScreen(buyer.model, onBack = {}, onPaid = {}) }
        awaitText("Pay a shop")
        awaitText("You pay")
        awaitText("Lotus Tea House")
        awaitText("@${seller.handle}")
        awaitText("Amount")
        onNode(button("Pay")).assertIsEnabled()
    }

    @Test
    fun `confirm - a merchant code with an amount shows it`() = confirm("confirm-merchant-amount") { buyer, seller ->
        val code = runBlocking { seller.wallet.merchantCode("12.34", "CNY") }.text
        scanned(buyer, code)
        showApp(buyer.model) { PayConfirmScreen(buyer.model, onBack = {}, onPaid = {}) }
        awaitText("Pay a shop")
        awaitText("Lotus Tea House")
        awaitText("CN¥12.34")
        assertFalse("no amount field for a code with an amount", onAllNodes(hasText("Amount")).fetchSemanticsNodes().isNotEmpty())
        onNode(button("Pay")).assertIsEnabled()
    }

    @Test
    fun `confirm - an order code pays into escrow`() = confirm("confirm-order") { buyer, seller ->
        val created = runBlocking { seller.wallet.createOrder("Tea set", "88.00", "CNY") }
        scanned(buyer, created.code.text)
        showApp(buyer.model) { PayConfirmScreen(buyer.model, onBack = {}, onPaid = {}) }
        awaitText("Pay an order into escrow")
        awaitText("Lotus Tea House")
        awaitText("CN¥88.00")
        awaitText("Order ${created.order.id}")
        onNode(button("Pay")).assertIsEnabled()
    }

    @Test
    fun `confirm - a friend's receive code`() = confirm("confirm-friend") { buyer, _ ->
        val friend = phone("friend", "Fay Friend")
        friend.use {
            val code = runBlocking { friend.wallet.receiveCode("5.00", "CNY") }.text
            scanned(buyer, code)
            showApp(buyer.model) { PayConfirmScreen(buyer.model, onBack = {}, onPaid = {}) }
            awaitText("Pay a friend")
            awaitText("Fay Friend")
            awaitText("@${friend.handle}")
            awaitText("CN¥5.00")
            onNode(button("Pay")).assertIsEnabled()
        }
    }

    @Test
    fun `confirm - a foreign scheme is named and cannot be paid`() = confirm("confirm-foreign") { buyer, _ ->
        scanned(buyer, PROMPTPAY)
        showApp(buyer.model) { PayConfirmScreen(buyer.model, onBack = {}, onPaid = {}) }
        awaitText("A code of another network")
        awaitText("PromptPay", substring = true)
        assertNoPayButton()
    }

    @Test
    fun `confirm - an invalid code says why and cannot be paid`() = confirm("confirm-invalid") { buyer, _ ->
        scanned(buyer, "this is not a payment code")
        showApp(buyer.model) { PayConfirmScreen(buyer.model, onBack = {}, onPaid = {}) }
        awaitText("This code cannot be used")
        val reasons = buyer.model.scan.value!!.reasons
        assertTrue("the core gives a reason: $reasons", reasons.isNotEmpty())
        awaitText(reasons.first())
        assertNoPayButton()
    }

    @Test
    fun `confirm - a printed name that is not the payee's shows the warning first`() =
        confirm("confirm-name-mismatch") { buyer, seller ->
            val genuine = runBlocking { seller.wallet.merchantCode(null, "CNY") }.text
            val forged = Emv.withField(genuine, "59", "Bamboo Grove")
            scanned(buyer, forged)
            val screen = buyer.model.scan.value!!
            val warning = screen.nameWarning
            assertTrue("the core warns: $screen", warning != null && "Bamboo Grove" in warning && "Lotus Tea House" in warning)
            showApp(buyer.model) { PayConfirmScreen(buyer.model, onBack = {}, onPaid = {}) }
            val warningNode = awaitText(warning!!).fetchSemanticsNode()
            val payeeNode = awaitText("Lotus Tea House").fetchSemanticsNode()
            assertTrue("the warning comes before the payee", warningNode.boundsInRoot.bottom <= payeeNode.boundsInRoot.top)
            assertEquals(
                "the printed name is shown only inside the warning, never as the payee",
                0,
                onAllNodes(hasText("Bamboo Grove")).fetchSemanticsNodes().size,
            )
            onNode(button("Pay")).assertIsEnabled()
            // Unmissable: the card behind the warning is a strong red, not a pale tint.
            waitForIdle()
            val picture = captureToImage().toBufferedImage()
            val bounds = warningNode.boundsInRoot
            val card = java.awt.Color(picture.getRGB(bounds.left.toInt() - 20, bounds.top.toInt() - 20))
            assertTrue("the warning's card is red: $card", card.red > 150 && card.green < 80 && card.blue < 80)
        }

    @Test
    fun `confirm - a look-alike of a verified merchant is warned, the real one badged`() {
        val buyer = phone("buyer", "Bea Buyer")
        // The impostor took a look-alike name (Cyrillic а) before the shop was verified.
        val impostor = phone("fake", "J\u0430de P\u0430vilion", topUp = null)
        val shop = phone("jade", "Jade Pavilion", topUp = null)
        listOf(buyer, impostor, shop).useAll {
            runBlocking { TestServer.shared.verifiedMerchant(shop.handle, "Jade Pavilion") }
            phoneTest(buyer.model) {
                val sticker = runBlocking { impostor.wallet.merchantCode(null, "CNY") }.text
                scanned(buyer, sticker)
                val fake = buyer.model.scan.value!!
                val warning = fake.lookAlikeWarning
                assertTrue("the core warns: $fake", warning != null && warning.startsWith("Not a verified merchant"))
                assertEquals(null, fake.verifiedLabel)
                showApp(buyer.model) { PayConfirmScreen(buyer.model, onBack = {}, onPaid = {}) }
                val warningNode = awaitText(warning!!).fetchSemanticsNode()
                val payeeNode = awaitText("J\u0430de P\u0430vilion").fetchSemanticsNode()
                assertTrue("the warning comes before the payee", warningNode.boundsInRoot.bottom <= payeeNode.boundsInRoot.top)
                awaitText(fake.firstPaymentWarning!!)
                screenshot("confirm-look-alike")
            }
            phoneTest(buyer.model) {
                val code = runBlocking { shop.wallet.merchantCode("8.00", "CNY") }.text
                scanned(buyer, code)
                val real = buyer.model.scan.value!!
                assertEquals("Verified merchant: Jade Pavilion", real.verifiedLabel)
                assertEquals(null, real.lookAlikeWarning)
                showApp(buyer.model) { PayConfirmScreen(buyer.model, onBack = {}, onPaid = {}) }
                awaitText("Verified merchant: Jade Pavilion")
                awaitText(real.firstPaymentWarning!!)
                onNode(button("Pay")).assertIsEnabled()
                screenshot("confirm-verified-first-payment")
            }
        }
    }

    // ---- orders --------------------------------------------------------------------------

    @Test
    fun `order list`() {
        val buyer = phone("buyer", "Bea Buyer")
        val seller = phone("seller", "Lotus Tea House")
        listOf(buyer, seller).useAll {
            runBlocking {
                for ((title, price) in listOf("Tea set" to "88.00", "Jasmine pearls" to "12.00")) {
                    val created = seller.wallet.createOrder(title, price, "CNY")
                    buyer.wallet.pay(created.code.text, null).done("pay $title")
                }
                buyer.wallet.sync()
            }
            phoneTest(buyer.model) {
                showApp(buyer.model) { OrdersScreen(buyer.model, onBack = {}, onOrder = {}, onCreated = {}) }
                awaitText("Tea set")
                awaitText("Jasmine pearls")
                awaitText("CN¥88.00")
                awaitText("CN¥12.00")
                assertEquals(2, onAllNodes(hasText("Paid into escrow: waiting for the seller to ship · buyer")).fetchSemanticsNodes().size)
                onNode(button("Create order and show its code")).assertIsEnabled()
                screenshot("orders")
            }
        }
    }

    @Test
    fun `order detail in each state, for the buyer and for the seller`() {
        val buyer = phone("buyer", "Bea Buyer", topUp = "500.00")
        val seller = phone("seller", "Lotus Tea House")
        listOf(buyer, seller).useAll {
            fun act(phone: Phone, id: String, action: OrderAction) =
                runBlocking { phone.wallet.orderAction(id, action).done("$action on $id") }

            // awaiting payment (seller only: the buyer is not on the order yet)
            val unpaid = runBlocking { seller.wallet.createOrder("Awaiting tea", "30.00", "CNY") }
            orderShot("order-seller-awaiting-payment", seller, unpaid.order.id, "Waiting for the buyer to pay", listOf("Cancel the order"))

            fun paid(title: String): String = runBlocking {
                val created = seller.wallet.createOrder(title, "30.00", "CNY")
                buyer.wallet.pay(created.code.text, null).done("pay $title")
                created.order.id
            }

            val paidId = paid("Paid tea")
            orderShot("order-buyer-paid", buyer, paidId, "Paid into escrow: waiting for the seller to ship", listOf("Cancel the order", "Ask for a refund"))
            orderShot("order-seller-paid", seller, paidId, "Paid into escrow: ship it", listOf("Mark as shipped", "Cancel the order"))

            val shippedId = paid("Shipped tea")
            act(seller, shippedId, OrderAction.Ship("SF Express", "SF1234567890"))
            orderShot(
                "order-buyer-shipped", buyer, shippedId, "Shipped: confirm receipt when it arrives",
                listOf("Confirm receipt", "Ask for a refund"), also = listOf("Shipped with SF Express, tracking SF1234567890"),
            )
            orderShot("order-seller-shipped", seller, shippedId, "Shipped: waiting for the buyer to confirm receipt", emptyList())

            val refundId = paid("Refund tea")
            act(buyer, refundId, OrderAction.RequestRefund("12.00"))
            orderShot("order-buyer-refund-requested", buyer, refundId, "Refund requested: waiting for the seller", emptyList(), also = listOf("Refund asked: CN¥12.00"))
            orderShot(
                "order-seller-refund-requested", seller, refundId, "The buyer asks for a refund: accept or reject it",
                listOf("Accept the refund", "Reject the refund (opens a dispute)"), also = listOf("Refund asked: CN¥12.00"),
            )

            val disputedId = paid("Disputed tea")
            act(buyer, disputedId, OrderAction.RequestRefund("30.00"))
            act(seller, disputedId, OrderAction.RejectRefund)
            orderShot("order-buyer-disputed", buyer, disputedId, "In dispute: Danbao support decides", emptyList())
            orderShot("order-seller-disputed", seller, disputedId, "In dispute: Danbao support decides", emptyList())

            val completedId = paid("Completed tea")
            act(seller, completedId, OrderAction.Ship("SF Express", "SF0000000001"))
            act(buyer, completedId, OrderAction.Confirm)
            orderShot("order-buyer-completed", buyer, completedId, "Completed: the money went to the seller", emptyList(), also = listOf("To the seller: CN¥30.00"))
            orderShot("order-seller-completed", seller, completedId, "Completed: the money is yours", emptyList(), also = listOf("To the seller: CN¥30.00"))

            val refundedId = paid("Refunded tea")
            act(buyer, refundedId, OrderAction.RequestRefund("30.00"))
            act(seller, refundedId, OrderAction.AcceptRefund)
            orderShot("order-buyer-refunded", buyer, refundedId, "Refunded", emptyList(), also = listOf("Back to the buyer: CN¥30.00"))
            orderShot("order-seller-refunded", seller, refundedId, "Refunded", emptyList(), also = listOf("Back to the buyer: CN¥30.00"))

            act(seller, unpaid.order.id, OrderAction.Cancel)
            orderShot("order-seller-cancelled", seller, unpaid.order.id, "Cancelled", emptyList())
        }
    }

    private fun orderShot(name: String, phone: Phone, id: String, state: String, buttons: List<String>, also: List<String> = emptyList()) {
        runBlocking { phone.wallet.sync() }
        val order: OrderSummary = runBlocking { phone.wallet.order(id) }
        assertEquals("$name: the core's state label", state, order.stateLabel)
        phoneTest(phone.model) {
            showApp(phone.model) { OrderScreen(phone.model, id = id, onBack = {}) }
            awaitText(order.title)
            awaitText(state)
            awaitText(order.amount.display)
            awaitText(if (order.role == OrderRole.BUYER) "You are the buyer" else "You are the seller")
            also.forEach { awaitText(it) }
            waitForIdle()
            val shown = clickableLabels().filter { it != "Back" }
            assertEquals("$name: the order's buttons", buttons, shown)
            buttons.forEach { onNode(button(it)).assertIsEnabled() }
            screenshot(name)
        }
    }

    @Test
    fun `order code of a new order`() {
        val seller = phone("seller", "Lotus Tea House")
        seller.use {
            phoneTest(seller.model) {
                showApp(seller.model) { OrderCodeScreen(seller.model, onBack = {}) }
                // Create the order the way the orders screen does.
                runOnIdle { seller.model.createOrder("Tea set", "88.00", "CNY") {} }
                awaitText("CN¥88.00")
                awaitText("Valid until", substring = true)
                awaitText("Show this code to the buyer", substring = true)
                screenshot("order-code")
            }
        }
    }

    // ---- codes, send, requests -----------------------------------------------------------

    @Test
    fun `payment code`() {
        val buyer = phone("buyer", "Bea Buyer")
        buyer.use {
            runBlocking { buyer.wallet.enablePaymentCode() }
            phoneTest(buyer.model) {
                // The screen asks the core again every second, forever: with the test clock
                // running by itself it would never be idle.
                mainClock.autoAdvance = false
                showApp(buyer.model) { PaymentCodeScreen(buyer.model, onBack = {}) }
                awaitText("Pay at a till")
                val digits = textOf(await("18 digits", textMatching(EIGHTEEN_DIGITS)))
                assertTrue(digits, EIGHTEEN_DIGITS.matches(digits))
                awaitText("A new code in", substring = true)
                screenshot("payment-code")
            }
        }
    }

    @Test
    fun `receive code with an amount`() {
        val friend = phone("friend", "Fay Friend")
        friend.use {
            var shownCode = ""
            phoneTest(friend.model) {
                showApp(friend.model) { ReceiveScreen(friend.model, onBack = {}) }
                awaitText("Amount (optional)")
                onNode(hasText("Amount (optional)") and hasSetTextAction()).performTextInput("25.00")
                onNode(button("Show my code")).assertIsEnabled().performClick()
                awaitText("CN¥25.00")
                awaitText("Valid until", substring = true)
                shownCode = friend.model.code.value!!.text
                awaitText(shownCode)
                screenshot("receive-code")
            }
            // The code on screen is the friend's: the core reads it back as a receive code.
            val screen = runBlocking { friend.wallet.scan(shownCode) }
            assertEquals(friend.handle, screen.payeeHandle)
            assertEquals("CN¥25.00", screen.amount?.display)
        }
    }

    @Test
    fun `send with contacts, and money requests with Pay and Decline`() {
        val buyer = phone("buyer", "Bea Buyer")
        val friend = phone("friend", "Fay Friend")
        listOf(buyer, friend).useAll {
            runBlocking {
                buyer.wallet.send(friend.handle, "3.00", "CNY", "coffee").done("send")
                friend.wallet.requestMoney(buyer.handle, "20.00", "CNY", "movie tickets")
                buyer.wallet.sync()
            }
            phoneTest(buyer.model) {
                showApp(buyer.model) { SendScreen(buyer.model, onBack = {}, onSent = {}) }
                awaitText("Send to a friend")
                awaitText("Fay Friend") // the contact chip
                onNode(button("Send")).assertIsEnabled()
                onNode(button("Request instead")).assertIsEnabled()
                awaitText("Money requests")
                awaitText("@${friend.handle} asks @${buyer.handle} for CN¥20.00")
                awaitText("movie tickets · open")
                onNode(button("Pay")).assertIsEnabled()
                onNode(button("Decline")).assertIsEnabled()
                screenshot("send-and-requests")
            }
        }
    }

    @Test
    fun `scan screen without a camera takes a pasted code`() {
        val buyer = phone("buyer", "Bea Buyer")
        buyer.use {
            phoneTest(buyer.model) {
                showApp(buyer.model) { ScanScreen(buyer.model, onBack = {}, onScanned = {}) }
                awaitText("Scan a code")
                awaitText("Or paste a code")
                onNode(button("Read code")).assertIsNotEnabled()
                screenshot("scan")
            }
        }
    }

    // ---- Chinese ---------------------------------------------------------------------------

    @Test
    fun `a Chinese merchant name renders as glyphs`() {
        Fonts.requireCjk()
        val buyer = phone("buyer", "Bea Buyer")
        val seller = phone("shop", "最佳运输")
        listOf(buyer, seller).useAll {
            val code = runBlocking { seller.wallet.merchantCode("66.00", "CNY") }.text
            scanned(buyer, code)
            phoneTest(buyer.model) {
                showApp(buyer.model) { PayConfirmScreen(buyer.model, onBack = {}, onPaid = {}) }
                awaitText("最佳运输")
                awaitText("CN¥66.00")
                onNode(button("Pay")).assertIsEnabled()
                screenshot("confirm-chinese-merchant")
            }
            Fonts.assertDistinctGlyphs("最佳运输")
        }
    }

    // ---- helpers -------------------------------------------------------------------------

    private fun confirm(name: String, scene: SkikoComposeUiTest.(buyer: Phone, seller: Phone) -> Unit) {
        val buyer = phone("buyer", "Bea Buyer")
        val seller = phone("seller", "Lotus Tea House")
        listOf(buyer, seller).useAll {
            phoneTest(buyer.model) {
                scene(buyer, seller)
                screenshot(name)
            }
        }
    }

    /** The buyer's model scans [text] as the scan screen does. */
    private fun scanned(buyer: Phone, text: String) {
        runBlocking(kotlinx.coroutines.Dispatchers.Main) { buyer.model.scan(text, {}, {}) }
        waitFor("the scan of $text") { buyer.model.scan.value?.code == text.trim() && !buyer.model.busy.value }
    }

    private fun SkikoComposeUiTest.assertNoPayButton() {
        waitForIdle()
        assertEquals("no Pay button", 0, onAllNodes(button("Pay")).fetchSemanticsNodes().size)
    }
}

/** PromptPay with amount 4.22, from github.com/dtinth/promptpay-qr's tests. */
const val PROMPTPAY = "00020101021229370016A000000677010111011300660000000005802TH530376454044.226304E469"

/** Closes every phone, whichever fails. */
inline fun <R> List<Phone>.useAll(block: () -> R): R = try {
    block()
} finally {
    forEach { runCatching { it.close() } }
}
