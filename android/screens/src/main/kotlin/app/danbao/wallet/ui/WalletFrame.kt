package app.danbao.wallet.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SnackbarDuration
import androidx.compose.material3.SnackbarHost
import androidx.compose.material3.SnackbarHostState
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import app.danbao.wallet.WalletModel

/**
 * The app's frame: opening the wallet, sign-up on first run, then [signedIn] (the platform's
 * navigation between the screens). Messages from the wallet (outcomes, refusals) show as a
 * snackbar over any screen.
 */
@Composable
fun WalletFrame(wallet: WalletModel, signedIn: @Composable () -> Unit) {
    val session by wallet.session.collectAsState()
    val profile by wallet.profile.collectAsState()
    val message by wallet.message.collectAsState()
    val snackbar = remember { SnackbarHostState() }

    LaunchedEffect(message) {
        val text = message ?: return@LaunchedEffect
        snackbar.showSnackbar(text, withDismissAction = true, duration = SnackbarDuration.Long)
        wallet.messageShown()
    }

    Scaffold(snackbarHost = { SnackbarHost(snackbar) }) { padding ->
        Box(Modifier.padding(padding).fillMaxSize()) {
            when (val state = session) {
                WalletModel.Session.Opening -> Centered {
                    CircularProgressIndicator()
                    Text(word(Word.WALLET_OPENING))
                }
                is WalletModel.Session.Failed -> Centered {
                    Text(word(Word.WALLET_OPEN_FAILED), style = MaterialTheme.typography.titleMedium)
                    Text(state.reason, color = MaterialTheme.colorScheme.error)
                }
                WalletModel.Session.Open -> if (profile == null) SignUpScreen(wallet) else signedIn()
            }
        }
    }
}

@Composable
private fun Centered(content: @Composable () -> Unit) {
    Column(
        modifier = Modifier.fillMaxSize().padding(24.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp, Alignment.CenterVertically),
        horizontalAlignment = Alignment.CenterHorizontally,
    ) { content() }
}
