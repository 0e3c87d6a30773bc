package app.danbao.wallet

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.activity.viewModels
import app.danbao.wallet.ui.DanbaoApp
import app.danbao.wallet.ui.DanbaoTheme

/** The app's one activity: the Compose screens, sharing one [WalletViewModel]. */
class MainActivity : ComponentActivity() {

    private val wallet: WalletViewModel by viewModels()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        enableEdgeToEdge()
        setContent {
            DanbaoTheme {
                DanbaoApp(wallet)
            }
        }
    }
}
