"""Bank-transfer details printed on documents: IBAN checks and the payment QR code.

* EUR: the EPC "GiroCode" (EPC069-12, version 002), built by ``segno.helpers``; banking
  apps across the SEPA area read it.
* PLN: the Polish banks' "2D" code (Związek Banków Polskich, recommendation of
  2013-12-03): ``NIP|PL|account (26 digits)|amount in grosze (6 digits)|recipient
  (20)|title (32)|||``, read by the mobile apps of Polish banks.

Both are rendered as inline SVG with segno (no image files, nothing to fetch). The
codes carry only what the document already prints: the firm's name and account, the
amount and the document number as the transfer title.
"""

from __future__ import annotations

import re
from decimal import Decimal

import segno
import segno.helpers
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.pl import nip as polish_nip

from billing.money import Money

EPC_MAX_AMOUNT = Decimal("999999999.99")
# The 2D recommendation gives the amount six digits of grosze.
ZBP_MAX_AMOUNT = Decimal("9999.99")
ZBP_NAME_LENGTH = 20
ZBP_TITLE_LENGTH = 32
_ZBP_UNSAFE = re.compile(r"[|\r\n\t\x00-\x1f\x7f]")


class BankDetailsError(ValueError):
    """An IBAN, BIC or tax number that is not valid; ``message`` is translated."""

    def __init__(self, message: str | Promise, *, code: str) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


class QrNotPossible(ValueError):
    """The payment cannot be put in this code (wrong currency, amount out of range);
    the document prints the transfer details as text only."""


def validate_iban(value: str) -> str:
    """The IBAN in its compact form (``PL61109010140000071219812874``)."""
    try:
        return IBAN(value or "").compact
    except SchwiftyException:
        raise BankDetailsError(_("Enter a valid IBAN."), code="iban") from None


def format_iban(value: str) -> str:
    """The IBAN in groups of four, as it is printed (``PL61 1090 1014 …``)."""
    return IBAN(validate_iban(value)).formatted


def validate_bic(value: str) -> str:
    try:
        return str(BIC(value or "").compact)
    except SchwiftyException:
        raise BankDetailsError(
            _("Enter a valid BIC (SWIFT code) of 8 or 11 characters."), code="bic"
        ) from None


def validate_nip(value: str) -> str:
    """A Polish tax number (NIP) as ten digits."""
    try:
        return str(polish_nip.validate(value or ""))
    except StdnumValidationError:
        raise BankDetailsError(_("Enter a valid Polish tax number (NIP)."), code="nip") from None


def _svg(code: segno.QRCode) -> str:
    return str(code.svg_inline(scale=3, border=4, dark="#000", light="#fff"))


# -- EPC (EUR) -------------------------------------------------------------------------


def epc_qr(
    *, name: str, iban: str, amount: Money, text: str, bic: str | None = None
) -> segno.QRCode:
    """The EPC QR code for a SEPA credit transfer of ``amount`` (EUR) to ``iban``, with
    ``text`` (the document number) as the remittance information."""
    if amount.currency != "EUR":
        raise QrNotPossible("the EPC QR code is for euro transfers")
    if not Decimal("0.01") <= amount.amount <= EPC_MAX_AMOUNT:
        raise QrNotPossible("the amount is outside what an EPC QR code carries")
    name = " ".join((name or "").split())[:70]
    if not name:
        raise QrNotPossible("the recipient needs a name")
    try:
        return segno.helpers.make_epc_qr(
            name=name,
            iban=validate_iban(iban),
            amount=amount.amount,
            text=" ".join(text.split())[:140],
            bic=validate_bic(bic) if bic else None,
        )
    except ValueError as exc:
        if isinstance(exc, BankDetailsError):
            raise
        raise QrNotPossible("the transfer details do not fit an EPC QR code") from None


def epc_qr_svg(*, name: str, iban: str, amount: Money, text: str, bic: str | None = None) -> str:
    return _svg(epc_qr(name=name, iban=iban, amount=amount, text=text, bic=bic))


# -- ZBP 2D (PLN) ----------------------------------------------------------------------


def _zbp_text(value: str, length: int) -> str:
    return " ".join(_ZBP_UNSAFE.sub(" ", value or "").split())[:length].strip()


def zbp_payload(*, name: str, iban: str, amount: Money, title: str, nip: str | None = None) -> str:
    """The text of the Polish 2D transfer code."""
    if amount.currency != "PLN":
        raise QrNotPossible("the Polish 2D code is for złoty transfers")
    if not Decimal("0.01") <= amount.amount <= ZBP_MAX_AMOUNT:
        raise QrNotPossible("the 2D code carries at most 9 999,99 zł")
    compact = validate_iban(iban)
    if not compact.startswith("PL"):
        raise QrNotPossible("the Polish 2D code needs a Polish account")
    recipient = _zbp_text(name, ZBP_NAME_LENGTH)
    transfer_title = _zbp_text(title, ZBP_TITLE_LENGTH)
    if not recipient or not transfer_title:
        raise QrNotPossible("the 2D code needs a recipient name and a title")
    fields = [
        validate_nip(nip) if nip else "",
        "PL",
        compact[2:],  # the 26-digit NRB
        f"{amount.minor_units:06d}",
        recipient,
        transfer_title,
        "",  # reserved: payment reference for direct debits
        "",  # reserved: Invoobill id
        "",  # reserved
    ]
    return "|".join(fields)


def zbp_qr(
    *, name: str, iban: str, amount: Money, title: str, nip: str | None = None
) -> segno.QRCode:
    payload = zbp_payload(name=name, iban=iban, amount=amount, title=title, nip=nip)
    # UTF-8 whatever the text: a Latin-1 "ó" would reach a UTF-8 reader garbled.
    return segno.make_qr(payload, error="m", encoding="utf-8")


def zbp_qr_svg(*, name: str, iban: str, amount: Money, title: str, nip: str | None = None) -> str:
    return _svg(zbp_qr(name=name, iban=iban, amount=amount, title=title, nip=nip))


# -- the one a document prints -----------------------------------------------------------


def payment_qr(
    *,
    name: str,
    iban: str,
    amount: Money,
    title: str,
    bic: str | None = None,
    nip: str | None = None,
) -> segno.QRCode | None:
    """The code a document prints for paying ``amount`` by bank transfer: EPC for EUR,
    the Polish 2D code for PLN, ``None`` when no standard code fits (other currencies,
    amounts beyond the code's range)."""
    try:
        if amount.currency == "EUR":
            return epc_qr(name=name, iban=iban, amount=amount, text=title, bic=bic)
        if amount.currency == "PLN":
            return zbp_qr(name=name, iban=iban, amount=amount, title=title, nip=nip)
    except QrNotPossible:
        return None
    return None


def payment_qr_svg(
    *,
    name: str,
    iban: str,
    amount: Money,
    title: str,
    bic: str | None = None,
    nip: str | None = None,
) -> str | None:
    code = payment_qr(name=name, iban=iban, amount=amount, title=title, bic=bic, nip=nip)
    return _svg(code) if code is not None else None
