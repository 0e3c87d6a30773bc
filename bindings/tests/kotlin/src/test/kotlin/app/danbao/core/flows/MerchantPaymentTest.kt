package app.danbao.core.flows

import app.danbao.core.DanbaoException
import app.danbao.core.client.ScanKind
import java.nio.file.Path
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir

/** Paying a merchant: its QR code (with and without an amount) and its till charging a payment code. */
class MerchantPaymentTest : FlowTest() {
    @Test
    fun `static merchant code - the buyer sees the server's payee name, enters the amount, pays`(@TempDir dir: Path) =
        withPeople(dir) {
            val code = seller.wallet.merchantCode(null, "CNY")
            assertNull(code.amount, "a static code has no amount: $code")
            assertNull(code.expiresAt, "a static code does not expire: $code")
            assertTrue(code.svg.contains("<svg"), code.svg.take(200))

            val screen = buyer.wallet.scan(code.text)
            assertEquals(ScanKind.MERCHANT_PAYMENT, screen.kind, "$screen")
            assertTrue(screen.payable && screen.needsAmount, "$screen")
            assertEquals(seller.handle, screen.payeeHandle)
            assertEquals("Lotus Tea House", screen.payeeName)
            assertNull(screen.nameWarning, "$screen")
            assertNull(screen.amount)
            assertEquals("CNY", screen.currency)
            assertEquals(code.text, screen.code)

            val noAmount = assertThrows<DanbaoException.InvalidInput> { buyer.wallet.pay(code.text, null) }
            assertTrue(noAmount.message!!.contains("amount"), noAmount.message)

            val paid = buyer.wallet.pay(code.text, "25.00").done("pay the static code")
            assertNotNull(paid.transferId, "$paid")
            assertTrue(paid.message.contains("25.00"), paid.message)
            buyer.assertBalance(START_MINOR - 2_500, step = "buyer paid 25.00")
            seller.assertBalance(START_MINOR + 2_500, step = "merchant got 25.00")
        }

    @Test
    fun `merchant code with an amount - shown and paid as signed, once`(@TempDir dir: Path) = withPeople(dir) {
        val code = seller.wallet.merchantCode("12.34", "CNY")
        assertEquals(1_234L, code.amount?.minor, "$code")
        assertNotNull(code.expiresAt, "a code with an amount expires: $code")

        val screen = buyer.wallet.scan(code.text)
        assertEquals(ScanKind.MERCHANT_PAYMENT, screen.kind, "$screen")
        assertTrue(screen.payable, "$screen")
        assertFalse(screen.needsAmount, "$screen")
        assertEquals("Lotus Tea House", screen.payeeName)
        assertEquals(seller.handle, screen.payeeHandle)
        assertEquals(1_234L, screen.amount?.minor)
        assertEquals("CN¥12.34", screen.amount?.display)

        val other = assertThrows<DanbaoException.InvalidInput> { buyer.wallet.pay(code.text, "1.00") }
        assertTrue(other.message!!.contains("12.34"), other.message)

        buyer.wallet.pay(code.text, null).done("pay the signed code")
        buyer.assertBalance(START_MINOR - 1_234, step = "buyer paid 12.34")
        seller.assertBalance(START_MINOR + 1_234, step = "merchant got 12.34")

        // A signed code is single use: the second payment is refused and moves nothing.
        val again = try {
            buyer.wallet.pay(code.text, null).refused("pay the same code again")
        } catch (e: DanbaoException.CodeRefused) {
            e.message!!
        }
        assertTrue(again.contains("code_used"), again)
        buyer.assertBalance(START_MINOR - 1_234, step = "after the refused second payment")
        seller.assertBalance(START_MINOR + 1_234, step = "after the refused second payment")
    }

    @Test
    fun `payment code charged by the merchant, once`(@TempDir dir: Path) = withPeople(dir) {
        val notYet = assertThrows<DanbaoException.NotReady> { buyer.wallet.paymentCode() }
        assertTrue(notYet.message!!.contains("enable_payment_code"), notYet.message)
        assertFalse(buyer.wallet.home().paymentCodeEnabled, "not enabled yet")

        buyer.wallet.enablePaymentCode()
        assertTrue(buyer.wallet.home().paymentCodeEnabled, "enabled")
        val code = buyer.wallet.paymentCode()
        assertTrue(code.digits.matches(Regex("[0-9]{18}")), code.digits)
        assertTrue(code.secondsRemaining in 1uL..60uL, "${code.secondsRemaining}")
        assertTrue(code.svg.contains("<svg"))

        // Not enrolled yet: the till is refused, learning nothing about the customer.
        val notEnrolled = seller.wallet.chargePaymentCode(code.digits, "3.00", "CNY").refused("charge unenrolled")
        assertTrue(notEnrolled.contains("merchant_not_enrolled"), notEnrolled)
        assertFalse(notEnrolled.contains(buyer.handle), notEnrolled)
        server.enrol(seller.handle)

        val charged = seller.wallet.chargePaymentCode(code.digits, "3.00", "CNY").done("charge")
        assertNotNull(charged.transferId, "$charged")
        assertTrue(charged.message.contains("3.00"), charged.message)
        buyer.assertBalance(START_MINOR - 300, step = "customer charged 3.00")
        seller.assertBalance(START_MINOR + 300, step = "merchant charged 3.00")

        val again = seller.wallet.chargePaymentCode(code.digits, "3.00", "CNY").refused("charge again")
        assertTrue(again.contains("payment_code_used"), again)
        buyer.assertBalance(START_MINOR - 300, step = "after the refused second charge")
        seller.assertBalance(START_MINOR + 300, step = "after the refused second charge")
    }

    @Test
    fun `the confirm screen badges a verified merchant and warns of look-alikes and first payments`(@TempDir dir: Path) =
        withPeople(dir) {
            val name = "Jade Pavilion " + buyer.handle.takeLast(6)
            // The impostor took a look-alike name (Cyrillic а) before the shop was verified.
            server.phone(dir, "fake", name.replace('a', '\u0430'), topUp = false).use { impostor ->
                server.phone(dir, "jade", name, topUp = false).use { shop ->
                    server.enrol(shop.handle)
                    server.verify(shop.handle, name)

                    val sticker = impostor.wallet.merchantCode(null, "CNY")
                    val fake = buyer.wallet.scan(sticker.text)
                    assertFalse(fake.payeeVerified, "$fake")
                    assertNull(fake.verifiedLabel, "$fake")
                    assertTrue(fake.lookAlikeWarning!!.startsWith("Not a verified merchant"), "$fake")
                    assertNotNull(fake.firstPaymentWarning, "$fake")

                    val code = shop.wallet.merchantCode("2.00", "CNY")
                    val real = buyer.wallet.scan(code.text)
                    assertTrue(real.payeeVerified, "$real")
                    assertEquals("Verified merchant: $name", real.verifiedLabel)
                    assertNull(real.lookAlikeWarning, "$real")
                    assertEquals(
                        "You have never paid @${shop.handle} before. Check the name and handle before you pay.",
                        real.firstPaymentWarning,
                    )
                    buyer.wallet.pay(code.text, null).done("pay the verified shop")
                    val again = buyer.wallet.scan(shop.wallet.merchantCode("3.00", "CNY").text)
                    assertNull(again.firstPaymentWarning, "paid once: $again")

                    val friendScreen = buyer.wallet.checkPayee(friend.handle)
                    assertEquals("Fay Friend", friendScreen.name)
                    assertFalse(friendScreen.verified)
                    assertNotNull(friendScreen.firstPaymentWarning, "$friendScreen")
                }
            }
        }
}
