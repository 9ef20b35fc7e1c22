"""The firm, people, matters and access grants."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from phonenumber_field.modelfields import PhoneNumberField

from core.languages import CHOICES as LANGUAGE_CHOICES
from core.validators import validate_color, validate_plain_text, validate_time_zone
from notifications.channels import Channel


# ---------------------------------------------------------------------------
# Firm
# ---------------------------------------------------------------------------
class Firm(models.Model):
    """The one firm this deployment serves (pk is always 1)."""

    name = models.CharField(_("firm name"), max_length=120, default="Atrium Law",
                            validators=[validate_plain_text])
    logo = models.FileField(_("logo"), upload_to="branding/", blank=True)
    primary_color = models.CharField(_("primary colour"), max_length=7, default="#1f3a5f",
                                     validators=[validate_color])
    accent_color = models.CharField(_("accent colour"), max_length=7, default="#c27c0e",
                                    validators=[validate_color])
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Warsaw",
                                 validators=[validate_time_zone])
    default_language = models.CharField(_("default language"), max_length=5,
                                        choices=LANGUAGE_CHOICES, default="en")
    currency = models.CharField(_("currency"), max_length=3, default="PLN")
    promise_channels = models.CharField(
        _("how clients reach us"), max_length=200, blank=True,
        default="Secure messages in the portal; phone for emergencies",
        validators=[validate_plain_text],
    )
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True,
                                    default="Mon–Fri 9:00–17:00",
                                    validators=[validate_plain_text])
    response_hours = models.PositiveSmallIntegerField(
        _("we answer within (business hours)"), default=24,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    silence_days = models.PositiveSmallIntegerField(
        _("flag matters silent for (days)"), default=21,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("firm")
        verbose_name_plural = _("firm")
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(pk=1), name="firm_singleton"),
        ]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------
class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None,
                         **extra: object) -> User:
        extra.update(is_staff=True, is_superuser=True, role=User.Role.STAFF)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """Anyone who signs in: clients, staff and external co-counsel."""

    class Role(models.TextChoices):
        CLIENT = "client", _("Client")
        STAFF = "staff", _("Staff")
        COCOUNSEL = "cocounsel", _("Co-counsel")

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.CLIENT)
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES,
                                blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True,
                                 validators=[validate_time_zone])
    calendar_token = models.CharField(max_length=64, blank=True, db_index=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[misc,assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_firm_staff(self) -> bool:
        return self.is_active and self.role == self.Role.STAFF

    @property
    def is_firm_admin(self) -> bool:
        return self.is_active and self.role == self.Role.STAFF and self.is_superuser

    @property
    def is_cocounsel(self) -> bool:
        return self.role == self.Role.COCOUNSEL

    @property
    def is_client(self) -> bool:
        return self.role == self.Role.CLIENT


# ---------------------------------------------------------------------------
# Contacts and tags
# ---------------------------------------------------------------------------
class Tag(models.Model):
    class Category(models.TextChoices):
        PRACTICE_AREA = "practice_area", _("Practice area")
        STAGE = "stage", _("Stage")
        PRIORITY = "priority", _("Priority")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=60, validators=[validate_plain_text])
    category = models.CharField(_("category"), max_length=20, choices=Category.choices,
                                default=Category.OTHER)

    class Meta:
        ordering = ["category", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["category", "name"], name="tag_unique_per_category"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person the firm deals with: a client, a prospect, an opposing party."""

    class Kind(models.TextChoices):
        CLIENT = "client", _("Client")
        PROSPECT = "prospect", _("Prospective client")
        OTHER_PARTY = "other_party", _("Other party")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CLIENT)
    first_name = models.CharField(_("first name"), max_length=80,
                                  validators=[validate_plain_text])
    last_name = models.CharField(_("last name"), max_length=80,
                                 validators=[validate_plain_text])
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES,
                                default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Warsaw",
                                 validators=[validate_time_zone])
    preferred_channel = models.CharField(_("preferred channel"), max_length=5,
                                         choices=Channel.choices, default=Channel.EMAIL)
    sms_consent = models.BooleanField(_("agreed to SMS"), default=False)
    quiet_hours_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts",
                                  verbose_name=_("tags"))
    notes = models.TextField(_("internal notes"), max_length=5000, blank=True,
                             validators=[validate_plain_text])
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="contact")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes: ClassVar = [models.Index(fields=["email"]), models.Index(fields=["last_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


# ---------------------------------------------------------------------------
# Matters
# ---------------------------------------------------------------------------
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
        Stage.AWAITING: _("We are waiting for a decision from a court, office or the other "
                          "side. We will tell you as soon as we hear."),
        Stage.ON_HOLD: _("Work is paused for now. Your lawyer will explain when it resumes."),
        Stage.CLOSED: _("This matter is finished. Your documents stay available here."),
    }

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=32, unique=True,
                                 validators=[validate_plain_text])
    title = models.CharField(_("title"), max_length=200, validators=[validate_plain_text])
    practice_area = models.CharField(_("practice area"), max_length=20,
                                     choices=PracticeArea.choices, default=PracticeArea.OTHER)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices,
                             default=Stage.INTAKE)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices,
                                default=Priority.NORMAL)
    tags = models.ManyToManyField(Tag, blank=True, related_name="matters",
                                  verbose_name=_("tags"))
    responsible_lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="responsible_matters",
        verbose_name=_("responsible lawyer"),
    )
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                  related_name="team_matters", verbose_name=_("team"))
    clients = models.ManyToManyField(Contact, related_name="matters", verbose_name=_("clients"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    stage_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        indexes: ClassVar = [models.Index(fields=["stage"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

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
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
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
    body = models.TextField(_("text"), max_length=4000, blank=True,
                            validators=[validate_plain_text])
    occurred_at = models.DateTimeField(_("date"), default=timezone.now)
    shared_with_client = models.BooleanField(_("visible to the client"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-occurred_at", "-created_at"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes: ClassVar = [models.Index(fields=["matter", "shared_with_client", "-occurred_at"])]

    def __str__(self) -> str:
        return self.title


class CoCounselGrant(models.Model):
    """External co-counsel's access to one matter until a date (checked on every request)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="cocounsel_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="cocounsel_grants")
    expires_at = models.DateTimeField(_("access until"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["matter", "user"],
                                    condition=models.Q(revoked_at__isnull=True),
                                    name="cocounsel_one_open_grant"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.matter_id}"

    def is_active(self, at: object = None) -> bool:
        now = at or timezone.now()
        return self.revoked_at is None and self.expires_at > now  # type: ignore[operator]


class Invitation(models.Model):
    """A single-use, expiring link that lets a client or co-counsel set a password."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=User.Role.choices, default=User.Role.CLIENT)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="invitations")
    grant = models.ForeignKey(CoCounselGrant, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="invitations")
    # Only a hash is stored: the link itself exists only in the email.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"
