"""The existing firm keeps Monday to Friday 9:00 to 17:00, the hours that were hard-coded;
client messages already sent are judged by the promise in force now (the only one
known); and an inbox "no reply needed" stamps the client messages it covered, so the
one wait definition (portal.waits) sees where those waits ended."""

import datetime as dt

from django.db import migrations
from django.db.models import Q


def forwards(apps, schema_editor):
    Firm = apps.get_model("portal", "Firm")
    FirmOfficeHours = apps.get_model("portal", "FirmOfficeHours")
    Message = apps.get_model("portal", "Message")
    InboxDismissal = apps.get_model("portal", "InboxDismissal")

    if not FirmOfficeHours.objects.exists():
        FirmOfficeHours.objects.bulk_create(
            FirmOfficeHours(weekday=day, opens=dt.time(9), closes=dt.time(17)) for day in range(5)
        )
    firm = Firm.objects.filter(pk=1).first()
    promise = firm.response_hours if firm is not None else 24
    Message.objects.filter(side="client", promise_hours=None).update(promise_hours=promise)

    for dismissal in InboxDismissal.objects.order_by("dismissed_at").iterator():
        last_firm = (
            Message.objects.filter(
                matter_id=dismissal.matter_id,
                side="firm",
                created_at__lte=dismissal.dismissed_at,
            )
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        covered = Message.objects.filter(
            matter_id=dismissal.matter_id,
            side="client",
            no_reply_needed_at=None,
            created_at__lte=dismissal.dismissed_at,
        )
        if last_firm is not None:
            covered = covered.filter(Q(created_at__gt=last_firm))
        covered.update(
            no_reply_needed_at=dismissal.dismissed_at,
            no_reply_reason=dismissal.reason[:300],
            no_reply_by_id=dismissal.dismissed_by_id,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0021_business_time_and_waits"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
