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

## Errors and messages of the CLI itself (paths and system errors are shown as the system gives them)

warning-locale = warning: “{ $tag }” is not a BCP 47 language tag; using English
signup-profile-taken = profile '{ $profile }' already has a wallet on { $url }; choose another profile with `--profile NAME`
signup-already = profile '{ $profile }' is already signed up as @{ $handle } on { $url }
signup-done = Signed up @{ $handle } ({ $name }) on { $url }
    user { $user } · device { $device } · profile '{ $profile }' in { $dir }
sync-failed-cached = showing cached data; sync failed: { $error }
profile-not-signed-up = this wallet has not signed up; run `danbao signup` first
profile-line = @{ $handle }  { $name }
    user { $user } · device { $device } · { $url }
sandbox-which-server = which server? pass --server URL (profile '{ $profile }' has no wallet to take it from)
sandbox-token-unreadable = cannot read the operator token from { $path }: { $error }
sandbox-token-needed = the operator token is needed: pass --operator-token TOKEN, --operator-token-file <db>.operator-token, or set DANBAO_OPERATOR_TOKEN
sandbox-refused = top-up refused: { $error }
sandbox-done = Topped up @{ $handle } with { $amount }; available now { $available }
stdin-unreadable = cannot read standard input: { $error }
stdin-not-utf8 = standard input is not UTF-8 text: { $error }
svg-unwritable = cannot write the SVG to { $path }: { $error }
code-unwritable = cannot write the code to { $path }: { $error }
order-next-deadline = (next deadline { $when })
orders-none = No orders.
order-created = Order { $id }: { $title } for { $amount }
    Order code: { $code }
order-pay-before = Pay before: { $when }
file-svg = SVG:     { $path }
file-text = Text:    { $path }
scan-cannot-pay = this code cannot be paid from a Danbao wallet
list-separator = {"; "}
scan-not-payable-why = not payable: { $why }
request-sent = Request { $id } sent: @{ $payer } asked to pay { $amount }
request-sent-note = Request { $id } sent: @{ $payer } asked to pay { $amount } for "{ $note }"
receive-code = Receive code: { $code }
receive-amount = Amount:  { $amount }
receive-amount-open = Amount:  the payer enters it
receive-expires = Expires: { $when }
clock-before-1970 = the system clock is before 1970; set the clock
payment-code = Payment code: { $digits }
    Valid for { $seconds } s more (refreshes every 60 s; works offline)
home-unknown = cannot tell where to keep wallets: HOME is not set; pass --home DIR or set DANBAO_HOME
profile-url-empty = { $path } is empty; it should hold the server URL this wallet signed up with
profile-no-wallet = profile '{ $profile }' has no wallet yet (no { $path }); create one with `danbao --profile { $profile } signup --server URL --handle HANDLE --name "Your Name"`
file-unreadable = cannot read { $path }: { $error }
profile-url-unwritable = signed up, but cannot record the server URL in { $path }: { $error }
profile-dir-uncreatable = cannot create the profile directory { $path }: { $error }
keystore-unopenable = cannot open the key store { $path }: { $error }
wallet-unopenable = cannot open the wallet
profile-name-invalid = profile name "{ $name }" is not allowed: use 1–64 letters, digits, '-' or '_' (not starting with '-'), e.g. alice
runtime-unstartable = cannot start the async runtime: { $error }
not-a-wallet-command = internal: this command is not a wallet command
encode-failed = danbao qr encode: { $message }
encode-option-invalid = { $option }: { $error }
encode-ttl-too-large = --ttl { $ttl } is too large
encode-needs-signature = { $kind } codes with an amount or an order must be signed: pass --key-file FILE (make one with `danbao qr encode keygen --out FILE`)
encode-key-unreadable = cannot read key file { $path }: { $error }
encode-key-invalid = key file { $path }: { $error }
encode-key-id-invalid = --key-id: { $error }
encode-refused = { $error }
stdout-unwritable = cannot write to standard output: { $error }
file-exists = { $path } exists; pass --force to replace it
file-uncreatable = cannot create { $path }: { $error }
file-unwritable = cannot write { $path }: { $error }
device-add-code = Approval code for a new device:
device-joined = Joined @{ $handle } ({ $name }) as device { $device } · profile '{ $profile }'
device-join-profile-taken = profile '{ $profile }' already has a wallet on { $server }; join from a new profile with `--profile NAME`
device-join-signed-up = this profile is already signed up; run `danbao device join` with a new `--profile`
device-revoked = Revoked device { $id }: its requests and payment codes are refused from now on.
