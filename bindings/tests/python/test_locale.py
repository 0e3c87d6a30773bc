"""The wallet speaks the user's locale through the Python bindings: the locale given at open
and a change at run time reach the records (words, amounts, deadlines) and the errors."""

import re

import danbao
import danbao_client
import pytest

from parties import CURRENCY, STARTING_MINOR, run_async


@run_async
async def test_a_locale_change_reaches_the_records(people):
    buyer, seller = people.buyer, people.seller
    assert buyer.wallet.locale() == "en"
    assert buyer.balance().available.display == "CN¥100.00"

    created = await seller.wallet.create_order("茶壶", "1234.50", CURRENCY)
    assert created.order.amount.display == "CN¥1,234.50"
    assert created.order.state_label == "Waiting for the buyer to pay"

    buyer.wallet.set_locale("zh-Hans-CN")
    seller.wallet.set_locale("zh-Hans-CN")
    assert buyer.wallet.locale() == "zh-Hans-CN"
    assert buyer.balance().available.display == "¥100.00"
    assert buyer.balance().available.minor == STARTING_MINOR

    screen = await buyer.wallet.scan(created.code.text)
    assert screen.amount.display == "¥1,234.50"
    outcome = await buyer.wallet.pay(created.code.text, None)
    assert outcome.state == danbao_client.CommandState.FAILED
    assert outcome.problem == "insufficient_funds"
    # The shortfall names the order's amount as the locale writes it, not the server's English.
    assert outcome.message == "被拒绝：钱包余额不足，无法支付 ¥1,234.50"

    order = seller.wallet.orders()[0]
    assert order.state_label == "等待买家付款"
    assert order.deadline_label.endswith("未付款将关闭"), order.deadline_label
    assert [b.label for b in order.buttons] == ["取消订单"]

    # Amounts typed the way a Chinese keyboard writes them are read exactly.
    sent = await buyer.wallet.send(seller.handle, "１２。５０", CURRENCY, "")
    assert sent.state == danbao_client.CommandState.DONE, sent.message
    assert sent.message == f"已转账 ¥12.50 给 @{seller.handle}"
    assert buyer.balance().available.minor == STARTING_MINOR - 1250
    # Dates in CLDR's Chinese pattern, in the zone the shell gives.
    buyer.wallet.set_utc_offset(480)
    newest = buyer.wallet.home().recent[0]
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", newest.time_label), newest.time_label
    with pytest.raises(danbao.DanbaoError.InvalidInput):
        buyer.wallet.set_utc_offset(24 * 60)
    # A time zone by IANA name: each row with the zone's offset at its instant.
    buyer.wallet.set_time_zone("Asia/Shanghai")
    assert buyer.wallet.time_zone() == "Asia/Shanghai"
    in_shanghai = buyer.wallet.home().recent[0].time_label
    buyer.wallet.set_time_zone("Europe/Berlin")
    assert buyer.wallet.time_zone() == "Europe/Berlin"
    in_berlin = buyer.wallet.home().recent[0].time_label
    assert in_shanghai != in_berlin, (in_shanghai, in_berlin)
    with pytest.raises(danbao.DanbaoError.InvalidInput) as unknown:
        buyer.wallet.set_time_zone("Mars/Olympus_Mons")
    assert str(unknown.value).startswith("时区无效"), str(unknown.value)
    assert buyer.wallet.time_zone() == "Europe/Berlin", "a refused zone changes nothing"

    # The errors speak it too.
    with pytest.raises(danbao.DanbaoError.InvalidInput) as refused:
        await buyer.wallet.send(seller.handle, "1.234", CURRENCY, "")
    assert str(refused.value).startswith("金额无效"), str(refused.value)

    buyer.wallet.set_locale("en-US")
    assert buyer.balance().available.display == "CN¥87.50"
    with pytest.raises(danbao.DanbaoError.InvalidInput):
        buyer.wallet.set_locale("not a locale!")
    assert buyer.wallet.locale() == "en-US"


@run_async
async def test_the_locale_given_at_open_is_spoken(server, tmp_path):
    config = danbao.WalletConfig(
        db_path=str(tmp_path / "zh.db"),
        server_url=server.url,
        locale="zh-Hans-CN",
        utc_offset_minutes=480,
    )
    wallet = await danbao.Wallet.open(config, danbao.file_key_store(str(tmp_path / "k")), None)
    assert wallet.locale() == "zh-Hans-CN"
    with pytest.raises(danbao.DanbaoError.Account) as refused:
        await wallet.sync()
    assert str(refused.value) == "此钱包尚未注册：请先注册"
