"""Matter parties and aliases: for the staff matter page and intake's conflict index."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet

from portal.models import Contact, ContactAlias, MatterParty


def contacts_for_index(*, ids: Iterable[Any] | None = None) -> QuerySet[Contact]:
    """Contacts with their aliases, for the conflict index (no access check: the index is
    firm-wide; what staff may see of it is intake's report permission)."""
    qs = Contact.objects.prefetch_related(
        Prefetch("aliases", queryset=ContactAlias.objects.order_by("pk"))
    )
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.order_by("pk")


def matter_parties_for_index(
    *, matter_id: Any = None, contact_id: Any = None
) -> QuerySet[MatterParty]:
    qs = MatterParty.objects.select_related(
        "contact", "matter", "matter__responsible_lawyer"
    ).prefetch_related("contact__aliases")
    if matter_id is not None:
        qs = qs.filter(matter_id=matter_id)
    if contact_id is not None:
        qs = qs.filter(contact_id=contact_id)
    return qs.order_by("pk")


def matter_parties_for_matter(*, matter: Any) -> list[MatterParty]:
    """The parties of a matter the viewer already may open (checked by the caller)."""
    return list(
        MatterParty.objects.select_related("contact")
        .filter(matter=matter)
        .order_by("ended_at", "role", "added_at")
    )
