package app.danbao.wallet.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.Modifier

/**
 * What the screens need from the platform they run on, behind small seams: the words (Android
 * resources, or the same strings.xml read on the JVM), dates in the device's locale and zone,
 * the secure window for screens that show a code someone else could pay with (`FLAG_SECURE` on
 * Android), and the camera scanner (CameraX and ML Kit on Android; none on the JVM, where codes
 * are pasted).
 */
class PlatformUi(
    val words: Words,
    /** Unix seconds as the device's local date and time. */
    val dateTime: (unixSeconds: Long) -> String,
    /** While composed, screenshots and screen recording of the window are blocked. */
    val secureWindow: @Composable () -> Unit = {},
    /** A camera preview that hands each QR text it reads to `onText`; `null`: no camera. */
    val cameraScanner: (@Composable (onText: (String) -> Unit, modifier: Modifier) -> Unit)? = null,
)

/** The [PlatformUi] of the running app; the platform's entry point provides it. */
val LocalPlatformUi = staticCompositionLocalOf<PlatformUi> {
    error("no PlatformUi provided: wrap the screens in CompositionLocalProvider(LocalPlatformUi provides ...)")
}
