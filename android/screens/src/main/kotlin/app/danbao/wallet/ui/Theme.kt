package app.danbao.wallet.ui

import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.Color

private val Jade = Color(0xFF0B6E4F)
private val JadeLight = Color(0xFF6FD3AE)

/** Material 3 with the Danbao green; follows the system's dark setting. */
@Composable
fun DanbaoTheme(content: @Composable () -> Unit) {
    val colors = if (isSystemInDarkTheme()) {
        darkColorScheme(primary = JadeLight, secondary = JadeLight)
    } else {
        lightColorScheme(primary = Jade, secondary = Jade)
    }
    MaterialTheme(colorScheme = colors, content = content)
}
