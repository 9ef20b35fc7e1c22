from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import translation

from billing.money import format_money

register = template.Library()


@register.filter
def money(value: Decimal | None, currency: str) -> str:
    """``{{ invoice.total|money:invoice.currency }}`` in the viewer's language."""
    if value is None:
        return ""
    return format_money(value, currency, translation.get_language() or "en")
