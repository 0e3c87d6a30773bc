"""The platform services implemented in Python, seen from the core: the key store really wraps
the database's data key (and a wrong one cannot open it), the signer's key is the device key,
the core's log lines reach a Python Logger at the level asked for, and a listener or logger
that throws does not take the core down."""

import gc

import danbao
import danbao_client
import pytest

from foreign import AesGcmKeyStore, CollectingLogger, RecordingListener
from parties import CURRENCY, STARTING_MINOR, new_party, open_wallet, run_async, unique_handle

STORE_TARGET = "danbao_client::store"


@run_async
async def test_the_python_key_store_guards_the_database(server, tmp_path):
    party = await new_party(server, tmp_path, "keys", "Key Keeper")
    # First open made the data key and had Python wrap it; nothing needed unwrapping yet.
    assert (party.key_store.wraps, party.key_store.unwraps) == (1, 0)
    # The Python signer is the device key the server knows, and it signed the requests.
    assert party.wallet.device_public_key() == party.signer.public_key()
    assert party.signer.signatures > 0

    party.wallet = None
    gc.collect()
    reopened = await open_wallet(server, party.db_path, party.key_store, party.signer)
    assert party.key_store.unwraps == 1
    assert reopened.profile().handle == party.handle
    assert reopened.home().balances[0].available.minor == STARTING_MINOR
    signatures = party.signer.signatures
    assert await reopened.sync() == [] and party.signer.signatures > signatures
    reopened = None
    gc.collect()

    # Another key store cannot unwrap the data key: the database stays shut.
    with pytest.raises(danbao.DanbaoError.Secrets) as caught:
        await open_wallet(server, party.db_path, AesGcmKeyStore(), party.signer)
    assert "does not unwrap with this key store" in str(caught.value), str(caught.value)


@run_async
async def test_the_core_key_store_and_software_key_work_from_python(server, tmp_path):
    key_store = danbao.file_key_store(str(tmp_path / "wrapping.key"))
    config = danbao.WalletConfig(db_path=str(tmp_path / "soft.db"), server_url=server.url)
    wallet = await danbao.Wallet.open(config, key_store, None)
    handle = unique_handle("soft")
    profile = await wallet.sign_up(handle, "Software Key", "desktop")
    assert profile.handle == handle
    key = wallet.device_public_key()
    assert len(key) == 65 and key[0] == 0x04
    assert (tmp_path / "wrapping.key").is_file()


@run_async
async def test_the_core_logs_reach_a_python_logger_at_the_level_asked(server, tmp_path):
    debug_logger, info_logger = CollectingLogger(), CollectingLogger()
    try:
        danbao.set_logger(debug_logger, danbao.LogLevel.DEBUG)
        await open_wallet(server, tmp_path / "first.db", AesGcmKeyStore(), None)
        lines = [(r.level, r.target, r.message) for r in debug_logger.records()]
        opened = [line for line in lines if line[2].startswith("client store opened")]
        assert opened, lines
        assert opened[0][:2] == (danbao.LogLevel.DEBUG, STORE_TARGET)
        assert "from_version=0" in opened[0][2], opened[0][2]
        assert (
            danbao.LogLevel.INFO,
            STORE_TARGET,
            "client store data key created and stored wrapped",
        ) in lines

        # At INFO the debug lines stop, and the first logger hears nothing more.
        danbao.set_logger(info_logger, danbao.LogLevel.INFO)
        heard = len(debug_logger.records())
        await open_wallet(server, tmp_path / "second.db", AesGcmKeyStore(), None)
        levels = {r.level for r in info_logger.records()}
        assert danbao.LogLevel.INFO in levels
        assert not levels & {danbao.LogLevel.DEBUG, danbao.LogLevel.TRACE}, levels
        assert len(debug_logger.records()) == heard
    finally:
        danbao.set_logger(None, danbao.LogLevel.ERROR)
    # Stopped: nothing more arrives.
    heard = len(info_logger.records())
    await open_wallet(server, tmp_path / "third.db", AesGcmKeyStore(), None)
    assert len(info_logger.records()) == heard


def test_a_panic_inside_rust_reaches_the_logger_as_an_error():
    logger = CollectingLogger()
    try:
        danbao.set_logger(logger, danbao.LogLevel.ERROR)
        with pytest.raises(danbao.DanbaoError.Internal):
            danbao.diagnostics_panic("probe for the logger")
    finally:
        danbao.set_logger(None, danbao.LogLevel.ERROR)
    lines = [(r.level, r.target, r.message) for r in logger.records()]
    assert (
        danbao.LogLevel.ERROR,
        "danbao_ffi",
        "internal error in the Danbao core: probe for the logger",
    ) in lines, lines


class ThrowingLogger(danbao.Logger):
    def __init__(self):
        self.calls = 0

    def log(self, record):
        self.calls += 1
        raise RuntimeError("the logger's own bug")


class ThrowingListener(danbao.ChangeListener):
    def __init__(self):
        self.calls = 0

    def on_change(self, change):
        self.calls += 1
        raise RuntimeError("the listener's own bug")


@run_async
async def test_a_throwing_logger_or_listener_does_not_stop_the_core(people, server, tmp_path):
    buyer, friend = people.buyer, people.friend
    logger, listener = ThrowingLogger(), ThrowingListener()
    buyer.wallet.set_listener(listener)
    try:
        danbao.set_logger(logger, danbao.LogLevel.DEBUG)
        # Opening a wallet logs at DEBUG and INFO.
        await open_wallet(server, tmp_path / "logged.db", AesGcmKeyStore(), None)
        sent = await buyer.wallet.send(friend.handle, "2.00", CURRENCY, "despite it all")
    finally:
        danbao.set_logger(None, danbao.LogLevel.ERROR)
        buyer.wallet.set_listener(None)
    assert sent.state == danbao_client.CommandState.DONE, sent.message
    assert listener.calls > 0 and logger.calls > 0
    assert await buyer.available() == STARTING_MINOR - 200
    assert await friend.available() == STARTING_MINOR + 200


@run_async
async def test_the_listener_hears_escrow_changes_on_sync(people):
    buyer, seller = people.buyer, people.seller
    heard = RecordingListener()
    seller.wallet.set_listener(heard)
    created = await seller.wallet.create_order("Oolong 100g", "18.00", CURRENCY)
    heard.take()
    paid = await buyer.wallet.pay(created.code.text, None)
    assert paid.state == danbao_client.CommandState.DONE, paid.message

    changes = set(await seller.wallet.sync())
    assert {danbao_client.Change.ORDERS, danbao_client.Change.BALANCES, danbao_client.Change.ACTIVITY} <= changes
    assert heard.take() == changes
    assert seller.balance().incoming.minor == 1800
    seller.wallet.set_listener(None)
