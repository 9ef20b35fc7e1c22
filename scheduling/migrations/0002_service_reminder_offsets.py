"""A service's own reminder times become a field of the service.

They were rows of notifications.ServiceReminderOffsets (kept there because Service had no
such field); the values are copied here before notifications drops that table.
"""

import scheduling.models
from django.db import migrations, models


def copy_offsets(apps, schema_editor):
    Service = apps.get_model("scheduling", "Service")
    ServiceReminderOffsets = apps.get_model("notifications", "ServiceReminderOffsets")
    for setting in ServiceReminderOffsets.objects.all():
        minutes = sorted({int(v) for v in setting.offsets_minutes or () if int(v) > 0},
                         reverse=True)
        Service.objects.filter(pk=setting.service_id).update(reminder_offsets=minutes)


def copy_offsets_back(apps, schema_editor):
    Service = apps.get_model("scheduling", "Service")
    ServiceReminderOffsets = apps.get_model("notifications", "ServiceReminderOffsets")
    for service in Service.objects.exclude(reminder_offsets=[]):
        ServiceReminderOffsets.objects.update_or_create(
            service_id=service.pk, defaults={"offsets_minutes": service.reminder_offsets})


class Migration(migrations.Migration):

    dependencies = [
        ("scheduling", "0001_initial"),
        ("notifications", "0002_servicereminderoffsets_reminder"),
    ]

    operations = [
        migrations.AddField(
            model_name="service",
            name="reminder_offsets",
            field=models.JSONField(
                blank=True, default=list,
                help_text="For example [1440, 120] for 24 hours and 2 hours before. Empty: "
                          "the firm's usual reminders.",
                validators=[scheduling.models.validate_reminder_offsets],
                verbose_name="reminders (minutes before)"),
        ),
        migrations.RunPython(copy_offsets, copy_offsets_back),
    ]
