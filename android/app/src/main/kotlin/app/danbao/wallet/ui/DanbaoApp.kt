package app.danbao.wallet.ui

import android.net.Uri
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
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.navigation.NavHostController
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.rememberNavController
import app.danbao.wallet.R
import app.danbao.wallet.WalletViewModel

/** The navigation routes, one per screen. */
object Route {
    const val HOME = "home"
    const val SCAN = "scan"
    const val CONFIRM = "confirm"
    const val RECEIVE = "receive"
    const val PAYMENT_CODE = "payment-code"
    const val ORDERS = "orders"
    const val ORDER = "order/{id}"
    const val ORDER_CODE = "order-code"
    const val SEND = "send"

    fun order(id: String) = "order/${Uri.encode(id)}"
}

/**
 * The app's frame: opening the wallet, sign-up on first run, then the screens. Messages from
 * the wallet (outcomes, refusals) show as a snackbar over any screen.
 */
@Composable
fun DanbaoApp(wallet: WalletViewModel) {
    val session by wallet.session.collectAsStateWithLifecycle()
    val profile by wallet.profile.collectAsStateWithLifecycle()
    val message by wallet.message.collectAsStateWithLifecycle()
    val snackbar = remember { SnackbarHostState() }

    LaunchedEffect(message) {
        val text = message ?: return@LaunchedEffect
        snackbar.showSnackbar(text, withDismissAction = true, duration = SnackbarDuration.Long)
        wallet.messageShown()
    }

    Scaffold(snackbarHost = { SnackbarHost(snackbar) }) { padding ->
        Box(Modifier.padding(padding).fillMaxSize()) {
            when (val state = session) {
                WalletViewModel.Session.Opening -> Centered {
                    CircularProgressIndicator()
                    Text(stringResource(R.string.wallet_opening))
                }
                is WalletViewModel.Session.Failed -> Centered {
                    Text(stringResource(R.string.wallet_open_failed), style = MaterialTheme.typography.titleMedium)
                    Text(state.reason, color = MaterialTheme.colorScheme.error)
                }
                WalletViewModel.Session.Open ->
                    if (profile == null) SignUpScreen(wallet) else WalletNavHost(wallet, rememberNavController())
            }
        }
    }
}

@Composable
private fun WalletNavHost(wallet: WalletViewModel, nav: NavHostController) {
    val back: () -> Unit = { nav.popBackStack() }
    val home: () -> Unit = { nav.popBackStack(Route.HOME, inclusive = false) }
    NavHost(navController = nav, startDestination = Route.HOME) {
        composable(Route.HOME) {
            HomeScreen(wallet, onNavigate = { nav.navigate(it) })
        }
        composable(Route.SCAN) {
            ScanScreen(wallet, onBack = back, onScanned = { nav.navigate(Route.CONFIRM) })
        }
        composable(Route.CONFIRM) {
            PayConfirmScreen(wallet, onBack = back, onPaid = home)
        }
        composable(Route.RECEIVE) {
            ReceiveScreen(wallet, onBack = back)
        }
        composable(Route.PAYMENT_CODE) {
            PaymentCodeScreen(wallet, onBack = back)
        }
        composable(Route.ORDERS) {
            OrdersScreen(
                wallet,
                onBack = back,
                onOrder = { nav.navigate(Route.order(it)) },
                onCreated = { nav.navigate(Route.ORDER_CODE) },
            )
        }
        composable(Route.ORDER) { entry ->
            OrderScreen(wallet, id = entry.arguments?.getString("id").orEmpty(), onBack = back)
        }
        composable(Route.ORDER_CODE) {
            OrderCodeScreen(wallet, onBack = back)
        }
        composable(Route.SEND) {
            SendScreen(wallet, onBack = back, onSent = home)
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
