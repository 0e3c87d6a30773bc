package app.danbao.wallet.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.ReadOnlyComposable
import app.danbao.core.ActivityItem
import app.danbao.core.OrderAction
import app.danbao.core.OrderButton

// The only place the app compares strings that come from the core. Order actions, roles and
// money directions still cross the bindings as strings today (bindings/src/wallet/records.rs);
// when they arrive as enums, these functions become plain `when`s over them or go away.

/** The user's role on an order (`buyer`, `seller`) in words; the raw name for any other. */
@Composable
@ReadOnlyComposable
fun roleLabel(role: String): String = when (role) {
    "buyer" -> word(Word.ROLE_BUYER)
    "seller" -> word(Word.ROLE_SELLER)
    else -> role
}

/** "+" for money that came in, "−" for money that went out. */
fun ActivityItem.sign(): String = if (direction == "in") "+" else "−"

/**
 * The [OrderAction] of a button whose input is `NOTHING`; `SHIPMENT` and `REFUND_AMOUNT`
 * buttons ask the user first (see OrderScreen); an unknown action gets a disabled button.
 */
fun OrderButton.actionWithoutInput(): OrderAction? = when (action) {
    "pay" -> OrderAction.Pay
    "confirm" -> OrderAction.Confirm
    "cancel" -> OrderAction.Cancel
    "refund-accept" -> OrderAction.AcceptRefund
    "refund-reject" -> OrderAction.RejectRefund
    else -> null
}
