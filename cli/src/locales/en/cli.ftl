# The danbao CLI's own words (English, the fallback). The wallet's records arrive already in
# the chosen language from the core's catalogues.

balance-none = No money yet.
balance-line = { $currency }  available { $available }   held in escrow { $held }   incoming { $incoming }
activity-none = No activity.
activity-more = more: danbao activity --cursor { $cursor }
sync-none = Up to date.
sync-changed = Synced: { $changes } changed.
outbox-nothing = Nothing waiting: every command has been answered.
outbox-waiting = { $count } waiting for the server (`danbao outbox flush` resends them).
outbox-recent = Recent commands, newest first:
outbox-attempts = { $count ->
    [one] { $count } attempt
   *[other] { $count } attempts
}
outbox-flush-none = Nothing to send.
queued = Queued: command { $id } waits in the outbox.
queued-detail = { $message }; it stays in the outbox with its idempotency key — `danbao outbox flush` (or any sync) resends it and it applies once; do not issue it again

scan-merchant = Merchant payment
scan-order = Danbao order (paid into escrow)
scan-friend = Pay a friend
scan-payment-code = A payment code (a merchant charges it; it cannot be paid)
scan-foreign = Foreign payment code
scan-invalid = Not a valid payment code
scan-pay-to = Pay to:    { $payee }
scan-warning = WARNING:   { $warning }
scan-scheme = Scheme:    { $scheme }
scan-amount = Amount:    { $amount }
scan-amount-needed = Amount:    amount needed (pay with --amount)
scan-amount-needed-in = Amount:    amount needed in { $currency } (pay with --amount)
scan-order-id = Order:     { $order }
scan-problem = Problem:   { $reason }
scan-payable = Payable:   yes — danbao pay CODE
scan-payable-amount = Payable:   yes — danbao pay CODE --amount AMOUNT
scan-not-payable = Payable:   no

order-with = with @{ $who }
order-you-can = [you can: { $actions }]
order-shipped = shipped with { $carrier }, tracking { $tracking }
order-refund-asked = refund asked: { $amount }
order-released = { $amount } to the seller
order-refunded = { $amount } back to the buyer

device-add-code = Approval code for a new device:
device-joined = Joined @{ $handle } ({ $name }) as device { $device } · profile '{ $profile }'
device-join-profile-taken = profile '{ $profile }' already has a wallet on { $server }; join from a new profile with `--profile NAME`
device-join-signed-up = this profile is already signed up; run `danbao device join` with a new `--profile`
device-revoked = Revoked device { $id }: its requests and payment codes are refused from now on.
