"""Reads of staff profiles (the booking page's people, the profile forms)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.urls import reverse

from core.languages import language_name
from portal.models import PracticeArea, StaffProfile, User
from portal.models.profiles import PHOTO_FOLDER

_PHOTO_KEY_RE = re.compile(r"[A-Za-z0-9_-]{10,40}")


def staff_profile_for_edit(*, user: User) -> StaffProfile:
    """The staff member's profile, or a new unsaved one when they have none yet."""
    found = StaffProfile.objects.filter(user=user).first()
    return found if found is not None else StaffProfile(user=user)


def staff_photo_get(*, key: str) -> StaffProfile:
    """The profile whose photo has this public key, of an active staff member; Http404
    otherwise (a removed photo or a departed colleague's is gone from the booking page)."""
    key = str(key)
    if not _PHOTO_KEY_RE.fullmatch(key):
        raise Http404
    found = (
        StaffProfile.objects.filter(
            photo=f"{PHOTO_FOLDER}/{key}.jpg",
            user__role=User.Role.STAFF,
            user__is_active=True,
        )
        .only("user_id", "photo")
        .first()
    )
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class StaffCard:
    """What the booking page shows about a person, in the reader's language."""

    photo_url: str = ""
    practice_areas: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    profile: str = ""


def staff_card(user: User) -> StaffCard:
    """The person's booking page card; no query when `staff_profile` was selected with the
    user (select_related("staff_profile")), an empty card without a profile."""
    try:
        profile = user.staff_profile
    except ObjectDoesNotExist:
        return StaffCard()
    areas = dict(PracticeArea.choices)
    return StaffCard(
        photo_url=reverse("staff-photo", args=[profile.photo_key]) if profile.photo else "",
        practice_areas=tuple(str(areas[a]) for a in profile.practice_areas if a in areas),
        languages=tuple(language_name(c) for c in profile.languages if c),
        profile=profile.profile or "",
    )
