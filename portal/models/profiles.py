"""What the booking page tells a client about the firm's people: a photo, what they work
on, the languages they speak and a short profile in each language the firm uses."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import validate_plain_text

# Languages a staff member may say they speak (ISO 639-1); shown in the reader's language.
SPOKEN_LANGUAGES: tuple[str, ...] = (
    "pl", "en", "de", "fr", "es", "it", "pt", "nl", "ru", "uk", "be", "cs", "sk", "lt",
    "lv", "et", "hu", "ro", "bg", "hr", "sr", "sl", "el", "sv", "da", "no", "fi", "tr",
    "ar", "he", "hi", "zh", "ja", "ko", "vi", "ka", "hy", "az", "kk",
)  # fmt: skip
PROFILE_MAX_CHARS = 1000
PHOTO_FOLDER = "staff-photos"


def photo_name(instance: Any, filename: str) -> str:
    """A fresh unguessable name for every photo: it is the photo's public address too."""
    return f"{PHOTO_FOLDER}/{secrets.token_urlsafe(18)}.jpg"


class StaffProfile(models.Model):
    """One per staff member; the texts are per language (portal/translation.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="staff_profile",
        verbose_name=_("staff member"),
    )
    # Stored re-encoded as JPEG (portal/photos.py), on the private storage; the booking
    # page loads it through portal.views.public.staff_photo.
    photo = models.ImageField(_("photo"), upload_to=photo_name, blank=True, max_length=120)
    practice_areas = models.JSONField(_("practice areas"), default=list, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    profile = models.TextField(
        _("short profile"),
        max_length=PROFILE_MAX_CHARS,
        blank=True,
        validators=[validate_plain_text],
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def photo_key(self) -> str:
        """The photo's public key: its file name without folder and extension."""
        name = self.photo.name or ""
        return name.rsplit("/", 1)[-1].removesuffix(".jpg") if name else ""
