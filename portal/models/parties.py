"""Who is on a matter and in what role, and the other names a contact is known by.

Added for intake's conflict check (spec intake.md §1). `Matter.clients` still drives
access; `MatterParty` records every party with its role, on open and closed matters.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import validate_plain_text
from portal.models.matters import Matter
from portal.models.people import Contact


class MatterParty(models.Model):
    class Role(models.TextChoices):
        CLIENT = "CLIENT", _("Client")
        ADVERSE = "ADVERSE", _("Other side")
        CO_PARTY = "CO_PARTY", _("Co-party")
        OPPOSING_COUNSEL = "OPPOSING_COUNSEL", _("Opposing counsel")
        RELATED = "RELATED", _("Related person")
        WITNESS = "WITNESS", _("Witness")
        OTHER = "OTHER", _("Other")

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="parties")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="matter_parties")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    note = models.CharField(_("note"), max_length=300, blank=True, validators=[validate_plain_text])
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["matter", "role", "added_at"]
        verbose_name = _("matter party")
        verbose_name_plural = _("matter parties")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["matter", "contact", "role"], name="matter_party_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id}:{self.contact_id}:{self.role}"


class ContactAlias(models.Model):
    class Kind(models.TextChoices):
        MAIDEN = "MAIDEN", _("Maiden name")
        FORMER = "FORMER", _("Former name")
        AKA = "AKA", _("Also known as")
        TRADING_NAME = "TRADING_NAME", _("Trading name")
        TRANSLITERATION = "TRANSLITERATION", _("Other spelling")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="aliases")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.AKA)
    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_text])
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["contact", "name"]
        verbose_name = _("other name")
        verbose_name_plural = _("other names")

    def __str__(self) -> str:
        return self.name
