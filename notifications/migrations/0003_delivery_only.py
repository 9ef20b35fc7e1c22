"""notifications keeps delivery only.

- Reminder moved to scheduling (state only; the table notifications_reminder stays).
- Per-service reminder times now live on scheduling.Service (copied by scheduling 0002);
  the ServiceReminderOffsets table goes.
- A notification names what it is about by key ("matter:<uuid>") instead of foreign keys
  to portal's Matter and Contact: `about` is filled from matter_id, then both columns go
  (an appointment notice finds its contact through the appointments in its context).
- Events are the registered notices' keys, not a fixed list of choices.
"""

from django.db import migrations, models

BATCH = 1000


def matter_to_about(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    rows = Notification.objects.exclude(matter_id=None).values_list("pk", "matter_id")
    batch = []
    for pk, matter_id in rows.iterator(chunk_size=BATCH):
        batch.append(Notification(pk=pk, about=f"matter:{matter_id}"))
        if len(batch) >= BATCH:
            Notification.objects.bulk_update(batch, ["about"])
            batch = []
    if batch:
        Notification.objects.bulk_update(batch, ["about"])


def about_to_matter(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for row in Notification.objects.filter(about__startswith="matter:").iterator():
        Notification.objects.filter(pk=row.pk).update(matter_id=row.about.split(":", 1)[1])


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0002_servicereminderoffsets_reminder"),
        ("scheduling", "0003_reminder_from_notifications"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Reminder")],
            database_operations=[],
        ),
        migrations.DeleteModel(name="ServiceReminderOffsets"),
        migrations.AddField(
            model_name="notification",
            name="about",
            field=models.CharField(blank=True, db_index=True, max_length=100,
                                   verbose_name="about"),
        ),
        migrations.RunPython(matter_to_about, about_to_matter),
        migrations.RemoveField(model_name="notification", name="contact"),
        migrations.RemoveField(model_name="notification", name="matter"),
        migrations.AlterField(
            model_name="notification",
            name="event",
            field=models.CharField(max_length=20, verbose_name="event"),
        ),
        migrations.AlterField(
            model_name="notificationtemplate",
            name="event",
            field=models.CharField(max_length=20, verbose_name="event"),
        ),
    ]
