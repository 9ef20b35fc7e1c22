from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from core.forms import (
    DateInput,
    DateTimeLocalInput,
    SaneDateField,
    SaneDateTimeField,
    per_language,
    per_language_setup,
)
from core.validators import available_time_zones, time_zone_choices, validate_plain_text
from portal import selectors as portal_selectors
from scheduling import selectors
from scheduling.models import (
    OUTSIDE_RULES_REASON_MAX,
    REMINDER_CHOICES,
    AvailabilityRule,
    BookingInvitation,
    LocationKind,
    PackageStep,
    Service,
    reminder_label,
)
from scheduling.selectors import MAX_RANGE_DAYS

if TYPE_CHECKING:
    from portal.models import User

MAX_YEARS_AHEAD = 2

# The SMS consent the booking form shows; stored word for word with this version when ticked.
SMS_CONSENT_TEXT = _(
    "Send me reminders about my appointments by text message (SMS) to this number. "
    "I can turn this off at any time."
)
SMS_CONSENT_VERSION = "booking-sms-1"


def _zone(value: str) -> str:
    if value not in available_time_zones():
        raise forms.ValidationError(
            _("“%(value)s” is not a time zone we know."),
            params={"value": value[:64]},
            code="time_zone",
        )
    return value


class SlotsQueryForm(forms.Form):
    service = forms.SlugField(max_length=80)
    start = SaneDateField(input_formats=["%Y-%m-%d"])
    end = SaneDateField(input_formats=["%Y-%m-%d"])
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
                self.add_error(
                    "end", _("Ask for at most %(days)d days at a time.") % {"days": MAX_RANGE_DAYS}
                )
            if end < today:
                self.add_error("start", _("These dates are in the past."))
            if start > today + dt.timedelta(days=366 * MAX_YEARS_AHEAD):
                self.add_error("start", _("These dates are too far ahead."))
        return data


class BookerForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"), max_length=80, validators=[validate_plain_text]
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=80, validators=[validate_plain_text]
    )
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = PhoneNumberField(
        label=_("Phone"),
        required=False,
        help_text=_("With the country code, e.g. +48 600 700 800."),
    )


class BookingForm(BookerForm):
    """POST /api/bookings/ and the public confirm form."""

    service = forms.SlugField(max_length=80)
    start = SaneDateTimeField(
        input_formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%M:%S.%f%z"]
    )
    staff = forms.IntegerField(required=False, min_value=1)
    duration = forms.IntegerField(required=False, min_value=1, max_value=24 * 60)
    time_zone = forms.CharField(max_length=64, required=False)
    invite = forms.CharField(max_length=300, required=False)
    # A package: the steps' times and people the booker saw (selectors.plan_fingerprint).
    plan = forms.CharField(max_length=2000, required=False)
    sms_opt_in = forms.BooleanField(required=False, label=SMS_CONSENT_TEXT)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("sms_opt_in") and not data.get("phone"):
            self.add_error("phone", _("A phone number is needed for SMS reminders."))
        return data

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
    start = SaneDateTimeField(input_formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"])


class StaffBookingForm(forms.Form):
    """Booking for a client; every list holds only what this staff member may see."""

    service = forms.ModelChoiceField(queryset=Service.objects.none(), label=_("Service"))
    staff = forms.ModelChoiceField(queryset=portal_selectors.active_staff(), label=_("Lawyer"))
    contact = forms.ModelChoiceField(
        queryset=portal_selectors.contacts_for_staff(user=None), label=_("Client")
    )
    matter = forms.ModelChoiceField(
        queryset=portal_selectors.matters_visible_to(None), required=False, label=_("Matter")
    )
    start = SaneDateTimeField(
        label=_("Start (your time zone)"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    repeat_monthly = forms.IntegerField(
        label=_("Repeat monthly (number of check-ins)"), min_value=1, max_value=24, initial=1
    )
    # Asked for only when the time is outside the service's public rules (the page shows
    # which); stored on the appointment and in the audit log.
    reason = forms.CharField(
        label=_("Reason for booking outside the usual rules"),
        required=False,
        max_length=OUTSIDE_RULES_REASON_MAX,
        validators=[validate_plain_text],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        querysets = {
            "service": selectors.services_active(),
            "staff": portal_selectors.active_staff().order_by("last_name", "first_name"),
            "contact": portal_selectors.contacts_for_staff(user=user),
            "matter": portal_selectors.matters_visible_to(user).order_by("reference"),
        }
        for name, queryset in querysets.items():
            cast(forms.ModelChoiceField, self.fields[name]).queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        service, staff = data.get("service"), data.get("staff")
        if service and staff and staff.pk not in {m.pk for m in service.offering_staff()}:
            self.add_error("staff", _("This lawyer does not offer this service."))
        return data


class StaffRescheduleForm(forms.Form):
    start = SaneDateTimeField(
        label=_("New start (your time zone)"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


FOLLOW_UP_STEPS = 3


class FollowUpForm(forms.Form):
    """The after-meeting follow-up: a summary and up to three steps for each side."""

    matter = forms.ChoiceField(label=_("Matter"))
    summary = forms.CharField(
        label=_("Summary for the client"),
        required=False,
        max_length=3000,
        validators=[validate_plain_text],
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, matters: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["matter"]).choices = [
            (str(m.pk), f"{m.reference} {m.title}") for m in matters
        ]
        for side, label in (("client", _("The client")), ("firm", _("Our team"))):
            for n in range(1, FOLLOW_UP_STEPS + 1):
                self.fields[f"{side}_action_{n}"] = forms.CharField(
                    label=_("%(who)s: step %(n)d") % {"who": label, "n": n},
                    required=False,
                    max_length=200,
                    validators=[validate_plain_text],
                )
                self.fields[f"{side}_due_{n}"] = SaneDateField(
                    label=_("by"), required=False, widget=DateInput()
                )

    def steps(self, side: str) -> list[tuple[str, dt.date]]:
        data = self.cleaned_data
        return [
            (data[f"{side}_action_{n}"].strip(), data[f"{side}_due_{n}"])
            for n in range(1, FOLLOW_UP_STEPS + 1)
            if data.get(f"{side}_action_{n}", "").strip()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        for side in ("client", "firm"):
            for n in range(1, FOLLOW_UP_STEPS + 1):
                action = (data.get(f"{side}_action_{n}") or "").strip()
                due = data.get(f"{side}_due_{n}")
                if action and due is None and f"{side}_due_{n}" not in self.errors:
                    self.add_error(f"{side}_due_{n}", _("Give the date for this step."))
                elif due is not None and not action:
                    self.add_error(f"{side}_action_{n}", _("Say what is to be done by this date."))
                elif due is not None and due < today:
                    self.add_error(f"{side}_due_{n}", _("Choose today or a later date."))
        return data


class AvailabilityRuleForm(forms.ModelForm):
    class Meta:
        model = AvailabilityRule
        fields = ["weekday", "date", "start", "end", "is_off"]
        field_classes = {"date": SaneDateField}
        widgets = {
            "date": DateInput(),
            "start": forms.TimeInput(attrs={"type": "time"}),
            "end": forms.TimeInput(attrs={"type": "time"}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("weekday") is None) == (data.get("date") is None):
            raise forms.ValidationError(_("Choose either a weekday or one date."))
        if not data.get("is_off"):
            if not data.get("start") or not data.get("end") or data["start"] >= data["end"]:
                raise forms.ValidationError(_("Give hours where the start is before the end."))
        return data


class ExternalCalendarForm(forms.Form):
    name = forms.CharField(
        label=_("Calendar name"), max_length=80, validators=[validate_plain_text]
    )
    url = forms.CharField(label=_("Secret address in iCal format"), max_length=1000)
    fail_closed = forms.BooleanField(
        label=_("Hide my online slots when this calendar cannot be read for 2 hours"),
        required=False,
    )


class CalDAVConnectForm(forms.Form):
    url = forms.CharField(
        label=_("Server address"),
        max_length=1000,
        help_text=_(
            "iCloud: https://caldav.icloud.com/ · Fastmail: https://caldav.fastmail.com/ · "
            "Nextcloud: https://your-cloud/remote.php/dav/"
        ),
    )
    username = forms.CharField(label=_("User name"), max_length=200)
    password = forms.CharField(
        label=_("App password"),
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Create an app password in your account's security settings; never use "
            "your main password."
        ),
    )
    name = forms.CharField(
        label=_("Calendar name"), max_length=80, required=False, validators=[validate_plain_text]
    )


class CalDAVPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New app password"),
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
    )


class CalendarSettingsForm(forms.Form):
    fail_closed = forms.BooleanField(
        label=_("Hide my online slots when this calendar cannot be read for 2 hours"),
        required=False,
    )


class TimeZoneForm(forms.Form):
    tz = forms.ChoiceField(choices=time_zone_choices, label=_("Time zone"))


# ---------------------------------------------------------------------------
# Services (staff pages)
# ---------------------------------------------------------------------------
MAX_NOTICE_MINUTES = 30 * 24 * 60


def _between(value: int | None, low: int, high: int, message: Any) -> int | None:
    if value is not None and not low <= value <= high:
        raise forms.ValidationError(message, code="range")
    return value


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.email)


TRANSLATED_TEXTS = ("name", "description", "location_detail")


class ServiceForm(forms.ModelForm):
    """Everything about a service except who it is a step of. The view never saves it:
    the cleaned data goes to services.service_create / service_update."""

    staff = StaffChoiceField(
        queryset=portal_selectors.active_staff().none(),
        label=_("Offered by"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one lawyer who offers this service.")},
    )
    # Stored as Service.reminder_offsets: whole minutes before the start, latest first.
    reminder_offsets = forms.TypedMultipleChoiceField(
        label=_("Reminders"),
        choices=REMINDER_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the firm's usual reminders."),
        error_messages={
            "invalid_choice": _("Choose reminder times from the list."),
        },
    )

    class Meta:
        model = Service
        fields = [
            *per_language("name"),
            "slug",
            *per_language("description"),
            "duration_minutes",
            "price",
            "payment_rule",
            "deposit_amount",
            "location_kind",
            *per_language("location_detail"),
            "buffer_before_minutes",
            "buffer_after_minutes",
            "min_notice_minutes",
            "horizon_days",
            "slot_step_minutes",
            "hold_minutes",
            "staff",
            "lawyers_only",
            "audience",
            "intake_required",
            "cancel_deadline_hours",
            "cancel_fee",
            "position",
            "is_consultation",
            "reminder_offsets",
            "reminders_off",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in per_language("description")}
        help_texts = {
            "slug": _(
                "Used in the booking address /book/<link name>/: lower-case letters, "
                "digits and hyphens."
            ),
            "duration_minutes": _("From 5 to 480 minutes."),
            "buffer_before_minutes": _("Free time kept before the appointment, 0 to 240."),
            "buffer_after_minutes": _("Free time kept after the appointment, 0 to 240."),
            "min_notice_minutes": _(
                "How soon a client may book, in minutes (120 = two hours; at most 30 days = 43200)."
            ),
            "horizon_days": _("From 1 to 365 days."),
            "slot_step_minutes": _("Start times are offered every this many minutes, 5 to 240."),
            "hold_minutes": _(
                "While a client fills in a form or pays, their time is kept this long, "
                "5 to 30 minutes."
            ),
            "price": _("0 means free."),
            "payment_rule": _(
                "A paid booking keeps its time while the client pays online and is "
                "confirmed once the payment is received."
            ),
            "deposit_amount": _("Only for a deposit: the part paid when booking."),
            "cancel_deadline_hours": _("Cancelling later than this costs the fee below."),
            "position": _("Services are listed by this number, then by name."),
        }

    def __init__(
        self, *args: Any, currency: str = "", firm_language: str = "en", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        per_language_setup(
            self,
            bases=TRANSLATED_TEXTS,
            firm_language=firm_language,
            required=("name",),
        )
        # Keep a lawyer who has since left visible, so saving does not drop them silently.
        keep = (
            []
            if self.instance._state.adding
            else list(self.instance.staff.values_list("pk", flat=True))
        )
        field = cast(forms.ModelMultipleChoiceField, self.fields["staff"])
        field.queryset = portal_selectors.staff_with(ids=keep).order_by(
            "last_name", "first_name", "email"
        )
        if currency:
            self.fields["price"].label = _("Price (%(currency)s)") % {"currency": currency}
            self.fields["cancel_fee"].label = _("Late cancellation fee (%(currency)s)") % {
                "currency": currency
            }
            self.fields["deposit_amount"].label = _("Deposit (%(currency)s)") % {
                "currency": currency
            }
        self.fields["deposit_amount"].required = False
        self.fields["payment_rule"].required = False
        # A time set before this form existed (not in the list) stays offered and ticked.
        reminders = cast(forms.TypedMultipleChoiceField, self.fields["reminder_offsets"])
        listed = {minutes for minutes, _label in REMINDER_CHOICES}
        own = (
            self.instance.reminder_offsets
            if isinstance(self.instance.reminder_offsets, list)
            else []
        )
        extra = sorted(
            {v for v in own if isinstance(v, int) and v > 0 and v not in listed}, reverse=True
        )
        if extra:
            reminders.choices = sorted(
                [*REMINDER_CHOICES, *((m, reminder_label(m)) for m in extra)],
                key=lambda choice: -int(choice[0]),
            )

    def clean_reminder_offsets(self) -> list[int]:
        values: list[int] = list(self.cleaned_data.get("reminder_offsets") or [])
        if len(set(values)) != len(values):
            raise forms.ValidationError(
                _("Each reminder time can be chosen once."), code="duplicate"
            )
        return sorted(values, reverse=True)

    def clean_payment_rule(self) -> str:
        return str(self.cleaned_data.get("payment_rule") or Service.PaymentRule.NONE)

    def clean_slug(self) -> str:
        return str(self.cleaned_data.get("slug") or "").strip().lower()

    def clean_duration_minutes(self) -> int | None:
        return _between(
            self.cleaned_data.get("duration_minutes"),
            5,
            480,
            _("The duration must be between 5 and 480 minutes."),
        )

    def clean_buffer_before_minutes(self) -> int | None:
        return _between(
            self.cleaned_data.get("buffer_before_minutes"),
            0,
            240,
            _("A buffer must be between 0 and 240 minutes."),
        )

    def clean_buffer_after_minutes(self) -> int | None:
        return _between(
            self.cleaned_data.get("buffer_after_minutes"),
            0,
            240,
            _("A buffer must be between 0 and 240 minutes."),
        )

    def clean_min_notice_minutes(self) -> int | None:
        return _between(
            self.cleaned_data.get("min_notice_minutes"),
            0,
            MAX_NOTICE_MINUTES,
            _("The minimum notice must be between 0 minutes and 30 days (43200 minutes)."),
        )

    def clean_horizon_days(self) -> int | None:
        return _between(
            self.cleaned_data.get("horizon_days"),
            1,
            365,
            _("Clients can book from 1 to 365 days ahead."),
        )

    def clean_slot_step_minutes(self) -> int | None:
        return _between(
            self.cleaned_data.get("slot_step_minutes"),
            5,
            240,
            _("The slot step must be between 5 and 240 minutes."),
        )

    def clean_staff(self) -> Any:
        staff = self.cleaned_data.get("staff")
        if staff is not None and not staff:
            raise forms.ValidationError(_("Choose at least one lawyer who offers this service."))
        return staff

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        price, fee = data.get("price"), data.get("cancel_fee")
        if price is not None and fee is not None and price > 0 and fee > price:
            self.add_error("cancel_fee", _("The cancellation fee cannot be more than the price."))
        rule, deposit = data.get("payment_rule"), data.get("deposit_amount")
        if deposit is None:
            data["deposit_amount"] = deposit = Decimal("0")
        if rule in (Service.PaymentRule.FULL_AT_BOOKING, Service.PaymentRule.DEPOSIT) and (
            price is not None and price <= 0
        ):
            self.add_error("payment_rule", _("A free service has nothing to pay when booking."))
        elif rule == Service.PaymentRule.DEPOSIT and price is not None:
            if not 0 < deposit < price:
                self.add_error(
                    "deposit_amount",
                    _("A deposit is more than zero and less than the price."),
                )
        kind, detail = data.get("location_kind"), data.get("location_detail")
        if kind == LocationKind.VIDEO and detail and not detail.startswith("https://"):
            self.add_error("location_detail", _("A video link starts with https://."))
        if data.get("reminders_off") and data.get("reminder_offsets"):
            self.add_error(
                "reminders_off",
                _("Either tick reminder times or choose no reminders, not both."),
            )
        return data

    def expand_translated(self, names: tuple[str, ...]) -> list[str]:
        """Each translated text as its per-language fields, the firm's language first."""
        return [
            expanded
            for name in names
            for expanded in (
                [f for f in self.fields if f.rpartition("_")[0] == name]
                if name in TRANSLATED_TEXTS
                else [name]
            )
        ]

    def service_fields(self) -> dict[str, Any]:
        """The model fields for the service functions (everything but the staff list)."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "staff"}
        # An empty translation is stored as empty, so the firm's language shows instead.
        for name in per_language("description", "location_detail"):
            fields[name] = fields[name] or ""
        return fields


class PackageStepForm(forms.ModelForm):
    class Meta:
        model = PackageStep
        fields = ["service", "min_gap_days"]

    def clean_min_gap_days(self) -> int | None:
        return _between(
            self.cleaned_data.get("min_gap_days"),
            0,
            365,
            _("The gap must be between 0 and 365 days."),
        )


class BasePackageStepFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = Service.objects.filter(is_active=True, steps__isnull=True)
        if not self.instance._state.adding:
            choices = choices.exclude(pk=self.instance.pk)
        for form in [*self.forms, self.empty_form]:
            field = cast(forms.ModelChoiceField, form.fields["service"])
            field.queryset = choices.order_by("position", "name")
            field.label = _("Step")
            field.empty_label = _("(none)")

    def steps(self) -> list[tuple[Service, int]]:
        """The steps in the order shown, without deleted and empty rows."""
        result = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if not data or data.get("DELETE") or not data.get("service"):
                continue
            result.append((data["service"], data.get("min_gap_days") or 0))
        return result


PackageStepFormSet = cast(
    type[BasePackageStepFormSet],
    forms.inlineformset_factory(
        Service,
        PackageStep,
        form=PackageStepForm,
        formset=BasePackageStepFormSet,
        fk_name="package",
        extra=2,
        can_delete=True,
        max_num=10,
        validate_max=True,
    ),
)


class BookingInvitationForm(forms.Form):
    """Staff invite a contact to book an invited-only service (contact and matter pages)."""

    service = forms.ModelChoiceField(
        queryset=selectors.invited_services(), label=_("Service"), empty_label=None
    )
    email = forms.EmailField(label=_("Send to"), max_length=254)
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=BookingInvitation.MAX_DAYS,
        initial=14,
    )
    contact = forms.ChoiceField(label=_("Client"), required=False)

    def __init__(self, *args: Any, contacts: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contacts = {str(c.pk): c for c in contacts}
        if len(self.contacts) > 1:
            self.fields["contact"].required = True
            cast("forms.ChoiceField", self.fields["contact"]).choices = [
                (pk, c.full_name) for pk, c in self.contacts.items()
            ]
        else:
            del self.fields["contact"]

    def chosen_contact(self) -> Any:
        if "contact" in self.fields:
            return self.contacts[self.cleaned_data["contact"]]
        return next(iter(self.contacts.values()))
