"""One form of a name or reference to compare, whatever way it was typed.

"Wiśniewska", "WIŚNIEWSKA" and "wisniewska" give the same key; so do "Łukasz" and
"lukasz", "Ёлкин" and "елкин". Cyrillic names also get a Latin spelling, so "Ivanova"
finds "Иванова". Contacts and matters keep the key of their names in `search_text`
(set on every save), and a query is turned into keys the same way, so one `contains`
lookup answers on SQLite and PostgreSQL alike, without the database folding anything.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.db.models import Q

# Letters NFKD does not split into a base letter and a mark.
_LETTERS = str.maketrans(
    {"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i", "ð": "d", "þ": "th"}
)
# A common Latin spelling of Russian letters (as in passports), after folding (ё -> е, й -> и).
_CYRILLIC = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
        "и": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
        "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
        "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
        "і": "i", "ї": "i", "є": "ie", "ґ": "g",
    }
)  # fmt: skip
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_PHONE_LIKE = re.compile(r"[\d\s()+\-./]+")


def fold(text: str) -> str:
    """Lower case without diacritics: "Wiśniewska" -> "wisniewska"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.translate(_LETTERS)


def search_text(parts: Iterable[str]) -> str:
    """The stored key of a contact's or matter's words (with a Latin spelling of Cyrillic)."""
    folded = " ".join(fold(p) for p in parts if p)
    if _CYRILLIC_RE.search(folded):
        folded += " " + folded.translate(_CYRILLIC)
    return " ".join(folded.split())


def query_tokens(query: str) -> list[str]:
    """The keys every one of which a match must contain ("ewa wiśniewska" -> two)."""
    return [t for t in fold(query).split() if t][:6]


def phone_digits(query: str) -> str:
    """The digits of a query typed like a phone number ("+48 601-234-567"), else ""."""
    if not _PHONE_LIKE.fullmatch(query.strip()):
        return ""
    digits = re.sub(r"\D", "", query)
    return digits if len(digits) >= 4 else ""


def search_key_filter(query: str, *, field: str = "search_text") -> Q | None:
    """Every word of the query in `search_text`, in any case and with or without diacritics
    ("wisniewska" finds "Wiśniewska"); a query typed like a phone number also matches by its
    digits ("+48 601-234-567"). None when there is nothing to look for."""
    tokens = query_tokens(query)
    if not tokens:
        return None
    condition = Q()
    for token in tokens:
        condition &= Q(**{f"{field}__contains": token})
    digits = phone_digits(query)
    if digits:
        condition |= Q(**{f"{field}__contains": digits})
    return condition
