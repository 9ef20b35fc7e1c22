from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from billing.numbering import (
    NumberPatternError,
    Reset,
    next_sequence,
    period_key,
    preview,
    render_number,
    validate_pattern,
)

MARCH_3 = dt.date(2026, 3, 3)


@pytest.mark.parametrize(
    ("pattern", "seq", "expected"),
    [
        ("FV/{yyyy}/{mm}/{seq:04}", 12, "FV/2026/03/0012"),
        ("INV-{yyyy}-{seq:04}", 7, "INV-2026-0007"),
        ("R/{yy}/{seq}", 42, "R/26/42"),
        ("{seq:06}", 1, "000001"),
        ("KOR/{yyyy}/{mm}/{dd}/{seq:02}", 3, "KOR/2026/03/03/03"),
        ("FV/{yyyy}/{seq:04}", 12345, "FV/2026/12345"),  # the width is a minimum
    ],
)
def test_numbers_render_from_the_pattern(pattern: str, seq: int, expected: str) -> None:
    assert render_number(pattern, seq=seq, day=MARCH_3) == expected


def test_period_keys() -> None:
    assert period_key(Reset.YEARLY, MARCH_3) == "2026"
    assert period_key("monthly", MARCH_3) == "2026-03"
    assert period_key(Reset.NEVER, MARCH_3) == ""
    assert period_key(Reset.MONTHLY, dt.date(2026, 12, 31)) != period_key(
        Reset.MONTHLY, dt.date(2027, 1, 1)
    )


def test_a_new_period_starts_the_sequence_again() -> None:
    # same year: the stored next value is used and advanced
    assert next_sequence(
        reset=Reset.YEARLY, stored_period_key="2026", stored_next_value=42, day=MARCH_3
    ) == (42, "2026", 43)
    # first invoice of 2027
    assert next_sequence(
        reset=Reset.YEARLY, stored_period_key="2026", stored_next_value=42, day=dt.date(2027, 1, 2)
    ) == (1, "2027", 2)
    # a series that never resets keeps counting
    assert next_sequence(
        reset=Reset.NEVER, stored_period_key="", stored_next_value=900, day=dt.date(2030, 1, 1)
    ) == (900, "", 901)
    # a new month
    assert next_sequence(
        reset=Reset.MONTHLY, stored_period_key="2026-02", stored_next_value=17, day=MARCH_3
    ) == (1, "2026-03", 2)


@pytest.mark.parametrize(
    ("pattern", "reset", "code"),
    [
        ("", Reset.NEVER, "required"),
        ("FV/{yyyy}", Reset.YEARLY, "seq"),
        ("{seq}/{seq}", Reset.NEVER, "seq"),
        ("FV/{year}/{seq}", Reset.YEARLY, "unknown_placeholder"),
        ("FV/{YYYY}/{seq}", Reset.YEARLY, "unknown_placeholder"),
        ("FV/{yyyy}/{seq:4}", Reset.YEARLY, "format"),
        ("FV/{yyyy}/{seq:x}", Reset.YEARLY, "format"),
        ("FV/{yyyy:02}/{seq}", Reset.YEARLY, "format"),
        ("FV/{yyyy/{seq}", Reset.YEARLY, "unbalanced"),
        ("FV/yyyy}/{seq}", Reset.YEARLY, "unbalanced"),
        ("FV|{yyyy}|{seq}", Reset.YEARLY, "characters"),
        ("<b>{seq}</b>", Reset.NEVER, "characters"),
        ("FV/{seq:04}", Reset.YEARLY, "reset_year"),
        ("FV/{yyyy}/{seq:04}", Reset.MONTHLY, "reset_month"),
        ("FV/{mm}/{seq:04}", Reset.MONTHLY, "reset_month"),
        ("X" * 41 + "{seq}", Reset.NEVER, "too_long"),
    ],
)
def test_patterns_staff_type_get_clear_errors(pattern: str, reset: Reset, code: str) -> None:
    with pytest.raises(NumberPatternError) as caught:
        validate_pattern(pattern, reset)
    assert caught.value.code == code
    assert str(caught.value.message)


def test_unknown_placeholder_is_named_in_the_message() -> None:
    with translation.override("en"), pytest.raises(NumberPatternError) as caught:
        validate_pattern("FV/{rok}/{seq}", Reset.NEVER)
    assert "{rok}" in str(caught.value.message)


def test_valid_patterns_and_preview() -> None:
    assert (
        validate_pattern("  FV/{yyyy}/{mm}/{seq:04} ", Reset.MONTHLY) == "FV/{yyyy}/{mm}/{seq:04}"
    )
    assert validate_pattern("Rachunek-Zaliczka nr {seq}", Reset.NEVER)  # Polish letters are fine
    assert preview("PR/{yy}/{seq:03}", Reset.YEARLY, day=MARCH_3, seq=5) == "PR/26/005"


def test_rendering_refuses_a_sequence_below_one() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        render_number("{seq}", seq=0, day=MARCH_3)
