"""The staff search box finds an appointment by the short code the client reads out
("K7QF-2M9X", with or without the dash, in any case)."""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from portal.search_providers import SearchHit
from scheduling.selectors import appointments_visible_to, booking_code

if TYPE_CHECKING:
    from portal.models import User

_CODE = re.compile(r"\s*([A-Za-z2-7]{4})-?([A-Za-z2-7]{4})\s*")


def _key_range(query: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The ids whose first 40 bits the code spells (booking_code's inverse), or None."""
    match = _CODE.fullmatch(query)
    if match is None:
        return None
    try:
        raw = base64.b32decode((match.group(1) + match.group(2)).upper()).hex()
    except (binascii.Error, ValueError):
        return None
    return uuid.UUID(raw + "0" * 22), uuid.UUID(raw + "f" * 22)


def appointments_by_code(user: User, query: str) -> list[SearchHit]:
    key_range = _key_range(query)
    if key_range is None:
        return []
    low, high = key_range
    found = (
        appointments_visible_to(user)
        .filter(Q(pk__range=(low, high)) | Q(booking_group__range=(low, high)))
        .select_related("contact", "service")
        .order_by("start_at")[:10]
    )
    return [
        SearchHit(
            title=f"{booking_code(a.booking_ref)} · {a.contact.full_name}",
            detail=f"{a.service.name} · "
            f"{date_format(timezone.localtime(a.start_at), 'SHORT_DATETIME_FORMAT')} · "
            f"{a.get_status_display()}",
            url=reverse("scheduling:staff-appointment", args=[a.pk]),
        )
        for a in found
    ]
