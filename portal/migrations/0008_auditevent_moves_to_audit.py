"""AuditEvent now belongs to the audit app (state only: the table stays portal_auditevent)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0007_auditevent_matter_key"),
        ("audit", "0001_auditevent_from_portal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
            database_operations=[],
        ),
    ]
