from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

import filetype
import holidays
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from audit import actions
from core.forms import (
    DateInput,
    DateTimeLocalInput,
    PlainCharField,
    SaneDateField,
    SaneDateTimeField,
    TimeZoneField,
    per_language,
    per_language_setup,
)
from core.languages import language_name
from core.validators import time_zone_choices
from portal import selectors
from portal.models import (
    SPOKEN_LANGUAGES,
    Contact,
    Firm,
    Matter,
    PracticeArea,
    StaffProfile,
    Tag,
    TimelineEntry,
    User,
)
from portal.models.profiles import PROFILE_MAX_CHARS
from portal.photos import photo_checked

MAX_LOGO_BYTES = 2 * 1024 * 1024


class FirmForm(forms.ModelForm):
    logo_upload = forms.FileField(label=_("Logo (PNG, JPEG or WebP, up to 2 MB)"), required=False)
    clear_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    time_zone = TimeZoneField(label=_("Time zone"))

    class Meta:
        model = Firm
        fields = [
            "name",
            "primary_color",
            "accent_color",
            "time_zone",
            "default_language",
            "currency",
            "reply_to_email",
            *per_language("promise_channels"),
            "response_hours",
            "silence_days",
        ]
        widgets = {
            "primary_color": forms.TextInput(attrs={"type": "color"}),
            "accent_color": forms.TextInput(attrs={"type": "color"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        per_language_setup(
            self,
            bases=("promise_channels",),
            firm_language=self.instance.default_language,
            required=(),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Empty is stored as empty (not NULL), so the firm's own language shows instead.
        for name in per_language("promise_channels"):
            if name in data and data[name] is None:
                data[name] = ""
        return data

    def clean_currency(self) -> str:
        value = (self.cleaned_data.get("currency") or "").upper()
        if len(value) != 3 or not value.isalpha() or not value.isascii():
            raise forms.ValidationError(_("Enter a three-letter currency code such as PLN."))
        return value

    def clean_logo_upload(self) -> Any:
        upload = self.cleaned_data.get("logo_upload")
        if upload is None:
            return None
        if upload.size > MAX_LOGO_BYTES:
            raise forms.ValidationError(_("The logo must be 2 MB or smaller."))
        head = upload.read(262)
        upload.seek(0)
        kind = filetype.guess(head)
        if kind is None or kind.mime not in {"image/png", "image/jpeg", "image/webp"}:
            raise forms.ValidationError(_("The logo must be a PNG, JPEG or WebP image."))
        return upload


class ContactForm(forms.ModelForm):
    phone = PhoneNumberField(
        label=_("Phone (international format, e.g. +48 601 234 567)"), required=False
    )
    time_zone = TimeZoneField(label=_("Time zone"))

    class Meta:
        model = Contact
        fields = [
            "kind",
            "first_name",
            "last_name",
            "email",
            "phone",
            "language",
            "time_zone",
            "preferred_channel",
            "sms_consent",
            "quiet_hours_start",
            "quiet_hours_end",
            "tags",
            "notes",
        ]
        widgets = {
            "quiet_hours_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_hours_end": forms.TimeInput(attrs={"type": "time"}),
            "tags": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("preferred_channel") == "sms":
            if not data.get("phone"):
                self.add_error("phone", _("A phone number is needed for SMS."))
            if not data.get("sms_consent"):
                self.add_error("sms_consent", _("SMS needs the client's consent."))
        if bool(data.get("quiet_hours_start")) != bool(data.get("quiet_hours_end")):
            self.add_error("quiet_hours_end", _("Give both ends of the quiet hours."))
        return data


class MatterForm(forms.Form):
    reference = PlainCharField(label=_("Reference"), max_length=32)
    title = PlainCharField(label=_("Title"), max_length=200)
    practice_area = forms.ChoiceField(label=_("Practice area"), choices=PracticeArea.choices)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Matter.Priority.choices, initial=Matter.Priority.NORMAL
    )
    responsible_lawyer = forms.ModelChoiceField(
        label=_("Responsible lawyer"), queryset=User.objects.none()
    )
    team = forms.ModelMultipleChoiceField(
        label=_("Team"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    clients = forms.ModelMultipleChoiceField(
        label=_("Clients"),
        queryset=Contact.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: User, matter: Matter | None = None, **kwargs: Any) -> None:
        self.matter = matter
        super().__init__(*args, **kwargs)
        staff = selectors.staff_members()
        querysets = {
            "responsible_lawyer": staff,
            "team": staff,
            # Only the contacts this staff member may see (the staff access policy).
            "clients": selectors.contacts_visible_to(user).exclude(kind=Contact.Kind.OTHER_PARTY),
        }
        for name, queryset in querysets.items():
            cast(forms.ModelChoiceField, self.fields[name]).queryset = queryset

    def clean_reference(self) -> str:
        reference = self.cleaned_data["reference"].strip()
        taken = Matter.objects.filter(reference__iexact=reference)
        if self.matter is not None:
            taken = taken.exclude(pk=self.matter.pk)
        if taken.exists():
            raise forms.ValidationError(_("A matter with this reference already exists."))
        return reference


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("New stage"), choices=Matter.Stage.choices)
    note = PlainCharField(label=_("Note for the client (optional)"), max_length=500, required=False)


class TimelineEntryForm(forms.ModelForm):
    class Meta:
        model = TimelineEntry
        fields = [
            "kind",
            "title",
            "body",
            "occurred_at",
            "shared_with_client",
            "shared_with_cocounsel",
        ]
        field_classes = {"occurred_at": SaneDateTimeField}
        widgets = {
            "occurred_at": DateTimeLocalInput(),
            "body": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            c for c in TimelineEntry.Kind.choices if c[0] != TimelineEntry.Kind.STAGE
        ]


class ShareForm(forms.Form):
    email = forms.EmailField(label=_("Co-counsel's email"))
    first_name = PlainCharField(label=_("First name"), max_length=80)
    last_name = PlainCharField(label=_("Last name"), max_length=80)
    expires_on = SaneDateField(label=_("Access until (end of day)"), widget=DateInput())


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str = "", **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif p1:
            try:
                password_validation.validate_password(p1, User(email=self.email))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = TimeZoneField(label=_("Time zone"))


class StaffPreferencesForm(PreferencesForm):
    activity_notices = forms.ChoiceField(
        label=_("Tell me what clients do on my matters"),
        choices=User.ActivityNotices.choices,
        help_text=_("Uploads, tasks done, bookings, reschedules and cancellations."),
    )


def spoken_language_choices() -> list[tuple[str, str]]:
    """The languages a staff member may speak, named in the reader's language."""
    return sorted(
        ((code, language_name(code)) for code in SPOKEN_LANGUAGES), key=lambda c: c[1].lower()
    )


class StaffProfileForm(forms.ModelForm):
    """What the booking page shows about a staff member (their own or, for admins, anyone's)."""

    photo_upload = forms.FileField(
        label=_("Photo (PNG, JPEG or WebP, up to 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    clear_photo = forms.BooleanField(label=_("Remove the photo"), required=False)
    practice_areas = forms.MultipleChoiceField(
        label=_("Practice areas"),
        choices=PracticeArea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak with clients"),
        choices=spoken_language_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = StaffProfile
        fields = ["practice_areas", "languages", *per_language("profile")]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in per_language("profile")}

    def __init__(self, *args: Any, firm_language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        per_language_setup(self, bases=("profile",), firm_language=firm_language, required=())
        for name in per_language("profile"):
            self.fields[name].help_text = " ".join(
                str(t)
                for t in (
                    self.fields[name].help_text,
                    _("Up to %(max)s characters.") % {"max": PROFILE_MAX_CHARS},
                )
                if t
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in per_language("profile"):
            if name in data and data[name] is None:
                data[name] = ""
        return data

    def clean_photo_upload(self) -> Any:
        upload = self.cleaned_data.get("photo_upload")
        return photo_checked(upload) if upload is not None else None


STAFF_ROLE_CHOICES = [
    ("lawyer", _("Lawyer")),
    ("paralegal", _("Paralegal")),
    ("firm_admin", _("Firm admin (also manages staff, services and settings)")),
]


class StaffCreateForm(forms.Form):
    first_name = PlainCharField(label=_("First name"), max_length=150)
    last_name = PlainCharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES)


class TagForm(forms.Form):
    name = PlainCharField(label=_("Name"), max_length=60)
    category = forms.ChoiceField(label=_("Category"), choices=Tag.Category.choices)


class TagMergeForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Merge into"), queryset=Tag.objects.none())

    def __init__(self, *args: Any, source: Tag, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["target"])
        field.queryset = Tag.objects.exclude(pk=source.pk).order_by("category", "name")


class InboxDismissForm(forms.Form):
    reason = PlainCharField(label=_("Why no reply is needed"), max_length=300)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Who"), required=False, max_length=100)
    matter = forms.CharField(label=_("Matter reference"), required=False, max_length=32)
    date_from = SaneDateField(label=_("From"), required=False, widget=DateInput())
    date_to = SaneDateField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["action"])
        field.choices = [("", _("All actions")), *actions.choices()]


def time_zone_datalist() -> list[tuple[str, str]]:
    return time_zone_choices()


_INTERVAL = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*[-–—]\s*(\d{1,2})(?:[:.](\d{2}))?$")


def _clock_time(hour: str, minute: str | None) -> dt.time:
    h, m = int(hour), int(minute or 0)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise ValueError
    return dt.time(h, m)


def parse_intervals(text: str) -> list[tuple[dt.time, dt.time]]:
    """ "9:00-13:00, 14:00-17:00" as intervals; empty is a closed day. Raises ValidationError."""
    intervals: list[tuple[dt.time, dt.time]] = []
    for part in (p.strip() for p in (text or "").replace(";", ",").split(",")):
        if not part:
            continue
        match = _INTERVAL.match(part)
        try:
            if match is None:
                raise ValueError
            opens = _clock_time(match[1], match[2])
            closes = _clock_time(match[3], match[4])
        except ValueError:
            raise forms.ValidationError(
                _("Write the hours as 9:00-17:00; several intervals separated by commas.")
            ) from None
        if closes <= opens:
            raise forms.ValidationError(
                _("%(interval)s closes before it opens.") % {"interval": part}
            )
        intervals.append((opens, closes))
    intervals.sort()
    for (_o1, c1), (o2, _c2) in zip(intervals, intervals[1:], strict=False):
        if o2 < c1:
            raise forms.ValidationError(_("Two intervals overlap."))
    return intervals


def _interval_text(intervals: list[tuple[dt.time, dt.time]]) -> str:
    return ", ".join(f"{o.hour}:{o.minute:02d}-{c.hour}:{c.minute:02d}" for o, c in intervals)


class OfficeHoursForm(forms.Form):
    """The week's opening hours, one line per weekday, and the region of the holidays."""

    country = forms.CharField(
        label=_("Country for public holidays (ISO code, e.g. PL, ES, US, GB)"), max_length=3
    )
    subdivision = forms.CharField(
        label=_("Region (optional, e.g. MD for Madrid, CA for California, ENG for England)"),
        max_length=10,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        hours: Any = (),
        country: str = "",
        subdivision: str = "",
        **kwargs: Any,
    ) -> None:
        per_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
        for weekday, opens, closes in hours:
            per_day.setdefault(weekday, []).append((opens, closes))
        initial = {f"day_{d}": _interval_text(sorted(per_day.get(d, []))) for d in range(7)} | {
            "country": country,
            "subdivision": subdivision,
        }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = {}
        for day in range(7):
            fields[f"day_{day}"] = forms.CharField(
                label=WEEKDAYS[day],
                required=False,
                max_length=200,
                help_text=_("e.g. 9:00-13:00, 14:00-17:00; empty when closed") if day == 0 else "",
            )
        self.fields = {**fields, **self.fields}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rows: list[tuple[int, dt.time, dt.time]] = []
        for day in range(7):
            try:
                intervals = parse_intervals(data.get(f"day_{day}", ""))
            except forms.ValidationError as exc:
                self.add_error(f"day_{day}", exc)
                continue
            rows.extend((day, o, c) for o, c in intervals)
        if not self.errors and not rows:
            raise forms.ValidationError(_("Give the office at least one opening interval."))
        country = (data.get("country") or "").strip().upper()
        subdivision = (data.get("subdivision") or "").strip().upper()
        if country and subdivision.startswith(f"{country}-"):
            subdivision = subdivision[len(country) + 1 :]
        supported = holidays.list_supported_countries()
        if country and country not in supported:
            self.add_error("country", _("No public holidays are known for %(c)s.") % {"c": country})
        elif country and subdivision and subdivision not in supported[country]:
            self.add_error(
                "subdivision",
                _("%(c)s has no region %(s)s. Known regions: %(known)s.")
                % {"c": country, "s": subdivision, "known": ", ".join(supported[country]) or "–"},
            )
        data["country"], data["subdivision"], data["hours"] = country, subdivision, rows
        return data


class FirmClosureForm(forms.Form):
    date = SaneDateField(label=_("Closed on"), widget=DateInput())
    reason = PlainCharField(label=_("Reason"), max_length=200)


class NoReplyNeededForm(forms.Form):
    reason = PlainCharField(label=_("Why no reply is needed"), max_length=300)
