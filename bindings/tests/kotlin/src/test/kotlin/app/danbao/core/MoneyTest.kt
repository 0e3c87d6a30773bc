package app.danbao.core

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Money and library facts through the generated JVM bindings and the real libdanbao_ffi.so. */
class MoneyTest {
    @Test
    fun `version is the crate's semantic version`() {
        assertTrue(Regex("""\d+\.\d+\.\d+""").matches(version()), version())
    }

    @Test
    fun `currency lookup by alpha and numeric code`() {
        assertEquals(Currency("CNY", 156u, 2u, "Renminbi (Chinese) yuan"), currencyFromCode("cny"))
        assertEquals("KWD", currencyFromCode("414").code)
        assertEquals(0.toUByte(), currencyFromCode("JPY").exponent)
    }

    @Test
    fun `parse is exact in minor units`() {
        assertEquals(Money(1250L, "CNY"), parseMoney("12.50", "CNY"))
        assertEquals(Money(1250L, "JPY"), parseMoney("1250", "JPY"))
        assertEquals(Money(1L, "KWD"), parseMoney("0.001", "KWD"))
        assertEquals(Money(Long.MAX_VALUE, "CNY"), parseMoney("92233720368547758.07", "CNY"))
    }

    @Test
    fun `format writes the currency's decimals`() {
        assertEquals("12.50", formatMoney(Money(1250L, "CNY")))
        assertEquals("-0.005", formatMoney(Money(-5L, "KWD")))
        assertEquals("1250 JPY", formatMoneyWithCode(Money(1250L, "JPY")))
    }

    @Test
    fun `too many decimals is an InvalidAmount with a readable message`() {
        val error = assertThrows<DanbaoException.InvalidAmount> { parseMoney("12.345", "CNY") }
        assertEquals("amount 12.345 has 3 decimals; CNY allows 2", error.message)
    }

    @Test
    fun `a sign is refused for payment amounts`() {
        val error = assertThrows<DanbaoException.InvalidAmount> { parseMoney("-1.00", "CNY") }
        assertTrue(error.message!!.contains("has a sign"), error.message)
    }

    @Test
    fun `an unknown currency is an UnknownCurrency naming the code`() {
        val error = assertThrows<DanbaoException.UnknownCurrency> { formatMoney(Money(1L, "ZZZ")) }
        assertEquals(
            "unknown currency \"ZZZ\": expected an ISO 4217 code such as \"CNY\" or \"156\"",
            error.message,
        )
        // Every kind is a DanbaoException, so a shell can catch them all in one place.
        assertThrows<DanbaoException> { currencyFromCode("XAU") }
    }
}
