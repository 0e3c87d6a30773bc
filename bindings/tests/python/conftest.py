"""Puts the generated danbao.py (and the libdanbao_ffi.so next to it) on sys.path, and gives
the flow tests a real server and signed-up wallets.

`cargo xtask test` and `cargo xtask bindings` write the bindings into ./generated; run one of
them before calling pytest directly. DANBAO_PY_BINDINGS overrides the directory. The flow
tests also need `cargo build -p danbao-server` (DANBAO_SERVER_BIN overrides the binary).
"""

import asyncio
import os
import pathlib
import sys
import types

import pytest

GENERATED = pathlib.Path(
    os.environ.get("DANBAO_PY_BINDINGS", pathlib.Path(__file__).parent / "generated")
)

if not (GENERATED / "danbao.py").is_file():
    raise RuntimeError(
        f"no generated bindings in {GENERATED}: run `cargo xtask bindings` first"
    )

sys.path.insert(0, str(GENERATED))

from parties import new_party  # noqa: E402  (imports danbao: after the path is set)
from server import Server  # noqa: E402


@pytest.fixture(scope="module")
def server():
    """A danbao-server process for the test module, killed afterwards."""
    running = Server()
    yield running
    running.stop()


@pytest.fixture
def people(server, tmp_path):
    """A buyer, a seller (also the merchant) and a friend, each signed up with CN¥100.00."""

    async def open_all():
        return types.SimpleNamespace(
            buyer=await new_party(server, tmp_path, "buyer", "Wei Buyer"),
            seller=await new_party(server, tmp_path, "seller", "Lotus Tea House"),
            friend=await new_party(server, tmp_path, "friend", "Carol Friend"),
        )

    return asyncio.run(open_all())
