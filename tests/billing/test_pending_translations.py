"""Every message of the billing foundation has its pl, es and ru translation in
billing/i18n/ (merged into locale/ when the app is wired in; see billing/i18n/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from django.conf import settings

BASE = Path(settings.BASE_DIR)
MODULES = ["billing/money.py", "billing/tax.py", "billing/numbering.py", "billing/qr.py"]
KEYWORDS = {"_": None, "gettext_lazy": None, "ngettext_lazy": (1, 2)}


def extracted() -> set[str]:
    ids: set[str] = set()
    for module in MODULES:
        for _line, message, _comments, _context in extract_from_file(
            "python", str(BASE / module), keywords=KEYWORDS
        ):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


@pytest.mark.parametrize("lang", ["pl", "es", "ru"])
def test_every_billing_message_is_translated(lang: str) -> None:
    with open(BASE / "billing" / "i18n" / f"{lang}.po", "rb") as handle:
        catalog = read_po(handle, locale=lang)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog if m.id and (all(m.string) if isinstance(m.string, tuple)
                                      else m.string)
    }
    messages = extracted()
    assert len(messages) > 40
    assert sorted(messages - translated) == []
