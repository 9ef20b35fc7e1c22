from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from portal.models import Contact, Matter, User
from portal.validators import available_time_zones, time_zone_choices, validate_plain_text
from scheduling.models import AvailabilityRule, Service
from scheduling.selectors import MAX_RANGE_DAYS

MAX_YEARS_AHEAD = 2


def _zone(value: str) -> str:
    if value not in available_time_zones():
        raise forms.ValidationError(_("“%(value)s” is not a time zone we know."),
                                    params={"value": value[:64]}, code="time_zone")
    return value


class SlotsQueryForm(forms.Form):
    service = forms.SlugField(max_length=80)
    start = forms.DateField(input_formats=["%Y-%m-%d"])
    end = forms.DateField(input_formats=["%Y-%m-%d"])
    tz = forms.CharField(max_length=64, required=False)
    staff = forms.IntegerField(required=False, min_value=1)
    duration = forms.IntegerField(required=False, min_value=1, max_value=24 * 60)

    def clean_tz(self) -> str:
        return _zone(self.cleaned_data.get("tz") or "UTC")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            tz = str(data.get("tz") or "UTC")
            zone = ZoneInfo(tz if tz in available_time_zones() else "UTC")
            today = timezone.now().astimezone(zone).date()
            if end < start:
                self.add_error("end", _("The end date is before the start date."))
            elif (end - start).days + 1 > MAX_RANGE_DAYS:
                self.add_error("end", _("Ask for at most %(days)d days at a time.")
                               % {"days": MAX_RANGE_DAYS})
            if end < today:
                self.add_error("start", _("These dates are in the past."))
            if start > today + dt.timedelta(days=366 * MAX_YEARS_AHEAD):
                self.add_error("start", _("These dates are too far ahead."))
        return data


class BookerForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=80,
                                 validators=[validate_plain_text])
    last_name = forms.CharField(label=_("Last name"), max_length=80,
                                validators=[validate_plain_text])
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = PhoneNumberField(label=_("Phone"), required=False,
                             help_text=_("With the country code, e.g. +48 600 700 800."))


class BookingForm(BookerForm):
    """POST /api/bookings/ and the public confirm form."""

    service = forms.SlugField(max_length=80)
    start = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z",
                                               "%Y-%m-%dT%H:%M:%S.%f%z"])
    staff = forms.IntegerField(required=False, min_value=1)
    duration = forms.IntegerField(required=False, min_value=1, max_value=24 * 60)
    time_zone = forms.CharField(max_length=64, required=False)
    invite = forms.CharField(max_length=300, required=False)

    def clean_time_zone(self) -> str:
        return _zone(self.cleaned_data.get("time_zone") or "UTC")

    def clean_start(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["start"]
        if value.tzinfo is None:
            raise forms.ValidationError(_("Give the time with its UTC offset."))
        try:
            value.astimezone(dt.UTC)
        except (OverflowError, ValueError) as exc:
            raise forms.ValidationError(_("This time is too far ahead.")) from exc
        if value < timezone.now():
            raise forms.ValidationError(_("This time is in the past."))
        return value


class RescheduleForm(forms.Form):
    start = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"])


class StaffBookingForm(forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.filter(is_active=True),
                                     label=_("Service"))
    staff = forms.ModelChoiceField(queryset=User.objects.filter(role="staff", is_active=True),
                                   label=_("Lawyer"))
    contact = forms.ModelChoiceField(queryset=Contact.objects.all(), label=_("Client"))
    matter = forms.ModelChoiceField(queryset=Matter.objects.all(), required=False,
                                    label=_("Matter"))
    start = forms.DateTimeField(label=_("Start (your time zone)"),
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    repeat_monthly = forms.IntegerField(
        label=_("Repeat monthly (number of check-ins)"), min_value=1, max_value=24, initial=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        service, staff = data.get("service"), data.get("staff")
        if service and staff and not service.staff.filter(pk=staff.pk).exists():
            self.add_error("staff", _("This lawyer does not offer this service."))
        return data


class StaffRescheduleForm(forms.Form):
    start = forms.DateTimeField(label=_("New start (your time zone)"),
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


class AvailabilityRuleForm(forms.ModelForm):
    class Meta:
        model = AvailabilityRule
        fields = ["weekday", "date", "start", "end", "is_off"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}),
                   "start": forms.TimeInput(attrs={"type": "time"}),
                   "end": forms.TimeInput(attrs={"type": "time"})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("weekday") is None) == (data.get("date") is None):
            raise forms.ValidationError(_("Choose either a weekday or one date."))
        if not data.get("is_off"):
            if not data.get("start") or not data.get("end") or data["start"] >= data["end"]:
                raise forms.ValidationError(_("Give hours where the start is before the end."))
        return data


class ExternalCalendarForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, validators=[validate_plain_text])
    url = forms.CharField(label=_("Secret address in iCal format"), max_length=1000)


class TimeZoneForm(forms.Form):
    tz = forms.ChoiceField(choices=time_zone_choices, label=_("Time zone"))
