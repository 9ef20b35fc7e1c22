"""Everyone who signs in (users) and everyone the firm deals with (contacts)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from core.languages import CHOICES as LANGUAGE_CHOICES
from core.validators import validate_plain_text, validate_time_zone
from notifications.channels import Channel
from portal.search_keys import search_text


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

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.update(is_staff=True, is_superuser=True, role=User.Role.STAFF)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """Anyone who signs in: clients, staff and external co-counsel."""

    class Role(models.TextChoices):
        CLIENT = "client", _("Client")
        STAFF = "staff", _("Staff")
        COCOUNSEL = "cocounsel", _("Co-counsel")

    username = None  # type: ignore[assignment]  # no usernames: people sign in by email
    email = models.EmailField(_("email address"), unique=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.CLIENT)
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone]
    )
    calendar_token = models.CharField(max_length=64, blank=True, db_index=True)

    class ActivityNotices(models.TextChoices):
        """How a staff member hears what clients do on their matters."""

        IMMEDIATE = "immediate", _("Right away (one email per matter within a few minutes)")
        HOURLY = "hourly", _("Hourly digest")
        DAILY = "daily", _("Daily digest (8:00)")

    class StaffTitle(models.TextChoices):
        LAWYER = "lawyer", _("Lawyer")
        PARALEGAL = "paralegal", _("Paralegal")

    # What a staff member does (firm admins are staff with is_superuser as well).
    staff_title = models.CharField(
        _("works as"), max_length=10, choices=StaffTitle.choices, blank=True
    )

    activity_notices = models.CharField(
        _("client activity notices"),
        max_length=10,
        choices=ActivityNotices.choices,
        default=ActivityNotices.IMMEDIATE,
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[misc,assignment]  # the stubs expect UserManager[User]

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
    def is_firm_side(self) -> bool:
        """Staff and co-counsel: they see what the firm keeps internal on their matters."""
        return self.is_firm_staff or self.is_cocounsel

    @property
    def is_cocounsel(self) -> bool:
        return self.role == self.Role.COCOUNSEL

    @property
    def is_client(self) -> bool:
        return self.role == self.Role.CLIENT


class Tag(models.Model):
    class Category(models.TextChoices):
        PRACTICE_AREA = "practice_area", _("Practice area")
        STAGE = "stage", _("Stage")
        PRIORITY = "priority", _("Priority")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=60, validators=[validate_plain_text])
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )

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
    first_name = models.CharField(_("first name"), max_length=80, validators=[validate_plain_text])
    last_name = models.CharField(_("last name"), max_length=80, validators=[validate_plain_text])
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES, default="en")
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Warsaw", validators=[validate_time_zone]
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=5, choices=Channel.choices, default=Channel.EMAIL
    )
    sms_consent = models.BooleanField(_("agreed to SMS"), default=False)
    quiet_hours_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts", verbose_name=_("tags"))
    # For the conflict check (intake): a company contact's name, a tax or registry number
    # (PESEL, NIP, REGON, KRS, EIN, VAT) and a date of birth.
    organisation_name = models.CharField(
        _("organisation"), max_length=200, blank=True, validators=[validate_plain_text]
    )
    tax_id = models.CharField(
        _("tax or registry number"), max_length=40, blank=True, validators=[validate_plain_text]
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    notes = models.TextField(
        _("internal notes"), max_length=5000, blank=True, validators=[validate_plain_text]
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Names, email, phone digits and organisation folded for search (set on every save).
    search_text = models.CharField(max_length=1200, blank=True, default="", editable=False)

    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = (
        "first_name",
        "last_name",
        "email",
        "phone",
        "organisation_name",
        "tax_id",
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes: ClassVar = [models.Index(fields=["email"]), models.Index(fields=["last_name"])]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = self.build_search_text()
        fields = kwargs.get("update_fields")
        if fields is not None and set(fields) & set(self.SEARCH_FIELDS):
            kwargs["update_fields"] = {*fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def is_client(self) -> bool:
        return self.kind == self.Kind.CLIENT

    def build_search_text(self) -> str:
        phone = "".join(c for c in str(self.phone or "") if c.isdigit())
        return search_text(
            [
                self.first_name,
                self.last_name,
                self.email,
                phone,
                self.organisation_name,
                self.tax_id,
            ]
        )[:1200]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
