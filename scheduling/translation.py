"""Service texts the firm writes, in every language (django-modeltranslation)."""

from __future__ import annotations

from modeltranslation.translator import TranslationOptions, register

from core.languages import FIRM_TEXT_FALLBACK
from scheduling.models import Service


@register(Service)
class ServiceTranslation(TranslationOptions):
    fields = ("name", "description", "location_detail")
    # The staff form requires the firm's default language; no column is required by itself.
    required_languages = ()
    fallback_languages = FIRM_TEXT_FALLBACK
    # An empty text counts as missing; with every language empty the text is empty.
    fallback_undefined = ""
    fallback_values = ""
