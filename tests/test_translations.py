"""The catalogs for pl, es and ru are complete: no untranslated and no fuzzy entries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"


def _entries(po: Path) -> list[tuple[list[str], str, str]]:
    """(flags, msgid, first msgstr) for each entry; a tiny reader for the PO format."""
    entries = []
    text = po.read_text(encoding="utf-8")
    for block in re.split(r"\n\s*\n", text):
        lines = [ln for ln in block.strip().splitlines() if not ln.startswith("#~")]
        if not lines:
            continue
        flags = [f.strip() for ln in lines if ln.startswith("#,") for f in ln[2:].split(",")]
        current, parts = None, {"msgid": "", "msgstr": ""}
        for ln in lines:
            if ln.startswith("#"):
                continue
            m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt)\s+"(.*)"$', ln)
            if m:
                key = m.group(1)
                current = "msgstr" if key == "msgstr[0]" else key
                if current in parts and key.startswith("msgstr[") and key != "msgstr[0]":
                    if not m.group(2) and not parts.get("_more_empty"):
                        parts["_more_empty"] = ""
                    current = "_other"
                parts[current] = (
                    parts.get(current, "") + m.group(2)
                    if current in ("msgid", "msgstr") and parts.get(current)
                    else m.group(2)
                )
            elif ln.startswith('"') and current:
                parts[current] = parts.get(current, "") + ln[1:-1]
        if "_more_empty" in parts:
            parts["msgstr"] = ""
        entries.append((flags, parts["msgid"], parts["msgstr"]))
    return entries


@pytest.mark.parametrize("lang", ["pl", "es", "ru"])
def test_catalog_has_no_untranslated_or_fuzzy_entries(lang: str) -> None:
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    assert po.exists(), f"missing catalog {po}"
    entries = [e for e in _entries(po) if e[1]]  # skip the header
    assert len(entries) > 100
    fuzzy = [msgid for flags, msgid, _ in entries if "fuzzy" in flags]
    untranslated = [msgid for _, msgid, msgstr in entries if not msgstr]
    assert not fuzzy, f"{lang}: fuzzy entries: {fuzzy[:10]}"
    assert not untranslated, f"{lang}: untranslated entries: {untranslated[:10]}"


@pytest.mark.parametrize("lang", ["pl", "es", "ru"])
def test_compiled_catalog_is_in_use(lang: str) -> None:
    with translation.override(lang):
        assert translation.gettext("My matters") != "My matters"
