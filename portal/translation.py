"""Firm texts shown to clients, in every language (django-modeltranslation)."""

from __future__ import annotations

from modeltranslation.translator import TranslationOptions, register

from core.languages import FIRM_TEXT_FALLBACK
from portal.models import Firm, StaffProfile


@register(Firm)
class FirmTranslation(TranslationOptions):
    fields = ("promise_channels",)
    required_languages = ()
    fallback_languages = FIRM_TEXT_FALLBACK
    # An empty text counts as missing; with every language empty the text is empty.
    fallback_undefined = ""
    fallback_values = ""


@register(StaffProfile)
class StaffProfileTranslation(TranslationOptions):
    fields = ("profile",)
    required_languages = ()
    fallback_languages = FIRM_TEXT_FALLBACK
    fallback_undefined = ""
    fallback_values = ""
