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
activity-device-added = The device “{ $name }” was added to your account. If you did not add it, revoke it now from Devices.
activity-device-revoked = The device “{ $name }” was removed from your account
activity-escrow-hold-out = Paid into escrow
activity-escrow-hold-out-memo = Paid into escrow: { $memo }
activity-escrow-hold-in = { $who } paid into escrow
activity-escrow-hold-in-memo = { $who } paid into escrow: { $memo }
activity-escrow-release-out = Released to { $who }
activity-escrow-release-out-memo = Released to { $who }: { $memo }
activity-escrow-release-in = Released to you by { $who }
activity-escrow-release-in-memo = Released to you by { $who }: { $memo }
activity-escrow-release-fee = { $title } (platform fee { $fee }, you received { $net })
activity-payment-fee = { $title } (platform fee { $fee }, you received { $net })
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

## Order states in one word (outcome messages)

order-state-word-awaiting-payment = awaiting payment
order-state-word-paid = paid
order-state-word-shipped = shipped
order-state-word-refund-requested = refund requested
order-state-word-disputed = disputed
order-state-word-completed = completed
order-state-word-cancelled = cancelled
order-state-word-refunded = refunded

## Closed sets in one word: the side of an order (OrderSummary.role_label), a money
## request's status (RequestView.status_label), an outbox row's state (OutboxItem.state_label)

order-role-buyer = buyer
order-role-seller = seller
order-role-operator = operator
order-role-timer = timer
request-status-open = open
request-status-paid = paid
request-status-declined = declined
outbox-state-pending = waiting to send
outbox-state-sending = sending
outbox-state-done = sent
outbox-state-failed = refused

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
outcome-queued-error = queued: cannot reach the server; it is sent when the connection is back

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
problem-wrong_actor = This request is not one this kind of account can make
problem-account_exists = The account already exists
problem-account_not_found = There is no such account
problem-bad_idempotency_key = The request key is not valid
problem-bad_signature = The request's signature is not valid
problem-body_too_large = The request is too large
problem-code_mismatch = This code belongs to another order
problem-code_not_genuine = This code is not genuine
problem-currency_mismatch = The currencies do not match
problem-deadline_passed = The deadline for this step has passed
problem-deposit_ref_conflict = This deposit reference was already used for another deposit
problem-handle_taken = This handle is already taken; choose another
problem-idempotency_key_expired = The request is too old to be sent again; start it anew
problem-idempotency_key_reused = The request key was already used for another request
problem-internal_error = The server failed; nothing was changed
problem-invalid_advance = The clock step is not valid
problem-invalid_body = The request is not valid
problem-invalid_code_request = The code cannot be made with these values
problem-invalid_cursor = The list position is not valid
problem-invalid_display_name = The name is not valid
problem-invalid_expiry = The expiry time is not valid
problem-invalid_external_ref = The reference is not valid
problem-invalid_handle = The handle is not valid: use lowercase letters, digits, "_" and ".", starting with a letter
problem-invalid_limit = The number of rows is not valid
problem-invalid_path = The address is not valid
problem-invalid_payment_code = This is not a valid payment code
problem-invalid_public_key = The device's key is not valid
problem-invalid_query = The request is not valid
problem-invalid_text = The text is not valid
problem-invalid_window = The time window is not valid
problem-invisible_characters = The text contains characters a reader cannot see; remove them
problem-missing_idempotency_key = The request has no request key
problem-missing_signature = The request is not signed
problem-no_such_route = The server does not know this request; update the app
problem-operator_only = Only the operator may do this
problem-overloaded = The server is busy; try again shortly
problem-invalid_merchant_change = This merchant change does not fit its action
problem-invalid_payout_ref = The payout reference is not valid
problem-invalid_reason = The reason is not valid
problem-invalid_status = This is not a withdrawal status
problem-paycode_not_provisioned = Payment codes are not set up on this device yet
problem-payment_code_outdated = This payment code has the old layout; the customer's app must go online once to update it
problem-payout_ref_conflict = This withdrawal was paid out under another reference
problem-payouts_pending = The payout account cannot cover this
problem-unknown_merchant = This account is not an enrolled merchant
problem-unknown_withdrawal = There is no such withdrawal
problem-withdrawal_paid_out = This withdrawal was already paid out
problem-withdrawal_returned = This withdrawal was already returned to the wallet
problem-withdrawal_settled = This withdrawal is already settled
problem-document_unavailable = The server could not produce its API description; try again shortly
problem-pending_transfer_conflict = The transfer conflicts with one in progress
problem-public_key_taken = This device is already registered to another user
problem-rate_limited = Too many requests; try again shortly
problem-render_failed = The QR code could not be drawn
problem-replayed_request = This request was already received
problem-request_timeout = The request took too long; try again
problem-sandbox_off = Test money is switched off on this server
problem-stale_request = The request's time is too far from the server's; check the device's clock
problem-storage_unavailable = The server cannot store this now; it is retried automatically
problem-transfer_id_reused = The transfer number was already used
problem-unknown_device = No such device is registered to your account
# A code this version has no sentence for (the server's detail goes to the log).
problem-other = The server refused it
problem-insufficient_funds-amount = Not enough money in the wallet to pay { $amount }

## Scanning

scan-payment-code = this is a customer's payment code: a merchant charges it (charge_payment_code); it cannot be paid from a wallet
scan-foreign = { $networks }: this wallet pays Danbao codes only
scan-foreign-scheme = { $scheme }, { $country }
scan-unknown-network = an unknown network
scan-unknown-network-country = an unknown network, { $country }
scan-name-warning = The code says “{ $printed }”, but it pays { $name } (@{ $handle }). Pay only if that is who you mean to pay.

## Errors of the wallet's calls (the public errors' messages)

error-not-signed-up = this wallet is not signed up yet: call sign_up first
error-already-signed-up = this wallet is already signed up as @{ $handle }; one database holds one user (open another database file for another user)
error-invalid-input = invalid { $field }: { $reason }
error-server = the server refused it ({ $status } { $code }): { $detail }
error-offline = offline: the server cannot be reached; check the connection (queued commands are sent when it is back)
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
field-id = id
field-body = body
field-action = action
field-body_amount = body.amount
field-body_carrier = body.carrier
field-body_tracking = body.tracking
field-to_handle = to_handle
field-payment_code = payment_code
field-spki_pins = spki_pins
field-time_zone = time_zone
field-utc_offset_minutes = utc_offset_minutes
# An argument without a name of its own here.
field-other = { $field }
scan-invalid-reason = { $reason }
scan-refused = the server refused this code: { $detail } ({ $code })

## Payment networks of foreign codes, by registry id

network-danbao = Danbao
network-pix = Pix
network-promptpay = PromptPay
network-paynow = PayNow
network-sgqr = SGQR
network-fps = FPS (Faster Payment System)
network-vietqr = VietQR
network-upi = UPI
network-qris = QRIS
network-duitnow = DuitNow
network-nets = NETS
network-shopeepay = ShopeePay
network-qrph = QR Ph
network-visa = Visa
network-mastercard = Mastercard
network-discover = Discover
network-amex = American Express
network-jcb = JCB
network-unionpay = UnionPay

## The wallet's own checks of what was typed (reasons of error-invalid-input)

input-detail = { $detail }
input-locale = “{ $tag }” is not a BCP 47 language tag ({ $detail }); use e.g. zh-Hans-CN or en-US
input-time-zone = “{ $zone }” is not a time zone of the tz database; pass an IANA name such as Asia/Shanghai or Europe/Berlin (the device's zone id)
input-utc-offset = a UTC offset of { $minutes } minutes is outside ±1080 (±18 hours); pass the device's offset, e.g. 480 for China
input-server-url-other = this wallet is registered with { $registered }, not { $given }; open it with that URL or use another database file
input-handle-empty = it is empty; choose { $min }–{ $max } characters of a-z, 0-9, '_' and '.', starting with a letter
input-display-name-empty = it is empty; give the name payers should see (1–{ $max } characters)
input-friend-handle-empty = it is empty; give the friend's handle, e.g. "bob"
input-too-long = it has { $chars } characters; at most { $max } are allowed
input-invisible = it contains { $kind } U+{ $point } at character { $position }; remove it (text may not hide characters from the reader)
input-length = it has { $chars } characters; give 1–{ $max }
input-order-id-empty = it is empty; give an order id (ord_…)
input-body-not-taken = { $action } takes no body; got { $body }
input-order-action = "{ $action }" is not an order action; use confirm, cancel, pay, refund-request, refund-accept, refund-reject or ship
input-refund-amount-text = { $given } is not decimal text; give the amount as a string, e.g. "5.00"
input-refund-amount-missing = refund-request needs {"{"}"amount": "…"{"}"}: how much to ask back
input-refund-too-much = { $asked } is more than the order's { $paid }; ask for at most the amount paid
input-ship-body = ship needs {"{"}"carrier": "…", "tracking": "…"{"}"}
input-send-to-self = @{ $to } is this wallet; send to someone else
input-request-id = { $id } is not a request id; ids are positive
input-limit-zero = it is 0; ask for 1 to { $max } rows
input-payment-code = { $detail }
input-approval-code-length = an approval code has { $chars } letters and digits; this has { $found }
input-approval-code-character = “{ $found }” cannot be part of an approval code (letters and digits only, no U)
input-device-name = give this device a name of 1–{ $max } characters
money-unknown-currency = unknown currency "{ $code }": expected an ISO 4217 code such as "CNY" or "156"
money-not-payable = currency { $code } has no minor unit in ISO 4217 and cannot carry payment amounts
money-empty = amount is empty: expected digits such as "12.50"
money-invalid-character = amount "{ $text }" has '{ $found }' at position { $position }: only digits and one '.' are allowed
money-sign = amount "{ $text }" has a sign: expected an unsigned amount such as "12.50"
money-missing-digits = amount "{ $text }" needs digits on both sides of the decimal point, e.g. "0.50"
money-too-many-decimals = amount { $text } has { $decimals } decimals; { $currency } allows { $allowed }
money-too-large = amount { $text } is too large: the most is { $max }
money-currency-mismatch = cannot combine { $left } with { $right }: amounts must be in one currency
money-arithmetic-overflow = { $detail }
amount-not-positive = { $amount } is not more than zero; enter a positive amount such as "12.50"
amount-mismatch = the code asks for { $fixed }; you entered { $given } (leave the amount out to pay the code's amount)
amount-required = this code has no amount: enter how much to pay in { $currency }, e.g. "12.50"

## Codes that cannot be used, and steps needed first

code-unclassified = the code could not be classified
code-refused = the server refused this code: { $detail } ({ $code })
code-foreign = this is another payment network's code: this wallet pays Danbao codes only
code-cannot-draw = the code cannot be drawn as a QR code: { $detail }
code-payment-code-invalid = { $detail }
not-ready-payment-code = payment codes are not enabled on this device: call enable_payment_code once (it needs the network)
## Devices

device-this = { $name } (this device)
device-active = Added { $added } · last active { $seen }
device-revoked = Added { $added } · revoked { $revoked }
device-approval-instructions = On the new device, choose “Add to an existing account” and scan this code or type it. It works once, for { $minutes } minutes.
device-approval-expires = Valid until { $when }
field-device_name = device name
problem-device_revoked = This device was removed from your account; add it again from one of your active devices
problem-last_device = This is your only active device; add another device before removing it
problem-approval_code_invalid = This approval code is not valid; check it, or ask your other device for a new one
problem-approval_code_expired = This approval code has expired; ask your other device for a new one
problem-approval_code_used = This approval code was already used; ask your other device for a new one
problem-too_many_approval_codes = Too many approval codes are open; use one or wait a few minutes
problem-invalid_device_name = The device name is not valid
## The payee on a confirm screen (issue 12 point 2)
payee-verified = Verified merchant: { $name }
payee-look-alike-verified = Not a verified merchant: the name “{ $name }” (@{ $handle }) only looks like a verified merchant's name. Check the handle before you pay.
payee-look-alike = Another account has a name that looks like “{ $name }”. Check that @{ $handle } is who you mean to pay.
payee-first-payment = You have never paid @{ $handle } before. Check the name and handle before you pay.
problem-merchant_not_enrolled = This account is not an enrolled merchant; ask the operator to enrol it
problem-merchant_disabled = This merchant was switched off by the operator
problem-invalid_scope = This API key scope is unknown; use orders:write, orders:read, refunds:write, reports:read or webhooks:write
problem-too_many_api_keys = This merchant holds the most API keys allowed; revoke unused ones first
problem-unknown_api_key = There is no such API key on this account
problem-api_key_revoked = This API key was revoked; create a new one
problem-invalid_api_key = The API key is not valid; check it was copied whole and was not rotated or revoked
problem-missing_api_key = This request needs a merchant API key
problem-missing_scope = This API key may not do that; create a key with the scope it needs
problem-reference_conflict = This order reference already names another order
problem-invalid_reference = The order reference is not valid
problem-invalid_metadata = The order's metadata is not valid
problem-invalid_line_items = The order's line items are not valid
problem-line_items_mismatch = The line items do not add up to the order's amount
problem-invalid_fee_schedule = The fee schedule is not valid
problem-invalid_webhook_url = The webhook URL is not valid; use an https:// address
problem-invalid_webhook_events = The webhook event types are not valid
problem-too_many_webhook_endpoints = This merchant has the most webhook endpoints allowed
problem-unknown_webhook_endpoint = There is no such webhook endpoint on this account
problem-unknown_webhook_delivery = There is no such webhook delivery on this account
problem-display_name_confusable = This name looks like a verified merchant's name; choose another
