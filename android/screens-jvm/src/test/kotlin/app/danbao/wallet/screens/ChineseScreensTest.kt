package app.danbao.wallet.screens

import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import app.danbao.core.OrderAction
import app.danbao.wallet.ui.HomeScreen
import app.danbao.wallet.ui.OrderScreen
import app.danbao.wallet.ui.PayConfirmScreen
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * The main screens on a phone set to Simplified Chinese: the wallet opened with `zh-Hans-CN`
 * (the core's words and amounts) and the app's `values-zh-rCN` words. Each test asserts the
 * Chinese a shopper reads, that no English word is left on screen, and writes
 * `target/screenshots/android/<screen>-zh.png`.
 */
class ChineseScreensTest {

    /** The buyer's model scans [text] as the scan screen does. */
    private fun scanned(buyer: Phone, text: String) {
        runBlocking(kotlinx.coroutines.Dispatchers.Main) { buyer.model.scan(text, {}, {}) }
        waitFor("the scan of $text") { buyer.model.scan.value?.code == text.trim() && !buyer.model.busy.value }
    }

    private fun chinesePhone(role: String, name: String) = phone(role, name, locale = "zh-Hans-CN")

    /** No Latin letters on screen except in [allowed] (names, handles, ids the user chose). */
    private fun androidx.compose.ui.test.SkikoComposeUiTest.assertNoEnglish(vararg allowed: String) {
        val texts = onAllNodes(hasText("", substring = true)).fetchSemanticsNodes().flatMap { node ->
            node.config.getOrElse(androidx.compose.ui.semantics.SemanticsProperties.Text) { emptyList() }.map { it.text }
        }
        for (text in texts) {
            var rest = text
            allowed.forEach { rest = rest.replace(it, "") }
            assertFalse("English on a Chinese screen: \"$text\"", rest.any { it in 'a'..'z' || it in 'A'..'Z' })
        }
    }

    @Test
    fun `home in Chinese`() {
        Fonts.requireCjk()
        val buyer = chinesePhone("buyer", "王小明")
        val seller = chinesePhone("seller", "莲花茶馆")
        listOf(buyer, seller).useAll {
            runBlocking {
                buyer.wallet.send(seller.handle, "８。５０", "CNY", "面条").done("send in full-width digits")
                val created = seller.wallet.createOrder("绿茶 250 克", "1,020.00", "CNY")
                assertEquals("¥1,020.00", created.order.amount.display)
                buyer.wallet.send(seller.handle, "1.00", "CNY", "").done("send")
                seller.wallet.orderAction(created.order.id, OrderAction.Cancel).done("cancel")
                buyer.wallet.sync()
            }
            phoneTest(buyer.model) {
                showApp(buyer.model, chinesePlatformUi) { HomeScreen(buyer.model, onNavigate = {}, onOrder = {}) }
                awaitText("王小明")
                awaitText("可用余额")
                awaitText("¥90.50")
                awaitText("你购物时托管在担保中的款项：¥0.00")
                awaitText("− ¥8.50")
                awaitText("转账给 莲花茶馆（@${seller.handle}）")
                for (shortcut in listOf("扫一扫", "付款码", "收款", "转账", "订单")) {
                    onNode(button(shortcut)).assertIsEnabled()
                }
                assertNoEnglish(buyer.handle, seller.handle)
                screenshot("home-zh")
            }
        }
    }

    @Test
    fun `a shipped order in Chinese`() {
        val buyer = chinesePhone("buyer", "王小明")
        val seller = chinesePhone("seller", "莲花茶馆")
        listOf(buyer, seller).useAll {
            val id = runBlocking {
                val created = seller.wallet.createOrder("茶具", "88.00", "CNY")
                buyer.wallet.pay(created.code.text, null).done("pay")
                seller.wallet.orderAction(created.order.id, OrderAction.Ship("顺丰速运", "SF1234567890")).done("ship")
                buyer.wallet.sync()
                created.order.id
            }
            val order = runBlocking { buyer.wallet.order(id) }
            assertEquals("已发货：收到货后请确认收货", order.stateLabel)
            assertTrue(order.deadlineLabel.orEmpty(), order.deadlineLabel.orEmpty().endsWith("天后自动确认收货"))
            assertEquals(listOf("确认收货", "申请退款"), order.buttons.map { it.label })
            phoneTest(buyer.model) {
                showApp(buyer.model, chinesePlatformUi) { OrderScreen(buyer.model, id = id, onBack = {}) }
                awaitText("茶具")
                awaitText("已发货：收到货后请确认收货")
                awaitText("¥88.00")
                awaitText("你是买家")
                awaitText("已由 顺丰速运 发货，运单号 SF1234567890")
                awaitText("天后自动确认收货", substring = true)
                onNode(button("确认收货")).assertIsEnabled()
                onNode(button("申请退款")).assertIsEnabled()
                assertNoEnglish(seller.handle, "SF1234567890", id)
                screenshot("order-buyer-shipped-zh")
            }
        }
    }

    @Test
    fun `the confirm screen warns in Chinese`() {
        val buyer = chinesePhone("buyer", "王小明")
        val seller = chinesePhone("seller", "莲花茶馆")
        listOf(buyer, seller).useAll {
            val code = runBlocking { seller.wallet.merchantCode("12.34", "CNY") }.text
            scanned(buyer, code)
            phoneTest(buyer.model) {
                showApp(buyer.model, chinesePlatformUi) { PayConfirmScreen(buyer.model, onBack = {}, onPaid = {}) }
                awaitText("向商家付款")
                awaitText("你将付款给")
                awaitText("莲花茶馆")
                awaitText("¥12.34")
                onNode(button("付款")).assertIsEnabled()
                assertNoEnglish(seller.handle)
                screenshot("confirm-merchant-zh")
            }
        }
    }

    @Test
    fun `an offline server is shown in Chinese without the transport's English`() {
        Fonts.requireCjk()
        // Nothing listens on the discard port of loopback.
        val offline = phone("offline", "王小明", signedUp = false, serverUrl = "http://127.0.0.1:9", locale = "zh-Hans-CN")
        offline.use {
            phoneTest(offline.model) {
                showApp(offline.model, chinesePlatformUi) { error("not signed up") }
                await("the handle field", hasSetTextAction() and hasText("账号")).performTextInput(offline.handle)
                await("the name field", hasSetTextAction() and hasText("你的名称")).performTextInput("王小明")
                onNode(button("注册")).performClick()
                val message = awaitSnackbar(offline.model)
                assertEquals("无法连接服务器，请稍后重试；已排队的操作会在联网后自动发送", message)
                assertNoEnglish(offline.handle, "http://127.0.0.1:9")
                screenshot("error-offline-zh")
            }
        }
    }

    @Test
    fun `refusals on a Chinese phone are Chinese with Chinese amounts`() {
        val buyer = chinesePhone("buyer", "王小明")
        val seller = chinesePhone("seller", "莲花茶馆")
        listOf(buyer, seller).useAll {
            runBlocking {
                val broke = buyer.wallet.send(seller.handle, "500.00", "CNY", "")
                assertEquals("被拒绝：钱包余额不足，无法支付 ¥500.00", broke.message)
                val taken = runCatching { seller.wallet.createOrder("茶".repeat(300), "1.00", "CNY") }.exceptionOrNull()
                assertTrue("$taken", taken?.message.orEmpty().startsWith("标题无效"))
                val bad = runCatching { buyer.wallet.send(seller.handle, "1.234", "CNY", "") }.exceptionOrNull()
                assertEquals(
                    "金额无效，请检查后重新输入（金额 1.234 有 3 位小数；CNY 最多 2 位）",
                    bad?.message,
                )
                val foreign = buyer.wallet.scan(
                    "00020101021129370016A000000677010111011300668012345675802TH530376463046197",
                )
                assertEquals("泰国即时支付，泰国", foreign.scheme)
                assertEquals(listOf("此钱包只能支付担保二维码，不能支付这个二维码（泰国即时支付，泰国）"), foreign.reasons)
            }
        }
    }

    @Test
    fun `a time-zone change reaches the records the model holds`() {
        val buyer = chinesePhone("buyer", "王小明")
        val seller = chinesePhone("seller", "莲花茶馆")
        listOf(buyer, seller).useAll {
            runBlocking { buyer.wallet.send(seller.handle, "1.00", "CNY", "").done("send") }
            waitFor("the row") { buyer.model.home.value?.recent?.isNotEmpty() == true }
            val inShanghai = buyer.model.home.value!!.recent.first().timeLabel
            runBlocking(kotlinx.coroutines.Dispatchers.Main) { buyer.model.setTimeZone("Europe/Berlin") }
            waitFor("the Berlin time") { buyer.model.home.value?.recent?.first()?.timeLabel != inShanghai }
            assertEquals("Europe/Berlin", buyer.wallet.timeZone())
        }
    }

    @Test
    fun `a locale change reaches the records the model holds`() {
        val buyer = phone("buyer", "Bea Buyer")
        buyer.use {
            waitFor("the English home") { buyer.model.home.value?.balances?.firstOrNull()?.available?.display == "CN¥100.00" }
            runBlocking(kotlinx.coroutines.Dispatchers.Main) { buyer.model.setLocale("zh-Hans-CN") }
            waitFor("the Chinese home") { buyer.model.home.value?.balances?.firstOrNull()?.available?.display == "¥100.00" }
            assertEquals("zh-Hans-CN", buyer.wallet.locale())
        }
    }
}
