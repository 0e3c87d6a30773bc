package app.danbao.wallet.screens

import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.hasText
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
