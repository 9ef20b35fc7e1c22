"""Turning a form version and typed answers into what the form page shows."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from intake import schema

BLANK_PARTY_ROWS = 2


def page_fields(
    fields: list[dict[str, Any]],
    *,
    typed: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    stage: int | None,
    language: str,
) -> list[dict[str, Any]]:
    """The questions of one stage, each with its label in `language`, what was typed, its
    errors and whether the server shows it now (the script re-decides live)."""
    rows: list[dict[str, Any]] = []
    known: dict[str, Any] = {}
    for f in fields:
        kind = f.get("type")
        if stage is not None and f.get("stage", 1) != stage:
            continue
        key = str(f.get("key", ""))
        visible = schema.condition_holds(f.get("visible_if"), known)
        value = typed.get(key)
        if visible and value not in (None, "", [], False):
            known[key] = value
        options: list[tuple[str, str]] = []
        if kind == "yes_no":
            options = [
                ("yes", schema.display_value(f, "yes", language)),
                ("no", schema.display_value(f, "no", language)),
            ]
        elif kind == "country":
            options = list(schema.countries(language))
        elif kind in schema.CHOICE_TYPES:
            options = [
                (str(o.get("value")), schema.text_in(o.get("label"), language))
                for o in f.get("options") or []
                if isinstance(o, Mapping)
            ]
        parties: list[Mapping[str, Any]] = []
        if kind == "party_list":
            parties = [p for p in value or [] if isinstance(p, Mapping)]
            parties = parties + [{}] * max(BLANK_PARTY_ROWS - len(parties), 1)
        chosen = value if isinstance(value, list) else ([] if value in (None, "") else [value])
        rows.append(
            {
                "key": key,
                "type": kind,
                "label": schema.text_in(f.get("label"), language),
                "help": schema.text_in(f.get("help"), language),
                "required": bool(f.get("required")),
                "value": "" if isinstance(value, list | bool) or value is None else str(value),
                "chosen": [str(c) for c in chosen],
                "checked": value is True,
                "options": options,
                "parties": parties,
                "errors": list(errors.get(key, [])),
                "visible": visible,
                "condition": json.dumps(f["visible_if"]) if f.get("visible_if") else "",
                "maxlength": schema.MAX_LENGTH.get(str(kind), 200),
            }
        )
    return rows
