"""Unfinished bookings: HELD and EXPIRED appointments, the steps still to do, how long a
service keeps the time, and which services count as consultations.

The exclusion constraint freezes its condition, so it is dropped and created again with
"held" among the blocking statuses (on PostgreSQL only, as in 0001).
"""

import django.contrib.postgres.constraints
import django.contrib.postgres.fields.ranges
import django.core.validators
import scheduling.models
from django.db import migrations, models


class PostgresOnlyAddConstraint(migrations.AddConstraint):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class PostgresOnlyRemoveConstraint(migrations.RemoveConstraint):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ('scheduling', '0003_reminder_from_notifications'),
    ]

    operations = [
        PostgresOnlyRemoveConstraint(
            model_name='appointment',
            name='appointment_no_overlap',
        ),
        migrations.AddField(
            model_name='appointment',
            name='done_steps',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='appointment',
            name='hold_expires_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='appointment',
            name='hold_started_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='appointment',
            name='origin',
            field=models.CharField(blank=True, choices=[('public', 'Booking page'), ('portal', 'Client portal'), ('staff', 'Staff')], max_length=10),
        ),
        migrations.AddField(
            model_name='appointment',
            name='pending_steps',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='service',
            name='hold_minutes',
            field=models.PositiveSmallIntegerField(default=10, validators=[django.core.validators.MinValueValidator(5), django.core.validators.MaxValueValidator(30)], verbose_name='time kept for an unfinished booking (minutes)'),
        ),
        migrations.AddField(
            model_name='service',
            name='is_consultation',
            field=models.BooleanField(default=False, help_text="Tick for first meetings with a prospective client; the lead pipeline and the firm's numbers count these.", verbose_name='counts as a consultation'),
        ),
        migrations.AlterField(
            model_name='appointment',
            name='status',
            field=models.CharField(choices=[('held', 'Held'), ('expired', 'Hold expired'), ('booked', 'Booked'), ('cancelled', 'Cancelled'), ('rescheduled', 'Rescheduled'), ('attended', 'Attended'), ('no_show', 'No-show')], default='booked', max_length=12),
        ),
        migrations.AddIndex(
            model_name='appointment',
            index=models.Index(condition=models.Q(('status', 'held')), fields=['hold_expires_at'], name='appointment_hold_due_idx'),
        ),
        PostgresOnlyAddConstraint(
            model_name='appointment',
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(condition=models.Q(('status__in', ('held', 'booked', 'attended', 'no_show'))), expressions=[(scheduling.models.TsTzRange('blocked_start', 'blocked_end', django.contrib.postgres.fields.ranges.RangeBoundary()), '&&'), ('staff', '=')], name='appointment_no_overlap'),
        ),
        migrations.AddConstraint(
            model_name='service',
            constraint=models.CheckConstraint(condition=models.Q(('hold_minutes__gte', 5), ('hold_minutes__lte', 30)), name='service_hold_minutes_5_to_30'),
        ),
    ]
