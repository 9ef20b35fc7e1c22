from __future__ import annotations

from tests.access import LOGIN, MATTER_A_STAFF, PUBLIC, STAFF_ONLY, Row, same
from tests.scheduling.helpers import world_booking, world_matter_booking

BAD_TOKEN = {"token": "not-a-real-token-0123456789"}
STAFF_POST = {**STAFF_ONLY, "staff_on": 302, "staff_off": 302, "admin": 302}
# Creating, editing and archiving services is for firm admins; other staff get a 404.
ADMIN_ONLY = {**STAFF_ONLY, "staff_on": 404, "staff_off": 404}


def _appointment(w):
    return {"appointment_id": w.appointment.pk}


def _service(w):
    return {"service_id": w.service.pk}


def _secret(w):
    return w.service.name


def _with_appointment(w):
    import datetime as dt

    from django.utils import timezone

    from tests.notifications.conftest import make_appointment

    # A name no page text can contain by chance, so the "no byte" check means something.
    w.contact_a.last_name = "Qwzxyvonk"
    w.contact_a.save(update_fields=["last_name"])
    w.appointment = make_appointment(
        staff=w.staff_on,
        contact=w.contact_a,
        matter=w.matter_a,
        start=timezone.now() + dt.timedelta(days=2),
    )


def _with_calendar(w):
    from scheduling.models import ExternalCalendar

    w.calendar = ExternalCalendar.objects.create(
        staff=w.staff_on, name="Qwzxy court calendar", url="https://cal.example/s3cret.ics"
    )


def _calendar(w):
    return {"calendar_id": w.calendar.pk}


def _calendar_secret(w):
    return w.calendar.name


def _with_invitation(w):
    import datetime as dt

    from django.utils import timezone

    from scheduling.models import BookingInvitation
    from tests.scheduling.helpers import make_service

    service = make_service(staff=[w.staff_on], slug="invited-qwzxy", audience="invited")
    w.invitation = BookingInvitation.objects.create(
        service=service,
        contact=w.contact_a,
        email=w.contact_a.email,
        expires_at=timezone.now() + dt.timedelta(days=3),
    )


INVITE_POST = {**MATTER_A_STAFF, "staff_on": 302, "admin": 302}

ROWS = [
    Row(
        "scheduling:staff-contact-invitations",
        MATTER_A_STAFF,
        kwargs=lambda w: {"contact_id": w.contact_a.pk},
        secret=lambda w: w.contact_a.email,
    ),
    Row(
        "scheduling:staff-matter-invitations",
        MATTER_A_STAFF,
        kwargs=lambda w: {"matter_id": w.matter_a.pk},
        secret=lambda w: w.matter_a.title,
    ),
    Row(
        "scheduling:staff-invitation-revoke",
        INVITE_POST,
        method="post",
        setup=_with_invitation,
        kwargs=lambda w: {"invitation_id": w.invitation.pk},
        secret=lambda w: w.contact_a.email,
    ),
    Row("scheduling:book", PUBLIC),
    Row(
        "scheduling:book-service",
        PUBLIC,
        setup=world_booking,
        kwargs=lambda w: {"slug": w.service.slug},
    ),
    # A manage link is its own credential: a wrong one is 404 for everybody, signed in or
    # not (tests/scheduling/test_manage_links.py covers the real ones).
    Row(
        "scheduling:booking-detail",
        same(404),
        kwargs=lambda w: BAD_TOKEN,
        setup=world_booking,
        secret=_secret,
    ),
    Row(
        "scheduling:booking-ics",
        same(404),
        kwargs=lambda w: BAD_TOKEN,
        setup=world_booking,
        secret=_secret,
    ),
    Row(
        "scheduling:booking-reschedule",
        same(404),
        kwargs=lambda w: BAD_TOKEN,
        setup=world_booking,
        secret=_secret,
    ),
    Row(
        "scheduling:booking-cancel",
        same(404),
        kwargs=lambda w: BAD_TOKEN,
        method="post",
        setup=world_booking,
        secret=_secret,
    ),
    Row(
        "scheduling:booking-release",
        same(404),
        kwargs=lambda w: BAD_TOKEN,
        method="post",
        setup=world_booking,
        secret=_secret,
    ),
    # The owner-check link is signed: a forged one is 404 for everybody.
    Row(
        "scheduling:booking-owner-check",
        same(404),
        kwargs=lambda w: BAD_TOKEN,
        setup=world_booking,
        secret=_secret,
    ),
    Row(
        "scheduling:booking-owner-check",
        same(404),
        kwargs=lambda w: BAD_TOKEN,
        method="post",
        data=lambda w: {"answer": "confirm"},
        setup=world_booking,
        secret=_secret,
    ),
    Row(
        "scheduling:staff-feed",
        same(404),
        kwargs=lambda w: BAD_TOKEN,
        setup=world_booking,
        secret=_secret,
    ),
    Row("scheduling:api-slots", same(400), query="service=nope&start=2026-01-01&end=x"),
    Row("scheduling:api-bookings", same(400), method="post", data=lambda w: {"service": "x"}),
    Row("scheduling:api-openapi", PUBLIC),
    Row("scheduling:staff-calendar", STAFF_ONLY, setup=world_booking),
    Row("scheduling:staff-book", STAFF_ONLY),
    Row("scheduling:staff-availability", STAFF_ONLY),
    # A colleague's hours and calendars: firm admins only (from the team pages).
    Row(
        "scheduling:team-availability",
        {**STAFF_ONLY, "staff_on": 404, "staff_off": 404},
        kwargs=lambda w: {"staff_id": w.staff_off.pk},
        secret=lambda w: w.staff_off.email,
    ),
    Row(
        "scheduling:team-availability",
        {**STAFF_ONLY, "staff_on": 404, "staff_off": 404, "admin": 302},
        kwargs=lambda w: {"staff_id": w.staff_off.pk},
        method="post",
        data=lambda w: {"action": "add-rule", "date": "2026-06-05", "is_off": "on"},
    ),
    Row("scheduling:staff-calendars", STAFF_ONLY),
    Row("scheduling:staff-calendar-guide", STAFF_ONLY),
    Row("scheduling:staff-calendar-caldav", STAFF_ONLY),
    # Registering the firm's Google and Microsoft apps: firm admins only.
    Row("scheduling:staff-calendar-setup", ADMIN_ONLY),
    # Signing in with Google or Microsoft: staff only, and 404 while the firm has not
    # registered that provider's app (the matrix runs without; the connector tests with).
    Row(
        "scheduling:staff-calendar-oauth-start",
        {**STAFF_ONLY, "staff_on": 404, "staff_off": 404, "admin": 404},
        method="post",
        kwargs=lambda w: {"provider": "google"},
    ),
    Row(
        "scheduling:calendar-oauth-callback",
        {**STAFF_ONLY, "staff_on": 404, "staff_off": 404, "admin": 404},
        kwargs=lambda w: {"provider": "microsoft"},
        query="code=x&state=y",
    ),
    # Push endpoints answer only a provider the firm uses, and only a correct channel token.
    Row("scheduling:calendar-push-google", same(404), method="post"),
    Row("scheduling:calendar-push-microsoft", same(404), method="post"),
    # A connection is its owner's (and the firm admins'): other staff get a 404.
    Row(
        "scheduling:staff-calendar-detail",
        {**STAFF_ONLY, "staff_off": 404},
        setup=_with_calendar,
        kwargs=_calendar,
        secret=_calendar_secret,
    ),
    Row(
        "scheduling:staff-calendar-detail",
        {**STAFF_POST, "anonymous": LOGIN, "staff_off": 404},
        setup=_with_calendar,
        kwargs=_calendar,
        method="post",
        data=lambda w: {"action": "settings", "fail_closed": "on"},
    ),
    # The staff access policy: an appointment on no matter is its lawyer's (and admins').
    Row(
        "scheduling:staff-appointment",
        {**STAFF_ONLY, "staff_off": 404},
        setup=world_booking,
        kwargs=_appointment,
        secret=_secret,
    ),
    Row(
        "scheduling:staff-appointment-action",
        {**STAFF_POST, "anonymous": LOGIN, "staff_off": 404},
        setup=world_booking,
        method="post",
        kwargs=lambda w: {**_appointment(w), "action": "attended"},
    ),
    # An appointment of matter A (with the admin): staff on matter A see it, staff off it
    # get a 404 and nothing of it.
    Row(
        "scheduling:staff-appointment",
        MATTER_A_STAFF,
        setup=world_matter_booking,
        kwargs=_appointment,
        secret=_secret,
    ),
    Row(
        "scheduling:staff-appointment-action",
        {**MATTER_A_STAFF, "staff_on": 302, "admin": 302},
        setup=world_matter_booking,
        method="post",
        kwargs=lambda w: {**_appointment(w), "action": "cancel"},
        secret=_secret,
    ),
    Row("scheduling:staff-services", STAFF_ONLY, setup=world_booking),
    Row("scheduling:staff-service-new", ADMIN_ONLY),
    Row(
        "scheduling:staff-service-edit",
        ADMIN_ONLY,
        setup=world_booking,
        kwargs=_service,
        secret=_secret,
    ),
    Row(
        "scheduling:staff-service-archive",
        {**ADMIN_ONLY, "admin": 302},
        setup=world_booking,
        method="post",
        kwargs=_service,
        secret=_secret,
    ),
    # The reminders of an appointment of matter A (moved here with the Reminder model).
    Row(
        "scheduling:appointment-reminders",
        MATTER_A_STAFF,
        setup=_with_appointment,
        kwargs=lambda w: {"appointment_id": w.appointment.pk},
        secret=lambda w: w.contact_a.last_name,
    ),
]


def _attended_meeting(w):
    import datetime as dt

    from django.utils import timezone

    from tests.notifications.conftest import make_appointment

    w.contact_a.last_name = "Qwzxyvonk"
    w.contact_a.save(update_fields=["last_name"])
    w.appointment = make_appointment(
        staff=w.staff_on,
        contact=w.contact_a,
        matter=w.matter_a,
        start=timezone.now() - dt.timedelta(hours=2),
        status="attended",
    )


# The after-meeting follow-up (issue 12, item 8): staff who may see the appointment.
ROWS += [
    Row(
        "scheduling:staff-appointment-follow-up",
        {**STAFF_POST, "anonymous": LOGIN, "staff_off": 404},
        setup=_attended_meeting,
        method="post",
        kwargs=_appointment,
        data=lambda w: {"matter": str(w.matter_a.pk), "summary": "Thanks"},
        secret=lambda w: w.contact_a.last_name,
    ),
]
