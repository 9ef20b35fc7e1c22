"""On PostgreSQL, an issued invoice's printed columns never change and it is never
deleted, even through QuerySet.update() or raw SQL (as the audit log's trigger); only the
settlement columns, the legal-invoice attachment and the reminder bookkeeping move."""

from django.db import migrations

FROZEN = (
    "number", "document", "contact_id", "matter_id", "currency", "issue_date", "due_date",
    "language", "seller_snapshot", "buyer_snapshot", "tax_rounding", "subtotal", "tax_total",
    "total", "content_sha256", "pdf", "issued_by_id", "issued_at", "lifecycle",
)

CREATE = """
CREATE OR REPLACE FUNCTION billing_invoice_issued_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.lifecycle = 'DRAFT' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'billing_invoice: an issued invoice is never deleted';
    END IF;
    IF (%(new)s) IS DISTINCT FROM (%(old)s) THEN
        RAISE EXCEPTION 'billing_invoice: an issued invoice never changes; issue a credit note';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS billing_invoice_issued_no_change ON billing_invoice;
CREATE TRIGGER billing_invoice_issued_no_change
    BEFORE UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_issued_frozen();
""" % {
    "new": "ROW(" + ", ".join(f"NEW.{c}" for c in FROZEN) + ")",
    "old": "ROW(" + ", ".join(f"OLD.{c}" for c in FROZEN) + ")",
}

DROP = """
DROP TRIGGER IF EXISTS billing_invoice_issued_no_change ON billing_invoice;
DROP FUNCTION IF EXISTS billing_invoice_issued_frozen();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_refund_approval_disputes")]

    operations = [migrations.RunPython(forwards, backwards)]
