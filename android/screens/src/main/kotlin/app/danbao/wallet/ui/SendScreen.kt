package app.danbao.wallet.ui

import androidx.compose.foundation.horizontalScroll
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.material3.AssistChip
import androidx.compose.material3.Button
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import app.danbao.wallet.WalletModel

/**
 * Send to a friend (`send`), or ask them for money (`requestMoney`): the people the user dealt
 * with lately are offered (`contacts`); the handle, amount and memo go to the core as typed,
 * and its outcome ("Sent 12.50 CNY to @bob", or queued while offline) is the message shown.
 * Below, the money requests (`requests`): Pay and Decline only where the core's `canAnswer`
 * says this user is asked.
 */
@Composable
fun SendScreen(wallet: WalletModel, onBack: () -> Unit, onSent: () -> Unit) {
    val busy by wallet.busy.collectAsState()
    val requests by wallet.requests.collectAsState()
    val contacts = remember { wallet.contacts() }
    val currencies = wallet.currencies()
    var to by rememberSaveable { mutableStateOf("") }
    var amount by rememberSaveable { mutableStateOf("") }
    var currency by rememberSaveable { mutableStateOf(currencies.first()) }
    var memo by rememberSaveable { mutableStateOf("") }

    Screen(title = word(Word.SEND_TITLE), onBack = onBack) {
        if (contacts.isNotEmpty()) {
            item {
                Row(Modifier.horizontalScroll(rememberScrollState()), horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    contacts.forEach { contact ->
                        AssistChip(onClick = { to = contact.handle }, label = { Text(contact.displayName) })
                    }
                }
            }
        }
        item {
            OutlinedTextField(
                value = to,
                onValueChange = { to = it },
                label = { Text(word(Word.SEND_TO)) },
                prefix = { Text("@") },
                singleLine = true,
                modifier = Modifier.fillMaxWidth(),
            )
        }
        item { AmountInput(amount, { amount = it }, currency, currencies, { currency = it }) }
        item {
            OutlinedTextField(
                value = memo,
                onValueChange = { memo = it },
                label = { Text(word(Word.SEND_MEMO)) },
                singleLine = true,
                modifier = Modifier.fillMaxWidth(),
            )
        }
        item {
            Button(
                onClick = { wallet.send(to, amount, currency, memo, onSent) },
                enabled = !busy,
                modifier = Modifier.fillMaxWidth(),
            ) { Text(word(Word.SEND_BUTTON)) }
        }
        item {
            OutlinedButton(
                onClick = { wallet.requestMoney(to, amount, currency, memo, onSent) },
                enabled = !busy,
                modifier = Modifier.fillMaxWidth(),
            ) { Text(word(Word.REQUEST_BUTTON)) }
        }
        if (requests.isNotEmpty()) {
            item { Text(word(Word.REQUESTS_TITLE), style = MaterialTheme.typography.titleMedium) }
        }
        items(requests, key = { it.id }) { request ->
            // The buttons go under the line, not beside it: beside, a phone's width leaves the
            // handles and the amount a narrow column, broken mid-word.
            ListItem(
                headlineContent = {
                    Text(word(Word.REQUEST_LINE, request.requester, request.payer, request.amount.display))
                },
                supportingContent = {
                    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                        Text(listOf(request.note, request.statusLabel).filter { it.isNotEmpty() }.joinToString(" · "))
                        if (request.canAnswer) {
                            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                                Button(onClick = { wallet.answerRequest(request.id, true) }, enabled = !busy) {
                                    Text(word(Word.REQUEST_PAY))
                                }
                                OutlinedButton(onClick = { wallet.answerRequest(request.id, false) }, enabled = !busy) {
                                    Text(word(Word.REQUEST_DECLINE))
                                }
                            }
                        }
                    }
                },
            )
        }
    }
}
