"""Matters, their per-matter grants, stage history and timeline."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.validators import validate_plain_text
from portal.models.people import Contact, Tag
from portal.search_keys import search_text


class PracticeArea(models.TextChoices):
    FAMILY = "family", _("Family law")
    ESTATE = "estate", _("Estate planning")
    IMMIGRATION = "immigration", _("Immigration")
    LITIGATION = "litigation", _("Litigation")
    CORPORATE = "corporate", _("Business and contracts")
    OTHER = "other", _("Other")


class Matter(models.Model):
    class Stage(models.TextChoices):
        INTAKE = "intake", _("Intake")
        ENGAGED = "engaged", _("Engaged")
        IN_PROGRESS = "in_progress", _("In progress")
        AWAITING = "awaiting", _("Waiting for a decision")
        ON_HOLD = "on_hold", _("On hold")
        CLOSED = "closed", _("Closed")

    # Allowed stage moves, in one place (the way django-oscar keeps its order pipeline).
    STAGE_TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        Stage.INTAKE: (Stage.ENGAGED, Stage.CLOSED),
        Stage.ENGAGED: (Stage.IN_PROGRESS, Stage.ON_HOLD, Stage.CLOSED),
        Stage.IN_PROGRESS: (Stage.AWAITING, Stage.ON_HOLD, Stage.CLOSED),
        Stage.AWAITING: (Stage.IN_PROGRESS, Stage.CLOSED),
        Stage.ON_HOLD: (Stage.IN_PROGRESS, Stage.CLOSED),
        Stage.CLOSED: (Stage.IN_PROGRESS,),
    }

    # What the stage means, in words a client understands.
    STAGE_EXPLANATIONS: ClassVar[dict[str, Any]] = {
        Stage.INTAKE: _("We are reviewing your information and will confirm the next steps."),
        Stage.ENGAGED: _("We have agreed to work together and are preparing your case."),
        Stage.IN_PROGRESS: _("Your lawyer is actively working on your matter."),
        Stage.AWAITING: _(
            "We are waiting for a decision from a court, office or the other "
            "side. We will tell you as soon as we hear."
        ),
        Stage.ON_HOLD: _("Work is paused for now. Your lawyer will explain when it resumes."),
        Stage.CLOSED: _("This matter is finished. Your documents stay available here."),
    }

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(
        _("reference"), max_length=32, unique=True, validators=[validate_plain_text]
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_plain_text])
    practice_area = models.CharField(
        _("practice area"), max_length=20, choices=PracticeArea.choices, default=PracticeArea.OTHER
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="matters", verbose_name=_("tags"))
    responsible_lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="responsible_matters",
        verbose_name=_("responsible lawyer"),
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="team_matters", verbose_name=_("team")
    )
    clients = models.ManyToManyField(Contact, related_name="matters", verbose_name=_("clients"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    # Reference and title folded for search (set on every save).
    search_text = models.CharField(max_length=600, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        indexes: ClassVar = [models.Index(fields=["stage"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = search_text([self.reference, self.title])[:600]
        fields = kwargs.get("update_fields")
        if fields is not None and {"reference", "title"} & set(fields):
            kwargs["update_fields"] = {*fields, "search_text"}
        super().save(*args, **kwargs)

    def can_move_to(self, stage: str) -> bool:
        return stage in self.STAGE_TRANSITIONS.get(self.stage, ())

    @property
    def stage_explanation(self) -> str:
        return str(self.STAGE_EXPLANATIONS.get(self.stage, ""))


class MatterUserObjectPermission(UserObjectPermissionBase):
    """Per-matter grants held by django-guardian, with a real foreign key."""

    content_object = models.ForeignKey(Matter, on_delete=models.CASCADE)


class MatterGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Matter, on_delete=models.CASCADE)


class MatterStageChange(models.Model):
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Matter.Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Matter.Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class TimelineEntry(models.Model):
    """Something that happened on a matter; clients see the entries marked shared."""

    class Kind(models.TextChoices):
        UPDATE = "update", _("Status update")
        EVENT = "event", _("Key event")
        STAGE = "stage", _("Stage change")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.UPDATE)
    title = models.CharField(_("title"), max_length=200, validators=[validate_plain_text])
    body = models.TextField(
        _("text"), max_length=4000, blank=True, validators=[validate_plain_text]
    )
    occurred_at = models.DateTimeField(_("date"), default=timezone.now)
    shared_with_client = models.BooleanField(_("visible to the client"), default=True)
    shared_with_cocounsel = models.BooleanField(_("visible to co-counsel"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set when staff corrected it after posting (the earlier values are in Revision).
    edited_at = models.DateTimeField(null=True, blank=True)
    # Withdrawn entries are no longer shown to clients (shared_with_client goes off too).
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-created_at"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes: ClassVar = [models.Index(fields=["matter", "shared_with_client", "-occurred_at"])]

    def __str__(self) -> str:
        return self.title
