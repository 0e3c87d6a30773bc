package app.danbao.wallet.ui

import androidx.compose.foundation.horizontalScroll
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.rememberScrollState
import androidx.compose.material3.AssistChip
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.danbao.wallet.R
import app.danbao.wallet.WalletViewModel

/**
 * Send to a friend (`send`), or ask them for money (`requestMoney`): the people the user dealt
 * with lately are offered (`contacts`); the handle, amount and memo go to the core as typed,
 * and its outcome ("Sent 12.50 CNY to @bob", or queued while offline) is the message shown.
 * Below, the money requests (`requests`): Pay and Decline only where the core's `canAnswer`
 * says this user is asked.
 */
@Composable
fun SendScreen(wallet: WalletViewModel, onBack: () -> Unit, onSent: () -> Unit) {
    val busy by wallet.busy.collectAsStateWithLifecycle()
    val requests by wallet.requests.collectAsStateWithLifecycle()
    val contacts = remember { wallet.contacts() }
    val currencies = wallet.currencies()
    var to by rememberSaveable { mutableStateOf("") }
    var amount by rememberSaveable { mutableStateOf("") }
    var currency by rememberSaveable { mutableStateOf(currencies.first()) }
    var memo by rememberSaveable { mutableStateOf("") }

    Screen(title = stringResource(R.string.send_title), onBack = onBack) {
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
                label = { Text(stringResource(R.string.send_to)) },
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
                label = { Text(stringResource(R.string.send_memo)) },
                singleLine = true,
                modifier = Modifier.fillMaxWidth(),
            )
        }
        item {
            Button(
                onClick = { wallet.send(to, amount, currency, memo, onSent) },
                enabled = !busy,
                modifier = Modifier.fillMaxWidth(),
            ) { Text(stringResource(R.string.send_button)) }
        }
        item {
            OutlinedButton(
                onClick = { wallet.requestMoney(to, amount, currency, memo, onSent) },
                enabled = !busy,
                modifier = Modifier.fillMaxWidth(),
            ) { Text(stringResource(R.string.request_button)) }
        }
        if (requests.isNotEmpty()) {
            item { Text(stringResource(R.string.requests_title), style = MaterialTheme.typography.titleMedium) }
        }
        items(requests, key = { it.id }) { request ->
            ListItem(
                headlineContent = {
                    Text(stringResource(R.string.request_line, request.requester, request.payer, request.amount.display))
                },
                supportingContent = { Text(listOf(request.note, request.status).filter { it.isNotEmpty() }.joinToString(" · ")) },
                trailingContent = if (request.canAnswer) {
                    {
                        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                            Button(onClick = { wallet.answerRequest(request.id, true) }, enabled = !busy) {
                                Text(stringResource(R.string.request_pay))
                            }
                            OutlinedButton(onClick = { wallet.answerRequest(request.id, false) }, enabled = !busy) {
                                Text(stringResource(R.string.request_decline))
                            }
                        }
                    }
                } else {
                    null
                },
            )
        }
    }
}
