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
activity-device-added = 设备“{ $name }”已添加到你的账户。如果不是你本人添加的，请立即在“设备”中将其移除。
activity-device-revoked = 设备“{ $name }”已从你的账户中移除
activity-escrow-hold-out = 已付款至担保
activity-escrow-hold-out-memo = 已付款至担保：{ $memo }
activity-escrow-hold-in = { $who } 已付款至担保
activity-escrow-hold-in-memo = { $who } 已付款至担保：{ $memo }
activity-escrow-release-out = 已放款给 { $who }
activity-escrow-release-out-memo = 已放款给 { $who }：{ $memo }
activity-escrow-release-in = { $who } 已向你放款
activity-escrow-release-in-memo = { $who } 已向你放款：{ $memo }
activity-escrow-release-fee = { $title }（平台服务费 { $fee }，实收 { $net }）
activity-payment-fee = { $title }（平台服务费 { $fee }，实收 { $net }）
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

## 订单状态（一个词）

order-state-word-awaiting-payment = 待付款
order-state-word-paid = 已付款
order-state-word-shipped = 已发货
order-state-word-refund-requested = 退款申请中
order-state-word-disputed = 争议中
order-state-word-completed = 已完成
order-state-word-cancelled = 已取消
order-state-word-refunded = 已退款

## 一个词的封闭集合：订单中的身份、收款请求的状态、待发送命令的状态

order-role-buyer = 买家
order-role-seller = 卖家
order-role-operator = 运营方
order-role-timer = 计时器
request-status-open = 待处理
request-status-paid = 已支付
request-status-declined = 已拒绝
outbox-state-pending = 等待发送
outbox-state-sending = 发送中
outbox-state-done = 已发送
outbox-state-failed = 被拒绝

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
problem-wrong_actor = 此类账户不能发出这个请求
problem-account_exists = 账户已存在
problem-account_not_found = 账户不存在
problem-bad_idempotency_key = 请求编号无效
problem-bad_signature = 请求签名无效
problem-body_too_large = 请求内容过大
problem-code_mismatch = 此二维码属于另一个订单
problem-code_not_genuine = 此二维码不是真的
problem-currency_mismatch = 币种不一致
problem-deadline_passed = 此步骤的期限已过
problem-deposit_ref_conflict = 此存款编号已用于另一笔存款
problem-handle_taken = 此账号已被使用，请换一个
problem-idempotency_key_expired = 请求已过期，请重新操作
problem-idempotency_key_reused = 请求编号已用于另一个请求
problem-internal_error = 服务器出错，未做任何更改
problem-invalid_advance = 时钟调整无效
problem-invalid_body = 请求内容无效
problem-invalid_code_request = 无法用这些内容生成二维码
problem-invalid_cursor = 列表位置无效
problem-invalid_display_name = 名称无效
problem-invalid_expiry = 有效期无效
problem-invalid_external_ref = 参考编号无效
problem-invalid_handle = 账号无效：只能使用小写字母、数字、下划线和点，并以字母开头
problem-invalid_limit = 条数无效
problem-invalid_path = 地址无效
problem-invalid_payment_code = 这不是有效的付款码
problem-invalid_public_key = 设备密钥无效
problem-invalid_query = 请求无效
problem-invalid_text = 文字内容无效
problem-invalid_window = 时间范围无效
problem-invisible_characters = 文字中含有看不见的字符，请删除
problem-missing_idempotency_key = 请求缺少请求编号
problem-missing_signature = 请求没有签名
problem-no_such_route = 服务器不认识此请求，请更新应用
problem-operator_only = 只有运营方可以执行此操作
problem-overloaded = 服务器繁忙，请稍后再试
problem-invalid_merchant_change = 此商户变更与所选操作不符
problem-invalid_payout_ref = 打款凭证号无效
problem-invalid_reason = 原因无效
problem-invalid_status = 这不是提现状态
problem-paycode_not_provisioned = 此设备尚未开通付款码
problem-payment_code_outdated = 此付款码是旧版格式，顾客的应用需联网一次进行更新
problem-payout_ref_conflict = 此提现已用另一个凭证号打款
problem-payouts_pending = 待打款账户余额不足
problem-unknown_merchant = 此账户不是已登记的商户
problem-unknown_withdrawal = 没有这笔提现
problem-withdrawal_paid_out = 此提现已打款
problem-withdrawal_returned = 此提现已退回钱包
problem-withdrawal_settled = 此提现已处理完毕
problem-document_unavailable = 服务器暂时无法生成接口说明，请稍后再试
problem-pending_transfer_conflict = 此转账与进行中的转账冲突
problem-public_key_taken = 此设备已注册给另一个用户
problem-rate_limited = 请求过于频繁，请稍后再试
problem-render_failed = 无法生成二维码图像
problem-replayed_request = 此请求已收到过
problem-request_timeout = 请求超时，请重试
problem-sandbox_off = 此服务器未开启测试资金
problem-stale_request = 请求时间与服务器相差太大，请检查设备时间
problem-storage_unavailable = 服务器暂时无法保存，将自动重试
problem-transfer_id_reused = 转账编号已被使用
problem-unknown_device = 您的账户中没有这台设备
problem-other = 服务器拒绝了此操作
problem-insufficient_funds-amount = 钱包余额不足，无法支付 { $amount }

## 扫码

scan-payment-code = 这是顾客的付款码：由商家扣款，不能从钱包付款
scan-foreign = 此钱包只能支付担保二维码，不能支付这个二维码（{ $networks }）
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
error-storage = 本地存储出错，请重启应用后再试
error-secrets = 密钥出错：此设备的密钥无法使用
error-code = 无法使用此二维码：{ $detail }
error-protocol = 无法读取服务器的应答，请稍后重试或更新应用
error-not-ready = { $detail }
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
field-id = 编号
field-body = 附加内容
field-action = 操作
field-body_amount = 退款金额
field-body_carrier = 快递公司
field-body_tracking = 运单号
field-to_handle = 收款人账号
field-payment_code = 付款码
field-spki_pins = 证书指纹
field-time_zone = 时区
field-utc_offset_minutes = 时区偏移
field-other = 输入内容
scan-invalid-reason = 这不是可以付款的二维码
scan-refused = 服务器拒绝了此二维码：{ $reason }

## 外来二维码的支付网络

network-danbao = 担保
network-pix = 巴西即时支付
network-promptpay = 泰国即时支付
network-paynow = 新加坡即时支付
network-sgqr = 新加坡统一二维码
network-fps = 香港转数快
network-vietqr = 越南统一二维码
network-upi = 印度统一支付接口
network-qris = 印尼统一二维码
network-duitnow = 马来西亚即时支付
network-nets = 新加坡电子支付
network-shopeepay = 虾皮支付
network-qrph = 菲律宾统一二维码
network-visa = 维萨卡
network-mastercard = 万事达卡
network-discover = 发现卡
network-amex = 美国运通
network-jcb = 吉希碧卡
network-unionpay = 银联

## 钱包自己的输入检查（error-invalid-input 的原因）

input-detail = 请检查后重新输入
input-locale = “{ $tag }”不是有效的语言标签
input-time-zone = “{ $zone }”不是时区数据库中的时区，请使用设备的时区名称
input-utc-offset = 时区偏移 { $minutes } 分钟超出了正负 1080 分钟（18 小时）的范围
input-server-url-other = 此钱包注册在 { $registered }，不是 { $given }；请用原来的地址打开，或使用另一个数据库文件
input-handle-empty = 请填写账号：{ $min }–{ $max } 个字符，可用小写字母、数字、下划线和点，以字母开头
input-display-name-empty = 请填写付款人看到的名字（1–{ $max } 个字符）
input-friend-handle-empty = 请填写对方的账号
input-too-long = 共 { $chars } 个字符，最多只能 { $max } 个
input-invisible = 第 { $position } 个字符是看不见的字符，请删除（文字中不能藏有读者看不见的字符）
input-length = 共 { $chars } 个字符，请填写 1–{ $max } 个
input-order-id-empty = 请填写订单号
input-body-not-taken = 此操作不需要附加内容
input-order-action = “{ $action }”不是订单操作
input-refund-amount-text = 退款金额须以文字形式填写，例如“5.00”
input-refund-amount-missing = 申请退款需要填写退款金额
input-refund-too-much = 申请退回 { $asked }，超过了订单金额 { $paid }；最多只能申请退回已付金额
input-ship-body = 发货需要填写快递公司和运单号
input-send-to-self = @{ $to } 就是此钱包，请转给别人
input-request-id = { $id } 不是收款请求编号；编号是正数
input-limit-zero = 条数为 0，请填写 1 到 { $max }
input-payment-code = 付款码应为 18 位数字
input-approval-code-length = 授权码由 { $chars } 个字母和数字组成，这里有 { $found } 个
input-approval-code-character = “{ $found }”不能出现在授权码中（只允许字母和数字，不含 U）
input-device-name = 请为此设备起一个 1–{ $max } 个字符的名称
money-unknown-currency = 不认识的币种“{ $code }”，请填写三位字母的币种代码，例如 CNY
money-not-payable = 币种 { $code } 没有辅币单位，不能用于付款
money-empty = 请填写金额，例如 12.50
money-invalid-character = 金额“{ $text }”的第 { $ordinal } 个字符“{ $found }”无效：只能填写数字和一个小数点
money-sign = 金额“{ $text }”不能带正负号
money-missing-digits = 金额“{ $text }”的小数点前后都需要数字，例如 0.50
money-too-many-decimals = 金额 { $text } 有 { $decimals } 位小数；{ $currency } 最多 { $allowed } 位
money-too-large = 金额 { $text } 过大：最多为 { $max }
money-currency-mismatch = { $left } 和 { $right } 不能合并计算：金额必须是同一币种
money-arithmetic-overflow = 金额计算超出范围
amount-not-positive = { $amount } 不大于零，请填写大于零的金额，例如 12.50
amount-mismatch = 二维码要求支付 { $fixed }，你填写的是 { $given }（不填金额即按二维码金额支付）
amount-required = 此二维码没有金额：请填写要支付的 { $currency } 金额，例如 12.50

## 不能使用的二维码，以及需要先完成的步骤

code-unclassified = 无法识别此二维码
code-refused = 服务器拒绝了此二维码：{ $reason }
code-foreign = 这是其他支付网络的二维码：此钱包只能支付担保二维码
code-cannot-draw = 内容太长，无法生成二维码
code-payment-code-invalid = 付款码无效
not-ready-payment-code = 此设备尚未开通付款码：请先开通一次（需要联网）
## 设备

device-this = { $name }（本设备）
device-active = 添加于 { $added } · 最近活动 { $seen }
device-revoked = 添加于 { $added } · 已于 { $revoked } 移除
device-approval-instructions = 在新设备上选择“添加到已有账户”，扫描此二维码或输入此代码。仅可使用一次，{ $minutes } 分钟内有效。
device-approval-expires = 有效期至 { $when }
field-device_name = 设备名称
problem-device_revoked = 此设备已从您的账户中移除；请在您的其他有效设备上重新添加
problem-last_device = 这是您唯一的有效设备；请先添加另一台设备再移除它
problem-approval_code_invalid = 此授权码无效；请核对，或在您的其他设备上获取新的授权码
problem-approval_code_expired = 此授权码已过期；请在您的其他设备上获取新的授权码
problem-approval_code_used = 此授权码已被使用；请在您的其他设备上获取新的授权码
problem-too_many_approval_codes = 未使用的授权码过多；请先使用其中一个，或稍等几分钟
problem-invalid_device_name = 设备名称无效
## The payee on a confirm screen (issue 12 point 2)
payee-verified = 已认证商户：{ $name }
payee-look-alike-verified = 不是已认证商户：“{ $name }”（@{ $handle }）只是名称看起来像已认证商户。付款前请核对账号。
payee-look-alike = 另有账户的名称看起来与“{ $name }”相同。请确认 @{ $handle } 是你要付款的人。
payee-first-payment = 你从未向 @{ $handle } 付过款。付款前请核对名称和账号。
problem-merchant_not_enrolled = 此账户不是已登记的商户，请联系运营方登记
problem-merchant_disabled = 此商户已被运营方停用
problem-invalid_scope = 未知的密钥权限，请从可用的权限中选择
problem-too_many_api_keys = 此商户的接口密钥已达上限，请先撤销不用的密钥
problem-unknown_api_key = 此账户没有这个接口密钥
problem-api_key_revoked = 此接口密钥已被撤销，请新建一个
problem-invalid_api_key = 接口密钥无效；请确认完整复制，且未被轮换或撤销
problem-missing_api_key = 此请求需要商户接口密钥
problem-missing_scope = 此接口密钥无权执行该操作，请新建具有相应权限的密钥
problem-reference_conflict = 此订单参考号已用于另一笔订单
problem-invalid_reference = 订单参考号无效
problem-invalid_metadata = 订单的元数据无效
problem-invalid_line_items = 订单的明细项无效
problem-line_items_mismatch = 明细项合计与订单金额不符
problem-invalid_fee_schedule = 费率设置无效
problem-invalid_webhook_url = 回调地址无效，请使用加密的安全地址
problem-invalid_webhook_events = 回调事件类型无效
problem-too_many_webhook_endpoints = 此商户的回调端点已达上限
problem-unknown_webhook_endpoint = 此账户没有这个回调端点
problem-unknown_webhook_delivery = 此账户没有这次回调投递
problem-display_name_confusable = 此名称看起来像已认证商户的名称，请换一个
