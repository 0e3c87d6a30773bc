package app.danbao.wallet.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.text.selection.SelectionContainer
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import app.danbao.core.client.CodeView
import app.danbao.wallet.WalletModel

/**
 * Receive: the user's code for a friend (`receive_code`) or, as a shop, for a customer
 * (`merchant_code`). With an amount the core signs it and it expires; without, anyone can
 * scan it and choose the amount.
 */
@Composable
fun ReceiveScreen(wallet: WalletModel, onBack: () -> Unit) {
    val code by wallet.code.collectAsState()
    val busy by wallet.busy.collectAsState()
    val currencies = wallet.currencies()
    var amount by rememberSaveable { mutableStateOf("") }
    var currency by rememberSaveable { mutableStateOf(currencies.first()) }
    var asMerchant by rememberSaveable { mutableStateOf(false) }
    DisposableEffect(Unit) { onDispose { wallet.clearCode() } }

    Screen(title = word(Word.RECEIVE_TITLE), onBack = onBack) {
        item {
            AmountInput(
                amount = amount,
                onAmount = { amount = it },
                currency = currency,
                currencies = currencies,
                onCurrency = { currency = it },
                label = word(Word.RECEIVE_AMOUNT_OPTIONAL),
            )
        }
        item {
            Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                Switch(checked = asMerchant, onCheckedChange = { asMerchant = it })
                Text(word(Word.RECEIVE_AS_MERCHANT))
            }
        }
        item {
            Button(
                onClick = { wallet.receiveCode(amount, currency, asMerchant) },
                enabled = !busy,
                modifier = Modifier.fillMaxWidth(),
            ) { Text(word(Word.RECEIVE_SHOW)) }
        }
        code?.let { shown -> item { CodeCard(shown) } }
    }
}

/** The code of an order just created: the buyer scans it to pay into escrow. */
@Composable
fun OrderCodeScreen(wallet: WalletModel, onBack: () -> Unit) {
    val code by wallet.code.collectAsState()
    DisposableEffect(Unit) { onDispose { wallet.clearCode() } }
    Screen(title = word(Word.ORDER_CODE_TITLE), onBack = onBack) {
        item { Text(word(Word.ORDER_CODE_INTRO)) }
        code?.let { shown -> item { CodeCard(shown) } }
    }
}

/** A `CodeView`: the QR code, its fixed amount and when it stops being accepted. */
@Composable
fun CodeCard(code: CodeView) {
    Column(verticalArrangement = Arrangement.spacedBy(8.dp), horizontalAlignment = Alignment.CenterHorizontally) {
        QrCode(code.text)
        code.amount?.let { Text(it.display, style = MaterialTheme.typography.headlineMedium) }
        code.expiresAt?.let { Text(word(Word.CODE_EXPIRES, localTime(it))) }
        // The payload as text, for sending in a message (the scan screen accepts it pasted).
        SelectionContainer { Text(code.text, style = MaterialTheme.typography.bodySmall) }
    }
}
