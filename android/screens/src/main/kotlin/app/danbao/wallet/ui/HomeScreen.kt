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
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import app.danbao.core.client.ActivityItem
import app.danbao.core.client.BalanceLine
import app.danbao.core.client.OrderSummary
import app.danbao.core.client.OutboxItem
import app.danbao.wallet.WalletModel

/** The screens home leads to. */
enum class Destination { SCAN, PAYMENT_CODE, RECEIVE, SEND, ORDERS }

/**
 * Home: the core's `HomeSnapshot` — balances, orders waiting for the user, commands not yet
 * sent, the latest activity — and the way to every other screen.
 */
@Composable
fun HomeScreen(wallet: WalletModel, onNavigate: (Destination) -> Unit, onOrder: (id: String) -> Unit) {
    val home by wallet.home.collectAsState()
    val profile by wallet.profile.collectAsState()
    val older by wallet.olderActivity.collectAsState()
    val busy by wallet.busy.collectAsState()

    // Fetch what happened while the app was away each time home is shown.
    LaunchedEffect(Unit) { wallet.sync() }

    val snapshot = home
    Screen(title = profile?.displayName.orEmpty(), onBack = null) {
        item {
            Row(horizontalArrangement = Arrangement.SpaceBetween, modifier = Modifier.fillMaxWidth()) {
                Text(word(Word.HANDLE, profile?.handle.orEmpty()), style = MaterialTheme.typography.bodyMedium)
                TextButton(onClick = wallet::sync, enabled = !busy) { Text(word(Word.SYNC)) }
            }
        }
        items(snapshot?.balances.orEmpty(), key = { it.currency }) { Balance(it) }
        item { Shortcuts(onNavigate) }

        val waiting = snapshot?.ordersNeedingAction.orEmpty()
        if (waiting.isNotEmpty()) {
            item { SectionTitle(word(Word.HOME_ORDERS_WAITING)) }
            items(waiting, key = { "order-" + it.id }) { order ->
                OrderRow(order, onClick = { onOrder(order.id) })
            }
        }

        val outbox = snapshot?.outbox.orEmpty()
        if (outbox.isNotEmpty()) {
            item { SectionTitle(word(Word.HOME_OUTBOX)) }
            items(outbox, key = { "outbox-" + it.id }) { OutboxRow(it) }
        }

        item { SectionTitle(word(Word.HOME_ACTIVITY)) }
        val activity = older?.items ?: snapshot?.recent.orEmpty()
        if (activity.isEmpty()) {
            item { Text(word(Word.HOME_ACTIVITY_EMPTY)) }
        }
        items(activity, key = { "activity-" + it.seq }) { ActivityRow(it) }
        if (older == null || older?.nextCursor != null) {
            item {
                OutlinedButton(onClick = wallet::loadOlderActivity, enabled = !busy, modifier = Modifier.fillMaxWidth()) {
                    Text(word(Word.HOME_ACTIVITY_OLDER))
                }
            }
        }
    }
}

@Composable
private fun Balance(line: BalanceLine) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(word(Word.BALANCE_AVAILABLE), style = MaterialTheme.typography.labelMedium)
            Text(line.available.display, style = MaterialTheme.typography.headlineMedium)
            Text(word(Word.BALANCE_HELD_OUT, line.heldOut.display), style = MaterialTheme.typography.bodySmall)
            Text(word(Word.BALANCE_INCOMING, line.incoming.display), style = MaterialTheme.typography.bodySmall)
        }
    }
}

@Composable
private fun Shortcuts(onNavigate: (Destination) -> Unit) {
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Shortcut(word(Word.NAV_SCAN), Modifier.weight(1f)) { onNavigate(Destination.SCAN) }
            Shortcut(word(Word.NAV_PAYMENT_CODE), Modifier.weight(1f)) { onNavigate(Destination.PAYMENT_CODE) }
            Shortcut(word(Word.NAV_RECEIVE), Modifier.weight(1f)) { onNavigate(Destination.RECEIVE) }
        }
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Shortcut(word(Word.NAV_SEND), Modifier.weight(1f)) { onNavigate(Destination.SEND) }
            Shortcut(word(Word.NAV_ORDERS), Modifier.weight(1f)) { onNavigate(Destination.ORDERS) }
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
        supportingContent = { Text("${order.stateLabel} · ${order.roleLabel}") },
        trailingContent = { Text(order.amount.display) },
        modifier = Modifier.clickable(onClick = onClick),
    )
}

@Composable
private fun OutboxRow(item: OutboxItem) {
    ListItem(
        headlineContent = { Text(item.summary) },
        supportingContent = { Text(item.outcome ?: item.stateLabel) },
    )
}

@Composable
private fun ActivityRow(item: ActivityItem) {
    val sign = item.sign()
    ListItem(
        headlineContent = { Text(item.title) },
        supportingContent = {
            Text(listOfNotNull(localTime(item.createdAt), item.memo?.takeIf { it.isNotEmpty() }).joinToString(" · "))
        },
        trailingContent = { Text("$sign ${item.amount.display}") },
    )
}
