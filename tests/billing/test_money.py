from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import get_currency_precision
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from billing.money import (
    CURRENCY_EXPONENTS,
    SUPPORTED_CURRENCIES,
    AmountOutOfRange,
    AmountParseError,
    CurrencyMismatch,
    Money,
    SubMinorPrecision,
    UnsupportedCurrency,
    format_money,
    from_minor_units,
    is_supported_currency,
    normalize_currency,
    parse_amount,
    parse_quantity,
    to_minor_units,
)

NBSP = "\u00a0"


def test_exponent_table_comes_from_cldr_and_matches_stripe_for_the_main_currencies() -> None:
    assert {
        code: get_currency_precision(code) for code in SUPPORTED_CURRENCIES
    } == CURRENCY_EXPONENTS
    assert CURRENCY_EXPONENTS["PLN"] == CURRENCY_EXPONENTS["EUR"] == CURRENCY_EXPONENTS["USD"] == 2


def test_stripe_amounts_are_minor_units() -> None:
    assert to_minor_units(Decimal("350.00"), "PLN") == 35000
    assert to_minor_units(Decimal("0.01"), "eur") == 1
    assert to_minor_units(Decimal("1200.5"), "USD") == 120050
    assert from_minor_units(35000, "PLN") == Decimal("350.00")
    assert str(from_minor_units(5, "EUR")) == "0.05"


def test_sub_minor_precision_is_refused_not_rounded() -> None:
    with pytest.raises(SubMinorPrecision):
        to_minor_units(Decimal("10.005"), "PLN")
    with pytest.raises(SubMinorPrecision):
        Money(Decimal("0.001"), "EUR")


def test_amounts_at_the_database_bound_are_refused() -> None:
    assert to_minor_units(Decimal("9999999999.99"), "PLN") == 999999999999
    with pytest.raises(AmountOutOfRange):
        to_minor_units(Decimal("10000000000"), "PLN")
    with pytest.raises(AmountOutOfRange):
        Money(Decimal("-10000000000.00"), "PLN")
    with pytest.raises(AmountOutOfRange):
        from_minor_units(10**12, "PLN")


def test_floats_and_nan_never_become_money() -> None:
    with pytest.raises(TypeError):
        to_minor_units(12.5, "PLN")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        from_minor_units(Decimal(5), "PLN")  # type: ignore[arg-type]
    with pytest.raises(AmountOutOfRange):
        Money(Decimal("NaN"), "PLN")


def test_currencies_are_validated() -> None:
    assert normalize_currency(" pln ") == "PLN"
    assert is_supported_currency("eur")
    for bad in ("XXX", "zł", "", "PL", "BTC"):
        assert not is_supported_currency(bad)
        with pytest.raises(UnsupportedCurrency):
            normalize_currency(bad)


def test_money_never_adds_different_currencies() -> None:
    pln = Money(Decimal("10.00"), "PLN")
    eur = Money(Decimal("10.00"), "EUR")
    assert pln + Money(Decimal("0.5"), "pln") == Money(Decimal("10.50"), "PLN")
    with pytest.raises(CurrencyMismatch):
        pln + eur
    with pytest.raises(CurrencyMismatch):
        pln - eur
    with pytest.raises(CurrencyMismatch):
        assert pln < eur
    with pytest.raises(CurrencyMismatch):
        Money.sum([pln, eur], currency="PLN")
    assert Money.sum([], currency="EUR") == Money.zero("EUR")
    assert Money.sum([pln, pln], currency="PLN").minor_units == 2000


@given(
    st.integers(min_value=-(10**12) + 1, max_value=10**12 - 1),
    st.sampled_from(SUPPORTED_CURRENCIES),
)
def test_minor_units_round_trip(value: int, currency: str) -> None:
    assert to_minor_units(from_minor_units(value, currency), currency) == value


def test_format_money_follows_the_locale() -> None:
    assert format_money(Decimal("1200.5"), "PLN", "pl") == f"1{NBSP}200,50{NBSP}zł"
    assert format_money(Decimal("1200.5"), "EUR", "es") == f"1.200,50{NBSP}€"
    assert format_money(Decimal("1200.5"), "USD", "en") == "$1,200.50"
    assert format_money(Decimal("300"), "PLN", "ru") == f"300,00{NBSP}PLN"
    with translation.override("pl"):
        assert Money(Decimal("300"), "PLN").format() == f"300,00{NBSP}zł"


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1 200,50", "pl", "1200.50"),
        (f"1{NBSP}200,50", "pl", "1200.50"),
        ("1200,5", "pl", "1200.50"),
        ("1200.50", "pl", "1200.50"),
        ("1 200,50 zł", "pl", "1200.50"),
        ("1 200,50 PLN", "pl", "1200.50"),
        ("1.200,50", "es", "1200.50"),
        ("1200,50", "es", "1200.50"),
        ("1,200.50", "en", "1200.50"),
        ("1 200.50", "en", "1200.50"),
        ("  350 ", "ru", "350.00"),
        ("350,00", "ru", "350.00"),
    ],
)
def test_amounts_typed_in_the_persons_locale(text: str, locale: str, expected: str) -> None:
    assert parse_amount(text, "PLN", locale) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "locale", "code"),
    [
        ("", "pl", "required"),
        ("   ", "en", "required"),
        ("abc", "pl", "invalid"),
        ("1e5", "en", "invalid"),
        ("NaN", "en", "invalid"),
        ("Infinity", "pl", "invalid"),
        ("\u0661\u0662\u0663", "en", "invalid"),  # Arabic-Indic digits
        ("1.200,50", "pl", "invalid"),
        ("1,200.50", "es", "invalid"),
        ("1200.50", "es", "invalid"),  # a dot groups thousands in Spanish: ambiguous
        ("12,5,0", "pl", "invalid"),
        ("-5", "pl", "negative"),
        ("\u22125,00", "pl", "negative"),
        ("0", "pl", "zero"),
        ("0,00", "pl", "zero"),
        ("10,005", "pl", "too_precise"),
        ("10000000000", "pl", "too_large"),
        ("<script>1</script>", "en", "invalid"),
    ],
)
def test_bad_amounts_get_a_clear_error(text: str, locale: str, code: str) -> None:
    with pytest.raises(AmountParseError) as caught:
        parse_amount(text, "PLN", locale)
    assert caught.value.code == code
    assert str(caught.value.message)


def test_parse_errors_speak_the_persons_language() -> None:
    with translation.override("pl"), pytest.raises(AmountParseError) as caught:
        parse_amount("abc", "PLN")
    # The example is written the Polish way whatever the catalog says.
    assert f"1{NBSP}234,56" in str(caught.value.message)
    with translation.override("en"), pytest.raises(AmountParseError) as caught:
        parse_amount("abc", "PLN")
    assert "1,234.56" in str(caught.value.message)


def test_zero_can_be_allowed_and_unknown_currency_is_refused() -> None:
    assert parse_amount("0", "EUR", "en", allow_zero=True) == Decimal("0.00")
    with pytest.raises(UnsupportedCurrency):
        parse_amount("10", "XYZ", "en")


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1,5", "pl", "1.500"),
        ("0.333", "en", "0.333"),
        ("2", "es", "2.000"),
    ],
)
def test_quantities(text: str, locale: str, expected: str) -> None:
    assert parse_quantity(text, locale) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("-1", "negative"),
        ("0", "zero"),
        ("1,2345", "too_precise"),
        ("x", "invalid"),
        ("10000000", "too_large"),
        ("", "required"),
    ],
)
def test_bad_quantities(text: str, code: str) -> None:
    with pytest.raises(AmountParseError) as caught:
        parse_quantity(text, "pl")
    assert caught.value.code == code
