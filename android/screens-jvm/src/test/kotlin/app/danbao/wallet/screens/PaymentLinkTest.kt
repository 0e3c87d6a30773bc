package app.danbao.wallet.screens

import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.performClick
import app.danbao.wallet.ui.HomeScreen
import app.danbao.wallet.ui.PayConfirmScreen
import java.net.URLEncoder
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * A shop's payment link tapped on the phone (App Link or `danbao://`): the app opens on the
 * confirm screen of the order the link carries, and Pay holds the money in escrow on the server.
 */
class PaymentLinkTest {

    companion object {
        @JvmStatic
        @AfterClass
        fun contactSheet() {
            ContactSheet.write(screenshotDir)
        }
    }

    /** The link a shop's web page shows: the code percent-encoded as a browser form would. */
    private fun webLink(code: String) =
        "https://pay.danbao.app/pay?code=" + URLEncoder.encode(code, Charsets.UTF_8)

    @Test
    fun `a tapped payment link opens the order's confirm screen and Pay holds the money`() {
        val buyer = phone("buyer", "Bea Buyer")
        val seller = phone("seller", "Lotus Tea House")
        listOf(buyer, seller).useAll {
            val created = runBlocking { seller.wallet.createOrder("Tea set", "40.00", "CNY") }
            var confirming = false
            runBlocking(Dispatchers.Main) {
                buyer.model.openLink(webLink(created.code.text))
                buyer.model.confirmOpenedLink(onScreen = { confirming = true })
            }
            waitFor("the link's confirm screen") { confirming && !buyer.model.busy.value }
            assertEquals("the screen is the order's code, not the link", created.code.text, buyer.model.scan.value?.code)
            assertNull("the link is taken once", buyer.model.openedLink.value)
            phoneTest(buyer.model) {
                showApp(buyer.model) {
                    var paid by remember { mutableStateOf(false) }
                    if (!paid) {
                        PayConfirmScreen(buyer.model, onBack = {}, onPaid = { paid = true })
                    } else {
                        HomeScreen(buyer.model, onNavigate = {}, onOrder = {})
                    }
                }
                awaitText("CN¥40.00")
                screenshot("confirm-from-link")
                onNode(button("Pay")).assertIsEnabled().performClick()
                val message = awaitSnackbar(buyer.model)
                assertTrue("the outcome names the amount: $message", "CN¥40.00" in message)
            }
            val line = buyer.syncedCny()
            assertEquals(
                "held in escrow, not the seller's yet",
                listOf(10_000L - 4_000, 4_000L),
                listOf(line.available.minor, line.heldOut.minor),
            )
            assertEquals("the seller has not been paid", 10_000L, seller.availableFen())
        }
    }

    @Test
    fun `a broken link is a message and moves nothing`() {
        val buyer = phone("buyer", "Bea Buyer")
        listOf(buyer).useAll {
            var confirming = false
            runBlocking(Dispatchers.Main) {
                buyer.model.openLink("danbao://pay?code=%zz")
                buyer.model.confirmOpenedLink(onScreen = { confirming = true })
            }
            waitFor("the broken link's screen") { confirming && !buyer.model.busy.value }
            val screen = buyer.model.scan.value
            assertEquals("nothing to pay", false, screen?.payable)
            assertTrue(
                "the reason says what is wrong: ${screen?.reasons}",
                screen?.reasons.orEmpty().any { "percent-encoded" in it },
            )
            assertEquals(10_000L, buyer.availableFen())
        }
    }
}
