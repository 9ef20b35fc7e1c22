"""Reminders belong to scheduling now (state only: the table notifications_reminder stays,
with its rows, indexes and constraint)."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("scheduling", "0002_service_reminder_offsets"),
        ("notifications", "0002_servicereminderoffsets_reminder"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Reminder',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('channel', models.CharField(choices=[('email', 'Email'), ('sms', 'SMS')], max_length=5, verbose_name='channel')),
                        ('state', models.CharField(choices=[('scheduled', 'Scheduled'), ('sending', 'Sending'), ('sent', 'Sent'), ('delivered', 'Delivered'), ('failed', 'Failed'), ('suppressed', 'Suppressed')], default='scheduled', max_length=10, verbose_name='state')),
                        ('reason', models.CharField(blank=True, max_length=200, verbose_name='reason')),
                        ('due_at', models.DateTimeField(verbose_name='due')),
                        ('next_attempt_at', models.DateTimeField()),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('claim_token', models.UUIDField(blank=True, null=True)),
                        ('lease_until', models.DateTimeField(blank=True, null=True)),
                        ('send_started_at', models.DateTimeField(blank=True, null=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('delivered_at', models.DateTimeField(blank=True, null=True)),
                        ('provider_id', models.CharField(blank=True, db_index=True, max_length=64)),
                        ('to_address', models.CharField(blank=True, max_length=254)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('kind', models.CharField(max_length=10, verbose_name='kind')),
                        ('offset_minutes', models.PositiveIntegerField()),
                        ('appointment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='scheduling.appointment')),
                    ],
                    options={
                        'db_table': 'notifications_reminder',
                        'ordering': ['due_at', 'channel'],
                        'indexes': [models.Index(fields=['state', 'next_attempt_at'], name='reminder_due_idx')],
                        'constraints': [models.UniqueConstraint(fields=('appointment', 'kind', 'channel'), name='reminder_one_per_appointment_kind_channel')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
