"""Pieces of the portal that other pages include (open tasks on the portal home)."""

from __future__ import annotations

from typing import Any

from django import template

from portal import selectors, task_links

register = template.Library()


@register.inclusion_tag("portal/_open_tasks.html", takes_context=True)
def open_client_tasks(context: template.Context, limit: int = 10) -> dict[str, Any]:
    user = context.get("user")
    # The portal home hands over the matter ids it already looked up.
    ids = context.get("visible_matter_ids")
    tasks = list(selectors.open_tasks_for_client(user=user, matter_ids=ids)[:limit]) if user else []
    if tasks and user is not None:
        task_links.attach(user=user, tasks=tasks)
    return {"tasks": tasks, "csrf_token": context.get("csrf_token")}


@register.simple_tag(takes_context=True)
def silent_matters_for_me(context: template.Context) -> list[Any]:
    """The signed-in lawyer's silent matters (the alarm on the staff home)."""
    user = getattr(context.get("request"), "user", None)
    if user is None:
        return []
    return selectors.silent_matters_for_user(user=user)


@register.simple_tag(takes_context=True)
def inbox_waiting(context: template.Context) -> int:
    """How many matters wait in the signed-in staff member's inbox (the menu's badge)."""
    user = getattr(context.get("request"), "user", None)
    return selectors.inbox_waiting_count(user=user) if user is not None else 0
