package app.danbao.wallet.ui

import app.danbao.core.client.ActivityItem
import app.danbao.core.domain.Direction

// The closed sets the core gives as enums come with their words from the core's catalogue
// (`OrderSummary.roleLabel`, `RequestView.statusLabel`, `OutboxItem.stateLabel`), so the
// screens keep no table of them. What is left here is a sign, not a word: the `when` is
// exhaustive, so a new direction in the core fails this build instead of showing nothing.

/** "+" for money that came in, "−" for money that went out. */
fun ActivityItem.sign(): String = when (direction) {
    Direction.IN -> "+"
    Direction.OUT -> "−"
}
