package app.danbao.wallet.screens

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Column
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.material3.Text
import androidx.compose.ui.test.captureToImage
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.unit.sp
import org.jetbrains.skia.FontMgr
import org.jetbrains.skia.FontStyle
import org.junit.Assert.assertFalse
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
                // Black on white: a transparent capture would be all black whatever is drawn.
                Column(Modifier.background(Color.White)) {
                    characters.forEach { Text(it, fontSize = 64.sp, color = Color.Black, modifier = Modifier.background(Color.White)) }
                }
            }
            waitForIdle()
            val pixels = characters.map { character ->
                val image = onNodeWithText(character).captureToImage().toBufferedImage()
                val argb = IntArray(image.width * image.height)
                image.getRGB(0, 0, image.width, image.height, argb, 0, image.width)
                val inked = argb.count { (it and 0xFFFFFF) < 0x808080 }
                assertTrue("$character: $inked dark pixels of ${argb.size}", character == missing || inked in 50 until argb.size / 2)
                argb
            }
            val tofu = pixels.last()
            for (i in text.indices) {
                assertFalse("${text[i]} is drawn like a missing glyph", tofu.contentEquals(pixels[i]))
                for (j in i + 1 until text.length) {
                    assertFalse("${text[i]} and ${text[j]} are drawn alike", pixels[i].contentEquals(pixels[j]))
                }
            }
        }
    }
}
