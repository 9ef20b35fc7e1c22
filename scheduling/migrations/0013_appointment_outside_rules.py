"""Staff may book outside a service's public rules with a reason: the rules stepped
outside of (outside_rules) and the reason (outside_rules_reason) are kept.

As in 0010: SQLite rebuilds the table to add a NOT NULL column and would then try to
create the PostgreSQL-only exclusion constraint, so the constraint leaves the migration
state around the two fields (nothing changes in either database for it).
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
        ("scheduling", "0012_owner_check_lapsed"),
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
            name="outside_rules",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="appointment",
            name="outside_rules_reason",
            field=models.CharField(blank=True, default="", max_length=1000),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(model_name="appointment", constraint=NO_OVERLAP)
            ]
        ),
    ]
