package app.danbao.wallet.ui

import android.text.format.DateUtils
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyListScope
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import app.danbao.core.OrderAction
import app.danbao.core.ScanKind
import app.danbao.wallet.R

/** A screen: an optional "Back", the title, then [content] as a scrolling list. */
@Composable
fun Screen(title: String, onBack: (() -> Unit)?, content: LazyListScope.() -> Unit) {
    LazyColumn(
        modifier = Modifier.fillMaxSize(),
        contentPadding = PaddingValues(16.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        item {
            Row(verticalAlignment = Alignment.CenterVertically) {
                if (onBack != null) {
                    TextButton(onClick = onBack) { Text(stringResource(R.string.back)) }
                }
                Text(title, style = MaterialTheme.typography.headlineSmall)
            }
        }
        content()
    }
}

@Composable
fun SectionTitle(text: String) {
    Text(text, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 8.dp))
}

/** A message the user must not miss, e.g. the core's `name_warning`. */
@Composable
fun WarningCard(text: String) {
    Card(
        colors = CardDefaults.cardColors(
            containerColor = MaterialTheme.colorScheme.errorContainer,
            contentColor = MaterialTheme.colorScheme.onErrorContainer,
        ),
        modifier = Modifier.fillMaxWidth(),
    ) {
        Text(text, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(16.dp))
    }
}

/**
 * An amount typed as text and passed to the core as typed (the core parses and checks it),
 * with the currency chosen among [currencies].
 */
@Composable
fun AmountInput(
    amount: String,
    onAmount: (String) -> Unit,
    currency: String,
    currencies: List<String>,
    onCurrency: (String) -> Unit,
    label: String = stringResource(R.string.amount),
) {
    Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
        OutlinedTextField(
            value = amount,
            onValueChange = onAmount,
            label = { Text(label) },
            suffix = { Text(currency) },
            singleLine = true,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Decimal),
            modifier = Modifier.fillMaxWidth(),
        )
        if (currencies.size > 1) {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                currencies.forEach { code ->
                    FilterChip(selected = code == currency, onClick = { onCurrency(code) }, label = { Text(code) })
                }
            }
        }
    }
}

/** Unix seconds as the device's local date and time. */
@Composable
fun localTime(unixSeconds: Long): String =
    DateUtils.formatDateTime(
        LocalContext.current,
        unixSeconds * 1000,
        DateUtils.FORMAT_SHOW_DATE or DateUtils.FORMAT_SHOW_TIME or DateUtils.FORMAT_ABBREV_MONTH,
    )

@Composable
fun roleLabel(role: String): String = when (role) {
    "buyer" -> stringResource(R.string.role_buyer)
    "seller" -> stringResource(R.string.role_seller)
    else -> role
}

@Composable
fun scanKindLabel(kind: ScanKind): String = stringResource(
    when (kind) {
        ScanKind.MERCHANT_PAYMENT -> R.string.scan_kind_merchant
        ScanKind.DANBAO_ORDER -> R.string.scan_kind_order
        ScanKind.FRIEND_RECEIVE -> R.string.scan_kind_friend
        ScanKind.PAYMENT_CODE -> R.string.scan_kind_payment_code
        ScanKind.FOREIGN_SCHEME -> R.string.scan_kind_foreign
        ScanKind.INVALID -> R.string.scan_kind_invalid
    }
)

/**
 * The [OrderAction] of a button whose input is `NOTHING`; `SHIPMENT` and `REFUND_AMOUNT`
 * buttons ask the user first (see OrderScreen); an unknown action gets a disabled button.
 */
fun orderActionWithoutInput(action: String): OrderAction? = when (action) {
    "pay" -> OrderAction.Pay
    "confirm" -> OrderAction.Confirm
    "cancel" -> OrderAction.Cancel
    "refund-accept" -> OrderAction.AcceptRefund
    "refund-reject" -> OrderAction.RejectRefund
    else -> null
}
