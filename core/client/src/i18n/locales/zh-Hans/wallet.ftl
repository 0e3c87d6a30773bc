# 担保钱包核心 — 简体中文。每条消息都与英文目录一一对应（测试会检查）。
# 参数由 Fluent 填入；金额已按区域格式化。

## 人

party-name-handle = { $name }（@{ $handle }）
party-handle = @{ $handle }
party-unknown = 某人

## 账单记录

activity-p2p-out = 转账给 { $who }
activity-p2p-in = 收到 { $who } 的转账
activity-merchant-out = 付款给 { $who }
activity-merchant-in = 收到 { $who } 的付款
activity-paycode-out = 用付款码付款给 { $who }
activity-paycode-in = 扣款自 { $who } 的付款码
activity-request-out = 支付了 { $who } 的收款请求
activity-request-in = { $who } 支付了你的收款请求
activity-top-up = 充值
activity-withdrawal = 已申请提现，正在转入您的银行账户
activity-withdrawal-paid-out = 提现已转入您的银行账户（转账编号 { $reference }）
activity-withdrawal-returned = 提现未成功，款项已退回钱包：{ $reason }
activity-deposit = 银行转入
activity-paycode-guessed = 有人用错误的付款码尝试扣款，你的付款码已暂停使用一段时间。如果你没有把付款码给别人看过，请生成新的付款码。
activity-escrow-hold-out = 已付款至担保
activity-escrow-hold-out-memo = 已付款至担保：{ $memo }
activity-escrow-hold-in = { $who } 已付款至担保
activity-escrow-hold-in-memo = { $who } 已付款至担保：{ $memo }
activity-escrow-release-out = 已放款给 { $who }
activity-escrow-release-out-memo = 已放款给 { $who }：{ $memo }
activity-escrow-release-in = { $who } 已向你放款
activity-escrow-release-in-memo = { $who } 已向你放款：{ $memo }
activity-escrow-refund-out = 已退款给 { $who }
activity-escrow-refund-out-memo = 已退款给 { $who }：{ $memo }
activity-escrow-refund-in = 收到 { $who } 的退款
activity-escrow-refund-in-memo = 收到 { $who } 的退款：{ $memo }
activity-unreadable = 无法读取的记录（{ $kind }）
activity-other-in = { $kind }（收入）
activity-other-out = { $kind }（支出）

## 订单状态（按角色）

order-state-awaiting-payment-seller = 等待买家付款
order-state-awaiting-payment-buyer = 等待你付款
order-state-paid-seller = 已付款至担保：请发货
order-state-paid-buyer = 已付款至担保：等待卖家发货
order-state-shipped-seller = 已发货：等待买家确认收货
order-state-shipped-buyer = 已发货：收到货后请确认收货
order-state-refund-requested-seller = 买家申请退款：请同意或拒绝
order-state-refund-requested-buyer = 已申请退款：等待卖家处理
order-state-disputed = 争议中：由担保客服裁决
order-state-completed-seller = 交易完成：款项已归你
order-state-completed-buyer = 交易完成：款项已付给卖家
order-state-cancelled = 已取消
order-state-refunded = 已退款
order-state-other = 未知状态（{ $state }）

## 订单状态（一个词）

order-state-word-awaiting-payment = 待付款
order-state-word-paid = 已付款
order-state-word-shipped = 已发货
order-state-word-refund-requested = 退款申请中
order-state-word-disputed = 争议中
order-state-word-completed = 已完成
order-state-word-cancelled = 已取消
order-state-word-refunded = 已退款

## 订单计时

order-deadline-awaiting-payment = { $when }未付款将关闭
order-deadline-shipped = { $when }自动确认收货
order-deadline-refund-requested = 卖家须在{ $when }前处理
order-deadline-other = 下一步：{ $when }

## 订单按钮

order-button-pay = 付款至担保
order-button-confirm = 确认收货
order-button-cancel = 取消订单
order-button-ship = 标记为已发货
order-button-refund-request = 申请退款
order-button-refund-accept = 同意退款
order-button-refund-reject = 拒绝退款（将进入争议）

## 待发送：命令内容

command-send = 转账 { $amount } 给 @{ $to }
command-pay-code = 付款 { $amount } 给 { $payee }
command-pay-code-no-amount = 付款给 { $payee }
command-pay-order = 付款至担保：{ $payee }
command-charge = 从付款码扣款 { $amount }
command-request-accept = 支付收款请求 { $id }
command-request-decline = 拒绝收款请求 { $id }
command-order-confirm = 确认收货：订单 { $order }
command-order-cancel = 取消订单 { $order }
command-order-pay = 付款至担保：订单 { $order }
command-order-ship = 订单 { $order } 标记为已发货（{ $carrier } { $tracking }）
command-order-refund-request = 就订单 { $order } 申请退款 { $amount }
command-order-refund-accept = 同意订单 { $order } 的退款申请
command-order-refund-reject = 拒绝订单 { $order } 的退款申请
command-order-other = 订单 { $order }：{ $action }
command-other = 其他操作：{ $kind }（{ $method } { $path }）
command-unreadable = { $request }（此版本无法读取）
code-label-order = 订单 { $order }
code-label-unknown = 扫描到的二维码

## 结果

outcome-sent = 已转账 { $amount } 给 @{ $to }
outcome-paid-code = 已付款 { $amount } 给 { $payee }
outcome-charged = 已向 { $payer } 扣款 { $amount }
outcome-request-paid = 已支付 { $amount } 给 { $requester }（收款请求 { $id }）
outcome-request-declined = 已拒绝 { $requester } 的收款请求 { $id }（{ $amount }）
outcome-order-paid = 已付款 { $amount } 至担保：“{ $title }”（{ $id }），订单现在{ $state }
outcome-order-confirm = 已确认收货：“{ $title }”（{ $id }），订单现在{ $state }
outcome-order-cancel = 已取消：“{ $title }”（{ $id }），订单现在{ $state }
outcome-order-ship = 已标记发货：“{ $title }”（{ $id }），订单现在{ $state }
outcome-order-refund-request = 已申请退款：“{ $title }”（{ $id }），订单现在{ $state }
outcome-order-refund-accept = 已同意退款：“{ $title }”（{ $id }），订单现在{ $state }
outcome-order-refund-reject = 已拒绝退款：“{ $title }”（{ $id }），订单现在{ $state }
outcome-order-other = 已更新：“{ $title }”（{ $id }），订单现在{ $state }
outcome-other = { $kind }：已完成
outcome-refused = 被拒绝：服务器未接受此操作
outcome-queued = 已排队：等待发送
outcome-queued-error = 已排队：暂时无法连接服务器，联网后自动发送

## 服务器拒绝（按问题代码；服务器原句为英文，此处以 reason 代替）

outcome-refused-problem = 被拒绝：{ $reason }
problem-amount_mismatch = 金额与二维码中的金额不符
problem-amount_required = 此二维码需要输入金额
problem-amount_too_large = 金额过大
problem-code_expired = 此二维码已过期
problem-code_not_yet_valid = 此二维码尚未生效
problem-code_signature_invalid = 此二维码的签名不真实
problem-code_unknown_key = 此二维码由未知密钥签名
problem-code_unsigned = 此二维码带有金额但没有签名
problem-code_used = 此二维码已被使用
problem-confirmation_required = 该金额需要付款人确认
problem-illegal_transition = 订单当前不允许此操作
problem-insufficient_funds = 钱包余额不足
problem-invalid_amount = 金额无效
problem-invalid_code = 这不是有效的二维码
problem-invalid_currency = 币种无效
problem-memo_too_long = 备注过长
problem-not_an_order_code = 这不是订单二维码
problem-order_code = 订单二维码须付款至担保，而不是直接付款
problem-order_not_payable = 此订单已无法付款
problem-payment_code_expired = 付款码已过期
problem-payment_code_not_yet_valid = 付款码尚未生效
problem-payment_code_rejected = 付款码被拒绝
problem-payment_code_used = 付款码已被使用
problem-request_not_open = 该收款请求已结束
problem-same_account = 不能向自己付款
problem-too_many_attempts = 尝试次数过多，请稍后再试
problem-unknown_order = 订单不存在
problem-unknown_payee = 收款人不存在
problem-unknown_request = 收款请求不存在
problem-unknown_user = 没有使用此账号的用户
problem-wrong_party = 此订单或请求不属于你

## 扫码

scan-payment-code = 这是顾客的付款码：由商家扣款，不能从钱包付款
scan-foreign = 此钱包只能支付担保二维码（{ $description }）
scan-foreign-scheme = { $scheme }，{ $country }
scan-unknown-network = 未知的支付网络
scan-unknown-network-country = 未知的支付网络，{ $country }
scan-name-warning = 二维码上写的是“{ $printed }”，但实际收款人是 { $name }（@{ $handle }）。请确认这是你要付款的人再付款。

## 钱包调用的错误（公开错误的消息）

error-not-signed-up = 此钱包尚未注册：请先注册
error-already-signed-up = 此钱包已注册为 @{ $handle }；一个数据库只保存一个用户（其他用户请使用另一个数据库文件）
error-invalid-input = { $field }无效，请检查后重新输入（{ $reason }）
error-server = 服务器拒绝了此操作：{ $reason }
error-offline = 无法连接服务器，请稍后重试；已排队的操作会在联网后自动发送
error-storage = 本地存储出错（{ $detail }）
error-secrets = 密钥出错（{ $detail }）
error-code = 无法使用此二维码（{ $detail }）
error-protocol = 无法读取服务器的应答（{ $detail }）
error-not-ready = 请先完成上一步（{ $detail }）
error-paycode-outdated = 本机的付款码是旧版格式，商家已不再接受。请联网一次，应用会自动更新，然后再出示新的付款码。
error-paycode-masks-ran-out = 本机的付款码离线可用 3 天，现已用完。请联网一次，应用会自动更新，然后再出示新的付款码。

## 错误中的参数名

field-amount = 金额
field-currency = 币种
field-handle = 账号
field-display_name = 显示名称
field-locale = 语言区域
field-memo = 备注
field-note = 说明
field-code = 二维码
field-limit = 条数
field-to = 收款人
field-title = 标题
field-carrier = 快递公司
field-tracking = 运单号
field-server_url = 服务器地址
scan-invalid-reason = 这不是可以付款的二维码
scan-refused = 服务器拒绝了此二维码：{ $reason }
