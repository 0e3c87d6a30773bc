package app.danbao.core.flows

import app.danbao.core.DanbaoException
import java.nio.file.Path
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir

/** The wallet speaks the user's locale: a change reaches the records and the errors. */
class LocaleTest : FlowTest() {
    @Test
    fun `a locale change reaches the records and the errors`(@TempDir dir: Path) =
        withPeople(dir) {
            buyer.wallet.sync()
            assertEquals("en", buyer.wallet.locale())
            assertEquals("CN¥100.00", buyer.wallet.home().balances.single().available.display)

            buyer.wallet.setLocale("zh-Hans-CN")
            seller.wallet.setLocale("zh-Hans-CN")
            assertEquals("zh-Hans-CN", buyer.wallet.locale())
            assertEquals("¥100.00", buyer.wallet.home().balances.single().available.display)

            val created = seller.wallet.createOrder("茶具", "1,234.50", "CNY")
            assertEquals("¥1,234.50", created.order.amount.display)
            assertEquals("等待买家付款", created.order.stateLabel)
            assertEquals(listOf("取消订单"), created.order.buttons.map { it.label })

            val sent = buyer.wallet.send(seller.handle, "１２。５０", "CNY", "").done("send in full-width digits")
            assertEquals("已转账 ¥12.50 给 @${seller.handle}", sent.message)
            buyer.wallet.setUtcOffset(480)
            val newest = buyer.wallet.home().recent.first()
            assertTrue(Regex("""\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}""").matches(newest.timeLabel), newest.timeLabel)

            val refused = assertThrows<DanbaoException.InvalidInput> { buyer.wallet.send(seller.handle, "1.234", "CNY", "") }
            assertTrue(refused.message.orEmpty().startsWith("金额无效"), refused.message)

            assertThrows<DanbaoException.InvalidInput> { buyer.wallet.setLocale("not a locale!") }
            assertEquals("zh-Hans-CN", buyer.wallet.locale(), "a refused tag changes nothing")

            // A time zone by IANA name reaches the records: Shanghai (+8) and Berlin (+1/+2 by
            // the season) write the same row at different hours.
            buyer.wallet.setTimeZone("Asia/Shanghai")
            assertEquals("Asia/Shanghai", buyer.wallet.timeZone())
            val inShanghai = buyer.wallet.home().recent.first().timeLabel
            buyer.wallet.setTimeZone("Europe/Berlin")
            assertEquals("Europe/Berlin", buyer.wallet.timeZone())
            val inBerlin = buyer.wallet.home().recent.first().timeLabel
            assertTrue(inShanghai != inBerlin, "$inShanghai vs $inBerlin")
            val unknown = assertThrows<DanbaoException.InvalidInput> { buyer.wallet.setTimeZone("Mars/Olympus_Mons") }
            assertTrue(unknown.message.orEmpty().startsWith("时区无效"), unknown.message)
            assertEquals("Europe/Berlin", buyer.wallet.timeZone(), "a refused zone changes nothing")
            buyer.wallet.setUtcOffset(480)
            assertEquals(null, buyer.wallet.timeZone(), "a fixed offset replaces the zone")
        }
}
