from __future__ import annotations

from typing import Any

from django import template

from scheduling import selectors

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
