"""The firm's privacy notice, as the public page, the forms and the staff page read it."""

from __future__ import annotations

from intake.models import PrivacyNotice
from portal.selectors import firm_get

# What a consent record names when the firm has published no notice yet: the short text
# of the form itself is then all the person was shown.
NO_NOTICE_VERSION = "none"


def privacy_notice_current(*, language: str) -> PrivacyNotice | None:
    """The latest version in `language`, else in the firm's language, else any."""
    notices = PrivacyNotice.objects.order_by("-version")
    for lang in (language, firm_get().default_language):
        found = notices.filter(language=lang).first()
        if found is not None:
            return found
    return notices.order_by("-published_at", "-pk").first()


def privacy_notice_version(*, language: str) -> str:
    """The label of the notice a page in `language` links to (`pl-3`, or "none")."""
    notice = privacy_notice_current(language=language)
    return notice.label if notice is not None else NO_NOTICE_VERSION


def privacy_notices_latest() -> dict[str, PrivacyNotice]:
    """The current version per language (for the staff page)."""
    latest: dict[str, PrivacyNotice] = {}
    for notice in PrivacyNotice.objects.order_by("language", "-version"):
        latest.setdefault(notice.language, notice)
    return latest


def privacy_notice_versions_known(*, language: str) -> set[str]:
    labels = {n.label for n in PrivacyNotice.objects.filter(language=language)}
    current = privacy_notice_current(language=language)
    if current is not None:
        labels.add(current.label)
    return labels | {NO_NOTICE_VERSION}
