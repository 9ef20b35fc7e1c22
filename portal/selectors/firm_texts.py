"""The firm's own wording of a page or a prepared message, in one language."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from core.languages import CODES, DEFAULT
from portal.models import FirmText


def _default(key: str) -> str:
    if key == FirmText.Key.MEETING_FOLLOWUP:
        return _(
            "Thank you for today's meeting. Below are the next steps we agreed: what we "
            "ask of you, with the dates, and what our team will do. Follow the updates "
            "on this page; we will let you know when there is news."
        )
    if key == FirmText.Key.CLIENT_HELP:
        return _(
            "Signing in\n"
            "Open the link in your invitation email and choose a password. Afterwards, sign "
            "in with your email address and that password. If you forget it, use “Forgot "
            "your password?” on the sign-in page and follow the link we email you.\n"
            "\n"
            "Your password and contact details\n"
            "Open “Account and security” in the menu to change your password or your email "
            "address. Open “Preferences” to choose the language and the time zone of these "
            "pages. To change your phone number, how we notify you (email or text message) "
            "or the hours we should not disturb you, write to us under “Messages” and we "
            "will update it.\n"
            "\n"
            "What we send you\n"
            "When there is news on your matter (an update, a document, a request, a task or a "
            "message), we send a short notice by email or text message with one link to this "
            "portal. The notice never contains the news itself, a file or a file name: you "
            "read everything here after signing in. We never ask for your password by email "
            "or text message, and we never send documents as attachments. If you receive such "
            "a message in our name, do not answer it and tell us.\n"
            "\n"
            "Uploading from your phone\n"
            "Open the matter, then “Documents” or “Requested documents”, and tap the file "
            "field. Your phone offers to take a photo or to pick files; you can choose "
            "several at once. Photograph each page flat, in good light, with the whole page "
            "in the picture. PDF files, photos and office documents are accepted.\n"
            "\n"
            "Questions\n"
            "Write to your lawyer under “Messages” on your matter."
        )
    raise KeyError(key)


def firm_text_default(*, key: str, language: str) -> str:
    """Atrium's own wording of this text in this language."""
    with translation.override(language if language in CODES else DEFAULT):
        return _default(key)


def firm_text(*, key: str, language: str) -> str:
    """The firm's wording in this language, or Atrium's own when the firm has none."""
    row = FirmText.objects.filter(key=key, language=language).only("text").first()
    if row is not None and row.text.strip():
        return row.text
    return firm_text_default(key=key, language=language)


def firm_texts_for_edit(*, key: str) -> dict[str, str]:
    """Each language's current wording (the firm's, else Atrium's), for the edit form."""
    return {code: firm_text(key=key, language=code) for code in CODES}


def firm_text_is_custom(*, key: str) -> dict[str, bool]:
    custom = set(
        FirmText.objects.filter(key=key).exclude(text="").values_list("language", flat=True)
    )
    return {code: code in custom for code in CODES}
