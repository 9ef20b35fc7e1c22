from __future__ import annotations

from django import template

from notifications.selectors import reminders_stalled_cached

register = template.Library()


@register.simple_tag(takes_context=True)
def reminders_stalled(context: template.Context) -> bool:
    """True for staff when the reminder sweep has stopped (cached 30 s, staff only)."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not getattr(user, "is_firm_staff", False):
        return False
    return reminders_stalled_cached()
