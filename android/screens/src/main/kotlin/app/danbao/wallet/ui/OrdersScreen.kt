package app.danbao.wallet.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import app.danbao.core.client.ActionInput
import app.danbao.core.client.OrderButton
import app.danbao.core.client.OrderSummary
import app.danbao.core.StepInput
import app.danbao.wallet.WalletModel

/**
 * Orders: the user's escrow orders as the core lists them (`orders`), and a form to sell
 * something (`create_order`), whose code the buyer scans.
 */
@Composable
fun OrdersScreen(wallet: WalletModel, onBack: () -> Unit, onOrder: (String) -> Unit, onCreated: () -> Unit) {
    val orders by wallet.orders.collectAsState()
    val busy by wallet.busy.collectAsState()
    val currencies = wallet.currencies()
    var title by rememberSaveable { mutableStateOf("") }
    var amount by rememberSaveable { mutableStateOf("") }
    var currency by rememberSaveable { mutableStateOf(currencies.first()) }

    Screen(title = word(Word.ORDERS_TITLE), onBack = onBack) {
        if (orders.isEmpty()) {
            item { Text(word(Word.ORDERS_EMPTY)) }
        }
        items(orders, key = { it.id }) { order -> OrderRow(order, onClick = { onOrder(order.id) }) }

        item { SectionTitle(word(Word.ORDERS_SELL)) }
        item {
            OutlinedTextField(
                value = title,
                onValueChange = { title = it },
                label = { Text(word(Word.ORDERS_SELL_TITLE)) },
                singleLine = true,
                modifier = Modifier.fillMaxWidth(),
            )
        }
        item {
            AmountInput(amount, { amount = it }, currency, currencies, { currency = it })
        }
        item {
            Button(
                onClick = { wallet.createOrder(title, amount, currency, onCreated) },
                enabled = !busy,
                modifier = Modifier.fillMaxWidth(),
            ) { Text(word(Word.ORDERS_SELL_CREATE)) }
        }
    }
}

/**
 * One order (`order`, fresh from the server): its details and one button for each of the
 * core's `buttons`, with the core's label; nothing else decides which buttons exist. A button
 * whose `input` is `SHIPMENT` asks for the carrier and tracking number, `REFUND_AMOUNT` for the
 * amount (the price is offered).
 */
@Composable
fun OrderScreen(wallet: WalletModel, id: String, onBack: () -> Unit) {
    val shown by wallet.order.collectAsState()
    val busy by wallet.busy.collectAsState()
    // The button whose input is being asked for (a shipment or an amount to ask back).
    var asking by remember { mutableStateOf<OrderButton?>(null) }
    LaunchedEffect(id) { wallet.openOrder(id) }

    val order = shown?.takeIf { it.id == id }
    Screen(title = order?.title ?: id, onBack = onBack) {
        if (order == null) return@Screen
        item { OrderDetails(order) }
        items(order.buttons, key = { it.action.name }) { button ->
            OutlinedButton(
                onClick = {
                    when (button.input) {
                        ActionInput.NOTHING -> wallet.orderStep(order.id, button.action, StepInput())
                        ActionInput.SHIPMENT, ActionInput.REFUND_AMOUNT -> asking = button
                    }
                },
                enabled = !busy,
                modifier = Modifier.fillMaxWidth(),
            ) { Text(button.label) }
        }
    }

    val button = asking
    when (button?.input) {
        ActionInput.SHIPMENT -> ShipDialog(
            onDismiss = { asking = null },
            onShip = { carrier, tracking ->
                asking = null
                order?.let {
                    wallet.orderStep(it.id, button.action, StepInput(carrier = carrier, tracking = tracking))
                }
            },
        )
        ActionInput.REFUND_AMOUNT -> RefundDialog(
            price = order?.amount?.value.orEmpty(),
            currency = order?.amount?.currency.orEmpty(),
            onDismiss = { asking = null },
            onRequest = { amount ->
                asking = null
                order?.let { wallet.orderStep(it.id, button.action, StepInput(amount = amount)) }
            },
        )
        ActionInput.NOTHING, null -> Unit
    }
}

@Composable
private fun OrderDetails(order: OrderSummary) {
    Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
        Text(order.amount.display, style = MaterialTheme.typography.headlineMedium)
        Text(order.stateLabel, style = MaterialTheme.typography.titleMedium)
        Text(word(Word.ORDER_ROLE, order.roleLabel))
        order.counterparty?.let { Text(word(Word.ORDER_COUNTERPARTY, it)) }
        // The core says what the timer does and when ("Confirms automatically in 9 days");
        // the exact time follows in the device's format.
        order.deadline?.let { at ->
            Text(order.deadlineLabel?.let { "$it · ${localTime(at)}" } ?: word(Word.ORDER_DEADLINE, localTime(at)))
        }
        order.shipment?.let { Text(word(Word.ORDER_SHIPMENT, it.carrier, it.tracking)) }
        order.refundAsked?.let { Text(word(Word.ORDER_REFUND_ASKED, it.display)) }
        order.released?.let { Text(word(Word.ORDER_RELEASED, it.display)) }
        order.refunded?.let { Text(word(Word.ORDER_REFUNDED, it.display)) }
        Text(word(Word.ORDER_ID, order.id), style = MaterialTheme.typography.bodySmall)
    }
}

@Composable
private fun ShipDialog(onDismiss: () -> Unit, onShip: (carrier: String, tracking: String) -> Unit) {
    var carrier by rememberSaveable { mutableStateOf("") }
    var tracking by rememberSaveable { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(word(Word.ORDER_ACTION_SHIP)) },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedTextField(carrier, { carrier = it }, label = { Text(word(Word.SHIP_CARRIER)) }, singleLine = true)
                OutlinedTextField(tracking, { tracking = it }, label = { Text(word(Word.SHIP_TRACKING)) }, singleLine = true)
            }
        },
        confirmButton = { TextButton(onClick = { onShip(carrier, tracking) }) { Text(word(Word.ORDER_ACTION_SHIP)) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text(word(Word.CANCEL)) } },
    )
}

@Composable
private fun RefundDialog(price: String, currency: String, onDismiss: () -> Unit, onRequest: (amount: String) -> Unit) {
    var amount by rememberSaveable { mutableStateOf(price) }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(word(Word.ORDER_ACTION_REFUND_REQUEST)) },
        text = {
            OutlinedTextField(
                value = amount,
                onValueChange = { amount = it },
                label = { Text(word(Word.REFUND_AMOUNT)) },
                suffix = { Text(currency) },
                singleLine = true,
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Decimal),
            )
        },
        confirmButton = { TextButton(onClick = { onRequest(amount) }) { Text(word(Word.ORDER_ACTION_REFUND_REQUEST)) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text(word(Word.CANCEL)) } },
    )
}
