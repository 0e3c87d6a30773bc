"""scan(text) through the generated Python bindings and the real library."""

import pathlib
import urllib.parse

import danbao
import danbao_domain

ROOT = pathlib.Path(__file__).resolve().parents[3]
# docs/qr-danbao.md's worked example: a signed per-order code (128.50 CNY).
ORDER = (ROOT / "core/domain/src/qr/danbao/worked_example.txt").read_text()
# Unsigned static codes, as danbao_domain::qr::danbao::encode_unsigned writes them.
MERCHANT = (
    "00020101021126240010app.danbao0106m-10015204581253031565802CN"
    "5915Lotus Tea House6008Hangzhou6304D780"
)
RECEIVE = (
    "00020101021126250010app.danbao0207alice.w5204000053031565802CN"
    "5910Alice Wang6008Shanghai63042106"
)
# PromptPay with amount 4.22, from github.com/dtinth/promptpay-qr's tests.
PROMPTPAY = "00020101021229370016A000000677010111011300660000000005802TH530376454044.226304E469"
# A payment code from the core's generator (fixed secret, account 4242, t = 1700000000).
PAYMENT_CODE = "293570050498532396"


def test_order_code_is_a_danbao_order_with_every_field():
    outcome = danbao.scan(ORDER)
    assert outcome.is_DANBAO_ORDER()
    assert outcome == danbao_domain.ScanOutcome.DANBAO_ORDER(
        code=danbao_domain.OrderCode(
            merchant_id="m-1001",
            order_id="ord-20250101-0042",
            merchant_name="Lotus Tea House",
            merchant_city="Hangzhou",
            country="CN",
            mcc="5812",
            currency="CNY",
            amount_minor=12850,
        ),
        display_amount="128.50 CNY",
        seal=danbao_domain.Seal(
            key_id="srv1",
            nonce="fFLssg=mfIi5$zRv}od.",
            issued_at=1735689600,
            expires_at=1735690500,
        ),
    )


def test_static_merchant_code_is_a_merchant_payment_without_amount():
    outcome = danbao.scan("  " + MERCHANT + "\n")
    assert outcome.is_MERCHANT_PAYMENT()
    assert outcome.code.merchant_id == "m-1001"
    assert outcome.code.currency == "CNY"
    assert outcome.code.amount_minor is None
    assert outcome.display_amount is None
    assert outcome.seal is None


def test_receive_code_is_a_friend_receive():
    outcome = danbao.scan(RECEIVE)
    assert outcome.is_FRIEND_RECEIVE()
    assert (outcome.code.handle, outcome.code.name) == ("alice.w", "Alice Wang")
    assert outcome.code.amount_minor is None


def test_payment_code():
    assert danbao.scan(PAYMENT_CODE) == danbao_domain.ScanOutcome.PAYMENT_CODE(code=PAYMENT_CODE)


def test_promptpay_is_a_foreign_scheme_named_with_its_country():
    outcome = danbao.scan(PROMPTPAY)
    assert outcome.is_FOREIGN_SCHEME()
    assert outcome.schemes == [danbao_domain.ForeignNetwork(id="promptpay", name="PromptPay", country="TH")]
    assert outcome.description == "PromptPay (TH): not payable with Danbao"
    assert outcome.country == "TH"


def test_edited_crc_is_invalid_with_reasons():
    outcome = danbao.scan(PROMPTPAY[:-4] + "0000")
    assert outcome.is_INVALID()
    assert outcome.reasons, "an invalid outcome must say why"
    assert any("CRC" in reason for reason in outcome.reasons), outcome.reasons


def test_a_web_address_is_invalid_and_a_payment_link_is_its_code():
    outcome = danbao.scan("https://example.com/about")
    assert outcome.is_INVALID()
    assert outcome.reasons[0].startswith("a web address, not a payment code")
    empty = danbao.scan("https://example.com/pay")
    assert empty.is_INVALID()
    assert empty.reasons[0].startswith("the payment link carries no code")
    link = "https://example.com/pay?code=" + urllib.parse.quote_plus(PROMPTPAY)
    assert danbao.scan(link) == danbao.scan(PROMPTPAY)
