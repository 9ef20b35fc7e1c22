from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from intake import selectors
from intake.models import Engagement
from portal.types import practice_area_label

register = template.Library()


@register.filter
def practice_area(value: str) -> str:
    """A lead's or a form's practice area by its name, not its code."""
    return practice_area_label(value or "")


@register.simple_tag(takes_context=True)
def client_letters_to_sign(context: dict[str, Any]) -> list[Engagement]:
    """The signed-in client's letters waiting for their signature (portal home)."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not getattr(user, "is_client", False):
        return []
    now = timezone.now()
    rows = selectors.engagements_for_client(user=user).filter(status__in=Engagement.WITH_CLIENT)
    return [e for e in rows[:20] if not e.is_expired(now)]
