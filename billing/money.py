"""Money as a ``Decimal`` plus an ISO 4217 code, never a float and never mixed currencies.

Every money field in billing is ``DecimalField(max_digits=12, decimal_places=2)`` beside a
three-letter currency, so amounts stay below 10^10 and never carry more decimal places
than the currency's minor unit. Stripe wants integers in minor units; the exponent table
below (filled from CLDR through Babel) converts both ways. Nothing here converts between
currencies: adding PLN to EUR is a programming error and raises ``CurrencyMismatch``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    NumberFormatError,
    format_currency,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

# Currencies a firm may invoice in: the three of the jurisdiction profiles (PL, EU, US)
# plus the other European currencies Stripe settles with the usual two decimals. HUF and
# ISK are left out on purpose: Stripe treats them as special cases (amounts divisible by
# 100) that CLDR's exponent does not describe.
SUPPORTED_CURRENCIES: tuple[str, ...] = (
    "PLN",
    "EUR",
    "USD",
    "GBP",
    "CHF",
    "CZK",
    "DKK",
    "NOK",
    "SEK",
    "RON",
)

# ISO 4217 exponent (digits of the minor unit) per supported currency, from CLDR.
CURRENCY_EXPONENTS: dict[str, int] = {
    code: get_currency_precision(code) for code in SUPPORTED_CURRENCIES
}

# DecimalField(max_digits=12, decimal_places=2) holds at most 9 999 999 999.99.
MAX_AMOUNT_EXCLUSIVE = Decimal(10) ** 10

_SPACES = frozenset(" \u00a0\u202f\u2009\u2007")


class MoneyError(ValueError):
    """An amount or currency Atrium cannot accept; ``message`` is translated for people."""

    code: str = "invalid"

    def __init__(self, message: str | Promise, *, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code


class UnsupportedCurrency(MoneyError):
    code = "unsupported_currency"


class AmountOutOfRange(MoneyError):
    code = "too_large"


class SubMinorPrecision(MoneyError):
    code = "too_precise"


class AmountParseError(MoneyError):
    """A typed amount that is not a number in the person's locale (or is out of range)."""


class CurrencyMismatch(TypeError):
    """Two amounts of different currencies met: a programming error, never shown to people."""


def normalize_currency(code: str) -> str:
    """The upper-case ISO 4217 code if Atrium supports it, else ``UnsupportedCurrency``."""
    normalized = (code or "").strip().upper()
    if normalized not in CURRENCY_EXPONENTS:
        raise UnsupportedCurrency(
            _("%(code)s is not a currency Atrium can bill in.") % {"code": code or "?"}
        )
    return normalized


def is_supported_currency(code: str) -> bool:
    return (code or "").strip().upper() in CURRENCY_EXPONENTS


def currency_exponent(currency: str) -> int:
    """Digits of the currency's minor unit (2 for PLN, EUR and USD)."""
    return CURRENCY_EXPONENTS[normalize_currency(currency)]


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of the currency as a Decimal (``Decimal("0.01")``)."""
    return Decimal(1).scaleb(-currency_exponent(currency))


def check_amount(amount: Decimal, currency: str) -> Decimal:
    """``amount`` quantized to the currency's minor unit; refuses floats, NaN, sub-minor
    precision and anything at or beyond the 10^10 bound of the database fields."""
    if not isinstance(amount, Decimal) or isinstance(amount, bool):
        raise TypeError(f"money amounts are Decimal, not {type(amount).__name__}")
    if not amount.is_finite():
        raise AmountOutOfRange(_("Enter a finite amount."), code="invalid")
    unit = minor_unit(currency)
    quantized = amount.quantize(unit)
    if quantized != amount:
        places = currency_exponent(currency)
        raise SubMinorPrecision(
            ngettext_lazy(
                "Use at most %(places)d decimal place for %(currency)s.",
                "Use at most %(places)d decimal places for %(currency)s.",
                "places",
            )
            % {"places": places, "currency": normalize_currency(currency)}
        )
    if abs(quantized) >= MAX_AMOUNT_EXCLUSIVE:
        raise AmountOutOfRange(_("The amount is too large."))
    return quantized


def to_minor_units(amount: Decimal, currency: str) -> int:
    """``Decimal("350.00"), "PLN"`` → ``35000``: the integer Stripe expects."""
    checked = check_amount(amount, currency)
    return int(checked.scaleb(currency_exponent(currency)))


def from_minor_units(value: int, currency: str) -> Decimal:
    """``35000, "PLN"`` → ``Decimal("350.00")``: the inverse of ``to_minor_units``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"minor units are an int, not {type(value).__name__}")
    amount = Decimal(value).scaleb(-currency_exponent(currency))
    return check_amount(amount.quantize(minor_unit(currency)), currency)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency. Arithmetic refuses to mix currencies."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        currency = normalize_currency(self.currency)
        object.__setattr__(self, "currency", currency)
        object.__setattr__(self, "amount", check_amount(self.amount, currency))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def from_minor_units(cls, value: int, currency: str) -> Money:
        return cls(from_minor_units(value, currency), currency)

    @classmethod
    def sum(cls, items: Iterable[Money], *, currency: str) -> Money:
        """Σ items; an empty iterable gives zero in ``currency``."""
        total = cls.zero(currency)
        for item in items:
            total = total + item
        return total

    @property
    def minor_units(self) -> int:
        return to_minor_units(self.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} and {other.currency} amounts")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount >= other.amount

    def is_zero(self) -> bool:
        return self.amount == 0

    def format(self, locale: str | None = None) -> str:
        return format_money(self.amount, self.currency, locale)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def babel_locale(locale: str | None = None) -> Locale:
    """The Babel locale for a Django language code (``"pl"``, ``"en-gb"``); the active
    language when none is given, falling back to ``LANGUAGE_CODE`` and then English."""
    code = locale or translation.get_language() or settings.LANGUAGE_CODE
    for candidate in (translation.to_locale(code), code.split("-")[0].split("_")[0], "en"):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    raise AssertionError("Babel always knows English")  # pragma: no cover


def format_money(amount: Decimal, currency: str, locale: str | None = None) -> str:
    """``1200.5, "PLN", "pl"`` → ``"1 200,50 zł"`` (with no-break spaces, as CLDR says)."""
    checked = check_amount(amount, currency)
    return format_currency(checked, normalize_currency(currency), locale=babel_locale(locale))


def format_money_sms(amount: Decimal, currency: str, locale: str | None = None) -> str:
    """``1200.5, "PLN", "pl"`` → ``"1 200,50 PLN"``: plain spaces and the ISO code.

    "zł", "€" and CLDR's no-break spaces are outside the GSM-7 alphabet; one of them turns
    a whole SMS into UCS-2, which halves what a segment holds and doubles what it costs.
    """
    checked = check_amount(amount, currency)
    code = normalize_currency(currency)
    places = CURRENCY_EXPONENTS[code]
    pattern = "#,##0" + ("." + "0" * places if places else "")
    number = format_decimal(checked, format=pattern, locale=babel_locale(locale))
    number = "".join(" " if ch in _SPACES else ch for ch in number)
    return f"{number} {code}"


def _example(locale: Locale, places: int) -> str:
    value = Decimal("1234.56").quantize(Decimal(1).scaleb(-places))
    return format_decimal(value, locale=locale, decimal_quantization=False)


def _clean_number_text(text: str, locale: Locale, strip: Iterable[str] = ()) -> str:
    value = unicodedata.normalize("NFKC", text).strip()
    for token in sorted({t for t in strip if t}, key=len, reverse=True):
        if value.upper().startswith(token.upper()):
            value = value[len(token) :].strip()
        if value.upper().endswith(token.upper()):
            value = value[: -len(token)].strip()
    group = get_group_symbol(locale)
    # People type an ordinary space where CLDR's group separator is a no-break space
    # ("1 200,50" in Polish); in other locales a space stands for the group separator.
    value = "".join(group if ch in _SPACES else ch for ch in value)
    if group in _SPACES:
        value = value.replace(" ", group)
    return value


def _parse_localized(
    text: str,
    locale: Locale,
    *,
    places: int,
    strip: Iterable[str],
    invalid: Any,
) -> Decimal:
    value = _clean_number_text(text, locale, strip)
    decimal_symbol = get_decimal_symbol(locale)
    group_symbol = get_group_symbol(locale)
    if value.startswith(("-", "\u2212")):
        raise AmountParseError(_("The amount cannot be negative."), code="negative")
    allowed = set("0123456789") | {decimal_symbol, group_symbol, ".", ","}
    # Babel also accepts exponents, NaN and other scripts' digits; a form must not.
    if not value or not set(value) <= allowed or not re.search(r"[0-9]", value):
        raise AmountParseError(invalid, code="invalid")
    number: Decimal | None
    try:
        number = parse_decimal(value, locale=locale, strict=True)
    except (NumberFormatError, InvalidOperation):
        number = _parse_with_unambiguous_point(value, group_symbol)
    if number is None:
        raise AmountParseError(invalid, code="invalid")
    if not number.is_finite():
        raise AmountParseError(invalid, code="invalid")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise AmountParseError(
            ngettext_lazy(
                "Use at most %(places)d decimal place.",
                "Use at most %(places)d decimal places.",
                "places",
            )
            % {"places": places},
            code="too_precise",
        )
    return number


def _parse_with_unambiguous_point(value: str, group_symbol: str) -> Decimal | None:
    """Where the group separator is a space, "1200.50" and "1200,50" can only mean one
    thing, so either mark is accepted as the decimal separator (Polish and Russian users
    type both)."""
    if group_symbol not in _SPACES:
        return None
    digits = value.replace(group_symbol, "")
    if not re.fullmatch(r"[0-9]+([.,][0-9]+)?", digits):
        return None
    return Decimal(digits.replace(",", "."))


def parse_amount(
    text: str,
    currency: str,
    locale: str | None = None,
    *,
    allow_zero: bool = False,
) -> Decimal:
    """A positive amount typed by a person in their locale, e.g. ``"1 200,50"`` in
    Polish or ``"1,200.50"`` in English, with or without the currency's symbol or code.

    Raises ``AmountParseError`` (``code`` one of ``required``, ``invalid``, ``negative``,
    ``zero``, ``too_precise``, ``too_large``) whose message is translated."""
    code = normalize_currency(currency)
    loc = babel_locale(locale)
    if not (text or "").strip():
        raise AmountParseError(_("Enter an amount."), code="required")
    places = currency_exponent(code)
    invalid = _("Enter the amount as a number, for example %(example)s.") % {
        "example": _example(loc, places)
    }
    number = _parse_localized(
        text,
        loc,
        places=places,
        strip=(code, get_currency_symbol(code, locale=loc)),
        invalid=invalid,
    )
    if number >= MAX_AMOUNT_EXCLUSIVE:
        raise AmountParseError(_("The amount is too large."), code="too_large")
    if number == 0 and not allow_zero:
        raise AmountParseError(_("The amount must be more than zero."), code="zero")
    return number.quantize(minor_unit(code))


# InvoiceLine.quantity is DecimalField(max_digits=10, decimal_places=3).
QUANTITY_PLACES = 3
MAX_QUANTITY_EXCLUSIVE = Decimal(10) ** 7


def parse_quantity(text: str, locale: str | None = None) -> Decimal:
    """A positive quantity such as ``"1,5"`` (hours) in the person's locale, at most three
    decimal places and below 10^7, as ``InvoiceLine.quantity`` stores it."""
    loc = babel_locale(locale)
    if not (text or "").strip():
        raise AmountParseError(_("Enter a quantity."), code="required")
    invalid = _("Enter the quantity as a number, for example %(example)s.") % {
        "example": format_decimal(Decimal("1.5"), locale=loc)
    }
    try:
        number = _parse_localized(text, loc, places=QUANTITY_PLACES, strip=(), invalid=invalid)
    except AmountParseError as exc:
        if exc.code == "negative":
            raise AmountParseError(
                _("The quantity must be more than zero."), code="negative"
            ) from None
        raise
    if number >= MAX_QUANTITY_EXCLUSIVE:
        raise AmountParseError(_("The quantity is too large."), code="too_large")
    if number == 0:
        raise AmountParseError(_("The quantity must be more than zero."), code="zero")
    return number.quantize(Decimal(1).scaleb(-QUANTITY_PLACES))
