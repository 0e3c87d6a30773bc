package app.danbao.core

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** QR rendering through the generated JVM bindings and the real libdanbao_ffi.so. */
class RenderTest {
    private fun QrMatrix.dark(x: Int, y: Int): Boolean = modules[y * size.toInt() + x]

    @Test
    fun `default options are the core's`() {
        assertEquals(
            RenderOptions(ErrorCorrection.MEDIUM, 4u, 8u, "#000000", "#ffffff"),
            defaultRenderOptions(),
        )
    }

    @Test
    fun `matrix has the quiet zone and the finder pattern`() {
        val matrix = renderQrMatrix("HELLO")
        // Version 1 is 21 modules wide; the default quiet zone adds 4 on each side.
        assertEquals(29u, matrix.size)
        assertEquals(1.toUByte(), matrix.version)
        assertEquals(ErrorCorrection.MEDIUM, matrix.errorCorrection)
        assertEquals(29 * 29, matrix.modules.size)
        assertTrue((0 until 29).none { matrix.dark(it, 3) }, "quiet zone row must be light")
        // Top-left finder pattern (ISO/IEC 18004 §6.3.3): dark ring, light ring, dark core.
        assertTrue((0 until 7).all { matrix.dark(4 + it, 4) })
        assertFalse(matrix.dark(5, 5))
        assertTrue(matrix.dark(7, 7))
    }

    @Test
    fun `options change the matrix`() {
        val options = defaultRenderOptions().copy(quietZone = 0u, errorCorrection = ErrorCorrection.HIGH)
        val matrix = renderQrMatrix("HELLO", options)
        assertEquals(21u, matrix.size)
        assertEquals(ErrorCorrection.HIGH, matrix.errorCorrection)
        assertTrue(matrix.dark(0, 0))
    }

    @Test
    fun `svg is sized by modules and coloured`() {
        val svg = renderQrSvg("HELLO", defaultRenderOptions().copy(modulePx = 2u, darkColor = "#112233"))
        assertTrue(svg.startsWith("<?xml"), svg.take(80))
        assertTrue(svg.contains("viewBox=\"0 0 58 58\""), svg.take(300))
        assertTrue(svg.contains("fill=\"#112233\""))
    }

    @Test
    fun `too long text is a Render error saying what fits`() {
        val error = assertThrows<DanbaoException.Render> { renderQrSvg("a".repeat(3000)) }
        assertTrue(
            error.message!!.startsWith(
                "text of 3000 bytes does not fit a QR code at error correction M, " +
                    "which holds at most 2331 bytes",
            ),
            error.message,
        )
    }

    @Test
    fun `a bad colour is a Render error`() {
        val error = assertThrows<DanbaoException.Render> {
            renderQrSvg("x", defaultRenderOptions().copy(lightColor = "white"))
        }
        assertTrue(error.message!!.contains("is not a colour"), error.message)
    }
}
