package app.danbao.core

import app.danbao.core.domain.*
import java.io.File
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** scan(text) through the generated JVM bindings and the real libdanbao_ffi.so. */
class ScanTest {
    companion object {
        // Maven runs the tests in bindings/tests/kotlin.
        /** docs/qr-danbao.md's worked example: a signed per-order code (128.50 CNY). */
        val ORDER = File("../../../core/domain/src/qr/danbao/worked_example.txt").readText()

        /** Unsigned static codes, as danbao_domain::qr::danbao::encode_unsigned writes them. */
        const val MERCHANT =
            "00020101021126240010app.danbao0106m-10015204581253031565802CN" +
                "5915Lotus Tea House6008Hangzhou6304D780"
        const val RECEIVE =
            "00020101021126250010app.danbao0207alice.w5204000053031565802CN" +
                "5910Alice Wang6008Shanghai63042106"

        /** PromptPay with amount 4.22, from github.com/dtinth/promptpay-qr's tests. */
        const val PROMPTPAY =
            "00020101021229370016A000000677010111011300660000000005802TH530376454044.226304E469"

        /** A payment code from the core's generator (fixed secret, account 4242). */
        const val PAYMENT_CODE = "293570050498532396"
    }

    @Test
    fun `order code is a DanbaoOrder with every field`() {
        val expected = ScanOutcome.DanbaoOrder(
            OrderCode(
                merchantId = "m-1001",
                orderId = "ord-20250101-0042",
                merchantName = "Lotus Tea House",
                merchantCity = "Hangzhou",
                country = "CN",
                mcc = "5812",
                currency = "CNY",
                amountMinor = 12850L,
            ),
            displayAmount = "128.50 CNY",
            seal = Seal("srv1", "fFLssg=mfIi5\$zRv}od.", 1735689600uL, 1735690500uL),
        )
        assertEquals(expected, scan(ORDER))
    }

    @Test
    fun `static merchant code is a MerchantPayment without amount`() {
        val outcome = scan("  $MERCHANT\n")
        assertTrue(outcome is ScanOutcome.MerchantPayment, outcome.toString())
        outcome as ScanOutcome.MerchantPayment
        assertEquals("m-1001", outcome.code.merchantId)
        assertEquals("CNY", outcome.code.currency)
        assertNull(outcome.code.amountMinor)
        assertNull(outcome.displayAmount)
        assertNull(outcome.seal)
    }

    @Test
    fun `receive code is a FriendReceive`() {
        val outcome = scan(RECEIVE)
        assertTrue(outcome is ScanOutcome.FriendReceive, outcome.toString())
        outcome as ScanOutcome.FriendReceive
        assertEquals("alice.w", outcome.code.handle)
        assertEquals("Alice Wang", outcome.code.name)
        assertNull(outcome.code.amountMinor)
    }

    @Test
    fun `payment code`() {
        assertEquals(ScanOutcome.PaymentCode(PAYMENT_CODE), scan(PAYMENT_CODE))
    }

    @Test
    fun `PromptPay is a ForeignScheme named with its country`() {
        val outcome = scan(PROMPTPAY)
        assertTrue(outcome is ScanOutcome.ForeignScheme, outcome.toString())
        outcome as ScanOutcome.ForeignScheme
        assertEquals(listOf(ForeignNetwork("promptpay", "PromptPay", "TH")), outcome.schemes)
        assertEquals("PromptPay (TH): not payable with Danbao", outcome.description)
        assertEquals("TH", outcome.country)
    }

    @Test
    fun `edited CRC is Invalid with reasons`() {
        val outcome = scan(PROMPTPAY.dropLast(4) + "0000")
        assertTrue(outcome is ScanOutcome.Invalid, outcome.toString())
        val reasons = (outcome as ScanOutcome.Invalid).reasons
        assertTrue(reasons.any { it.contains("CRC") }, reasons.toString())
    }

    @Test
    fun `a web address is Invalid and says so, and a payment link without a code says that`() {
        val outcome = scan("https://example.com/about") as ScanOutcome.Invalid
        assertTrue(outcome.reasons[0].startsWith("a web address, not a payment code"), outcome.reasons[0])
        val link = scan("https://example.com/pay") as ScanOutcome.Invalid
        assertTrue(link.reasons[0].startsWith("the payment link carries no code"), link.reasons[0])
    }

    @Test
    fun `a payment link is the code it carries`() {
        val link = "danbao://pay?code=" + java.net.URLEncoder.encode(PROMPTPAY, Charsets.UTF_8)
        assertEquals(scan(PROMPTPAY), scan(link))
    }
}
