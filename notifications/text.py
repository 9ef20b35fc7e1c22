"""Pure text helpers: placeholder substitution and SMS segment counting (no ORM)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# GSM 03.38 basic character set and the extension table (each extension char costs two
# septets because it is sent as ESC + char).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Segments:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    per_segment: int
    remaining: int  # units left in the last segment


def sms_segments(text: str) -> Segments:
    """How many SMS parts a text needs: 160/153 septets in GSM-7, 70/67 units in UCS-2."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        # Characters outside the Basic Multilingual Plane (emoji) take two UTF-16 units.
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    if units <= single:
        count, per = (1 if units else 0), single
    else:
        count, per = -(-units // multi), multi
    remaining = count * per - units if count else single
    return Segments(encoding, units, count, per, remaining)


def placeholders_in(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def fill(text: str, values: dict[str, str]) -> str:
    """Replace {name} with values[name]; anything else stays as written.

    Deliberately not str.format or the Django template engine: the firm edits these texts,
    and neither attribute access nor format specs must be reachable from them.
    """
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)
