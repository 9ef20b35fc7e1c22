"""Writes of staff profiles: what the booking page shows about each person."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from core.languages import CODES
from portal.audit_actions import PortalAction
from portal.models import SPOKEN_LANGUAGES, PracticeArea, StaffProfile, User

PROFILE_FIELDS = ("practice_areas", "languages", *(f"profile_{code}" for code in CODES))


def staff_profile_update(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    user: User,
    data: dict[str, Any],
    photo: UploadedFile | None = None,
    clear_photo: bool = False,
) -> StaffProfile:
    """Save a staff member's profile: their own, or anyone's for a firm admin. `photo` is
    already checked and re-encoded (portal.photos.photo_checked)."""
    if not actor.is_firm_staff or (actor.pk != user.pk and not actor.is_firm_admin):
        raise ServiceError(_("Only firm admins change a colleague's profile."))
    if user.role != User.Role.STAFF:
        raise ServiceError(_("Only staff have a profile on the booking page."))
    areas = [a for a in data.get("practice_areas", []) if a in PracticeArea.values]
    spoken = [c for c in data.get("languages", []) if c in SPOKEN_LANGUAGES]
    old_photo = None
    with transaction.atomic():
        profile, _created = StaffProfile.objects.select_for_update().get_or_create(user=user)
        changed = []
        values = {**data, "practice_areas": areas, "languages": spoken}
        for field in PROFILE_FIELDS:
            if field in values and getattr(profile, field) != values[field]:
                setattr(profile, field, values[field])
                changed.append(field)
        if (clear_photo or photo is not None) and profile.photo:
            old_photo = profile.photo.name
            profile.photo = ""
            changed.append("photo")
        if photo is not None:
            profile.photo.save("photo.jpg", photo, save=False)
            if "photo" not in changed:
                changed.append("photo")
        if changed:
            profile.updated_at = timezone.now()
            profile.save()
            audit_record(
                action=PortalAction.STAFF_PROFILE_UPDATED,
                actor=actor,
                meta=meta,
                obj=user,
                data={"fields": changed},
            )
    if old_photo:
        storage = profile.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    return profile
