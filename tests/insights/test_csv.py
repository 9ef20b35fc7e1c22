"""The one CSV writer (core/csv_export.py, insights.md §7): formulas defused in text
cells only, numbers written as numbers, and the "for Excel" option."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from core.csv_export import csv_lines


def _read(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def test_text_cells_that_would_run_as_formulas_are_prefixed() -> None:
    text = "".join(
        csv_lines(
            header=["Name", "Amount"],
            kinds=["text", "number"],
            rows=[
                ['=HYPERLINK("http://evil.example","x")', Decimal("-150.00")],
                ["+1", 1],
                ["@SUM(A1:A2)", Decimal("0")],
                ["-2", Decimal("2.5")],
                ["\tTab", None],
                ["\rCR", Decimal("1E+2")],
                ["Anna Nowak", Decimal("12.30")],
            ],
        )
    )

    rows = _read(text)
    assert rows[0] == ["Name", "Amount"]
    names = [r[0] for r in rows[1:]]
    assert names[:6] == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'+1",
        "'@SUM(A1:A2)",
        "'-2",
        "'\tTab",
        "'\rCR",
    ]
    assert names[6] == "Anna Nowak"
    # Numbers stay numbers: a negative amount keeps its minus and gets no quote.
    assert [r[1] for r in rows[1:]] == ["-150.00", "1", "0", "2.5", "", "100", "12.30"]


def test_plain_csv_has_no_bom_and_uses_commas() -> None:
    text = "".join(csv_lines(header=["A", "B"], kinds=["text", "number"], rows=[["x", 1]]))

    assert not text.startswith("\ufeff")
    assert text.splitlines()[1] == "x,1"


def test_excel_option_adds_a_bom_and_semicolons_for_polish_spanish_russian() -> None:
    for language in ("pl", "es", "ru"):
        text = "".join(
            csv_lines(
                header=["A", "B"],
                kinds=["text", "number"],
                rows=[["x", Decimal("-1.5")]],
                excel=True,
                language=language,
            )
        )
        assert text.startswith("\ufeff")
        assert text[1:].splitlines()[1] == "x;-1.5"


def test_excel_option_in_english_keeps_commas_but_adds_the_bom() -> None:
    text = "".join(csv_lines(header=["A"], kinds=["text"], rows=[["x"]], excel=True, language="en"))

    assert text.startswith("\ufeff")
    assert text[1:].splitlines() == ["A", "x"]
