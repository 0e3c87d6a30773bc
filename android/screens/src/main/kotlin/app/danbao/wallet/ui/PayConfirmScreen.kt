package app.danbao.wallet.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.input.KeyboardType
import app.danbao.wallet.WalletModel

/**
 * Pay confirm: the core's `ScanScreen` for the scanned code. The payee is the name the server
 * resolved (never the name printed in the code); when they differ the core's `name_warning`
 * comes first, in red, and so does its `look_alike_warning` (a payee whose name only looks like
 * a verified merchant's, or like another account's). A verified merchant carries the core's
 * `verified_label` under its name; a payee this wallet never paid carries the core's
 * `first_payment_warning` above the Pay button. The amount is the code's, or typed when the code has none
 * (`needs_amount`). "Pay" exists only when the core says the code is `payable`.
 */
@Composable
fun PayConfirmScreen(wallet: WalletModel, onBack: () -> Unit, onPaid: () -> Unit) {
    val scanned by wallet.scan.collectAsState()
    val busy by wallet.busy.collectAsState()
    var amount by rememberSaveable { mutableStateOf("") }
    val screen = scanned

    Screen(title = screen?.let { scanKindLabel(it.kind) } ?: word(Word.CONFIRM_NOTHING), onBack = onBack) {
        if (screen == null) return@Screen

        screen.nameWarning?.let { warning -> item { WarningCard(warning) } }
        screen.lookAlikeWarning?.let { warning -> item { WarningCard(warning) } }

        val payee = screen.payeeName ?: screen.payeeHandle
        if (payee != null) {
            item {
                Column {
                    Text(word(Word.CONFIRM_PAY_TO), style = MaterialTheme.typography.labelMedium)
                    Text(payee, style = MaterialTheme.typography.headlineMedium)
                    screen.payeeHandle?.let { Text(word(Word.HANDLE, it)) }
                    screen.verifiedLabel?.let { label ->
                        Text(
                            label,
                            color = MaterialTheme.colorScheme.primary,
                            fontWeight = FontWeight.Bold,
                            style = MaterialTheme.typography.titleSmall,
                        )
                    }
                }
            }
        }

        screen.amount?.let { fixed ->
            item { Text(fixed.display, style = MaterialTheme.typography.displaySmall) }
        }
        if (screen.needsAmount) {
            item {
                OutlinedTextField(
                    value = amount,
                    onValueChange = { amount = it },
                    label = { Text(word(Word.AMOUNT)) },
                    suffix = { screen.currency?.let { Text(it) } },
                    singleLine = true,
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Decimal),
                    modifier = Modifier.fillMaxWidth(),
                )
            }
        }

        screen.orderId?.let { id -> item { Text(word(Word.CONFIRM_ORDER, id)) } }
        screen.scheme?.let { scheme -> item { Text(word(Word.CONFIRM_SCHEME, scheme)) } }
        if (screen.reasons.isNotEmpty()) {
            item {
                Column { screen.reasons.forEach { Text(it, color = MaterialTheme.colorScheme.error) } }
            }
        }

        screen.firstPaymentWarning?.let { notice -> item { NoticeCard(notice) } }

        if (screen.payable) {
            item {
                Button(
                    onClick = { wallet.pay(if (screen.needsAmount) amount else null, onPaid) },
                    enabled = !busy,
                    modifier = Modifier.fillMaxWidth(),
                ) { Text(word(Word.CONFIRM_PAY)) }
            }
        }
    }
}
