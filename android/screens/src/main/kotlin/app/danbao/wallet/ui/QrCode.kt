package app.danbao.wallet.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import app.danbao.core.DanbaoException
import app.danbao.core.QrMatrix
import app.danbao.core.renderQrMatrix

/**
 * Draws [text] as a QR symbol. The modules come from the core (`render_qr_matrix`, the same
 * encoder that made the `svg` of a CodeView), so the app carries no QR encoder of its own.
 * Black on white whatever the theme: scanners expect dark modules on a light ground.
 */
@Composable
fun QrCode(text: String, modifier: Modifier = Modifier) {
    val rendered: Result<QrMatrix> = remember(text) {
        try {
            Result.success(renderQrMatrix(text))
        } catch (e: DanbaoException) {
            Result.failure(e)
        }
    }
    val matrix = rendered.getOrNull()
    if (matrix == null) {
        Text(rendered.exceptionOrNull()?.message.orEmpty(), color = MaterialTheme.colorScheme.error)
        return
    }
    Canvas(modifier.fillMaxWidth().aspectRatio(1f)) {
        val modules = matrix.size.toInt()
        val side = size.minDimension / modules
        drawRect(Color.White)
        for (row in 0 until modules) {
            for (column in 0 until modules) {
                if (matrix.modules[row * modules + column]) {
                    drawRect(
                        color = Color.Black,
                        topLeft = Offset(column * side, row * side),
                        // A hair wider than a module, so that no seams show between neighbours.
                        size = Size(side + 0.5f, side + 0.5f),
                    )
                }
            }
        }
    }
}
