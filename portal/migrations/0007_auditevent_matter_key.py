"""The audit log names its matter by id instead of a foreign key (before moving to audit).

Database: only the foreign-key constraint goes (PostgreSQL: ALTER TABLE ... DROP
CONSTRAINT; SQLite rebuilds the table). The column `matter_id`, its type, its index and
every row stay as they are, and no row is updated, so the append-only trigger is untouched.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0006_scan_status_infected"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="matter",
            field=models.UUIDField(blank=True, null=True, db_index=True, db_column="matter_id"),
        ),
        # The field is called matter_id from now on; its column already is.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="auditevent",
                                       name="portal_audi_matter__687170_idx"),
                migrations.RenameField(model_name="auditevent", old_name="matter",
                                       new_name="matter_id"),
                migrations.AlterField(
                    model_name="auditevent",
                    name="matter_id",
                    field=models.UUIDField(blank=True, null=True, db_index=True),
                ),
                migrations.AddIndex(
                    model_name="auditevent",
                    index=models.Index(fields=["matter_id", "-at"],
                                       name="portal_audi_matter__687170_idx"),
                ),
            ],
            database_operations=[],
        ),
    ]
