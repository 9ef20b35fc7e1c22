"""A staff contact page lists the person's latest contacts outside the portal
(portal.contact_sections)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from insights.selectors import outside_contacts_of_contact
from portal.contact_sections import LIMIT, ContactRow

if TYPE_CHECKING:
    from portal.models import Contact, User


def outside_contacts_of(user: User, contact: Contact) -> tuple[list[ContactRow], str]:
    """Latest first; each row links to its matter, or back to the log form."""
    rows = []
    for row in outside_contacts_of_contact(user=user, contact=contact, limit=LIMIT + 1):
        who = row.logged_by.get_full_name() or row.logged_by.email if row.logged_by else ""
        detail = " · ".join(
            part
            for part in (
                row.get_direction_display(),
                row.matter.reference if row.matter else "",
                who,
            )
            if part
        )
        url = (
            reverse("staff:matter-detail", args=[row.matter_id])
            if row.matter_id
            else reverse("insights:outside-contact-new", args=[contact.pk])
        )
        rows.append(
            ContactRow(
                title=f"{date_format(timezone.localtime(row.at), 'SHORT_DATETIME_FORMAT')}"
                f" · {row.get_channel_display()}",
                detail=detail,
                url=url,
            )
        )
    return rows, ""
