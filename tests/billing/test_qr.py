"""Payment QR codes, decoded again from the rendered image with a real barcode reader."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import segno
import zxingcpp
from PIL import Image

from billing.money import Money
from billing.qr import (
    BankDetailsError,
    QrNotPossible,
    epc_qr,
    epc_qr_svg,
    format_iban,
    payment_qr,
    payment_qr_svg,
    validate_bic,
    validate_iban,
    validate_nip,
    zbp_payload,
    zbp_qr,
)

PL_IBAN = "PL61 1090 1014 0000 0712 1981 2874"
DE_IBAN = "DE89 3704 0044 0532 0130 00"
NIP = "123-456-32-18"


def decoded(code: segno.QRCode) -> bytes:
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=6, border=4)
    buffer.seek(0)
    [barcode] = zxingcpp.read_barcodes(Image.open(buffer))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    return bytes(barcode.bytes)


def test_iban_validation_and_formatting() -> None:
    assert validate_iban(PL_IBAN) == "PL61109010140000071219812874"
    assert validate_iban(" de89370400440532013000 ") == "DE89370400440532013000"
    assert format_iban("PL61109010140000071219812874") == PL_IBAN
    for bad in ("PL61 1090 1014 0000 0712 1981 2875", "PL61", "", "not an iban", "XX00 1234"):
        with pytest.raises(BankDetailsError) as caught:
            validate_iban(bad)
        assert caught.value.code == "iban" and str(caught.value.message)


def test_bic_and_nip_validation() -> None:
    assert validate_bic("BPKOPLPW") == "BPKOPLPW"
    assert validate_bic("bpkoplpwxxx") == "BPKOPLPWXXX"
    assert validate_nip(NIP) == "1234563218"
    for bad_bic in ("BPKO", "12345678", ""):
        with pytest.raises(BankDetailsError):
            validate_bic(bad_bic)
    for bad_nip in ("1234563217", "12345", "abcdefghij"):
        with pytest.raises(BankDetailsError):
            validate_nip(bad_nip)


def test_epc_code_for_a_euro_invoice_reads_back_exactly() -> None:
    code = epc_qr(
        name="Kancelaria Kowalska",
        iban=DE_IBAN,
        amount=Money(Decimal("1200.50"), "EUR"),
        text="FV/2026/03/0012",
        bic="COBADEFFXXX",
    )
    lines = decoded(code).decode("latin-1").split("\n")
    assert lines[:4] == ["BCD", "002", lines[2], "SCT"]
    assert lines[4:] == [
        "COBADEFFXXX",
        "Kancelaria Kowalska",
        "DE89370400440532013000",
        "EUR1200.5",
        "",
        "",
        "FV/2026/03/0012",
    ]
    assert code.version <= 13 and code.error == "M"  # what the EPC standard allows


def test_epc_code_keeps_non_latin_names() -> None:
    code = epc_qr(
        name="Łukasz Żółć", iban=DE_IBAN, amount=Money(Decimal("5"), "EUR"), text="R/2026/0042"
    )
    data = decoded(code)
    charset = data.split(b"\n")[2].decode()
    encoding = {"1": "utf-8", "3": "iso-8859-2"}[charset]
    assert "Łukasz Żółć" in data.decode(encoding)


def test_polish_2d_code_reads_back_in_the_banks_format() -> None:
    code = zbp_qr(
        name="Kancelaria Adwokacka Anna Kowalska",
        iban=PL_IBAN,
        amount=Money(Decimal("350.00"), "PLN"),
        title="FV/2026/03/0012",
        nip=NIP,
    )
    assert decoded(code).decode("utf-8") == (
        "1234563218|PL|61109010140000071219812874|035000|Kancelaria Adwokacka|FV/2026/03/0012|||"
    )


def test_polish_2d_code_sanitises_its_fields() -> None:
    payload = zbp_payload(
        name="Żółta|Kancelaria\nSp. k.",
        iban=PL_IBAN,
        amount=Money(Decimal("0.01"), "PLN"),
        title="Wezwanie do zapłaty nr 123456789012345678901234567890",
    )
    fields = payload.split("|")
    assert len(fields) == 9
    assert fields[0] == "" and fields[3] == "000001"
    assert fields[4] == "Żółta Kancelaria Sp." and len(fields[4]) <= 20
    assert len(fields[5]) == 32
    assert (
        decoded(zbp_qr(name="Żółta", iban=PL_IBAN, amount=Money(Decimal("1"), "PLN"), title="R/1"))
        .decode("utf-8")
        .split("|")[4]
        == "Żółta"
    )


@pytest.mark.parametrize(
    ("amount", "iban"),
    [
        (Money(Decimal("10000.00"), "PLN"), PL_IBAN),  # beyond six digits of grosze
        (Money(Decimal("10.00"), "EUR"), PL_IBAN),
        (Money(Decimal("10.00"), "PLN"), DE_IBAN),
    ],
)
def test_polish_2d_code_refuses_what_it_cannot_carry(amount: Money, iban: str) -> None:
    with pytest.raises(QrNotPossible):
        zbp_payload(name="Kancelaria", iban=iban, amount=amount, title="FV/1")


def test_the_document_gets_the_code_of_its_currency_or_none() -> None:
    eur = payment_qr(
        name="Firm", iban=DE_IBAN, amount=Money(Decimal("99.90"), "EUR"), title="INV-2026-0001"
    )
    assert eur is not None and decoded(eur).startswith(b"BCD\n002\n")
    pln = payment_qr(
        name="Firm", iban=PL_IBAN, amount=Money(Decimal("99.90"), "PLN"), title="FV/2026/0001"
    )
    assert pln is not None and b"|009990|" in decoded(pln)
    assert (
        payment_qr(name="Firm", iban=PL_IBAN, amount=Money(Decimal("99.90"), "USD"), title="INV-1")
        is None
    )
    assert (
        payment_qr(name="Firm", iban=PL_IBAN, amount=Money(Decimal("12000"), "PLN"), title="FV/1")
        is None
    )


def test_codes_are_inline_svg() -> None:
    svg = payment_qr_svg(
        name="Firm", iban=PL_IBAN, amount=Money(Decimal("350"), "PLN"), title="FV/2026/03/0012"
    )
    assert svg is not None and svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<script" not in svg and "href" not in svg
    assert epc_qr_svg(
        name="Firm", iban=DE_IBAN, amount=Money(Decimal("1"), "EUR"), text="X-1"
    ).startswith("<svg")


def test_a_bad_iban_on_a_document_is_a_clear_error_not_a_code() -> None:
    with pytest.raises(BankDetailsError):
        payment_qr(name="Firm", iban="PL00 0000", amount=Money(Decimal("1"), "PLN"), title="FV/1")
