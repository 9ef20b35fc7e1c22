from __future__ import annotations

import uuid

from tests.access import LOGIN, MATTER_A_STAFF, STAFF_ONLY, Row, same

_TEMPLATE = {"event": "reminder", "channel": "sms", "language": "pl"}
# Only firm admins change the texts clients receive; other staff get a 404.
ADMIN_ONLY = {**STAFF_ONLY, "staff_on": 404, "staff_off": 404}


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


ROWS = [
    Row(
        "scheduling:appointment-reminders",
        MATTER_A_STAFF,
        setup=_with_appointment,
        kwargs=lambda w: {"appointment_id": w.appointment.pk},
        secret=lambda w: w.contact_a.last_name,
    ),
    Row("notifications:template-list", STAFF_ONLY),
    Row("notifications:template-edit", ADMIN_ONLY, kwargs=lambda w: _TEMPLATE),
    Row(
        "notifications:template-edit",
        ADMIN_ONLY,
        kwargs=lambda w: _TEMPLATE,
        method="post",
        data=lambda w: {"body": "{firm}: {when} {link}", "action": "preview"},
    ),
    Row(
        "notifications:template-edit",
        {**ADMIN_ONLY, "admin": 302},
        kwargs=lambda w: _TEMPLATE,
        method="post",
        data=lambda w: {"body": "{firm}: {when} {link}", "action": "save"},
    ),
    Row(
        "notifications:template-reset",
        {**ADMIN_ONLY, "admin": 302},
        kwargs=lambda w: _TEMPLATE,
        method="post",
    ),
    Row("staff:silence-list", STAFF_ONLY),
    Row(
        "staff:silence-checkin",
        MATTER_A_STAFF,
        kwargs=lambda w: {"matter_id": w.matter_a.pk},
        secret=lambda w: w.matter_a.title,
    ),
    Row(
        "staff:silence-checkin",
        {**MATTER_A_STAFF, "staff_on": 302, "admin": 302},
        kwargs=lambda w: {"matter_id": w.matter_a.pk},
        method="post",
        data=lambda w: {"title": "Quick update", "body": "Nothing new yet."},
        secret=lambda w: w.matter_a.title,
    ),
    # Unsigned: refused whoever asks (Twilio signs; nobody else can).
    Row(
        "notifications:twilio-status",
        same(403),
        kwargs=lambda w: {"delivery_id": uuid.uuid4()},
        method="post",
        data=lambda w: {"MessageSid": "SM1", "MessageStatus": "delivered"},
    ),
]

__all__ = ["LOGIN", "ROWS"]
