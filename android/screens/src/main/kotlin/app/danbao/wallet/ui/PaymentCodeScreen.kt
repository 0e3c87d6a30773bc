package app.danbao.wallet.ui

import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.font.FontFamily
import app.danbao.wallet.WalletModel
import kotlinx.coroutines.delay

/**
 * Pay at a till: the 18-digit payment code the merchant scans or types (`payment_code`, made
 * offline by the core). The screen asks the core again every second and shows its
 * `seconds_remaining`, so a new code appears as soon as the core makes one. Screenshots and
 * screen recording are blocked while it is shown.
 */
@Composable
fun PaymentCodeScreen(wallet: WalletModel, onBack: () -> Unit) {
    LocalPlatformUi.current.secureWindow()
    val busy by wallet.busy.collectAsState()
    var state by remember { mutableStateOf(wallet.paymentCode()) }
    LaunchedEffect(Unit) {
        while (true) {
            state = wallet.paymentCode()
            delay(1_000)
        }
    }

    Screen(title = word(Word.PAYMENT_CODE_TITLE), onBack = onBack) {
        when (val shown = state) {
            is WalletModel.PaymentCodeState.Shown -> {
                item { QrCode(shown.code.digits) }
                item {
                    Text(shown.code.digits, style = MaterialTheme.typography.headlineSmall, fontFamily = FontFamily.Monospace)
                }
                item {
                    Text(word(Word.PAYMENT_CODE_REFRESH, shown.code.secondsRemaining.toLong()))
                }
            }
            is WalletModel.PaymentCodeState.NotEnabled -> {
                item { Text(shown.reason) }
                item {
                    Button(onClick = wallet::enablePaymentCode, enabled = !busy, modifier = Modifier.fillMaxWidth()) {
                        Text(word(Word.PAYMENT_CODE_ENABLE))
                    }
                }
            }
            is WalletModel.PaymentCodeState.Failed -> {
                item { Text(shown.reason, color = MaterialTheme.colorScheme.error) }
            }
        }
    }
}
