package app.danbao.wallet.ui

import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.font.FontFamily
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.danbao.wallet.R
import app.danbao.wallet.WalletViewModel
import kotlinx.coroutines.delay

/**
 * Pay at a till: the 18-digit payment code the merchant scans or types (`payment_code`, made
 * offline by the core). The screen asks the core again every second and shows its
 * `seconds_remaining`, so a new code appears as soon as the core makes one. Screenshots and
 * screen recording are blocked while it is shown.
 */
@Composable
fun PaymentCodeScreen(wallet: WalletViewModel, onBack: () -> Unit) {
    SecureWindow()
    val busy by wallet.busy.collectAsStateWithLifecycle()
    var state by remember { mutableStateOf(wallet.paymentCode()) }
    LaunchedEffect(Unit) {
        while (true) {
            state = wallet.paymentCode()
            delay(1_000)
        }
    }

    Screen(title = stringResource(R.string.payment_code_title), onBack = onBack) {
        when (val shown = state) {
            is WalletViewModel.PaymentCodeState.Shown -> {
                item { QrCode(shown.code.digits) }
                item {
                    Text(shown.code.digits, style = MaterialTheme.typography.headlineSmall, fontFamily = FontFamily.Monospace)
                }
                item {
                    Text(stringResource(R.string.payment_code_refresh, shown.code.secondsRemaining.toLong()))
                }
            }
            is WalletViewModel.PaymentCodeState.NotEnabled -> {
                item { Text(shown.reason) }
                item {
                    Button(onClick = wallet::enablePaymentCode, enabled = !busy, modifier = Modifier.fillMaxWidth()) {
                        Text(stringResource(R.string.payment_code_enable))
                    }
                }
            }
            is WalletViewModel.PaymentCodeState.Failed -> {
                item { Text(shown.reason, color = MaterialTheme.colorScheme.error) }
            }
        }
    }
}
