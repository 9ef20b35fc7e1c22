"""A public booking made with the email of a client waits for the owner of that address
(owner_check), and keeps what its booker typed (booker_details).

SQLite rebuilds the table to add a NOT NULL column, and would then try to create the
PostgreSQL-only exclusion constraint; the constraint leaves the migration state around the
two fields (nothing changes in either database for it).
"""

import django.contrib.postgres.constraints
import django.contrib.postgres.fields.ranges
import scheduling.models
from django.db import migrations, models

NO_OVERLAP = django.contrib.postgres.constraints.ExclusionConstraint(
    condition=models.Q(("status__in", ("held", "booked", "attended", "no_show"))),
    expressions=[
        (
            scheduling.models.TsTzRange(
                "blocked_start", "blocked_end", django.contrib.postgres.fields.ranges.RangeBoundary()
            ),
            "&&",
        ),
        ("staff", "="),
    ],
    name="appointment_no_overlap",
)


class Migration(migrations.Migration):

    dependencies = [
        ("scheduling", "0009_service_texts_per_language"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="appointment", name="appointment_no_overlap"
                )
            ]
        ),
        migrations.AddField(
            model_name="appointment",
            name="booker_details",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="appointment",
            name="owner_check",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not needed"),
                    ("pending", "Unconfirmed: booked with the email of an existing client"),
                    ("confirmed", "Confirmed by the owner of the email"),
                    ("declined", "Declined by the owner of the email"),
                ],
                default="",
                max_length=10,
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(model_name="appointment", constraint=NO_OVERLAP)
            ]
        ),
    ]
