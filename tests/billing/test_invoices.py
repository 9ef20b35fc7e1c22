"""Invoices from draft to issued, credit notes, the client's pages and their PDFs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from billing import services
from billing.models import CreditNote, Invoice, InvoiceLine
from core.errors import ServiceError
from notifications.models import Notification
from tests import factories
from tests.billing.helpers import draft, issued, line, vat23


@pytest.fixture
def people(firm: Any) -> Any:
    admin = factories.AdminFactory(email="anna@firm.example")
    user, contact = factories.client_with_contact(email="ewa@client.example")
    other_user, other = factories.client_with_contact(email="jan@client.example")
    return admin, user, contact, other_user, other


def test_a_draft_has_no_number_and_issuing_numbers_it_and_tells_the_client(people: Any) -> None:
    admin, user, contact, *_ = people
    # given a draft with a 23 % fee and an untaxed court fee
    invoice = draft(
        actor=admin,
        contact=contact,
        lines=[
            line("Advice", "2", "300.00", tax_rate_id=vat23().pk),
            line("Court fee", "1", "100.00", kind=InvoiceLine.Kind.DISBURSEMENT),
        ],
    )
    assert invoice.number is None and invoice.is_draft
    # when it is issued
    invoice = services.invoice_issue(actor=admin, invoice_id=invoice.pk)
    # then it has the series' first number, the tax maths and a PDF
    assert invoice.number and invoice.number.endswith("/0001")
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        Decimal("700.00"),
        Decimal("138.00"),
        Decimal("838.00"),
    )
    assert invoice.balance == invoice.total and invoice.settlement == "UNPAID"
    assert invoice.pdf.open("rb").read(5) == b"%PDF-"
    assert len(invoice.content_sha256) == 64
    # a Polish firm's default document is a payment request
    assert invoice.is_payment_request
    notice = Notification.objects.get(event="invoice_issued")
    assert notice.recipient_id == user.pk and notice.about == f"invoice:{invoice.pk}"
    assert AuditEvent.objects.filter(action="invoice.issued").count() == 1
    second = issued(actor=admin, contact=contact)
    assert second.number and second.number.endswith("/0002")


def test_an_issued_invoice_never_changes(people: Any) -> None:
    admin, _user, contact, *_ = people
    invoice = issued(actor=admin, contact=contact)
    invoice.client_note = "edited"
    with pytest.raises(Exception, match="never changes"):
        invoice.save()
    with pytest.raises(ServiceError):
        services.invoice_draft_update(
            actor=admin,
            invoice_id=invoice.pk,
            data=services.DraftInput(
                contact_id=contact.pk, due_date=invoice.due_date, lines=[line()]
            ),
        )
    with pytest.raises(Exception, match="never deleted"):
        invoice.delete()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (line(quantity="-1"), "quantity must be more than zero"),
        (line(price="-5"), "price cannot be negative"),
        (line(description="x" * 300), "longer than 200"),
        (line(description="<script>alert(1)</script>"), "plain text"),
        (line(price="99999999999.00"), "too large"),
    ],
)
def test_bad_lines_are_refused_with_a_message_and_nothing_is_stored(
    people: Any, bad: services.LineInput, message: str
) -> None:
    admin, _user, contact, *_ = people
    with pytest.raises(ServiceError, match=message):
        draft(actor=admin, contact=contact, lines=[bad])
    assert not Invoice.objects.exists()


def test_an_unknown_currency_is_refused(people: Any) -> None:
    admin, _user, contact, *_ = people
    with pytest.raises(ServiceError, match="XYZ"):
        draft(actor=admin, contact=contact, currency="XYZ")
    assert not Invoice.objects.exists()


def test_credit_notes_never_exceed_what_is_left(people: Any) -> None:
    admin, _user, contact, *_ = people
    invoice = issued(
        actor=admin, contact=contact, lines=[line("Advice", "3", "33.33", tax_rate_id=vat23().pk)]
    )
    first_line = invoice.lines.get()
    note = services.credit_note_issue(
        actor=admin,
        invoice_id=invoice.pk,
        reason="DISCOUNT",
        amounts={first_line.pk: Decimal("0.50")},
    )
    invoice.refresh_from_db()
    assert note.subtotal == Decimal("0.50") and note.total == Decimal("0.62")
    assert invoice.balance == invoice.total - note.total
    assert invoice.settlement == "PARTIAL"
    with pytest.raises(ServiceError, match="At most"):
        services.credit_note_issue(
            actor=admin,
            invoice_id=invoice.pk,
            reason="DISCOUNT",
            amounts={first_line.pk: Decimal("500")},
        )
    rest = services.credit_note_issue(actor=admin, invoice_id=invoice.pk, reason="WRITE_OFF")
    invoice.refresh_from_db()
    assert note.total + rest.total == invoice.total
    assert invoice.balance == 0 and invoice.settlement == "CREDITED"
    with pytest.raises(ServiceError):
        services.credit_note_issue(actor=admin, invoice_id=invoice.pk, reason="WRITE_OFF")
    assert CreditNote.objects.count() == 2


def test_a_credit_note_cannot_credit_money_already_paid(people: Any) -> None:
    admin, _user, contact, *_ = people
    invoice = issued(actor=admin, contact=contact)
    services.payment_record(
        actor=admin,
        contact_id=contact.pk,
        method="BANK_TRANSFER",
        amount=Decimal("300.00"),
        currency="PLN",
        received_on=invoice.issue_date,
    )
    with pytest.raises(ServiceError, match="refund the payment"):
        services.credit_note_issue(actor=admin, invoice_id=invoice.pk, reason="CORRECTION")


def test_the_client_sees_their_own_invoices_and_downloads_with_an_audit_row(
    people: Any, client: Any
) -> None:
    admin, user, contact, other_user, other = people
    mine = issued(actor=admin, contact=contact)
    theirs = issued(actor=admin, contact=other)
    draft(actor=admin, contact=contact)  # drafts stay invisible
    client.force_login(user)
    page = client.get(reverse("billing:portal-invoices"))
    assert page.status_code == 200
    assert mine.number in page.content.decode()
    assert theirs.number not in page.content.decode()
    detail = client.get(reverse("billing:portal-invoice", args=[mine.pk]))
    assert "not a VAT invoice" in detail.content.decode()
    pdf = client.get(reverse("billing:portal-invoice-pdf", args=[mine.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="invoice.downloaded", object_id=str(mine.pk)).exists()
    assert client.get(reverse("billing:portal-invoice", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("billing:portal-invoice-pdf", args=[theirs.pk])).status_code == 404
    mine.refresh_from_db()
    assert mine.first_viewed_at is not None


def test_the_legal_invoice_attached_to_a_payment_request_reaches_the_client(
    people: Any, client: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin, user, contact, *_ = people
    invoice = issued(actor=admin, contact=contact)
    services.invoice_attach_external(
        actor=admin,
        invoice_id=invoice.pk,
        number="FV 12/2026",
        pdf=SimpleUploadedFile("fv.pdf", b"%PDF-1.4 legal", content_type="application/pdf"),
    )
    with pytest.raises(ServiceError, match="PDF"):
        services.invoice_attach_external(
            actor=admin,
            invoice_id=invoice.pk,
            number="FV 12/2026",
            pdf=SimpleUploadedFile("fv.pdf", b"<html>", content_type="application/pdf"),
        )
    client.force_login(user)
    page = client.get(reverse("billing:portal-invoice", args=[invoice.pk])).content.decode()
    assert "FV 12/2026" in page
    legal = client.get(reverse("billing:portal-invoice-pdf", args=[invoice.pk]) + "?doc=legal")
    assert b"".join(legal.streaming_content) == b"%PDF-1.4 legal"


def test_staff_create_and_issue_through_the_pages(people: Any, client: Any) -> None:
    admin, _user, contact, *_ = people
    client.force_login(admin)
    form = {
        "contact": str(contact.pk),
        "currency": "PLN",
        "language": "pl",
        "due_date": "2099-01-31",
        "matter": "",
        "line-TOTAL_FORMS": "2",
        "line-INITIAL_FORMS": "0",
        "line-0-kind": "FEE",
        "line-0-description": "Porada",
        "line-0-quantity": "1,5",
        "line-0-unit_price": "1 200,50",
        "line-1-kind": "FEE",
    }
    response = client.post(reverse("billing:staff-invoice-new"), form, HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 302, response.content.decode()[:2000]
    invoice = Invoice.objects.get()
    assert invoice.total == Decimal("1800.75") and invoice.lines.count() == 1
    issue = reverse("billing:staff-invoice-action", args=[invoice.pk, "issue"])
    assert client.post(issue).status_code == 302
    invoice.refresh_from_db()
    assert invoice.is_issued
    bad = {**form, "line-0-quantity": "-2"}
    response = client.post(reverse("billing:staff-invoice-new"), bad)
    assert response.status_code == 400
    assert Invoice.objects.count() == 1


def _data_queries(captured: Any) -> int:
    """Queries of the page itself: sign-in bookkeeping (sessions) varies between logins."""
    return sum(
        1
        for q in captured.captured_queries
        if "session" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    )


def test_the_invoice_lists_take_the_same_queries_for_1_and_many(people: Any, client: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin, user, contact, *_ = people

    def counts() -> tuple[int, int]:
        # The staff pages' stalled-delivery banner costs what the outbox holds, not invoices.
        Notification.objects.all().delete()
        client.force_login(user)
        with CaptureQueriesContext(connection) as portal:
            assert client.get(reverse("billing:portal-invoices")).status_code == 200
        client.force_login(admin)
        with CaptureQueriesContext(connection) as staff:
            assert client.get(reverse("billing:staff-invoices")).status_code == 200
        return _data_queries(portal), _data_queries(staff)

    issued(actor=admin, contact=contact)
    counts()  # warms the caches the staff banners keep
    one = counts()
    for _n in range(30):
        issued(actor=admin, contact=contact)
    # Issuing 30 PDFs can outlast the banner cache on a busy machine: warm it again.
    counts()
    assert counts() == one
    assert one[0] <= 16 and one[1] <= 20
