package app.danbao.wallet.ui

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
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import app.danbao.core.client.ScanKind

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
                    TextButton(onClick = onBack) { Text(word(Word.BACK)) }
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

/**
 * A message the user must not miss, e.g. the core's `name_warning`: white on the theme's error
 * red (the pale error container read as decoration in the screenshots), in bold.
 */
@Composable
fun WarningCard(text: String) {
    Card(
        colors = CardDefaults.cardColors(
            containerColor = MaterialTheme.colorScheme.error,
            contentColor = MaterialTheme.colorScheme.onError,
        ),
        modifier = Modifier.fillMaxWidth(),
    ) {
        Text(
            text,
            style = MaterialTheme.typography.titleMedium,
            fontWeight = FontWeight.Bold,
            modifier = Modifier.padding(16.dp),
        )
    }
}

/**
 * A caution to read before acting, e.g. the core's `first_payment_warning`: on the theme's
 * tertiary container, quieter than a [WarningCard] but still a card of its own.
 */
@Composable
fun NoticeCard(text: String) {
    Card(
        colors = CardDefaults.cardColors(
            containerColor = MaterialTheme.colorScheme.tertiaryContainer,
            contentColor = MaterialTheme.colorScheme.onTertiaryContainer,
        ),
        modifier = Modifier.fillMaxWidth(),
    ) {
        Text(text, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.padding(16.dp))
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
    label: String = word(Word.AMOUNT),
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

/** Unix seconds as the device's local date and time (Android: `DateUtils`). */
@Composable
fun localTime(unixSeconds: Long): String = LocalPlatformUi.current.dateTime(unixSeconds)

@Composable
fun scanKindLabel(kind: ScanKind): String = word(
    when (kind) {
        ScanKind.MERCHANT_PAYMENT -> Word.SCAN_KIND_MERCHANT
        ScanKind.DANBAO_ORDER -> Word.SCAN_KIND_ORDER
        ScanKind.FRIEND_RECEIVE -> Word.SCAN_KIND_FRIEND
        ScanKind.PAYMENT_CODE -> Word.SCAN_KIND_PAYMENT_CODE
        ScanKind.FOREIGN_SCHEME -> Word.SCAN_KIND_FOREIGN
        ScanKind.INVALID -> Word.SCAN_KIND_INVALID
    }
)
