"""The people of the flow tests: wallets opened with the Python key store and signer, signed
up on the test server, with their balances read in minor units."""

import asyncio
import functools
import itertools
import pathlib
import uuid

import danbao
import danbao_client

from foreign import AesGcmKeyStore, P256Signer

CURRENCY = "CNY"
# What every funded party starts with, from the sandbox funding account.
STARTING_BALANCE = "100.00"
STARTING_MINOR = 10_000
_serial = itertools.count()


def run_async(test):
    """Runs an `async def` test on a fresh event loop (no pytest plugin needed); pytest still
    sees the test's own parameters, so fixtures are passed as usual."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        asyncio.run(test(*args, **kwargs))

    return run


def unique_handle(role: str) -> str:
    """A handle no other test uses: 3–20 of a-z0-9_. starting with a letter."""
    return f"{role[:6]}{next(_serial)}_{uuid.uuid4().hex[:6]}"


class Party:
    """One person's wallet in a test, with the Python platform services it was opened with."""

    def __init__(self, wallet, handle, name, key_store, signer, db_path):
        self.wallet = wallet
        self.handle = handle
        self.name = name
        self.key_store = key_store
        self.signer = signer
        self.db_path = db_path

    def balance(self) -> danbao_client.BalanceLine:
        """The cached CNY balance line (no network)."""
        lines = [line for line in self.wallet.home().balances if line.currency == CURRENCY]
        assert len(lines) == 1, f"@{self.handle} has {len(lines)} CNY balance lines"
        return lines[0]

    async def available(self) -> int:
        """What @handle can spend, in fen, after a sync."""
        await self.wallet.sync()
        return self.balance().available.minor


async def open_wallet(server, db_path, key_store, signer):
    config = danbao.WalletConfig(db_path=str(db_path), server_url=server.url)
    return await danbao.Wallet.open(config, key_store, signer)


async def new_party(server, directory, role, name, funded=True, signer=None):
    """Opens a wallet with a Python key store and signer (a new P-256 key unless `signer` is
    given), signs it up and, if `funded`, tops it up with STARTING_BALANCE CNY."""
    handle = unique_handle(role)
    key_store = AesGcmKeyStore()
    signer = signer if signer is not None else P256Signer()
    db_path = pathlib.Path(directory) / f"{handle}.db"
    wallet = await open_wallet(server, db_path, key_store, signer)
    profile = await wallet.sign_up(handle, name, f"{role}'s test device")
    assert (profile.handle, profile.display_name) == (handle, name)
    if funded:
        balance = await danbao.sandbox_top_up(
            server.url, server.operator_token, handle, STARTING_BALANCE, CURRENCY
        )
        assert balance.minor == STARTING_MINOR, str(balance)
        await wallet.sync()
    return Party(wallet, handle, name, key_store, signer, db_path)
