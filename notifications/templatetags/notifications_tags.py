from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def reminders_stalled(context: template.Context) -> bool:
    """True for staff when the reminder sweep has stopped (cached 30 s, staff only)."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not getattr(user, "is_firm_staff", False):
        return False
    from notifications.selectors import reminders_stalled_cached

    return reminders_stalled_cached()


@register.simple_tag(takes_context=True)
def silent_matters_for_me(context: template.Context) -> list[Any]:
    user = getattr(context.get("request"), "user", None)
    if user is None:
        return []
    from notifications.selectors import silent_matters_for_user

    return silent_matters_for_user(user=user)


@register.simple_tag
def reminders_for(appointment: Any) -> list[Any]:
    from notifications.selectors import reminders_for_appointment

    return reminders_for_appointment(appointment=appointment)
