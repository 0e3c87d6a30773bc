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
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.danbao.core.ActionInput
import app.danbao.core.OrderAction
import app.danbao.core.OrderSummary
import app.danbao.wallet.R
import app.danbao.wallet.WalletViewModel

/**
 * Orders: the user's escrow orders as the core lists them (`orders`), and a form to sell
 * something (`create_order`), whose code the buyer scans.
 */
@Composable
fun OrdersScreen(wallet: WalletViewModel, onBack: () -> Unit, onOrder: (String) -> Unit, onCreated: () -> Unit) {
    val orders by wallet.orders.collectAsStateWithLifecycle()
    val busy by wallet.busy.collectAsStateWithLifecycle()
    val currencies = wallet.currencies()
    var title by rememberSaveable { mutableStateOf("") }
    var amount by rememberSaveable { mutableStateOf("") }
    var currency by rememberSaveable { mutableStateOf(currencies.first()) }

    Screen(title = stringResource(R.string.orders_title), onBack = onBack) {
        if (orders.isEmpty()) {
            item { Text(stringResource(R.string.orders_empty)) }
        }
        items(orders, key = { it.id }) { order -> OrderRow(order, onClick = { onOrder(order.id) }) }

        item { SectionTitle(stringResource(R.string.orders_sell)) }
        item {
            OutlinedTextField(
                value = title,
                onValueChange = { title = it },
                label = { Text(stringResource(R.string.orders_sell_title)) },
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
            ) { Text(stringResource(R.string.orders_sell_create)) }
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
fun OrderScreen(wallet: WalletViewModel, id: String, onBack: () -> Unit) {
    val shown by wallet.order.collectAsStateWithLifecycle()
    val busy by wallet.busy.collectAsStateWithLifecycle()
    var asking by rememberSaveable { mutableStateOf<ActionInput?>(null) }
    LaunchedEffect(id) { wallet.openOrder(id) }

    val order = shown?.takeIf { it.id == id }
    Screen(title = order?.title ?: id, onBack = onBack) {
        if (order == null) return@Screen
        item { OrderDetails(order) }
        items(order.buttons, key = { it.action }) { button ->
            val direct = orderActionWithoutInput(button.action)
            OutlinedButton(
                onClick = {
                    when (button.input) {
                        ActionInput.NOTHING -> direct?.let { wallet.orderAction(order.id, it) }
                        ActionInput.SHIPMENT, ActionInput.REFUND_AMOUNT -> asking = button.input
                    }
                },
                enabled = !busy && (direct != null || button.input != ActionInput.NOTHING),
                modifier = Modifier.fillMaxWidth(),
            ) { Text(button.label) }
        }
    }

    when (asking) {
        ActionInput.SHIPMENT -> ShipDialog(
            onDismiss = { asking = null },
            onShip = { carrier, tracking ->
                asking = null
                order?.let { wallet.orderAction(it.id, OrderAction.Ship(carrier, tracking)) }
            },
        )
        ActionInput.REFUND_AMOUNT -> RefundDialog(
            price = order?.amount?.value.orEmpty(),
            currency = order?.amount?.currency.orEmpty(),
            onDismiss = { asking = null },
            onRequest = { amount ->
                asking = null
                order?.let { wallet.orderAction(it.id, OrderAction.RequestRefund(amount)) }
            },
        )
    }
}

@Composable
private fun OrderDetails(order: OrderSummary) {
    Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
        Text(order.amount.display, style = MaterialTheme.typography.headlineMedium)
        Text(order.stateLabel, style = MaterialTheme.typography.titleMedium)
        Text(stringResource(R.string.order_role, roleLabel(order.role)))
        order.counterparty?.let { Text(stringResource(R.string.order_counterparty, it)) }
        order.deadline?.let { Text(stringResource(R.string.order_deadline, localTime(it))) }
        order.shipment?.let { Text(stringResource(R.string.order_shipment, it.carrier, it.tracking)) }
        order.refundAsked?.let { Text(stringResource(R.string.order_refund_asked, it.display)) }
        order.released?.let { Text(stringResource(R.string.order_released, it.display)) }
        order.refunded?.let { Text(stringResource(R.string.order_refunded, it.display)) }
        Text(stringResource(R.string.order_id, order.id), style = MaterialTheme.typography.bodySmall)
    }
}

@Composable
private fun ShipDialog(onDismiss: () -> Unit, onShip: (carrier: String, tracking: String) -> Unit) {
    var carrier by rememberSaveable { mutableStateOf("") }
    var tracking by rememberSaveable { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.order_action_ship)) },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedTextField(carrier, { carrier = it }, label = { Text(stringResource(R.string.ship_carrier)) }, singleLine = true)
                OutlinedTextField(tracking, { tracking = it }, label = { Text(stringResource(R.string.ship_tracking)) }, singleLine = true)
            }
        },
        confirmButton = { TextButton(onClick = { onShip(carrier, tracking) }) { Text(stringResource(R.string.order_action_ship)) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.cancel)) } },
    )
}

@Composable
private fun RefundDialog(price: String, currency: String, onDismiss: () -> Unit, onRequest: (amount: String) -> Unit) {
    var amount by rememberSaveable { mutableStateOf(price) }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.order_action_refund_request)) },
        text = {
            OutlinedTextField(
                value = amount,
                onValueChange = { amount = it },
                label = { Text(stringResource(R.string.refund_amount)) },
                suffix = { Text(currency) },
                singleLine = true,
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Decimal),
            )
        },
        confirmButton = { TextButton(onClick = { onRequest(amount) }) { Text(stringResource(R.string.order_action_refund_request)) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.cancel)) } },
    )
}
