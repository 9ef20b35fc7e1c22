"""Document number patterns (``FV/{yyyy}/{mm}/{seq:04}``) and their reset periods.

The pure half of the gapless series: checking a pattern staff type, rendering a number
and telling which period a date belongs to. Taking the next value happens in the issuing
transaction under ``select_for_update()`` on the series row: when the row's
``period_key`` differs from ``period_key(reset, issue_date)`` the sequence starts at 1
again. A reset needs the period in the number itself (a yearly series must print the
year), or next year's numbers would repeat this year's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MAX_PATTERN_LENGTH = 40
# Room for the widest rendering ({seq} past a billion); Invoice.number should hold it.
MAX_NUMBER_LENGTH = 64
PLACEHOLDERS = ("yyyy", "yy", "mm", "dd", "seq")
_TOKEN_RE = re.compile(r"\{([^{}]*)\}")
_SEQ_FORMAT_RE = re.compile(r"^0([1-9])$")
_LITERAL_RE = re.compile(r"^[\w /\-_.#]*$")


class Reset(StrEnum):
    YEARLY = "yearly"
    MONTHLY = "monthly"
    NEVER = "never"


class NumberPatternError(ValueError):
    """A pattern staff typed that cannot number documents; ``message`` is translated."""

    def __init__(self, message: str | Promise, *, code: str) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class _Token:
    name: str
    width: int = 0


def _parse(pattern: str) -> list[str | _Token]:
    if not pattern or not pattern.strip():
        raise NumberPatternError(_("Enter a number pattern."), code="required")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise NumberPatternError(
            _("A number pattern has at most %(max)d characters.") % {"max": MAX_PATTERN_LENGTH},
            code="too_long",
        )
    parts: list[str | _Token] = []
    position = 0
    for match in _TOKEN_RE.finditer(pattern):
        parts.append(pattern[position : match.start()])
        parts.append(_token(match.group(1)))
        position = match.end()
    parts.append(pattern[position:])
    literals = [p for p in parts if isinstance(p, str)]
    if any("{" in p or "}" in p for p in literals):
        raise NumberPatternError(
            _("Every { in the pattern needs its closing }."), code="unbalanced"
        )
    if not all(_LITERAL_RE.match(p) for p in literals):
        raise NumberPatternError(
            _(
                "Besides placeholders, a pattern may contain letters, digits, spaces and "
                "/ - _ . # only."
            ),
            code="characters",
        )
    return [p for p in parts if p != ""]


def _token(body: str) -> _Token:
    name, _sep, spec = body.partition(":")
    if name not in PLACEHOLDERS:
        raise NumberPatternError(
            _("Unknown placeholder {%(name)s}. Use {yyyy}, {yy}, {mm}, {dd} and {seq} or {seq:04}.")
            % {"name": body},
            code="unknown_placeholder",
        )
    if not spec and not _sep:
        return _Token(name)
    match = _SEQ_FORMAT_RE.match(spec)
    if name != "seq" or not match:
        raise NumberPatternError(
            _("Only {seq} takes a width, written like {seq:04} (1 to 9 digits)."),
            code="format",
        )
    return _Token(name, int(match.group(1)))


def validate_pattern(pattern: str, reset: Reset | str) -> str:
    """The pattern, stripped, if it can number a series with this reset; else a
    ``NumberPatternError`` saying what to change."""
    reset = Reset(reset)
    pattern = pattern.strip()
    tokens = [p for p in _parse(pattern) if isinstance(p, _Token)]
    names = [t.name for t in tokens]
    if names.count("seq") != 1:
        raise NumberPatternError(
            _("The pattern must contain {seq} exactly once (the running number)."),
            code="seq",
        )
    has_year = "yyyy" in names or "yy" in names
    if reset is Reset.YEARLY and not has_year:
        raise NumberPatternError(
            _("A series that starts again every year needs {yyyy} or {yy} in its pattern."),
            code="reset_year",
        )
    if reset is Reset.MONTHLY and not (has_year and "mm" in names):
        raise NumberPatternError(
            _("A series that starts again every month needs the year and {mm} in its pattern."),
            code="reset_month",
        )
    return pattern


def period_key(reset: Reset | str, day: dt.date) -> str:
    """The period ``day`` belongs to: ``"2026"`` (yearly), ``"2026-03"`` (monthly) or
    ``""`` (never resets). A series whose stored key differs starts again at 1."""
    reset = Reset(reset)
    if reset is Reset.YEARLY:
        return f"{day.year:04d}"
    if reset is Reset.MONTHLY:
        return f"{day.year:04d}-{day.month:02d}"
    return ""


def next_sequence(
    *, reset: Reset | str, stored_period_key: str, stored_next_value: int, day: dt.date
) -> tuple[int, str, int]:
    """(value to use now, the series' new period key, its new next value) for a document
    issued on ``day``: the decision the issuing service applies to the locked row."""
    key = period_key(reset, day)
    value = stored_next_value if key == stored_period_key else 1
    if value < 1:
        raise ValueError("a series' next value starts at 1")
    return value, key, value + 1


def render_number(pattern: str, *, seq: int, day: dt.date) -> str:
    """``"FV/{yyyy}/{mm}/{seq:04}"``, 12, 2026-03-03 → ``"FV/2026/03/0012"``.

    The pattern is parsed again (it is short), so a pattern that was never validated
    cannot render; the reset rule is checked where the series is saved."""
    if seq < 1:
        raise ValueError("sequence numbers start at 1")
    values = {
        "yyyy": f"{day.year:04d}",
        "yy": f"{day.year % 100:02d}",
        "mm": f"{day.month:02d}",
        "dd": f"{day.day:02d}",
    }
    out = []
    for part in _parse(pattern.strip()):
        if isinstance(part, str):
            out.append(part)
        elif part.name == "seq":
            out.append(str(seq).zfill(part.width))
        else:
            out.append(values[part.name])
    number = "".join(out)
    if len(number) > MAX_NUMBER_LENGTH:
        raise ValueError("rendered number is longer than a document number may be")
    return number


def preview(pattern: str, reset: Reset | str, *, day: dt.date, seq: int = 1) -> str:
    """Validate and render one example, for the series settings page."""
    return render_number(validate_pattern(pattern, reset), seq=seq, day=day)
