package app.danbao.wallet

import android.content.Intent
import android.os.Bundle
import android.text.format.DateUtils
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.activity.viewModels
import androidx.compose.runtime.CompositionLocalProvider
import app.danbao.wallet.ui.CameraWithPermission
import app.danbao.wallet.ui.DanbaoApp
import app.danbao.wallet.ui.DanbaoTheme
import app.danbao.wallet.ui.LocalPlatformUi
import app.danbao.wallet.ui.PlatformUi
import app.danbao.wallet.ui.SecureWindow

/** The app's one activity: the Compose screens, sharing one [WalletModel]. */
class MainActivity : ComponentActivity() {

    private val wallet: WalletViewModel by viewModels()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        enableEdgeToEdge()
        // What the shared screens need from Android: words from resources, dates by DateUtils,
        // FLAG_SECURE and the CameraX scanner.
        val platform = PlatformUi(
            words = ResourceWords(this),
            dateTime = { seconds ->
                DateUtils.formatDateTime(
                    this,
                    seconds * 1000,
                    DateUtils.FORMAT_SHOW_DATE or DateUtils.FORMAT_SHOW_TIME or DateUtils.FORMAT_ABBREV_MONTH,
                )
            },
            secureWindow = { SecureWindow() },
            cameraScanner = { onText, modifier -> CameraWithPermission(onText, modifier) },
        )
        // A language change recreates the activity (the view model survives it): tell the core.
        wallet.model.setLocale(resources.configuration.locales[0].toLanguageTag())
        wallet.model.setTimeZone(java.util.TimeZone.getDefault().id)
        // Opened by a payment link (App Link or danbao://): the scan flow shows its confirm screen.
        linkOf(intent)?.let(wallet.model::openLink)
        setContent {
            CompositionLocalProvider(LocalPlatformUi provides platform) {
                DanbaoTheme {
                    DanbaoApp(wallet.model)
                }
            }
        }
    }

    // singleTask: a link tapped while the app runs arrives here rather than in a new activity.
    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        linkOf(intent)?.let(wallet.model::openLink)
    }

    private fun linkOf(intent: Intent?): String? =
        intent?.takeIf { it.action == Intent.ACTION_VIEW }?.dataString

    override fun onResume() {
        super.onResume()
        // The zone may have changed while the app was away (travel, or the user changed it).
        wallet.model.setTimeZone(java.util.TimeZone.getDefault().id)
    }
}
