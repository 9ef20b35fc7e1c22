"""The one firm this deployment serves."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.manager import MultilingualManager

from core.languages import CHOICES as LANGUAGE_CHOICES
from core.validators import validate_color, validate_plain_text, validate_time_zone


class Firm(models.Model):
    """The one firm this deployment serves (pk is always 1)."""

    name = models.CharField(
        _("firm name"), max_length=120, default="Atrium Law", validators=[validate_plain_text]
    )
    logo = models.FileField(_("logo"), upload_to="branding/", blank=True)
    primary_color = models.CharField(
        _("primary colour"), max_length=7, default="#1f3a5f", validators=[validate_color]
    )
    accent_color = models.CharField(
        _("accent colour"), max_length=7, default="#c27c0e", validators=[validate_color]
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Warsaw", validators=[validate_time_zone]
    )
    default_language = models.CharField(
        _("default language"), max_length=5, choices=LANGUAGE_CHOICES, default="en"
    )
    currency = models.CharField(_("currency"), max_length=3, default="PLN")
    reply_to_email = models.EmailField(
        _("replies to our emails go to"),
        blank=True,
        help_text=_("The address clients reach when they answer an email from the portal."),
    )
    promise_channels = models.CharField(
        _("how clients reach us"),
        max_length=200,
        blank=True,
        default="Secure messages in the portal; phone for emergencies",
        validators=[validate_plain_text],
    )
    # Public holidays come from the `holidays` library for this country (ISO 3166-1
    # alpha-2) and optional subdivision (ISO 3166-2 without the country: "MD" for Madrid).
    country = models.CharField(_("country (for public holidays)"), max_length=2, default="PL")
    subdivision = models.CharField(
        _("region (for public holidays)"), max_length=10, blank=True, default=""
    )
    response_hours = models.PositiveSmallIntegerField(
        _("we answer within (business hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    silence_days = models.PositiveSmallIntegerField(
        _("flag matters silent for (days)"),
        default=21,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    # Texts per language (portal/translation.py); declared so type checkers know the manager.
    objects: ClassVar[MultilingualManager[Firm]] = MultilingualManager()

    class Meta:
        verbose_name = _("firm")
        verbose_name_plural = _("firm")
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(pk=1), name="firm_singleton"),
        ]

    def __str__(self) -> str:
        return self.name


class FirmOfficeHours(models.Model):
    """One opening interval on a weekday (Monday 0), wall-clock time in the firm's zone.

    A weekday may have several (a lunch break); one without rows is closed. The office
    hours clients read and the business time of every promise are derived from these.
    """

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("office hours")
        verbose_name_plural = _("office hours")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6), name="office_hours_weekday"
            ),
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="office_hours_closes_after"
            ),
            models.UniqueConstraint(fields=["weekday", "opens"], name="office_hours_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens:%H:%M}-{self.closes:%H:%M}"


class FirmClosure(models.Model):
    """A date the firm is closed besides weekends and public holidays (a bridge day)."""

    date = models.DateField(_("date"), unique=True)
    reason = models.CharField(_("reason"), max_length=200, validators=[validate_plain_text])
    created_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


class FirmText(models.Model):
    """A text the firm words itself, one per language (a page or a prepared message).

    Without a row, Atrium's own wording in that language is used (portal.selectors.firm_texts).
    """

    class Key(models.TextChoices):
        MEETING_FOLLOWUP = "meeting_followup", _("Follow-up after a meeting")
        CLIENT_HELP = "client_help", _("Help page for clients")

    key = models.CharField(_("text"), max_length=40, choices=Key.choices)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    text = models.TextField(_("text"), max_length=10000, validators=[validate_plain_text])
    updated_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("firm text")
        verbose_name_plural = _("firm texts")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["key", "language"], name="firm_text_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"
