package app.danbao.wallet.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
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
 * Scan: the camera reads a QR code and the core says what it is (`Wallet.scan`); then the
 * pay-confirm screen shows the answer. A code can also be pasted (emulators, codes in
 * messages, platforms without a camera).
 */
@Composable
fun ScanScreen(wallet: WalletModel, onBack: () -> Unit, onScanned: () -> Unit) {
    val busy by wallet.busy.collectAsState()
    val camera = LocalPlatformUi.current.cameraScanner

    // The camera reads the same code many times a second: send one at a time, and do not
    // resend a text the core just refused (the user moves on to another code or goes back).
    var reading by remember { mutableStateOf(false) }
    var refused by remember { mutableStateOf<String?>(null) }
    val read: (String) -> Unit = { text ->
        if (!reading && text != refused) {
            reading = true
            wallet.scan(
                text,
                onScreen = { reading = false; onScanned() },
                onFailed = { reading = false; refused = text },
            )
        }
    }
    var pasted by rememberSaveable { mutableStateOf("") }

    Column(
        modifier = Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        TextButton(onClick = onBack) { Text(word(Word.BACK)) }
        Text(word(Word.SCAN_TITLE), style = MaterialTheme.typography.headlineSmall)
        camera?.invoke(read, Modifier.fillMaxWidth().aspectRatio(3f / 4f))
        OutlinedTextField(
            value = pasted,
            onValueChange = { pasted = it },
            label = { Text(word(Word.SCAN_PASTE)) },
            modifier = Modifier.fillMaxWidth(),
        )
        Button(
            onClick = { refused = null; read(pasted) },
            enabled = !busy && pasted.isNotBlank(),
            modifier = Modifier.fillMaxWidth(),
        ) { Text(word(Word.SCAN_READ)) }
    }
}
