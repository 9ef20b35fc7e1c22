"""The registries hold: every notice event has a composer, every audit action written is
declared, and no object type has two selectors."""

from __future__ import annotations

import ast
import importlib
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.apps import apps

from audit import actions
from notifications import registry

ROOT = Path(__file__).resolve().parents[1]
APPS = ["core", "audit", "notifications", "portal", "scheduling", "billing", "intake", "insights"]
NOTICE_WRITERS = {"notice_queue", "notice_queue_once", "notice_batch_add"}
AUDIT_WRITERS = {"audit_record", "audit_record_many"}


def _app_modules() -> list[tuple[str, ast.Module]]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found.append((module.removesuffix(".__init__"), ast.parse(path.read_text())))
    return found


def _keyword_values(writers: set[str], keyword: str) -> list[tuple[str, ast.expr]]:
    """(module, expression) of `keyword=` in every call to one of `writers`."""
    values = []
    for module, tree in _app_modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in writers:
                values += [(module, kw.value) for kw in node.keywords if kw.arg == keyword]
    return values


# Arguments that are a function's own variable, and the values they can take there.
DYNAMIC = {
    # appointment_notify(event=...) refuses anything but these.
    ("scheduling.services.reminders", "event"): "scheduling.services.reminders.EVENTS",
    # due_reminders_queue queues one of the two.
    ("portal.services.due_notices", "event"): "portal.services.due_notices.DUE_EVENTS",
    # _draft_save audits a new or an edited draft.
    ("billing.services.invoices", "action"): "billing.services.invoices.DRAFT_ACTIONS",
}


def _evaluate(module: str, expression: ast.expr) -> list[Any]:
    """The value(s) an argument can take: a literal, a module-level name or attribute, either
    branch of `a if x else b`, any value of a mapping looked up by key (MARK_ACTIONS[status]),
    or for a variable listed in DYNAMIC, every value it can take."""
    namespace = vars(importlib.import_module(module))
    if isinstance(expression, ast.IfExp):
        return _evaluate(module, expression.body) + _evaluate(module, expression.orelse)
    if isinstance(expression, ast.Name) and expression.id not in namespace:
        where = DYNAMIC[(module, expression.id)]  # KeyError: add it (and say why) above
        owner, _dot, name = where.rpartition(".")
        return list(getattr(importlib.import_module(owner), name))
    if isinstance(expression, ast.Subscript):
        mapping = eval(compile(ast.Expression(expression.value), module, "eval"), namespace)  # noqa: S307 - our own source
        return list(mapping.values())
    return [eval(compile(ast.Expression(expression), module, "eval"), namespace)]  # noqa: S307


def test_every_notice_event_queued_anywhere_has_a_composer() -> None:
    queued = _keyword_values(NOTICE_WRITERS, "event")
    assert queued, "the scan found no notice being queued"
    for module, expression in queued:
        for event in _evaluate(module, expression):
            notice = registry.notice(str(event))  # LookupError: no notice registered
            assert callable(notice.compose), event


def test_every_outbox_table_names_a_registered_notice() -> None:
    for model in registry.outbox_models():
        if model._meta.label == "notifications.Notification":
            continue  # its rows name their own event (checked above)
        assert callable(registry.notice(model().notice_event()).compose)


def test_every_notice_has_a_composer_and_the_editable_ones_all_their_texts() -> None:
    for notice in registry.notices():
        assert callable(notice.compose), notice.event
        if notice.editable:
            for language in ("en", "pl", "es", "ru"):
                assert notice.email[language].body and notice.sms[language], notice.event


def test_every_audit_action_written_anywhere_is_declared() -> None:
    written = _keyword_values(AUDIT_WRITERS, "action")
    assert len(written) > 30, "the scan found too few audit_record calls"
    undeclared = [
        f"{module}: {action}"
        for module, expression in written
        for action in _evaluate(module, expression)
        if not actions.is_declared(str(action))
    ]
    assert not undeclared


def test_each_app_declares_its_own_audit_actions() -> None:
    owners = {owner.split(".")[0] for owner in actions.declared().values()}
    assert {"audit", "portal", "scheduling", "notifications"} <= owners


def test_no_two_apps_have_a_selector_of_the_same_name() -> None:
    # One selector per object type: two apps answering "may this person see it?" for the
    # same thing is how access rules fork.
    defined: dict[str, set[str]] = defaultdict(set)
    for config in apps.get_app_configs():
        if config.name not in APPS:
            continue
        try:
            selectors = importlib.import_module(f"{config.name}.selectors")
        except ModuleNotFoundError:
            continue
        for name, value in vars(selectors).items():
            if (
                callable(value)
                and not name.startswith("_")
                and getattr(value, "__module__", "").startswith(f"{config.name}.")
            ):
                defined[name].add(config.name)
    assert {name: owners for name, owners in defined.items() if len(owners) > 1} == {}
