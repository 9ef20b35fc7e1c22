"""Form fields and form feedback every app's pages share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.languages import CODES, NATIVE_NAMES, supported
from core.validators import validate_plain_text, validate_sane_date, validate_time_zone


class TimeZoneField(forms.CharField):
    """A free-text IANA zone with a datalist of suggestions; unknown zones are refused."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)
        self.validators.append(validate_time_zone)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs["list"] = "tz-list"
        attrs["autocomplete"] = "off"
        return attrs


class PlainCharField(forms.CharField):
    """Text without markup or control characters."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(validate_plain_text)


class DateInput(forms.DateInput):
    """The browser's date picker. Its value is always ISO (YYYY-MM-DD): Django would render
    a date in the language's own format ("10.12.2026" in Polish), which a date input
    cannot show, so every prefilled date looked empty outside English."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker (wall-clock time), ISO whatever the language."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class SaneDateField(forms.DateField):
    """A date from 1900 to 2200 (every date input in the product is one of these)."""

    default_validators = [validate_sane_date]


class SaneDateTimeField(forms.DateTimeField):
    """A date and time from 1900 to 2200 (every date-time input is one of these)."""

    default_validators = [validate_sane_date]


def flash_form_errors(request: HttpRequest, form: forms.BaseForm) -> None:
    """Every field error as a message, for POST-only views that redirect back to a page."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


def form_errors(form: forms.BaseForm) -> dict[str, list[str]]:
    """A form's errors as plain strings per field (JSON answers)."""
    return {field: [str(e) for e in errs] for field, errs in form.errors.items()}


def per_language(*bases: str) -> list[str]:
    """The model fields of firm-written texts, one per language (django-modeltranslation)."""
    return [f"{base}_{code}" for base in bases for code in CODES]


def per_language_setup(
    form: forms.ModelForm[Any],
    *,
    bases: tuple[str, ...],
    firm_language: str,
    required: tuple[str, ...],
) -> None:
    """Label each language's field by the language's own name, put the firm's default
    language first and require only that one (the others fall back to it)."""
    first = supported(firm_language)
    order = [first, *(code for code in CODES if code != first)]
    for base in bases:
        model = form._meta.model
        label = capfirst(model._meta.get_field(base).verbose_name)
        for code in order:
            field = form.fields[f"{base}_{code}"]
            field.label = f"{label} ({NATIVE_NAMES[code]})"
            field.required = base in required and code == first
            if code != first:
                field.help_text = _("Leave empty to show the %(language)s text.") % {
                    "language": NATIVE_NAMES[first]
                }
    # Keep the declared order of everything else; within each text, the firm's language first.
    names = list(form.fields)
    for base in bases:
        slots = [
            i
            for i, name in enumerate(names)
            if name.startswith(f"{base}_") and name.removeprefix(f"{base}_") in CODES
        ]
        for slot, code in zip(slots, order, strict=True):
            names[slot] = f"{base}_{code}"
    form.fields = {name: form.fields[name] for name in names}
