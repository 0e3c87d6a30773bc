"""Devices through the Python bindings, against a real server: a second device added with a
one-time approval code, the device list, revoking the lost one from the other, and the lost
device's next request and payment code refused."""

import pathlib

import danbao
import danbao_client
import pytest

from foreign import AesGcmKeyStore, P256Signer
from parties import CURRENCY, STARTING_MINOR, open_wallet, run_async


async def join(server, directory, owner, name):
    """A new wallet (its own key) joined to `owner`'s user with a fresh approval code."""
    approval = await owner.wallet.device_approval_code()
    wallet = await open_wallet(
        server, pathlib.Path(directory) / f"{name}.db", AesGcmKeyStore(), P256Signer()
    )
    profile = await wallet.join_with_approval(approval.qr_payload, name)
    assert profile.handle == owner.handle
    return wallet, profile


@run_async
async def test_a_second_device_joins_lists_and_a_lost_one_is_revoked(server, people, tmp_path):
    owner, merchant = people.buyer, people.seller
    approval = await owner.wallet.device_approval_code()
    assert len(approval.code) == 19 and approval.code.count("-") == 3
    assert approval.qr_payload == f"DANBAO-JOIN:{approval.code}"
    assert "<svg" in approval.svg
    assert approval.instructions.endswith("It works once, for 10 minutes.")
    assert approval.expires_label.startswith("Valid until ")
    assert approval.code not in repr(approval)

    tablet = await open_wallet(
        server, tmp_path / "tablet.db", AesGcmKeyStore(), P256Signer()
    )
    # Typed in lower case with spaces: the same code.
    typed = approval.code.lower().replace("-", " ")
    profile = await tablet.join_with_approval(typed, "Tablet")
    assert (profile.handle, profile.display_name) == (owner.handle, owner.name)
    assert profile.device_id != owner.wallet.profile().device_id
    await tablet.sync()
    assert [line.available.minor for line in tablet.home().balances] == [STARTING_MINOR]

    # The code is single use.
    other = await open_wallet(server, tmp_path / "other.db", AesGcmKeyStore(), P256Signer())
    with pytest.raises(danbao.DanbaoError.Refused) as used:
        await other.join_with_approval(approval.code, "Other")
    assert "(409 approval_code_used)" in str(used.value)
    assert other.profile() is None

    devices = await tablet.devices()
    assert [d.name for d in devices] == [f"buyer's test device", "Tablet"]
    assert [d.this_device for d in devices] == [False, True]
    assert devices[1].title == "Tablet (this device)"
    assert devices[1].active and devices[1].revoked_at is None
    assert devices[1].detail.startswith("Added ")

    # The tablet shows payment codes; the phone revokes it (it was lost).
    await tablet.enable_payment_code()
    shown = tablet.payment_code()
    revoked = await owner.wallet.revoke_device(profile.device_id)
    assert not revoked.active and revoked.revoked_at is not None
    assert revoked.detail.startswith("Added ") and " · revoked " in revoked.detail

    with pytest.raises(danbao.DanbaoError.Refused) as refused:
        await tablet.devices()
    assert "(401 device_revoked)" in str(refused.value)
    await danbao.enrol_merchant(server.url, server.operator_token, merchant.handle)
    charged = await merchant.wallet.charge_payment_code(shown.digits, "3.00", CURRENCY)
    assert charged.state == danbao_client.CommandState.FAILED
    assert "(payment_code_rejected)" in charged.message, charged.message
    assert await owner.available() == STARTING_MINOR

    # The phone, now the only active device, cannot revoke itself.
    with pytest.raises(danbao.DanbaoError.Refused) as last:
        await owner.wallet.revoke_device(owner.wallet.profile().device_id)
    assert "(409 last_device)" in str(last.value)
    listed = await owner.wallet.devices()
    assert [(d.name, d.active) for d in listed] == [
        ("buyer's test device", True),
        ("Tablet", False),
    ]


@run_async
async def test_a_bad_approval_code_is_refused_before_sending(server, tmp_path):
    wallet = await open_wallet(server, tmp_path / "new.db", AesGcmKeyStore(), P256Signer())
    with pytest.raises(danbao.DanbaoError.InvalidInput) as bad:
        await wallet.join_with_approval("1234", "Phone")
    assert "an approval code has 16 letters and digits; this has 4" in str(bad.value)
    with pytest.raises(danbao.DanbaoError.Refused) as unknown:
        await wallet.join_with_approval("ZZZZ-ZZZZ-ZZZZ-ZZZZ", "Phone")
    assert "(422 approval_code_invalid)" in str(unknown.value)
    assert wallet.profile() is None
