package app.danbao.wallet.ui

import android.net.Uri
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.navigation.NavHostController
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.rememberNavController
import app.danbao.wallet.WalletModel

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

    fun of(destination: Destination) = when (destination) {
        Destination.SCAN -> SCAN
        Destination.PAYMENT_CODE -> PAYMENT_CODE
        Destination.RECEIVE -> RECEIVE
        Destination.SEND -> SEND
        Destination.ORDERS -> ORDERS
    }
}

/** The app: the shared frame (opening, sign-up, messages) around the Android navigation. */
@Composable
fun DanbaoApp(wallet: WalletModel) {
    WalletFrame(wallet) { WalletNavHost(wallet, rememberNavController()) }
}

@Composable
private fun WalletNavHost(wallet: WalletModel, nav: NavHostController) {
    val back: () -> Unit = { nav.popBackStack() }
    val home: () -> Unit = { nav.popBackStack(Route.HOME, inclusive = false) }
    // A payment link the app was opened with: its confirm screen, as if it had been scanned.
    val link by wallet.openedLink.collectAsState()
    LaunchedEffect(link) {
        if (link != null) wallet.confirmOpenedLink(onScreen = { nav.navigate(Route.CONFIRM) })
    }
    NavHost(navController = nav, startDestination = Route.HOME) {
        composable(Route.HOME) {
            HomeScreen(
                wallet,
                onNavigate = { nav.navigate(Route.of(it)) },
                onOrder = { nav.navigate(Route.order(it)) },
            )
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
