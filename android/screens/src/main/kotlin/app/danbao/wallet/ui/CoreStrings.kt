package app.danbao.wallet.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.ReadOnlyComposable
import app.danbao.core.ActivityItem
import app.danbao.core.Direction
import app.danbao.core.OrderRole
import app.danbao.core.OutboxState
import app.danbao.core.RequestStatus

// Words for the closed sets the core gives as enums (bindings/src/wallet/kinds.rs). Each `when`
// is exhaustive, so a new case in the core fails this build instead of showing a raw name.

/** The user's role on an order in words. */
@Composable
@ReadOnlyComposable
fun roleLabel(role: OrderRole): String = when (role) {
    OrderRole.BUYER -> word(Word.ROLE_BUYER)
    OrderRole.SELLER -> word(Word.ROLE_SELLER)
}

/** A money request's state in words. */
@Composable
@ReadOnlyComposable
fun requestStatusLabel(status: RequestStatus): String = when (status) {
    RequestStatus.OPEN -> word(Word.REQUEST_OPEN)
    RequestStatus.PAID -> word(Word.REQUEST_PAID)
    RequestStatus.DECLINED -> word(Word.REQUEST_DECLINED)
}

/** Where a command waiting to be sent is, in words. */
@Composable
@ReadOnlyComposable
fun outboxStateLabel(state: OutboxState): String = when (state) {
    OutboxState.PENDING -> word(Word.OUTBOX_PENDING)
    OutboxState.SENDING -> word(Word.OUTBOX_SENDING)
    OutboxState.DONE -> word(Word.OUTBOX_DONE)
    OutboxState.FAILED -> word(Word.OUTBOX_FAILED)
}

/** "+" for money that came in, "−" for money that went out. */
fun ActivityItem.sign(): String = when (direction) {
    Direction.IN -> "+"
    Direction.OUT -> "−"
}
