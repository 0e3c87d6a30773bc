# Danbao wallet core — English (the fallback: every message is here).
# Arguments are filled by Fluent; amounts arrive already formatted for the locale.

## People

party-name-handle = { $name } (@{ $handle })
party-handle = @{ $handle }
party-unknown = someone

## Activity rows

activity-p2p-out = Sent to { $who }
activity-p2p-in = Received from { $who }
activity-merchant-out = Paid { $who }
activity-merchant-in = Payment from { $who }
activity-paycode-out = Paid { $who } with the payment code
activity-paycode-in = Charged { $who }'s payment code
activity-request-out = Paid { $who }'s request
activity-request-in = { $who } paid your request
activity-top-up = Top-up
activity-withdrawal = Withdrawal requested: on its way to your bank
activity-withdrawal-paid-out = Withdrawal paid out to your bank (transfer { $reference })
activity-withdrawal-returned = Withdrawal failed and returned to your wallet: { $reason }
activity-deposit = Deposit from your bank
activity-paycode-guessed = Someone tried to charge your payment code with wrong codes; it is paused for a while. If you did not show it to anyone, make a fresh one.
activity-escrow-hold-out = Paid into escrow
activity-escrow-hold-out-memo = Paid into escrow: { $memo }
activity-escrow-hold-in = { $who } paid into escrow
activity-escrow-hold-in-memo = { $who } paid into escrow: { $memo }
activity-escrow-release-out = Released to { $who }
activity-escrow-release-out-memo = Released to { $who }: { $memo }
activity-escrow-release-in = Released to you by { $who }
activity-escrow-release-in-memo = Released to you by { $who }: { $memo }
activity-escrow-refund-out = Refunded to { $who }
activity-escrow-refund-out-memo = Refunded to { $who }: { $memo }
activity-escrow-refund-in = Refund from { $who }
activity-escrow-refund-in-memo = Refund from { $who }: { $memo }
activity-unreadable = Unreadable { $kind } entry
activity-other-in = { $kind } (in)
activity-other-out = { $kind } (out)

## Order states, per role

order-state-awaiting-payment-seller = Waiting for the buyer to pay
order-state-awaiting-payment-buyer = Waiting for your payment
order-state-paid-seller = Paid into escrow: ship it
order-state-paid-buyer = Paid into escrow: waiting for the seller to ship
order-state-shipped-seller = Shipped: waiting for the buyer to confirm receipt
order-state-shipped-buyer = Shipped: confirm receipt when it arrives
order-state-refund-requested-seller = The buyer asks for a refund: accept or reject it
order-state-refund-requested-buyer = Refund requested: waiting for the seller
order-state-disputed = In dispute: Danbao support decides
order-state-completed-seller = Completed: the money is yours
order-state-completed-buyer = Completed: the money went to the seller
order-state-cancelled = Cancelled
order-state-refunded = Refunded
# A state this version does not know, by its name.
order-state-other = { $state }

## Order states in one word (outcome messages)

order-state-word-awaiting-payment = awaiting payment
order-state-word-paid = paid
order-state-word-shipped = shipped
order-state-word-refund-requested = refund requested
order-state-word-disputed = disputed
order-state-word-completed = completed
order-state-word-cancelled = cancelled
order-state-word-refunded = refunded

## When the order's timer fires

order-deadline-awaiting-payment = Closes unpaid { $when }
order-deadline-shipped = Confirms automatically { $when }
order-deadline-refund-requested = The seller must answer { $when }
order-deadline-other = Next step { $when }

## Order buttons

order-button-pay = Pay into escrow
order-button-confirm = Confirm receipt
order-button-cancel = Cancel the order
order-button-ship = Mark as shipped
order-button-refund-request = Ask for a refund
order-button-refund-accept = Accept the refund
order-button-refund-reject = Reject the refund (opens a dispute)

## Outbox: what a command does

command-send = Send { $amount } to @{ $to }
command-pay-code = Pay { $payee } { $amount }
command-pay-code-no-amount = Pay { $payee }
command-pay-order = Pay { $payee } into escrow
command-charge = Charge { $amount } to a payment code
command-request-accept = Pay request { $id }
command-request-decline = Decline request { $id }
command-order-confirm = Confirm receipt of order { $order }
command-order-cancel = Cancel order { $order }
command-order-pay = Pay order { $order } into escrow
command-order-ship = Mark order { $order } shipped ({ $carrier } { $tracking })
command-order-refund-request = Ask for { $amount } back on order { $order }
command-order-refund-accept = Accept the refund request on order { $order }
command-order-refund-reject = Reject the refund request on order { $order }
command-order-other = { $action } order { $order }
command-other = { $kind } ({ $method } { $path })
command-unreadable = { $request } (not readable by this version)
code-label-order = order { $order }
code-label-unknown = a scanned code

## Outcomes

outcome-sent = Sent { $amount } to @{ $to }
outcome-paid-code = Paid { $amount } to { $payee }
outcome-charged = Charged { $amount } to { $payer }
outcome-request-paid = Paid { $amount } to { $requester } (request { $id })
outcome-request-declined = Declined { $requester }'s request { $id } for { $amount }
outcome-order-paid = Paid { $amount } into escrow for “{ $title }” ({ $id }); the order is now { $state }
outcome-order-confirm = Confirmed receipt of “{ $title }” ({ $id }); the order is now { $state }
outcome-order-cancel = Cancelled “{ $title }” ({ $id }); the order is now { $state }
outcome-order-ship = Marked shipped: “{ $title }” ({ $id }); the order is now { $state }
outcome-order-refund-request = Asked for a refund on “{ $title }” ({ $id }); the order is now { $state }
outcome-order-refund-accept = Accepted the refund on “{ $title }” ({ $id }); the order is now { $state }
outcome-order-refund-reject = Rejected the refund on “{ $title }” ({ $id }); the order is now { $state }
outcome-order-other = Updated “{ $title }” ({ $id }); the order is now { $state }
outcome-other = { $kind }: done
outcome-refused = Refused: { $detail }
outcome-queued = queued: waiting to be sent
outcome-queued-error = queued: { $error }

## Server refusals by problem code. English shows the server's own sentence (`detail`);
## a catalogue may show `reason`, the problem-… message of the code, instead.

outcome-refused-problem = Refused: { $detail } ({ $code })
problem-amount_mismatch = The amount differs from the code's amount
problem-amount_required = This code needs an amount
problem-amount_too_large = The amount is too large
problem-code_expired = This code has expired
problem-code_not_yet_valid = This code is not valid yet
problem-code_signature_invalid = This code's signature is not genuine
problem-code_unknown_key = This code was signed by an unknown key
problem-code_unsigned = This code carries an amount but no signature
problem-code_used = This code was already used
problem-confirmation_required = The amount needs the payer's confirmation
problem-illegal_transition = The order does not allow this step now
problem-insufficient_funds = Not enough money in the wallet
problem-invalid_amount = The amount is not valid
problem-invalid_code = This is not a valid code
problem-invalid_currency = The currency is not valid
problem-memo_too_long = The memo is too long
problem-not_an_order_code = This is not an order code
problem-order_code = An order code is paid into escrow, not as a payment
problem-order_not_payable = This order can no longer be paid
problem-payment_code_expired = The payment code has expired
problem-payment_code_not_yet_valid = The payment code is not valid yet
problem-payment_code_rejected = The payment code was rejected
problem-payment_code_used = The payment code was already used
problem-request_not_open = The request is no longer open
problem-same_account = You cannot pay yourself
problem-too_many_attempts = Too many attempts; try again later
problem-unknown_order = There is no such order
problem-unknown_payee = The payee is unknown
problem-unknown_request = There is no such request
problem-unknown_user = There is no user with this handle
problem-wrong_party = This order or request belongs to someone else

## Scanning

scan-payment-code = this is a customer's payment code: a merchant charges it (charge_payment_code); it cannot be paid from a wallet
scan-foreign = { $description }: this wallet pays Danbao codes only
scan-foreign-scheme = { $scheme }, { $country }
scan-unknown-network = an unknown network
scan-unknown-network-country = an unknown network, { $country }
scan-name-warning = The code says “{ $printed }”, but it pays { $name } (@{ $handle }). Pay only if that is who you mean to pay.

## Errors of the wallet's calls (the public errors' messages)

error-not-signed-up = this wallet is not signed up yet: call sign_up first
error-already-signed-up = this wallet is already signed up as @{ $handle }; one database holds one user (open another database file for another user)
error-invalid-input = invalid { $field }: { $reason }
error-server = the server refused it ({ $status } { $code }): { $detail }
error-offline = offline: { $detail }
error-storage = local storage: { $detail }
error-secrets = secrets: { $detail }
error-code = code refused: { $detail }
error-protocol = protocol: { $detail }
error-not-ready = { $detail }
error-paycode-outdated = Payment codes on this phone use an older layout that shops no longer accept. Go online once so the app updates them, then show a fresh code.
error-paycode-masks-ran-out = This phone can show payment codes offline for 3 days after it was last online, and that time is up. Go online once so the app refreshes them, then show a fresh code.

## Argument names in errors

field-amount = amount
field-currency = currency
field-handle = handle
field-display_name = display_name
field-locale = locale
field-memo = memo
field-note = note
field-code = code
field-limit = limit
field-to = to
field-title = title
field-carrier = carrier
field-tracking = tracking
field-server_url = server_url
scan-invalid-reason = { $reason }
scan-refused = the server refused this code: { $detail } ({ $code })
