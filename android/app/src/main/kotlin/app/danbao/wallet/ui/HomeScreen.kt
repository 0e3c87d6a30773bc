package app.danbao.wallet.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.FilledTonalButton
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.danbao.core.ActivityItem
import app.danbao.core.BalanceLine
import app.danbao.core.OrderSummary
import app.danbao.core.OutboxItem
import app.danbao.wallet.R
import app.danbao.wallet.WalletViewModel

/**
 * Home: the core's `HomeSnapshot` — balances, orders waiting for the user, commands not yet
 * sent, the latest activity — and the way to every other screen.
 */
@Composable
fun HomeScreen(wallet: WalletViewModel, onNavigate: (String) -> Unit) {
    val home by wallet.home.collectAsStateWithLifecycle()
    val profile by wallet.profile.collectAsStateWithLifecycle()
    val older by wallet.olderActivity.collectAsStateWithLifecycle()
    val busy by wallet.busy.collectAsStateWithLifecycle()

    // Fetch what happened while the app was away each time home is shown.
    LaunchedEffect(Unit) { wallet.sync() }

    val snapshot = home
    Screen(title = profile?.displayName.orEmpty(), onBack = null) {
        item {
            Row(horizontalArrangement = Arrangement.SpaceBetween, modifier = Modifier.fillMaxWidth()) {
                Text(stringResource(R.string.handle, profile?.handle.orEmpty()), style = MaterialTheme.typography.bodyMedium)
                TextButton(onClick = wallet::sync, enabled = !busy) { Text(stringResource(R.string.sync)) }
            }
        }
        items(snapshot?.balances.orEmpty(), key = { it.currency }) { Balance(it) }
        item { Shortcuts(onNavigate) }

        val waiting = snapshot?.ordersNeedingAction.orEmpty()
        if (waiting.isNotEmpty()) {
            item { SectionTitle(stringResource(R.string.home_orders_waiting)) }
            items(waiting, key = { "order-" + it.id }) { order ->
                OrderRow(order, onClick = { onNavigate(Route.order(order.id)) })
            }
        }

        val outbox = snapshot?.outbox.orEmpty()
        if (outbox.isNotEmpty()) {
            item { SectionTitle(stringResource(R.string.home_outbox)) }
            items(outbox, key = { "outbox-" + it.id }) { OutboxRow(it) }
        }

        item { SectionTitle(stringResource(R.string.home_activity)) }
        val activity = older?.items ?: snapshot?.recent.orEmpty()
        if (activity.isEmpty()) {
            item { Text(stringResource(R.string.home_activity_empty)) }
        }
        items(activity, key = { "activity-" + it.seq }) { ActivityRow(it) }
        if (older == null || older?.nextCursor != null) {
            item {
                OutlinedButton(onClick = wallet::loadOlderActivity, enabled = !busy, modifier = Modifier.fillMaxWidth()) {
                    Text(stringResource(R.string.home_activity_older))
                }
            }
        }
    }
}

@Composable
private fun Balance(line: BalanceLine) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(stringResource(R.string.balance_available), style = MaterialTheme.typography.labelMedium)
            Text(line.available.display, style = MaterialTheme.typography.headlineMedium)
            Text(stringResource(R.string.balance_held_out, line.heldOut.display), style = MaterialTheme.typography.bodySmall)
            Text(stringResource(R.string.balance_incoming, line.incoming.display), style = MaterialTheme.typography.bodySmall)
        }
    }
}

@Composable
private fun Shortcuts(onNavigate: (String) -> Unit) {
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Shortcut(stringResource(R.string.nav_scan), Modifier.weight(1f)) { onNavigate(Route.SCAN) }
            Shortcut(stringResource(R.string.nav_payment_code), Modifier.weight(1f)) { onNavigate(Route.PAYMENT_CODE) }
            Shortcut(stringResource(R.string.nav_receive), Modifier.weight(1f)) { onNavigate(Route.RECEIVE) }
        }
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Shortcut(stringResource(R.string.nav_send), Modifier.weight(1f)) { onNavigate(Route.SEND) }
            Shortcut(stringResource(R.string.nav_orders), Modifier.weight(1f)) { onNavigate(Route.ORDERS) }
        }
    }
}

@Composable
private fun Shortcut(label: String, modifier: Modifier, onClick: () -> Unit) {
    FilledTonalButton(onClick = onClick, modifier = modifier) { Text(label, maxLines = 1) }
}

/** One order as a list row: the core's title, price, state and the user's role. */
@Composable
fun OrderRow(order: OrderSummary, onClick: () -> Unit) {
    ListItem(
        headlineContent = { Text(order.title) },
        supportingContent = { Text("${order.stateLabel} · ${roleLabel(order.role)}") },
        trailingContent = { Text(order.amount.display) },
        modifier = Modifier.clickable(onClick = onClick),
    )
}

@Composable
private fun OutboxRow(item: OutboxItem) {
    ListItem(
        headlineContent = { Text(item.summary) },
        supportingContent = { Text(item.outcome ?: item.state) },
    )
}

@Composable
private fun ActivityRow(item: ActivityItem) {
    val sign = if (item.direction == "in") "+" else "−"
    ListItem(
        headlineContent = { Text(item.title) },
        supportingContent = {
            Text(listOfNotNull(localTime(item.createdAt), item.memo?.takeIf { it.isNotEmpty() }).joinToString(" · "))
        },
        trailingContent = { Text("$sign ${item.amount.display}") },
    )
}
