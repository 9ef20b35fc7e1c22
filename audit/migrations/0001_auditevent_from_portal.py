"""Take over portal's audit log table in migration state only.

The table (portal_auditevent), its rows, its indexes and, on PostgreSQL, the trigger that
refuses UPDATE and DELETE (portal migration 0002) stay exactly as they are.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("portal", "0007_auditevent_matter_key"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("at", models.DateTimeField(db_index=True,
                                                    default=django.utils.timezone.now)),
                        ("actor_label", models.CharField(blank=True, max_length=254)),
                        ("action", models.CharField(db_index=True, max_length=40)),
                        ("object_type", models.CharField(blank=True, max_length=40)),
                        ("object_id", models.CharField(blank=True, max_length=64)),
                        ("matter_id", models.UUIDField(blank=True, db_index=True, null=True)),
                        ("ip", models.GenericIPAddressField(blank=True, null=True)),
                        ("user_agent", models.CharField(blank=True, max_length=300)),
                        ("data", models.JSONField(blank=True, default=dict)),
                        ("actor", models.ForeignKey(
                            blank=True, null=True,
                            on_delete=django.db.models.deletion.PROTECT, related_name="+",
                            to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "audit event",
                        "verbose_name_plural": "audit log",
                        "db_table": "portal_auditevent",
                        "ordering": ["-at", "-id"],
                        "indexes": [
                            models.Index(fields=["matter_id", "-at"],
                                         name="portal_audi_matter__687170_idx"),
                            models.Index(fields=["actor", "-at"],
                                         name="portal_audi_actor_i_c91e0e_idx"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
