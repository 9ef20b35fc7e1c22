"""Every date and date-time input in the product goes through the one range validator."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Iterator

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from core.forms import DateInput, DateTimeLocalInput
from core.validators import validate_sane_date

APPS = ("core", "audit", "notifications", "portal", "scheduling", "billing", "intake", "insights")


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _project_forms() -> list[type[forms.BaseForm]]:
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)
    return sorted(
        {c for c in _subclasses(forms.BaseForm) if c.__module__.split(".")[0] in APPS},
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def test_every_date_field_of_every_form_checks_the_1900_to_2200_range() -> None:
    missing = []
    checked = 0
    for form_class in _project_forms():
        for name, field in getattr(form_class, "base_fields", {}).items():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                checked += 1
                if validate_sane_date not in field.validators:
                    missing.append(f"{form_class.__module__}.{form_class.__qualname__}.{name}")
    assert checked >= 10
    assert not missing, (
        "use core.forms.SaneDateField / SaneDateTimeField (Meta.field_classes in a ModelForm): "
        f"{missing}"
    )


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (dt.date(1900, 1, 1), True),
        (dt.date(2200, 12, 31), True),
        (dt.date(1899, 12, 31), False),
        (dt.date(2201, 1, 1), False),
        (dt.datetime(1, 1, 1, tzinfo=dt.UTC), False),
        (dt.datetime(2026, 3, 29, 2, 30, tzinfo=dt.UTC), True),
    ],
)
def test_the_range_is_1900_to_2200_inclusive(value: dt.date, ok: bool) -> None:
    if ok:
        validate_sane_date(value)
    else:
        with pytest.raises(ValidationError, match="between 1900 and 2200"):
            validate_sane_date(value)


def test_a_prefilled_date_picker_shows_its_date_in_every_language() -> None:
    # Django renders dates in the language's format ("10.12.2026" in Polish), which the
    # browser's date input refuses to show: the field looked empty outside English.
    for language in ("en", "pl", "es", "ru"):
        with translation.override(language):
            assert 'value="2026-12-10"' in DateInput().render("due", dt.date(2026, 12, 10))
            assert 'value="2026-12-10T09:30"' in DateTimeLocalInput().render(
                "start", dt.datetime(2026, 12, 10, 9, 30)
            )


def test_every_date_picker_of_every_form_is_the_iso_one() -> None:
    wrong = []
    for form_class in _project_forms():
        for name, field in getattr(form_class, "base_fields", {}).items():
            widget = field.widget
            if getattr(widget, "input_type", "") in {"date", "datetime-local"} and not isinstance(
                widget, DateInput | DateTimeLocalInput
            ):
                wrong.append(f"{form_class.__module__}.{form_class.__qualname__}.{name}")
    assert not wrong, f"use core.forms.DateInput / DateTimeLocalInput: {wrong}"
