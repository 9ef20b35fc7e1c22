from __future__ import annotations

from typing import Any

from django import template

from scheduling import selectors
from scheduling.models import ExternalCalendar

register = template.Library()


@register.simple_tag(takes_context=True)
def client_appointments(context: dict[str, Any]) -> dict[str, Any]:
    """The signed-in client's own upcoming and past appointments (portal home)."""
    upcoming, past = selectors.appointments_for_client(user=context["request"].user)
    return {"upcoming": upcoming, "past": past}


@register.simple_tag
def reminders_for(appointment: Any) -> list[Any]:
    """An appointment's reminders with their states (staff appointment pages)."""
    return selectors.reminders_for_appointment(appointment=appointment)


@register.simple_tag(takes_context=True)
def broken_calendars(context: dict[str, Any]) -> list[dict[str, Any]]:
    """Broken calendar connections the signed-in staff member must hear about (banner)."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not getattr(user, "is_firm_staff", False):
        return []
    return selectors.broken_connections_for_banner(user=user)


@register.filter
def calendar_reason(code: str) -> str:
    """A stored calendar error code in words, with the fix."""
    return selectors.calendar_reason(code or "")


@register.filter
def connection_reason(connection: ExternalCalendar) -> str:
    """A connection's last error in words, with the fix for its provider."""
    return selectors.calendar_reason(connection.last_error or "", connection.provider)
