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

## 命令行自己的错误和消息（路径和系统错误按系统原样显示）

warning-locale = 警告：“{ $tag }”不是有效的语言标签，改用英文
signup-profile-taken = 配置“{ $profile }”已经有一个钱包（{ $url }）；请用 `--profile 名称` 选择另一个配置
signup-already = 配置“{ $profile }”已注册为 @{ $handle }（{ $url }）
signup-done = 已注册 @{ $handle }（{ $name }），服务器 { $url }
    用户 { $user } · 设备 { $device } · 配置“{ $profile }”位于 { $dir }
sync-failed-cached = 同步失败，显示的是缓存数据：{ $error }
profile-not-signed-up = 此钱包尚未注册：请先运行 `danbao signup`
profile-line = @{ $handle }  { $name }
    用户 { $user } · 设备 { $device } · { $url }
sandbox-which-server = 哪个服务器？请用 --server 指定地址（配置“{ $profile }”没有可以取用地址的钱包）
sandbox-token-unreadable = 无法从 { $path } 读取运营方令牌：{ $error }
sandbox-token-needed = 需要运营方令牌：请用 --operator-token 或 --operator-token-file 指定，或设置环境变量 `DANBAO_OPERATOR_TOKEN`
sandbox-refused = 充值被拒绝：{ $error }
sandbox-done = 已为 @{ $handle } 充值 { $amount }；现在可用 { $available }
stdin-unreadable = 无法读取标准输入：{ $error }
stdin-not-utf8 = 标准输入不是有效的文本
svg-unwritable = 无法把图像写入 { $path }：{ $error }
code-unwritable = 无法把二维码内容写入 { $path }：{ $error }
order-next-deadline = （下一个期限 { $when }）
orders-none = 没有订单。
order-created = 订单 { $id }：{ $title }，金额 { $amount }
    订单二维码：{ $code }
order-pay-before = 付款期限：{ $when }
file-svg = 图像：    { $path }
file-text = 文本：    { $path }
scan-cannot-pay = 此二维码不能用担保钱包付款
list-separator = ；
scan-not-payable-why = 不能付款：{ $why }
request-sent = 收款请求 { $id } 已发送：请 @{ $payer } 支付 { $amount }
request-sent-note = 收款请求 { $id } 已发送：请 @{ $payer } 支付 { $amount }，用于“{ $note }”
receive-code = 收款码：{ $code }
receive-amount = 金额：  { $amount }
receive-amount-open = 金额：  由付款人填写
receive-expires = 有效期至：{ $when }
clock-before-1970 = 系统时间早于 1970 年：请校准时间
payment-code = 付款码：{ $digits }
    还可使用 { $seconds } 秒（每 60 秒更新一次；无需联网）
home-unknown = 不知道钱包保存在哪里：未设置主目录；请用 --home 指定目录或设置环境变量 `DANBAO_HOME`
profile-url-empty = { $path } 是空的；它应保存此钱包注册时的服务器地址
profile-no-wallet = 配置“{ $profile }”还没有钱包（没有 { $path }）；请先注册：`danbao --profile { $profile } signup --server 地址 --handle 账号 --name 名字`
file-unreadable = 无法读取 { $path }：{ $error }
profile-url-unwritable = 已注册，但无法把服务器地址记录到 { $path }：{ $error }
profile-dir-uncreatable = 无法创建配置目录 { $path }：{ $error }
keystore-unopenable = 无法打开密钥库 { $path }：{ $error }
wallet-unopenable = 无法打开钱包
profile-name-invalid = 配置名称“{ $name }”不可用：请使用 1–64 个字母、数字、减号或下划线（不能以减号开头）
runtime-unstartable = 无法启动运行环境：{ $error }
not-a-wallet-command = 内部错误：这不是钱包命令
encode-failed = 生成二维码失败：{ $message }
encode-option-invalid = { $option }：{ $error }
encode-ttl-too-large = 有效期 { $ttl } 秒太长
encode-needs-signature = 带金额的二维码和订单二维码必须签名：请用 --key-file 指定密钥文件（可用 `danbao qr encode keygen --out 文件` 生成）
encode-key-unreadable = 无法读取密钥文件 { $path }：{ $error }
encode-key-invalid = 密钥文件 { $path } 无法使用
encode-key-id-invalid = 密钥编号无法使用
encode-refused = 无法生成此二维码：请检查名称、城市、国家、商户类别和金额
stdout-unwritable = 无法写入标准输出：{ $error }
file-exists = { $path } 已存在；要替换请加 --force
file-uncreatable = 无法创建 { $path }：{ $error }
file-unwritable = 无法写入 { $path }：{ $error }
device-add-code = 新设备的授权码：
device-joined = 已作为设备 { $device } 加入 @{ $handle }（{ $name }）· 配置 '{ $profile }'
device-join-profile-taken = 配置 '{ $profile }' 已在 { $server } 上有钱包；请用 `--profile 名称` 在新配置中加入
device-join-signed-up = 此配置已注册；请用新的 `--profile` 运行 `danbao device join`
device-revoked = 已移除设备 { $id }：此后它的请求和付款码都会被拒绝。
