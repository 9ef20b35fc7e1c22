"""The one CSV writer for exports (insights.md §7): streamed, UTF-8, formulas defused.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, TAB or CR as a formula
(OWASP ASVS 1.2.10), and names, titles and comments are typed by people. Text cells that
start so get a leading ``'``. Number cells are written as numbers with a dot and never
prefixed, so ``-150.00`` stays a negative amount a spreadsheet can add up; which cells are
numbers is said by the column, not guessed from the value.

"For Excel" adds a byte-order mark (so Excel reads UTF-8) and, for the languages whose
Excel uses a decimal comma (pl, es, ru), ``;`` as the delimiter, as Excel there expects.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Literal

from django.http import StreamingHttpResponse

CellKind = Literal["text", "number"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
# Locales whose spreadsheets use the comma as decimal mark and ";" between fields.
SEMICOLON_LANGUAGES = frozenset({"pl", "es", "ru"})


def safe_text(value: Any) -> str:
    """A text cell a spreadsheet shows as text and never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def number_cell(value: Any) -> str:
    """A number with a dot and no exponent (``Decimal("1E+2")`` is ``100``); "" for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int | float):
        return format(Decimal(str(value)), "f")
    raise TypeError(f"not a number: {value!r}")


def cell(value: Any, kind: CellKind) -> str:
    if kind == "number":
        return number_cell(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return safe_text(value)


def delimiter_for(*, excel: bool, language: str) -> str:
    return ";" if excel and language[:2] in SEMICOLON_LANGUAGES else ","


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    *,
    header: Sequence[Any],
    kinds: Sequence[CellKind],
    rows: Iterable[Sequence[Any]],
    excel: bool = False,
    language: str = "en",
) -> Iterator[str]:
    """The CSV text line by line: header (text cells), then each row by its column kinds."""
    if len(header) != len(kinds):
        raise ValueError("one kind per column")
    writer = csv.writer(_Echo(), delimiter=delimiter_for(excel=excel, language=language))
    if excel:
        yield BOM
    yield writer.writerow([safe_text(h) for h in header])
    for row in rows:
        yield writer.writerow([cell(value, kind) for value, kind in zip(row, kinds, strict=True)])


def csv_response(
    *,
    filename: str,
    header: Sequence[Any],
    kinds: Sequence[CellKind],
    rows: Iterable[Sequence[Any]],
    excel: bool = False,
    language: str = "en",
) -> StreamingHttpResponse:
    """A streamed attachment of the rows (the filename is ours, never user text)."""
    response = StreamingHttpResponse(
        csv_lines(header=header, kinds=kinds, rows=rows, excel=excel, language=language),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
