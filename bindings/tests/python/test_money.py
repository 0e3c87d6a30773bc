"""Money and library facts through the generated Python bindings and the real library."""

import re

import pytest

import danbao


def test_version_is_semantic():
    assert re.fullmatch(r"\d+\.\d+\.\d+", danbao.version())


def test_currency_lookup_by_alpha_and_numeric_code():
    assert danbao.currency_from_code("cny") == danbao.Currency(
        code="CNY", numeric=156, exponent=2, name="Renminbi (Chinese) yuan"
    )
    assert danbao.currency_from_code("414").code == "KWD"
    assert danbao.currency_from_code("JPY").exponent == 0


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.50", "CNY", 1250),
        ("1250", "JPY", 1250),
        ("0.001", "KWD", 1),
        ("92233720368547758.07", "CNY", 2**63 - 1),
    ],
)
def test_parse_is_exact_in_minor_units(text, currency, minor):
    assert danbao.parse_money(text, currency) == danbao.Money(minor=minor, currency=currency)


def test_format_writes_the_currencys_decimals():
    assert danbao.format_money(danbao.Money(minor=1250, currency="CNY")) == "12.50"
    assert danbao.format_money(danbao.Money(minor=-5, currency="KWD")) == "-0.005"
    assert danbao.format_money_with_code(danbao.Money(minor=1250, currency="JPY")) == "1250 JPY"


def test_too_many_decimals_is_invalid_amount_with_readable_message():
    with pytest.raises(danbao.DanbaoError.InvalidAmount) as caught:
        danbao.parse_money("12.345", "CNY")
    assert str(caught.value) == "amount 12.345 has 3 decimals; CNY allows 2"


def test_overflow_is_invalid_amount():
    with pytest.raises(danbao.DanbaoError.InvalidAmount, match="too large"):
        danbao.parse_money("92233720368547758.08", "CNY")


def test_unknown_currency_names_the_code():
    with pytest.raises(danbao.DanbaoError.UnknownCurrency) as caught:
        danbao.format_money(danbao.Money(minor=1, currency="ZZZ"))
    assert str(caught.value) == (
        'unknown currency "ZZZ": expected an ISO 4217 code such as "CNY" or "156"'
    )
    # Every kind is a DanbaoError, so a caller can catch them all in one place.
    with pytest.raises(danbao.DanbaoError):
        danbao.currency_from_code("XAU")
