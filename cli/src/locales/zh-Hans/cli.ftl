# danbao 命令行自己的文字（简体中文）。钱包记录由核心按所选语言给出。

balance-none = 还没有余额。
balance-line = { $currency }  可用 { $available }   担保中 { $held }   待收 { $incoming }
activity-none = 没有账单。
activity-more = 更多：danbao activity --cursor { $cursor }
sync-none = 已是最新。
sync-changed = 已同步：{ $changes } 有变化。
outbox-nothing = 没有等待发送的操作：每个操作都已得到答复。
outbox-waiting = { $count } 个操作等待服务器（`danbao outbox flush` 会重新发送）。
outbox-recent = 最近的操作（从新到旧）：
outbox-attempts = 已尝试 { $count } 次
outbox-flush-none = 没有要发送的操作。
queued = 已排队：操作 { $id } 在待发送列表中等待。
queued-detail = { $message }；它连同幂等键保留在待发送列表中——`danbao outbox flush`（或任何同步）会重新发送且只生效一次；请勿重复操作

scan-merchant = 向商家付款
scan-order = 担保订单（付款至担保）
scan-friend = 向朋友付款
scan-payment-code = 付款码（由商家扣款，不能付款）
scan-foreign = 其他支付网络的二维码
scan-invalid = 不是有效的付款二维码
scan-pay-to = 收款人：  { $payee }
scan-warning = 警告：    { $warning }
scan-scheme = 网络：    { $scheme }
scan-amount = 金额：    { $amount }
scan-amount-needed = 金额：    需要输入金额（用 --amount 付款）
scan-amount-needed-in = 金额：    需要输入 { $currency } 金额（用 --amount 付款）
scan-order-id = 订单：    { $order }
scan-problem = 问题：    { $reason }
scan-payable = 可付款：  是 — danbao pay CODE
scan-payable-amount = 可付款：  是 — danbao pay CODE --amount AMOUNT
scan-not-payable = 可付款：  否

order-with = 对方 @{ $who }
order-you-can = [可执行：{ $actions }]
order-shipped = 已由 { $carrier } 发货，运单号 { $tracking }
order-refund-asked = 申请退款：{ $amount }
order-released = 付给卖家 { $amount }
order-refunded = 退还买家 { $amount }

device-add-code = 新设备的授权码：
device-joined = 已作为设备 { $device } 加入 @{ $handle }（{ $name }）· 配置 '{ $profile }'
device-join-profile-taken = 配置 '{ $profile }' 已在 { $server } 上有钱包；请用 `--profile 名称` 在新配置中加入
device-join-signed-up = 此配置已注册；请用新的 `--profile` 运行 `danbao device join`
device-revoked = 已移除设备 { $id }：此后它的请求和付款码都会被拒绝。
