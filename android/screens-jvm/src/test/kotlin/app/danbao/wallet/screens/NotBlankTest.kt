package app.danbao.wallet.screens

import java.awt.Color
import java.awt.image.BufferedImage
import org.junit.Assert.assertThrows
import org.junit.Test

/** The screenshots' blank check refuses what a broken render gives. */
class NotBlankTest {
    private fun picture(paint: (java.awt.Graphics2D) -> Unit): BufferedImage =
        BufferedImage(WIDTH_PX, HEIGHT_PX, BufferedImage.TYPE_INT_RGB).also { image ->
            image.createGraphics().apply { paint(this); dispose() }
        }

    @Test
    fun `a flat picture is refused`() {
        val white = picture { it.color = Color.WHITE; it.fillRect(0, 0, WIDTH_PX, HEIGHT_PX) }
        assertThrows(AssertionError::class.java) { assertNotBlank("white", white) }
        assertThrows(AssertionError::class.java) { assertNotBlank("black", picture {}) }
    }

    @Test
    fun `a picture with one tiny mark is refused`() {
        val speck = picture {
            it.color = Color.WHITE
            it.fillRect(0, 0, WIDTH_PX, HEIGHT_PX)
            it.color = Color.BLACK
            it.fillRect(10, 10, 20, 20)
        }
        assertThrows(AssertionError::class.java) { assertNotBlank("speck", speck) }
    }
}
