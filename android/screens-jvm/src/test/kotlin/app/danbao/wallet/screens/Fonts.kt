package app.danbao.wallet.screens

import androidx.compose.foundation.layout.Column
import androidx.compose.material3.Text
import androidx.compose.ui.test.captureToImage
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.unit.sp
import org.jetbrains.skia.FontMgr
import org.jetbrains.skia.FontStyle
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue

/** The CJK font the Chinese screenshots need, and a check that its glyphs are really drawn. */
object Fonts {
    /**
     * Fails unless Skia (what Compose draws with) finds a font with Chinese glyphs on this
     * machine: Debian's fonts-noto-cjk, which `.ci/run` installs.
     */
    fun requireCjk() {
        val typeface = FontMgr.default.matchFamilyStyleCharacter(null, FontStyle.NORMAL, arrayOf("zh-Hans"), '最'.code)
        val family = typeface?.familyName
        assertTrue(
            "missing tool: fonts-noto-cjk — install with `apt-get install fonts-noto-cjk` " +
                "(no font for 最 was found; found: $family)",
            family != null && family.contains("CJK"),
        )
    }

    /**
     * Renders each character of [text] alone and checks that no two look alike and none looks
     * like a character no font has (a box or nothing): real glyphs, not tofu.
     */
    fun assertDistinctGlyphs(text: String) {
        val missing = "\uE000" // private use: no font draws it
        val characters = text.map { it.toString() } + missing
        phoneTest {
            setContent {
                Column { characters.forEach { Text(it, fontSize = 64.sp) } }
            }
            waitForIdle()
            val pixels = characters.map { character ->
                val image = onNodeWithText(character).captureToImage().toBufferedImage()
                IntArray(image.width * image.height).also { image.getRGB(0, 0, image.width, image.height, it, 0, image.width) }.toList()
            }
            val tofu = pixels.last()
            for (i in text.indices) {
                assertNotEquals("${text[i]} is drawn like a missing glyph", tofu, pixels[i])
                for (j in i + 1 until text.length) {
                    assertNotEquals("${text[i]} and ${text[j]} are drawn alike", pixels[i], pixels[j])
                }
            }
        }
    }
}
