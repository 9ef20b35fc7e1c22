from django.db import migrations, models
from django.db.models import F, Q


def mark_existing(apps, schema_editor):
    """Versions with text, or of a type we never read, are done; the others (a PDF, DOCX or
    text file without text) may have lost their task, so the sweep tries them once."""
    version = apps.get_model("portal", "DocumentVersion")
    readable = (
        Q(content_type__in=["application/pdf", "text/plain"])
        | Q(content_type__endswith="wordprocessingml.document")
    )
    version.objects.filter(~Q(text="") | ~readable).update(text_extracted_at=F("uploaded_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0012_intake_parties_aliases"),
    ]

    operations = [
        migrations.AddField(
            model_name="documentversion",
            name="text_extracted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_existing, migrations.RunPython.noop),
    ]
