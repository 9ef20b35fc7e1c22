"""Identifier normalisation: the exact matches that make a conflict HIGH on their own."""

from __future__ import annotations

import datetime as dt

import pytest

from intake.conflicts_engine import (
    Identifiers,
    TaxId,
    build_identifiers,
    normalise_birth_date,
    normalise_email,
    normalise_phone,
    normalise_tax_id,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Jan.Kowalski@Example.PL ", "jan.kowalski@example.pl"),
        ("mailto:anna@kancelaria.pl", "anna@kancelaria.pl"),
        ("not an email", None),
        ("anna@", None),
        ("", None),
        (None, None),
    ],
)
def test_email_is_lowercased_and_trimmed(raw, expected):
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("600 100 200", "PL", "+48600100200"),
        ("+48 600-100-200", "PL", "+48600100200"),
        ("0048 600 100 200", "PL", "+48600100200"),
        ("(212) 555-0100", "US", "+12125550100"),
        ("+34 612 34 56 78", "PL", "+34612345678"),
        ("abc", "PL", None),
        ("+48 12", "PL", None),
        ("", "PL", None),
    ],
)
def test_phone_becomes_e164(raw, region, expected):
    assert normalise_phone(raw, default_region=region) == expected


def test_nip_is_compacted_and_validated():
    assert normalise_tax_id("123-456-32-18") == (TaxId("pl.nip", "1234563218", True),)


def test_polish_vat_number_also_gives_its_nip():
    found = normalise_tax_id("PL 123-456-32-18")
    assert TaxId("eu.vat", "PL1234563218", True) in found
    assert TaxId("pl.nip", "1234563218", True) in found


@pytest.mark.parametrize(
    ("raw", "scheme", "number"),
    [
        ("44051401359", "pl.pesel", "44051401359"),
        ("123456785", "pl.regon", "123456785"),
        ("12-3456789", "us.ein", "123456789"),
        ("KRS 0000123456", "pl.krs", "0000123456"),
        ("DE136695976", "eu.vat", "DE136695976"),
        ("12345678Z", "es.nif", "12345678Z"),
        ("7707083893", "ru.inn", "7707083893"),
    ],
)
def test_each_scheme_is_recognised_by_its_checksum(raw, scheme, number):
    found = normalise_tax_id(raw)
    assert TaxId(scheme, number, True) in found


def test_a_given_scheme_is_trusted_and_a_bad_checksum_marked():
    assert normalise_tax_id("1234567890", scheme="nip") == (TaxId("pl.nip", "1234567890", False),)
    assert normalise_tax_id("123456", scheme="krs") == (TaxId("pl.krs", "0000123456", True),)


def test_an_unknown_number_is_kept_compact_so_the_same_typo_matches():
    assert normalise_tax_id("ABC-123 / 9") == (TaxId("unknown", "ABC1239", False),)


def test_an_unknown_scheme_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown tax id scheme"):
        normalise_tax_id("123", scheme="ssn")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (dt.date(1985, 3, 12), dt.date(1985, 3, 12)),
        (dt.datetime(1985, 3, 12, 10, 0, tzinfo=dt.UTC), dt.date(1985, 3, 12)),
        ("1985-03-12", dt.date(1985, 3, 12)),
        ("12.03.1985", dt.date(1985, 3, 12)),
        ("12/03/1985", dt.date(1985, 3, 12)),
        ("31.02.1985", None),
        ("0001-01-01", None),
        ("9999-12-31", None),
        ("yesterday", None),
        (None, None),
    ],
)
def test_date_of_birth(raw, expected):
    assert normalise_birth_date(raw) == expected


def test_a_pesel_gives_the_date_of_birth():
    identifiers = build_identifiers(tax_ids=["44051401359"])
    assert identifiers.birth_dates == (dt.date(1944, 5, 14),)


def test_identifier_keys_and_json_round_trip():
    identifiers = build_identifiers(
        emails=["Anna@Example.pl", "anna@example.pl", "junk"],
        phones=["600100200"],
        tax_ids=[("vat", "PL1234563218")],
        birth_dates=["1990-01-02"],
    )
    assert identifiers.keys() == (
        "email:anna@example.pl",
        "phone:+48600100200",
        "tax:PL1234563218",
        "tax:1234563218",
    )
    assert Identifiers.from_json(identifiers.to_json()) == identifiers
