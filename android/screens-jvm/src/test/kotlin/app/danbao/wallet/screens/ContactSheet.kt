package app.danbao.wallet.screens

import java.awt.Color
import java.awt.Font
import java.awt.RenderingHints
import java.awt.image.BufferedImage
import java.io.File
import javax.imageio.ImageIO

/** All screenshots of a directory on one page, each captioned with its name. */
object ContactSheet {
    const val NAME = "contact-sheet.png"
    private const val COLUMNS = 6
    private const val THUMB_W = 270
    private const val THUMB_H = 600
    private const val CAPTION = 28
    private const val GAP = 12

    fun write(dir: File): File? {
        val shots = dir.listFiles { file -> file.name.endsWith(".png") && file.name != NAME }.orEmpty().sortedBy { it.name }
        if (shots.isEmpty()) return null
        val rows = (shots.size + COLUMNS - 1) / COLUMNS
        val sheet = BufferedImage(
            COLUMNS * (THUMB_W + GAP) + GAP,
            rows * (THUMB_H + CAPTION + GAP) + GAP,
            BufferedImage.TYPE_INT_RGB,
        )
        val g = sheet.createGraphics()
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR)
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON)
        g.color = Color(0xEE, 0xEE, 0xEE)
        g.fillRect(0, 0, sheet.width, sheet.height)
        g.font = Font(Font.SANS_SERIF, Font.PLAIN, 16)
        shots.forEachIndexed { index, file ->
            val x = GAP + (index % COLUMNS) * (THUMB_W + GAP)
            val y = GAP + (index / COLUMNS) * (THUMB_H + CAPTION + GAP)
            val shot = ImageIO.read(file)
            g.drawImage(shot, x, y, THUMB_W, THUMB_H, null)
            g.color = Color.GRAY
            g.drawRect(x - 1, y - 1, THUMB_W + 1, THUMB_H + 1)
            g.color = Color.BLACK
            g.drawString(file.name.removeSuffix(".png"), x, y + THUMB_H + 20)
        }
        g.dispose()
        val out = File(dir, NAME)
        check(ImageIO.write(sheet, "png", out)) { "no PNG writer" }
        assertNotBlank(NAME, sheet)
        return out
    }
}
