"""The languages Atrium speaks: the one list every setting, model and page reads."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Language:
    code: str
    native: str  # how the language names itself (language pickers, form choices)
    english: Promise  # its name in the reader's language (settings.LANGUAGES)


LANGUAGES: tuple[Language, ...] = (
    Language("en", "English", _("English")),
    Language("pl", "Polski", _("Polish")),
    Language("es", "Español", _("Spanish")),
    Language("ru", "Русский", _("Russian")),
)
CODES: tuple[str, ...] = tuple(language.code for language in LANGUAGES)
DEFAULT = "en"
# For model and form fields: each language under its own name.
CHOICES: list[tuple[str, str]] = [(language.code, language.native) for language in LANGUAGES]
NATIVE_NAMES: dict[str, str] = dict(CHOICES)
# For settings.LANGUAGES: Django's language switch and LocaleMiddleware.
SETTINGS_LANGUAGES: list[tuple[str, Promise]] = [(lang.code, lang.english) for lang in LANGUAGES]


def supported(code: str | None, *, fallback: str = DEFAULT) -> str:
    """`code` when Atrium speaks it, otherwise `fallback`."""
    return code if code in CODES else fallback


# The order in which a firm-written text (django-modeltranslation fields) is looked up when
# it is missing in the reader's language: the firm's default language first, then the rest.
# Every translated field shares this one mapping; the firm's language is set into it when the
# firm is read (one firm per deployment, so every thread writes the same value).
FIRM_TEXT_FALLBACK: dict[str, tuple[str, ...]] = {"default": CODES}


def firm_text_fallback_set(default_language: str) -> None:
    first = supported(default_language)
    order = (first, *(code for code in CODES if code != first))
    if FIRM_TEXT_FALLBACK["default"] != order:
        FIRM_TEXT_FALLBACK["default"] = order


def language_name(code: str, *, language: str | None = None) -> str:
    """A language's name in the reader's language ("niemiecki" for de in Polish), by Babel."""
    reader = supported(language or translation.get_language())
    return _language_names(reader).get(code) or code


@lru_cache(maxsize=8)
def _language_names(reader: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(reader).languages)
    except (ValueError, UnknownLocaleError):
        return {}
