"""Form fields and form feedback every app's pages share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

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
