"""Services, working hours, external busy times and appointments."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.manager import MultilingualManager

from core.validators import validate_plain_text
from notifications.outbox import Delivery
from scheduling.slots_cache import availability_changed


def validate_reminder_offsets(value: object) -> None:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 60 * 24 * 60 for v in value
    ):
        raise ValidationError(
            _("Give whole minutes before the appointment, such as [1440, 120]."),
            code="reminder_offsets",
        )


# The reminder times the staff service form offers, in minutes before the start (the unit
# Service.reminder_offsets and the reminder rows use).
REMINDER_CHOICES: tuple[tuple[int, Any], ...] = (
    (7 * 24 * 60, _("1 week before")),
    (3 * 24 * 60, _("3 days before")),
    (48 * 60, _("48 hours before")),
    (24 * 60, _("24 hours before")),
    (4 * 60, _("4 hours before")),
    (2 * 60, _("2 hours before")),
    (60, _("1 hour before")),
)


def reminder_label(minutes: int) -> str:
    """ "24 hours before", or "90 min before" for a time the form does not list."""
    label = dict(REMINDER_CHOICES).get(minutes)
    if label is not None:
        return str(label)
    return str(_("%(minutes)s min before") % {"minutes": minutes})


def new_manage_token() -> str:
    return secrets.token_urlsafe(32)


def new_uid() -> str:
    return f"{uuid.uuid4()}@atrium"


class TsTzRange(models.Func):
    """tstzrange(start, end, '[)') for the exclusion constraint."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class AvailabilityQuerySet(models.QuerySet):
    """Queryset writes that skip save() still retire the cached slots (slots_cache).

    delete() needs nothing here: it sends post_delete, which scheduling.receivers hears.
    """

    def update(self, **kwargs: Any) -> int:
        changed = super().update(**kwargs)
        if changed:
            availability_changed()
        return changed

    def bulk_create(self, *args: Any, **kwargs: Any) -> Any:
        objs = super().bulk_create(*args, **kwargs)
        availability_changed()
        return objs

    def bulk_update(self, *args: Any, **kwargs: Any) -> Any:
        changed = super().bulk_update(*args, **kwargs)
        availability_changed()
        return changed


# portal's User.StaffTitle.LAWYER (scheduling never imports portal's models).
STAFF_TITLE_LAWYER = "lawyer"


class ServiceManager(MultilingualManager["Service"]):
    """Service texts per language (django-modeltranslation) and the availability-aware writes."""

    _queryset_class = AvailabilityQuerySet


class LocationKind(models.TextChoices):
    OFFICE = "office", _("At the office")
    VIDEO = "video", _("Video call")
    PHONE = "phone", _("Phone call")


class Service(models.Model):
    class PaymentRule(models.TextChoices):
        NONE = "NONE", _("Nothing to pay when booking")
        FULL_AT_BOOKING = "FULL_AT_BOOKING", _("The full price, paid when booking")
        DEPOSIT = "DEPOSIT", _("A deposit, paid when booking")

    class Audience(models.TextChoices):
        ANYONE = "anyone", _("Anyone")
        CLIENTS = "clients", _("Existing clients only")
        INVITED = "invited", _("Invited only")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(_("link name"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120, validators=[validate_plain_text])
    description = models.TextField(
        _("description"), max_length=2000, blank=True, validators=[validate_plain_text]
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(8 * 60)],
    )
    price = models.DecimalField(
        _("price"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    location_kind = models.CharField(
        _("location"), max_length=10, choices=LocationKind.choices, default=LocationKind.OFFICE
    )
    location_detail = models.CharField(
        _("address, video link or phone number"),
        max_length=300,
        blank=True,
        validators=[validate_plain_text],
    )
    buffer_before_minutes = models.PositiveSmallIntegerField(
        _("buffer before (minutes)"), default=0, validators=[MaxValueValidator(240)]
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(
        _("buffer after (minutes)"), default=0, validators=[MaxValueValidator(240)]
    )
    min_notice_minutes = models.PositiveIntegerField(
        _("minimum notice (minutes)"), default=120, validators=[MaxValueValidator(60 * 24 * 60)]
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("bookable up to (days ahead)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    slot_step_minutes = models.PositiveSmallIntegerField(
        _("slot step (minutes)"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="services",
        verbose_name=_("offered by"),
        limit_choices_to={"role": "staff"},
    )
    audience = models.CharField(
        _("who may book"), max_length=10, choices=Audience.choices, default=Audience.ANYONE
    )
    # The service promises a lawyer ("the lawyer who will handle your matter"): only
    # staff working as lawyers are offered or bookable (Service.offering_staff).
    lawyers_only = models.BooleanField(
        _("lawyers only"),
        default=False,
        help_text=_(
            "Tick when the service promises a lawyer: paralegals are never offered or booked "
            "for it."
        ),
    )
    intake_required = models.BooleanField(_("intake form required"), default=False)
    cancel_deadline_hours = models.PositiveSmallIntegerField(
        _("free cancellation until (hours before)"),
        default=24,
        validators=[MaxValueValidator(24 * 30)],
    )
    cancel_fee = models.DecimalField(
        _("late cancellation fee"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    # What a client pays online before the booking is confirmed (the slot is held
    # meanwhile); the policy the client saw is copied onto the appointment.
    payment_rule = models.CharField(
        _("payment when booking"),
        max_length=20,
        choices=PaymentRule.choices,
        default=PaymentRule.NONE,
    )
    deposit_amount = models.DecimalField(
        _("deposit"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    is_consultation = models.BooleanField(
        _("counts as a consultation"),
        default=False,
        help_text=_(
            "Tick for first meetings with a prospective client; the lead pipeline and the "
            "firm's numbers count these."
        ),
    )
    # How long an unfinished booking keeps its time (a form to fill in, a payment to make).
    hold_minutes = models.PositiveSmallIntegerField(
        _("time kept for an unfinished booking (minutes)"),
        default=10,
        validators=[MinValueValidator(5), MaxValueValidator(30)],
    )
    is_active = models.BooleanField(_("bookable"), default=True)
    position = models.PositiveSmallIntegerField(default=0)
    # Empty: the firm-wide NOTIFICATIONS_REMINDER_OFFSETS.
    reminder_offsets = models.JSONField(
        _("reminders (minutes before)"),
        default=list,
        blank=True,
        validators=[validate_reminder_offsets],
        help_text=_(
            "For example [1440, 120] for 24 hours and 2 hours before. Empty: the "
            "firm's usual reminders."
        ),
    )
    # "No reminders" is its own choice: an empty list already means the firm's usual ones.
    reminders_off = models.BooleanField(
        _("no reminders"),
        default=False,
        help_text=_("Clients get the confirmation but no reminders before this service."),
    )

    objects = ServiceManager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(hold_minutes__gte=5, hold_minutes__lte=30),
                name="service_hold_minutes_5_to_30",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_free(self) -> bool:
        return self.price == 0

    def offering_staff(self) -> list[Any]:
        """Who may take this service: its staff, only the lawyers among them when the
        service is lawyers only (reads self.staff.all(), so a prefetch is used)."""
        members = list(self.staff.all())
        if self.lawyers_only:
            members = [m for m in members if m.staff_title == STAFF_TITLE_LAWYER]
        return members

    @property
    def amount_at_booking(self) -> Decimal:
        """What a client pays online to confirm a booking of this service (0: nothing)."""
        if self.payment_rule == self.PaymentRule.FULL_AT_BOOKING:
            return Decimal(self.price)
        if self.payment_rule == self.PaymentRule.DEPOSIT:
            return min(Decimal(self.deposit_amount), Decimal(self.price))
        return Decimal("0")

    @property
    def reminder_labels(self) -> list[str]:
        """The reminders this service sends, latest first; empty own list: the firm's."""
        if self.reminders_off:
            return []
        own = {int(v) for v in self.reminder_offsets or () if int(v) > 0}
        minutes = own or {int(v) for v in settings.NOTIFICATIONS_REMINDER_OFFSETS}
        return [reminder_label(m) for m in sorted(minutes, reverse=True)]

    @property
    def is_package(self) -> bool:
        # Prefetched by the selectors; a plain service has no steps.
        return bool(self.steps.all())


class PackageStep(models.Model):
    """One appointment of a package service, booked with the others in one go."""

    package = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="steps")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    min_gap_days = models.PositiveSmallIntegerField(
        _("at least days after the previous"), default=1
    )

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.package_id}#{self.position}"


class AvailabilityRule(models.Model):
    """Working hours: weekly (weekday set) or for one date (date set; replaces the week).

    A date rule with is_off is a day off. Times are wall-clock in the staff member's zone.
    """

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability_rules"
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(6)],
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    date = models.DateField(_("date"), null=True, blank=True)
    start = models.TimeField(_("from"), null=True, blank=True)
    end = models.TimeField(_("until"), null=True, blank=True)
    is_off = models.BooleanField(_("day off"), default=False)

    objects = AvailabilityQuerySet.as_manager()

    class Meta:
        ordering = ["staff", "date", "weekday", "start"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(
                    models.Q(weekday__isnull=False, date__isnull=True)
                    | models.Q(weekday__isnull=True, date__isnull=False)
                ),
                name="availability_rule_weekday_xor_date",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(is_off=True)
                    | models.Q(start__isnull=False, end__isnull=False, start__lt=models.F("end"))
                ),
                name="availability_rule_hours_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.weekday}/{self.date} {self.start}-{self.end}"


class ExternalCalendar(models.Model):
    """A staff member's calendar connection: busy times in (and, for CalDAV, appointments out).

    Provider ICS is a secret iCal address imported periodically; CALDAV is a server with a
    username and an app password (kept encrypted, scheduling.secrets). Every connection
    reports its health (spec calendar-sync §5): OK, DEGRADED after a passing failure, BROKEN
    after an authentication failure or 6 failures in a row, DISCONNECTED by staff.
    """

    class Provider(models.TextChoices):
        ICS = "ics", _("iCal address")
        CALDAV = "caldav", _("CalDAV server")
        GOOGLE = "google", _("Google Calendar")
        MICROSOFT = "microsoft", _("Microsoft 365 / Outlook")

    class Health(models.TextChoices):
        OK = "ok", _("OK")
        DEGRADED = "degraded", _("Degraded")
        BROKEN = "broken", _("Broken")
        DISCONNECTED = "disconnected", _("Disconnected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_calendars"
    )
    provider = models.CharField(max_length=10, choices=Provider.choices, default=Provider.ICS)
    name = models.CharField(_("name"), max_length=80, validators=[validate_plain_text])
    # ICS: the secret address (blank once disconnected). CalDAV: the server's address.
    url = models.CharField(_("secret iCal address"), max_length=1000, blank=True)
    username = models.CharField(_("user name"), max_length=200, blank=True)
    # CalDAV app password, encrypted (never shown, never logged).
    secret_encrypted = models.TextField(blank=True)
    # CalDAV: [{"id": href, "name": ..., "busy": bool}] as discovered; the write calendar's href.
    read_calendars = models.JSONField(default=list, blank=True)
    write_calendar_id = models.CharField(max_length=1000, blank=True)
    # CalDAV: {calendar href: {"token": sync-token, "ctag": ctag}}.
    sync_state = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=Health.choices, default=Health.OK)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # A short code (scheduling.selectors.calendar_reason words it), never a secret or the URL.
    last_error = models.CharField(max_length=500, blank=True)
    broken_at = models.DateTimeField(null=True, blank=True)
    # The one alert of the current breakage went out (cleared by the next success).
    alerted_at = models.DateTimeField(null=True, blank=True)
    # Back off after a 429 until then.
    retry_after = models.DateTimeField(null=True, blank=True)
    fail_closed = models.BooleanField(
        _("hide my online slots when this calendar cannot be read for 2 hours"), default=False
    )
    # Google and Microsoft (OAuth): the account, the scopes granted, when the access token
    # expires (the token cache itself is secret_encrypted), when the person last granted
    # access, and how many refresh tokens in a row died within 8 days of that (Google's
    # "Testing" publishing status expires them after 7).
    account_email = models.CharField(max_length=254, blank=True)
    scopes = models.CharField(max_length=1000, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    authorized_at = models.DateTimeField(null=True, blank=True)
    early_expiries = models.PositiveSmallIntegerField(default=0)
    # Push (Google channel / Graph subscriptions): ids, expiry, SHA-256 of the shared secret.
    push_channel_id = models.CharField(max_length=1000, blank=True)
    push_resource_id = models.CharField(max_length=1000, blank=True)
    push_expires_at = models.DateTimeField(null=True, blank=True)
    push_secret_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_caldav(self) -> bool:
        return self.provider == self.Provider.CALDAV

    @property
    def is_oauth(self) -> bool:
        return self.provider in (self.Provider.GOOGLE, self.Provider.MICROSOFT)

    @property
    def can_write(self) -> bool:
        """Providers that receive Atrium's appointments (everything but a plain iCal address)."""
        return self.provider != self.Provider.ICS

    @property
    def busy_calendars(self) -> list[dict[str, object]]:
        return [c for c in self.read_calendars if c.get("busy")]


class BusyTime(models.Model):
    calendar = models.ForeignKey(
        ExternalCalendar, on_delete=models.CASCADE, related_name="busy_times"
    )
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    # CalDAV: SHA-256 of (calendar href, event href), so an incremental sync replaces one
    # event's intervals. Never a title.
    remote_key_hash = models.CharField(max_length=64, blank=True)

    objects = AvailabilityQuerySet.as_manager()

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["staff", "start_at"]),
            models.Index(fields=["calendar", "remote_key_hash"]),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.start_at}-{self.end_at}"


# A held booking blocks its time like a confirmed one: that is what the hold is for.
BLOCKING_STATUSES = ("held", "booked", "attended", "no_show")
# The longest reason staff may give for booking outside a service's public rules.
OUTSIDE_RULES_REASON_MAX = 1000
# The longest a hold may be extended to, counted from when it started.
HOLD_MAX_MINUTES = 60


class Appointment(models.Model):
    class Status(models.TextChoices):
        HELD = "held", _("Held")
        EXPIRED = "expired", _("Hold expired")
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("No-show")

    class Origin(models.TextChoices):
        PUBLIC = "public", _("Booking page")
        PORTAL = "portal", _("Client portal")
        STAFF = "staff", _("Staff")

    class OwnerCheck(models.TextChoices):
        """A public booking made with the email of a client (or of anyone with a login)
        waits for the owner of that address to confirm it from the email."""

        NOT_NEEDED = "", _("Not needed")
        PENDING = "pending", _("Unconfirmed: booked with the email of an existing client")
        CONFIRMED = "confirmed", _("Confirmed by the owner of the email")
        DECLINED = "declined", _("Declined by the owner of the email")
        # Nobody confirmed it in time (ATRIUM_OWNER_CHECK_HOURS, or its start came first):
        # the sweep cancelled it and freed the time.
        LAPSED = "lapsed", _("Not confirmed in time by the owner of the email")

    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        Status.HELD: (Status.BOOKED, Status.EXPIRED, Status.CANCELLED),
        Status.EXPIRED: (),
        Status.BOOKED: (Status.CANCELLED, Status.RESCHEDULED, Status.ATTENDED, Status.NO_SHOW),
        Status.ATTENDED: (Status.NO_SHOW,),
        Status.NO_SHOW: (Status.ATTENDED,),
        Status.CANCELLED: (),
        Status.RESCHEDULED: (),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    contact = models.ForeignKey(
        "portal.Contact", on_delete=models.PROTECT, related_name="appointments"
    )
    matter = models.ForeignKey(
        "portal.Matter",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    # start/end widened by the service's buffers: what the exclusion constraint compares.
    blocked_start = models.DateTimeField()
    blocked_end = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    # When staff sent the after-meeting follow-up (scheduling.services.followup), once.
    followed_up_at = models.DateTimeField(null=True, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    uid = models.CharField(max_length=100, default=new_uid, db_index=True)
    manage_token = models.CharField(max_length=64, unique=True, default=new_manage_token)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    booking_group = models.UUIDField(null=True, blank=True, db_index=True)
    # The package this appointment is a step of: its steps' gaps hold when one moves.
    package = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    series = models.UUIDField(null=True, blank=True, db_index=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_fee = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    # Who made the booking: registered booking steps decide by it (scheduling.booking_flow).
    origin = models.CharField(max_length=10, choices=Origin.choices, blank=True)
    # An unfinished booking (HELD): the steps still to do and done, in order, by key, and
    # how long the time is kept. Every appointment of a package carries the same values.
    hold_started_at = models.DateTimeField(null=True, blank=True)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    pending_steps = models.JSONField(default=list, blank=True)
    done_steps = models.JSONField(default=list, blank=True)
    # The terms the client accepted when booking (price, currency, payment rule, what was
    # paid up front, the cancellation deadline and fee): later changes to the service do
    # not change them. Built by scheduling.selectors.policy_snapshot.
    policy_snapshot = models.JSONField(null=True, blank=True)
    # OwnerCheck above; until CONFIRMED the booking is not in the client's portal, no
    # confirmation or reminder goes out, and staff see it as unconfirmed.
    owner_check = models.CharField(
        max_length=10, choices=OwnerCheck.choices, blank=True, default=OwnerCheck.NOT_NEEDED
    )
    # What a public booker typed when the email matched an existing contact (whose record
    # a public booking never changes): name, phone and the SMS consent they ticked.
    booker_details = models.JSONField(default=dict, blank=True)
    # Staff booked this time outside the service's public rules (OUTSIDE_RULES keys:
    # working hours, minimum notice, horizon, the lawyer's own busy calendar) and why.
    outside_rules = models.JSONField(default=list, blank=True)
    outside_rules_reason = models.CharField(
        max_length=OUTSIDE_RULES_REASON_MAX, blank=True, default=""
    )

    objects = AvailabilityQuerySet.as_manager()

    class Meta:
        ordering = ["start_at"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes: ClassVar = [
            models.Index(fields=["staff", "blocked_start"]),
            models.Index(fields=["contact", "start_at"]),
            # The per-minute hold sweep.
            models.Index(
                fields=["hold_expires_at"],
                condition=models.Q(status="held"),
                name="appointment_hold_due_idx",
            ),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(start_at__lt=models.F("end_at")),
                name="appointment_start_before_end",
            ),
            # Created on PostgreSQL only (see migration 0001): no two blocking appointments
            # of one staff member overlap, buffers included, whoever books them.
            ExclusionConstraint(
                name="appointment_no_overlap",
                expressions=[
                    (
                        TsTzRange("blocked_start", "blocked_end", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                    ("staff", RangeOperators.EQUAL),
                ],
                condition=models.Q(status__in=BLOCKING_STATUSES),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.start_at:%Y-%m-%d %H:%M}"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())

    @property
    def is_upcoming(self) -> bool:
        return self.status == self.Status.BOOKED and self.end_at > timezone.now()

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD

    @property
    def booking_ref(self) -> str:
        """The booking's key: the package's group, else the appointment itself."""
        return str(self.booking_group or self.pk)


class Reminder(Delivery):
    """A reminder of one appointment on one channel, `offset_minutes` before it starts.

    Created in the booking's transaction (services.reminders.appointment_reminders_sync); a
    reschedule moves due_at, a cancellation suppresses it. The text is rendered when it is
    sent (scheduling.notices). The table is the one notifications created for it.
    """

    SWEEP_SELECT_RELATED: ClassVar[tuple[str, ...]] = (
        "appointment__contact",
        "appointment__service",
        "appointment__staff",
    )
    NOTICE_EVENT = "reminder"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=10)  # "24h", "2h", "90m"
    offset_minutes = models.PositiveIntegerField()

    class Meta:
        db_table = "notifications_reminder"
        ordering = ["due_at", "channel"]
        indexes: ClassVar = [
            models.Index(fields=["state", "next_attempt_at"], name="reminder_due_idx"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["appointment", "kind", "channel"],
                name="reminder_one_per_appointment_kind_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} {self.state}"

    def notice_event(self) -> str:
        return self.NOTICE_EVENT

    @property
    def retry_deadline(self) -> dt.datetime:
        # Retrying a reminder after the appointment began would only confuse.
        return self.appointment.start_at


def reminder_kind(minutes: int) -> str:
    """ "24h", "2h" or "90m": how a reminder is named by its offset."""
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


class ExternalEventLink(models.Model):
    """Atrium's copy of one appointment in a staff member's calendar (CalDAV, Google, Microsoft).

    Keyed by the appointment's uid, not its row: a reschedule makes a new row with the same
    uid, the link moves to it and the same remote event is updated (never deleted and
    created again). The ETag makes every write conditional, so a retry never duplicates and
    an edit made in the calendar app is noticed (external_change_seen_at), never applied.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be written")
        SYNCED = "synced", _("In the calendar")
        FAILED = "failed", _("Could not be written")
        DELETED = "deleted", _("Removed from the calendar")

    appointment_uid = models.CharField(max_length=100)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="calendar_links"
    )
    calendar = models.ForeignKey(
        ExternalCalendar, on_delete=models.CASCADE, related_name="event_links"
    )
    remote_calendar_id = models.CharField(max_length=1000)
    remote_event_id = models.CharField(max_length=1000, blank=True)
    remote_etag = models.CharField(max_length=300, blank=True)
    pushed_sequence = models.PositiveIntegerField(default=0)
    pushed_hash = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    external_change_seen_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["appointment_uid", "calendar"], name="event_link_one_per_uid_calendar"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_uid} {self.state}"


class BookingInvitation(models.Model):
    """A personal, single-use, expiring invitation to book an "invited only" service.

    Staff send one to a contact (optionally for a matter); the link carries a random token
    stored here only as its SHA-256 (made and sent by the worker, as portal invitations
    are). Booking with it claims it inside the booking transaction (locked), so it books
    once. A rebooking link for an invited-only service (a cancelled or missed appointment,
    scheduling.selectors.appointment_rebook_link) leaves its row here when it is used
    (origin "rebook"), so that link books once too.
    """

    class Origin(models.TextChoices):
        STAFF = "staff", _("Sent by staff")
        REBOOK = "rebook", _("Rebooking link")

    # The longest an invitation may stay open.
    MAX_DAYS = 60

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="invitations")
    contact = models.ForeignKey(
        "portal.Contact", on_delete=models.CASCADE, related_name="booking_invitations"
    )
    matter = models.ForeignKey(
        "portal.Matter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(_("email"), max_length=254)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.STAFF)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    used_by_appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("booking invitation")
        verbose_name_plural = _("booking invitations")
        indexes: ClassVar = [models.Index(fields=["contact", "created_at"])]

    def __str__(self) -> str:
        return f"{self.service_id} → {self.email}"
