"""What goes wrong, through the Python bindings: each failure arrives as a DanbaoError of the
right kind with a readable message (or, for a command the server refuses, a failed outcome),
no money moves, and the interpreter keeps working, even after a panic inside Rust or a
Python signer that throws."""

import danbao
import danbao_client
import pytest

import emv
from foreign import AesGcmKeyStore, CrashingSigner, P256Signer, RefusingSigner
from parties import CURRENCY, STARTING_MINOR, new_party, run_async, unique_handle


async def outbox_size(party):
    return len(party.wallet.outbox())


@run_async
async def test_a_bad_amount_is_refused_before_anything_is_queued(people):
    buyer, friend = people.buyer, people.friend
    queued = await outbox_size(buyer)

    with pytest.raises(danbao.DanbaoError.InvalidInput) as too_precise:
        await buyer.wallet.send(friend.handle, "1.234", CURRENCY, "")
    assert str(too_precise.value) == "invalid amount: amount 1.234 has 3 decimals; CNY allows 2"

    with pytest.raises(danbao.DanbaoError.InvalidInput, match="not more than zero"):
        await buyer.wallet.send(friend.handle, "0.00", CURRENCY, "")
    with pytest.raises(danbao.DanbaoError.InvalidInput, match='unknown currency "XYZ"'):
        await buyer.wallet.send(friend.handle, "1.00", "XYZ", "")

    static = await people.seller.wallet.merchant_code(None, CURRENCY)
    with pytest.raises(danbao.DanbaoError.InvalidInput, match="this code has no amount"):
        await buyer.wallet.pay(static.text, None)
    signed = await people.seller.wallet.merchant_code("8.88", CURRENCY)
    with pytest.raises(danbao.DanbaoError.InvalidInput, match="the code asks for CN¥8.88"):
        await buyer.wallet.pay(signed.text, "9.00")

    assert await outbox_size(buyer) == queued
    assert await buyer.available() == STARTING_MINOR


@run_async
async def test_a_tampered_code_is_refused_and_no_money_moves(people):
    buyer, merchant = people.buyer, people.seller
    code = await merchant.wallet.merchant_code("8.88", CURRENCY)
    # The amount lowered to 0.88 with a correct CRC: only the seal shows the change.
    tampered = emv.with_field(code.text, "54", "0.88")

    screen = await buyer.wallet.scan(tampered)
    assert screen.kind == danbao_client.ScanKind.INVALID and not screen.payable
    assert screen.payee_name is None and screen.amount is None
    assert "(code_signature_invalid)" in screen.reasons[0], screen.reasons

    queued = await outbox_size(buyer)
    with pytest.raises(danbao.DanbaoError.CodeRefused) as refused:
        await buyer.wallet.pay(tampered, None)
    assert "the code was altered" in str(refused.value)
    assert await outbox_size(buyer) == queued

    # A code edited without fixing its CRC is refused on the device.
    edited = code.text[:-4] + "0000"
    local = await buyer.wallet.scan(edited)
    assert local.kind == danbao_client.ScanKind.INVALID
    assert any("CRC" in reason for reason in local.reasons), local.reasons
    with pytest.raises(danbao.DanbaoError.CodeRefused):
        await buyer.wallet.pay(edited, None)

    assert await buyer.available() == STARTING_MINOR
    assert await merchant.available() == STARTING_MINOR
    # The genuine code still pays: the tampering did not use it up.
    paid = await buyer.wallet.pay(code.text, None)
    assert paid.state == danbao_client.CommandState.DONE, paid.message
    assert await buyer.available() == STARTING_MINOR - 888


@run_async
async def test_insufficient_funds_is_a_refused_command_and_moves_nothing(people):
    buyer, friend = people.buyer, people.friend
    # A command reaches the server through the outbox; the server's refusal is its final
    # answer, reported as a failed outcome rather than raised.
    outcome = await friend.wallet.send(buyer.handle, "500.00", CURRENCY, "too much")
    assert outcome.state == danbao_client.CommandState.FAILED
    assert outcome.message.startswith("Refused: "), outcome.message
    assert outcome.message.endswith("(insufficient_funds)"), outcome.message
    assert "your wallet has 100.00 CNY available; this payment needs 500.00 CNY" in outcome.message
    assert outcome.transfer_id is None
    (latest, *_) = friend.wallet.outbox()
    assert (latest.kind, latest.state, latest.attempts) == (danbao_client.CommandKind.SEND, danbao_client.OutboxState.FAILED, 1)
    assert latest.state_label == "refused"

    assert await friend.available() == STARTING_MINOR
    assert await buyer.available() == STARTING_MINOR


@run_async
async def test_a_refusal_of_a_direct_call_is_danbao_error_refused(people):
    with pytest.raises(danbao.DanbaoError.Refused) as refused:
        await people.buyer.wallet.request_money("nobody_here", "1.00", CURRENCY, "")
    assert str(refused.value) == (
        'the server refused it (404 unknown_user): no user has the handle "nobody_here"'
    )
    # Every kind is a DanbaoError, so a shell can catch them all in one place.
    assert isinstance(refused.value, danbao.DanbaoError)


@run_async
async def test_a_panic_inside_rust_is_an_internal_error_and_the_interpreter_goes_on(people):
    for attempt in range(3):
        with pytest.raises(danbao.DanbaoError.Internal) as caught:
            danbao.diagnostics_panic(f"probe {attempt} from Python")
        expected = f"internal error in the Danbao core: probe {attempt} from Python"
        assert str(caught.value) == expected

    danbao.diagnostics_noop()
    assert danbao.version()
    # The library still does real work after the panics.
    sent = await people.buyer.wallet.send(people.friend.handle, "1.00", CURRENCY, "after")
    assert sent.state == danbao_client.CommandState.DONE, sent.message
    assert await people.friend.available() == STARTING_MINOR + 100


@run_async
async def test_a_signer_that_refuses_is_a_secrets_error_not_a_crash(server, tmp_path):
    refusing = RefusingSigner()
    with pytest.raises(danbao.DanbaoError.Secrets) as caught:
        await new_party(server, tmp_path, "refuse", "Refusing Signer", signer=refusing)
    assert "the user cancelled the biometric prompt" in str(caught.value)

    crashing = CrashingSigner()
    with pytest.raises(danbao.DanbaoError.Secrets) as caught:
        await new_party(server, tmp_path, "crash", "Crashing Signer", signer=crashing)
    assert "ZeroDivisionError" in str(caught.value), str(caught.value)
    assert "the signer's own bug" in str(caught.value)

    # The interpreter and the library carry on: a well-behaved signer signs up fine.
    party = await new_party(server, tmp_path, "after", "After The Crash", signer=P256Signer())
    assert party.wallet.profile().handle == party.handle


class CompressedKeySigner(P256Signer):
    """Gives its public key in compressed form, which the server does not take."""

    def public_key(self) -> bytes:
        return bytes([0x02]) + super().public_key()[1:33]


class KeylessSigner(P256Signer):
    def public_key(self) -> bytes:
        raise danbao.PlatformError.Failed("no key in the Secure Enclave")


@run_async
async def test_a_signer_with_an_unusable_key_is_refused_at_open(server, tmp_path):
    with pytest.raises(danbao.DanbaoError.Secrets) as caught:
        await new_party(server, tmp_path, "short", "Compressed Key", signer=CompressedKeySigner())
    assert "33 bytes starting with 0x02" in str(caught.value), str(caught.value)

    with pytest.raises(danbao.DanbaoError.Secrets, match="no key in the Secure Enclave"):
        await new_party(server, tmp_path, "keyless", "No Key", signer=KeylessSigner())


@run_async
async def test_commands_queued_offline_are_sent_once_by_flush(people):
    buyer, friend = people.buyer, people.friend
    buyer.wallet.pause_sending(True)
    assert buyer.wallet.sending_paused()
    queued = await buyer.wallet.send(friend.handle, "4.00", CURRENCY, "later")
    assert (queued.state, queued.message) == (danbao_client.CommandState.QUEUED, "queued: sending is paused")
    (waiting, *_) = buyer.wallet.outbox()
    assert (waiting.id, waiting.kind, waiting.state) == (queued.command_id, danbao_client.CommandKind.SEND, danbao_client.OutboxState.PENDING)
    assert waiting.summary == f"Send CN¥4.00 to @{friend.handle}"
    assert [item.id for item in buyer.wallet.home().outbox] == [queued.command_id]
    assert await friend.available() == STARTING_MINOR

    buyer.wallet.pause_sending(False)
    (sent,) = await buyer.wallet.flush_outbox()
    assert (sent.command_id, sent.state) == (queued.command_id, danbao_client.CommandState.DONE)
    assert sent.idempotency_key == queued.idempotency_key
    assert await buyer.wallet.flush_outbox() == []  # nothing left, nothing sent twice
    assert buyer.wallet.home().outbox == []
    assert await buyer.available() == STARTING_MINOR - 400
    assert await friend.available() == STARTING_MINOR + 400


@run_async
async def test_an_unreachable_server_is_offline(tmp_path):
    # Nothing listens on the discard port: the wallet opens (it works offline), sign-up cannot.
    dead = danbao.WalletConfig(
        db_path=str(tmp_path / "offline.db"),
        server_url="http://127.0.0.1:9",
        connect_timeout_ms=500,
        request_timeout_ms=2000,
    )
    wallet = await danbao.Wallet.open(dead, AesGcmKeyStore(), P256Signer())
    with pytest.raises(danbao.DanbaoError.Offline):
        await wallet.sign_up(unique_handle("lonely"), "Lonely", "no network")
    assert wallet.profile() is None
    with pytest.raises(danbao.DanbaoError.Account, match="sign"):
        await wallet.request_money("someone", "1.00", CURRENCY, "")
