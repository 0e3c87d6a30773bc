package app.danbao.wallet.screens

import app.danbao.wallet.ui.Word
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

/** The screens' words: the enum the Kotlin names and the strings.xml Android translates agree. */
class WordsTest {
    @Test
    fun `every Word has its string in strings xml and every string has its Word`() {
        assertEquals(Word.entries.map { it.key }.sorted(), words.strings.keys.sorted())
    }

    @Test
    fun `the Chinese strings xml has every string, in Chinese`() {
        assertEquals(words.strings.keys.sorted(), chineseWords.strings.keys.sorted())
        for ((name, text) in chineseWords.strings) {
            if (name == "handle") continue
            assertTrue("$name is not Chinese: $text", text.any { it in '\u4e00'..'\u9fff' })
        }
        assertEquals("已向 @bob 请求 ¥12.50", chineseWords.text(Word.REQUEST_SENT, "¥12.50", "bob"))
    }

    @Test
    fun `the app module's own strings have their Chinese too`() {
        val screensValues = java.io.File(System.getProperty("danbao.strings")).canonicalFile
        val android = screensValues.parentFile.parentFile.parentFile.parentFile.parentFile.parentFile
        val res = java.io.File(android, "app/src/main/res")
        val english = app.danbao.wallet.jvm.XmlWords.read(java.io.File(res, "values/strings.xml")).strings
        val chinese = app.danbao.wallet.jvm.XmlWords.read(java.io.File(res, "values-zh-rCN/strings.xml")).strings
        assertEquals(english.keys.sorted(), chinese.keys.sorted())
        chinese.forEach { (name, text) -> assertTrue("$name: $text", text.any { it in '\u4e00'..'\u9fff' }) }
    }

    @Test
    fun `placeholders are filled and Android's escapes undone`() {
        assertEquals("Asked @bob for 12.50 CNY", words.text(Word.REQUEST_SENT, "12.50 CNY", "bob"))
        assertEquals("A new code in 42 s", words.text(Word.PAYMENT_CODE_REFRESH, 42L))
        assertEquals(
            "Choose the handle friends pay and the name payers see. Your device key stays in this phone's secure hardware.",
            words.text(Word.SIGNUP_INTRO),
        )
    }
}
