"""Intake form schemas (spec intake.md §2): what a form asks, checked at publish, and the
answers a POST gives, cleaned on the server. No ORM here.

A schema is JSON: ``{"fields": [field, ...]}``. A field::

    {"key": "other_parties", "type": "party_list", "stage": 1, "required": false,
     "label": {"en": "Other people involved", "pl": "...", "es": "...", "ru": "..."},
     "help": {"en": "..."}, "options": [{"value": "family", "label": {"en": "Family"}}],
     "visible_if": {"all": [{"field": "has_children", "op": "eq", "value": "yes"}]},
     "maps_to": "contact.first_name", "sensitive": false, "min": "...", "max": "..."}

Conditions are data, never code, and may name only earlier fields (checked at publish), so
they cannot form a cycle. The server decides visibility on every POST: "required" means
required when visible, and the values of hidden fields are dropped before storage.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import phonenumbers
from babel import Locale
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.validators import SANE_DATE_MAX, SANE_DATE_MIN, validate_plain_text

LANGUAGES: Final = ("en", "pl", "es", "ru")

TYPES: Final = (
    "text",
    "textarea",
    "email",
    "phone",
    "date",
    "deadline",
    "select",
    "radio",
    "multiselect",
    "yes_no",
    "country",
    "party_list",
    "file",
    "acknowledgement",
    "consent",
    "heading",
    "info",
)
STATIC_TYPES: Final = frozenset({"heading", "info"})
CHOICE_TYPES: Final = frozenset({"select", "radio", "multiselect"})
# Types that hold no value the person types on a stage-1 page.
STAGE_TWO_ONLY: Final = frozenset({"file", "textarea"})
# What a `consent` question may ask for: optional purposes only (spec §2); the enquiry
# itself never rests on consent (§7).
CONSENT_PURPOSES: Final = ("marketing", "feedback_publish")
OPERATORS: Final = ("eq", "neq", "in", "not_in", "gt", "lt", "answered", "not_answered")
MAPS_TO: Final = {
    "contact.first_name": ("text",),
    "contact.last_name": ("text",),
    "contact.email": ("email",),
    "contact.phone": ("phone",),
    "lead.practice_area": ("select", "radio", "text"),
    "lead.urgent_deadline": ("deadline", "date"),
    "party[]": ("party_list",),
}
PARTY_ROLES: Final = ("adverse", "spouse", "company", "opposing_counsel", "related", "other")
# What the person picks for each party, and how staff read it back.
PARTY_ROLE_LABELS: Final = {
    "adverse": gettext_lazy("The other side"),
    "spouse": gettext_lazy("Spouse or partner"),
    "company": gettext_lazy("Company"),
    "opposing_counsel": gettext_lazy("Their lawyer"),
    "related": gettext_lazy("Related person"),
    "other": gettext_lazy("Other"),
}
MAX_LENGTH: Final = {"text": 200, "textarea": 2000}
MAX_FIELDS: Final = 60
MAX_PARTIES: Final = 20
MAX_OPTIONS: Final = 50
KEY_RE: Final = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# The product's one date range (core.validators); a question may narrow it with min/max.
DATE_MIN: Final = SANE_DATE_MIN
DATE_MAX: Final = SANE_DATE_MAX
YES_NO: Final = ("yes", "no")


class SchemaError(ValueError):
    """A schema that cannot be published: every problem, for the builder page."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass
class Cleaned:
    """The outcome of one POST: the values to store (visible fields only), the errors per
    field, and what the person typed (to re-render the page without losing a word)."""

    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    typed: dict[str, Any] = field(default_factory=dict)
    visible: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def fields_of(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = schema.get("fields") if isinstance(schema, Mapping) else None
    return [f for f in raw if isinstance(f, dict)] if isinstance(raw, list) else []


def text_in(value: Any, language: str) -> str:
    """A per-language text ({"en": ..., "pl": ...}) in `language`, else English."""
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping):
        return ""
    return str(value.get(language) or value.get("en") or next(iter(value.values()), "") or "")


@functools.cache
def countries(language: str) -> tuple[tuple[str, str], ...]:
    """ISO 3166 alpha-2 codes with their names in `language` (babel's CLDR data), sorted."""
    territories = Locale.parse(language if language in LANGUAGES else "en").territories
    names = [
        (code, name)
        for code, name in territories.items()
        if len(code) == 2
        and code.isalpha()
        and code not in {"ZZ", "EU", "EZ", "UN", "QO"}
        and not code.startswith("X")
    ]
    return tuple(sorted(names, key=lambda item: item[1]))


def _option_values(f: Mapping[str, Any]) -> list[str]:
    if f.get("type") == "yes_no":
        return list(YES_NO)
    if f.get("type") == "country":
        return [code for code, _name in countries("en")]
    options = f.get("options")
    if not isinstance(options, list):
        return []
    return [str(o.get("value")) for o in options if isinstance(o, Mapping)]


# ---------------------------------------------------------------------------- publish


def _check_condition(
    condition: Any, *, earlier: Mapping[str, Mapping[str, Any]], key: str
) -> list[str]:
    if condition in (None, {}):
        return []
    if not isinstance(condition, Mapping) or len(condition) != 1:
        return [_('%(key)s: a condition is {"all": [...]} or {"any": [...]}.') % {"key": key}]
    ((mode, clauses),) = condition.items()
    if mode not in ("all", "any") or not isinstance(clauses, list) or not clauses:
        return [_('%(key)s: a condition is {"all": [...]} or {"any": [...]}.') % {"key": key}]
    problems: list[str] = []
    for clause in clauses:
        if not isinstance(clause, Mapping):
            problems.append(_("%(key)s: each rule names a field and an operator.") % {"key": key})
            continue
        source = clause.get("field")
        op = clause.get("op")
        if source not in earlier:
            problems.append(
                _("%(key)s: a rule may use only an earlier question, not “%(source)s”.")
                % {"key": key, "source": source}
            )
            continue
        if op not in OPERATORS:
            problems.append(_("%(key)s: unknown operator “%(op)s”.") % {"key": key, "op": op})
            continue
        values = _option_values(earlier[str(source)])
        if op in ("eq", "neq", "in", "not_in") and values:
            wanted = clause.get("value")
            wanted_list = wanted if isinstance(wanted, list) else [wanted]
            unknown = [str(v) for v in wanted_list if str(v) not in values]
            if unknown:
                problems.append(
                    _("%(key)s: “%(value)s” is not an answer “%(source)s” offers.")
                    % {"key": key, "value": ", ".join(unknown), "source": source}
                )
    return problems


def validate_schema(schema: Any) -> list[dict[str, Any]]:
    """The fields of a schema fit to publish, or SchemaError listing every problem."""
    if not isinstance(schema, Mapping) or not isinstance(schema.get("fields"), list):
        raise SchemaError([_("A form needs a list of questions.")])
    problems: list[str] = []
    seen: dict[str, Mapping[str, Any]] = {}
    mapped: set[str] = set()
    raw_fields = schema["fields"]
    if not raw_fields:
        problems.append(_("Add at least one question."))
    if len(raw_fields) > MAX_FIELDS:
        problems.append(_("A form has at most %(n)d questions.") % {"n": MAX_FIELDS})
    for position, f in enumerate(raw_fields, start=1):
        if not isinstance(f, Mapping):
            problems.append(_("Question %(n)d is not a question.") % {"n": position})
            continue
        key = str(f.get("key", ""))
        kind = f.get("type")
        if not KEY_RE.match(key):
            problems.append(
                _("Question %(n)d: the key uses lowercase letters, digits and _.") % {"n": position}
            )
            continue
        if key in seen:
            problems.append(_("The key “%(key)s” is used twice.") % {"key": key})
            continue
        if kind not in TYPES:
            problems.append(_("%(key)s: unknown type “%(type)s”.") % {"key": key, "type": kind})
            continue
        label = f.get("label")
        if not isinstance(label, Mapping) or not str(label.get("en", "")).strip():
            problems.append(_("%(key)s: an English label is required.") % {"key": key})
        elif any(lang not in LANGUAGES for lang in label):
            problems.append(_("%(key)s: labels are in en, pl, es or ru.") % {"key": key})
        stage = f.get("stage", 1)
        if stage not in (1, 2):
            problems.append(_("%(key)s: the stage is 1 or 2.") % {"key": key})
        if kind == "file" and stage != 2:
            problems.append(
                _("%(key)s: files are asked only in stage 2, after the conflict check.")
                % {"key": key}
            )
        if kind == "consent":
            if f.get("required"):
                problems.append(
                    _("%(key)s: a consent is optional; it cannot be required.") % {"key": key}
                )
            if f.get("purpose", CONSENT_PURPOSES[0]) not in CONSENT_PURPOSES:
                problems.append(
                    _("%(key)s: a consent is for marketing or publishing feedback.") % {"key": key}
                )
        if kind in CHOICE_TYPES:
            values = _option_values(f)
            if not values or len(values) > MAX_OPTIONS:
                problems.append(
                    _("%(key)s: give 1 to %(n)d options.") % {"key": key, "n": MAX_OPTIONS}
                )
            elif len(set(values)) != len(values) or not all(KEY_RE.match(v) for v in values):
                problems.append(
                    _("%(key)s: option values are unique and use lowercase letters, digits and _.")
                    % {"key": key}
                )
        maps_to = f.get("maps_to")
        if maps_to:
            if maps_to not in MAPS_TO or kind not in MAPS_TO[str(maps_to)]:
                problems.append(
                    _("%(key)s: it cannot fill “%(target)s”.") % {"key": key, "target": maps_to}
                )
            elif maps_to in mapped and maps_to != "party[]":
                problems.append(
                    _("%(key)s: another question already fills “%(target)s”.")
                    % {"key": key, "target": maps_to}
                )
            mapped.add(str(maps_to))
        problems.extend(_check_condition(f.get("visible_if"), earlier=seen, key=key))
        seen[key] = f
    if problems:
        raise SchemaError(problems)
    return [dict(f) for f in raw_fields]


# ---------------------------------------------------------------------------- answers


def _is_answered(value: Any) -> bool:
    return value not in (None, "", [], {})


def condition_holds(condition: Any, answers: Mapping[str, Any]) -> bool:
    """Whether a field with this `visible_if` is shown, given the (visible) answers so far."""
    if not condition:
        return True
    if not isinstance(condition, Mapping) or len(condition) != 1:
        return True
    ((mode, clauses),) = condition.items()
    results = [_clause(c, answers) for c in clauses if isinstance(c, Mapping)]
    return all(results) if mode == "all" else any(results)


def _clause(clause: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    value = answers.get(str(clause.get("field")))
    wanted = clause.get("value")
    op = clause.get("op")
    if op == "answered":
        return _is_answered(value)
    if op == "not_answered":
        return not _is_answered(value)
    values = [str(v) for v in value] if isinstance(value, list) else [str(value or "")]
    if op == "eq":
        return str(wanted) in values
    if op == "neq":
        return str(wanted) not in values
    wanted_list = [str(w) for w in wanted] if isinstance(wanted, list) else [str(wanted)]
    if op == "in":
        return any(v in wanted_list for v in values)
    if op == "not_in":
        return not any(v in wanted_list for v in values)
    if op in ("gt", "lt"):
        try:
            left, right = float(values[0]), float(str(wanted))
        except (ValueError, IndexError):
            left_s, right_s = values[0] if values else "", str(wanted)
            return bool(left_s) and (left_s > right_s if op == "gt" else left_s < right_s)
        return left > right if op == "gt" else left < right
    return False


def _get(data: Any, name: str) -> Any:
    return data.get(name) if hasattr(data, "get") else None


def _getlist(data: Any, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        return [str(v) for v in data.getlist(name)]
    value = _get(data, name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _plain(value: str, limit: int) -> str:
    """Plain text within `limit` characters, or a ValidationError the person understands."""
    value = value.strip()
    if len(value) > limit:
        raise ValidationError(
            _("Please keep this under %(n)d characters (you typed %(m)d).")
            % {"n": limit, "m": len(value)}
        )
    validate_plain_text(value)
    return value


def _date(value: str, f: Mapping[str, Any]) -> str:
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(_("Enter a date such as 2026-03-14.")) from None
    low = _bound(f.get("min"), DATE_MIN)
    high = _bound(f.get("max"), DATE_MAX)
    if not low <= day <= high:
        raise ValidationError(
            _("Enter a date between %(low)s and %(high)s.")
            % {"low": low.isoformat(), "high": high.isoformat()}
        )
    return day.isoformat()


def _bound(value: Any, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)) if value else default
    except ValueError:
        return default


def _phone(value: str, region: str) -> str:
    try:
        number = phonenumbers.parse(value.strip(), region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a phone number with its country code, such as +48 …"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parties(data: Any, key: str, typed: dict[str, Any]) -> list[dict[str, str]]:
    names = _getlist(data, f"{key}__name")
    orgs = _getlist(data, f"{key}__organisation")
    roles = _getlist(data, f"{key}__role")
    rels = _getlist(data, f"{key}__relationship")
    count = max(len(names), len(orgs), len(roles), len(rels))
    rows: list[dict[str, str]] = []
    for i in range(min(count, 200)):

        def at(values: list[str], i: int = i) -> str:
            return values[i] if i < len(values) else ""

        rows.append(
            {
                "name": at(names)[:500],
                "organisation": at(orgs)[:500],
                "role": at(roles)[:40],
                "relationship": at(rels)[:500],
            }
        )
    typed[key] = rows
    filled = [r for r in rows if r["name"].strip() or r["organisation"].strip()]
    if len(filled) > MAX_PARTIES:
        raise ValidationError(
            _("Name at most %(n)d people or organisations here.") % {"n": MAX_PARTIES}
        )
    cleaned = []
    for row in filled:
        role = row["role"] if row["role"] in PARTY_ROLES else "other"
        cleaned.append(
            {
                "name": _plain(row["name"], 200),
                "organisation": _plain(row["organisation"], 200),
                "role": role,
                "relationship": _plain(row["relationship"], 200),
            }
        )
    return cleaned


def _value(f: Mapping[str, Any], data: Any, typed: dict[str, Any], region: str) -> Any:
    """The cleaned value of one visible field (None when left empty)."""
    key = str(f["key"])
    kind = f["type"]
    if kind == "party_list":
        return _parties(data, key, typed) or None
    if kind == "multiselect":
        chosen = _getlist(data, key)[:MAX_OPTIONS]
        typed[key] = chosen
        allowed = _option_values(f)
        if any(c not in allowed for c in chosen):
            raise ValidationError(_("Choose from the options given."))
        return [v for v in allowed if v in chosen] or None
    if kind in ("acknowledgement", "consent"):
        ticked = _get(data, key) in ("on", "1", "yes", "true")
        typed[key] = ticked
        return True if ticked else None
    raw = _get(data, key)
    raw = "" if raw is None else str(raw)
    typed[key] = raw[:2500]
    if not raw.strip():
        return None
    if kind in ("text", "textarea"):
        return _plain(raw, MAX_LENGTH[kind])
    if kind == "email":
        value = raw.strip()
        if len(value) > 254:
            raise ValidationError(_("Enter a valid email address."))
        validate_email(value)
        return value.lower()
    if kind == "phone":
        return _phone(raw, region)
    if kind in ("date", "deadline"):
        return _date(raw, f)
    if kind in ("select", "radio", "yes_no", "country"):
        value = raw.strip()
        if value not in _option_values(f):
            raise ValidationError(_("Choose from the options given."))
        return value
    return None


def clean_answers(
    fields: Sequence[Mapping[str, Any]],
    data: Any,
    *,
    stage: int | None,
    region: str = "PL",
    require: bool = True,
) -> Cleaned:
    """Validate a POST against the fields of one stage (None: every stage).

    Visibility is decided in order from the cleaned values of the earlier fields; a hidden
    field's value is dropped, and "required" applies only to visible fields. With
    `require=False` (autosave) missing answers are not errors.
    """
    result = Cleaned()
    known: dict[str, Any] = {}
    for f in fields:
        key = str(f.get("key", ""))
        kind = f.get("type")
        if kind in STATIC_TYPES or kind == "file":
            continue
        if stage is not None and f.get("stage", 1) != stage:
            continue
        if not condition_holds(f.get("visible_if"), known):
            continue
        result.visible.append(key)
        try:
            value = _value(f, data, result.typed, region)
        except ValidationError as exc:
            result.errors[key] = [str(m) for m in exc.messages]
            continue
        if value is None:
            if require and f.get("required"):
                result.errors[key] = [_("Please answer this question.")]
            continue
        known[key] = value
        result.answers[key] = value
    return result


def visible_keys(fields: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]) -> set[str]:
    """The keys shown for these stored answers (for rendering a submission as asked)."""
    shown: set[str] = set()
    known: dict[str, Any] = {}
    for f in fields:
        key = str(f.get("key", ""))
        if condition_holds(f.get("visible_if"), known):
            shown.add(key)
            if key in answers:
                known[key] = answers[key]
    return shown


def display_value(f: Mapping[str, Any], value: Any, language: str) -> str:
    """An answer as a person reads it, in `language` (labels of options, country names)."""
    kind = f.get("type")
    if value is None:
        return ""
    if kind == "yes_no":
        return _("Yes") if value == "yes" else _("No")
    if kind in ("acknowledgement", "consent"):
        return _("Yes")
    if kind == "country":
        return dict(countries(language)).get(str(value), str(value))
    if kind in CHOICE_TYPES:
        labels = {
            str(o.get("value")): text_in(o.get("label"), language)
            for o in f.get("options") or []
            if isinstance(o, Mapping)
        }
        items = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in items)
    if kind == "party_list" and isinstance(value, list):
        return "; ".join(
            " · ".join(
                str(p)
                for p in (
                    row.get("name"),
                    row.get("organisation"),
                    PARTY_ROLE_LABELS.get(str(row.get("role")), row.get("role")),
                )
                if p
            )
            for row in value
            if isinstance(row, Mapping)
        )
    return str(value)
