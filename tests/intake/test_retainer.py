"""The retainer paid first (intake.md §5): a letter that asks for a retainer issues it as a
payment request when the client signs; the client pays it from the letter page through
billing's Checkout (the real gateway over the fake Stripe HTTP layer, the signed webhook,
or the demo checkout), or the firm records the payment; only then is the lead retained.
A letter without a retainer is retained by staff once signed, as before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from billing import services as billing_services
from billing.models import Invoice, Payment, StripeEvent
from billing.services import online
from core.errors import ServiceError
from intake import services
from intake.models import Engagement, EngagementTemplate, Lead
from portal.models import Contact, DocumentVersion, Matter
from tests.billing.stripe_fake import FakeStripe, event_payload, sign_webhook
from tests.intake.helpers import clear_lead, letter_template

pytestmark = pytest.mark.django_db

SECRET = "whsec_test_atrium_intake"
WEBHOOK = "/billing/stripe/webhook/"


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeStripe]:
    settings.STRIPE_SECRET_KEY = "sk_test_atrium_fake"
    settings.STRIPE_WEBHOOK_SECRETS = [SECRET]
    settings.STRIPE_EXPECT_LIVEMODE = False
    stripe = FakeStripe()
    online.use_http_client(stripe)
    yield stripe
    online.use_http_client(None)


def _sent(world: Any, *, retainer: Decimal | None = Decimal("1500.00")) -> Engagement:
    lead = clear_lead(world.contact_a)
    template = letter_template(world.admin, retainer_amount=retainer)
    engagement = services.engagement_create(
        lead=lead,
        template=template,
        scope="Divorce proceedings",
        fee_amount=None,
        actor=world.staff_on,
    )
    return services.engagement_send(engagement=engagement, actor=world.staff_on)


def _sign_in_portal(client: Any, world: Any, engagement: Engagement) -> Any:
    client.force_login(world.client_a)
    page = client.get(f"/portal/letters/{engagement.pk}/").content.decode()
    assert "After you sign, the firm asks for a retainer of" in page
    response = client.post(
        f"/portal/letters/{engagement.pk}/sign/",
        {
            "typed_name": world.contact_a.full_name,
            "agreed": "on",
            "shown_sha256": engagement.document_sha256,
        },
    )
    assert response.status_code == 302
    engagement.refresh_from_db()
    return engagement


def _post_event(client: Any, capture: Any, event: dict[str, Any]) -> Any:
    payload = event_payload(event)
    with capture(execute=True):
        return client.post(
            WEBHOOK,
            payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sign_webhook(payload, SECRET),
        )


def _assert_retained_once(world: Any, engagement: Engagement) -> Matter:
    lead = Lead.objects.get(pk=engagement.lead_id)
    assert lead.status == Lead.Status.RETAINED
    matter = Matter.objects.get(pk=lead.matter_id)
    assert Matter.objects.filter(reference=matter.reference).count() == 1
    assert list(matter.clients.all()) == [world.contact_a]
    assert matter.stage == "engaged"
    assert Contact.objects.get(pk=world.contact_a.pk).kind == "client"
    engagement.refresh_from_db()
    assert engagement.matter_id == matter.pk and engagement.document_id is not None
    assert DocumentVersion.objects.filter(pk=engagement.document_id).exists()
    assert (
        AuditEvent.objects.filter(
            action="lead.retained", object_id=str(lead.pk), data__trigger="retainer paid"
        ).count()
        == 1
    )
    return matter


def test_signing_issues_the_retainer_and_the_lead_waits_for_it(client: Any, world: Any) -> None:
    engagement = _sign_in_portal(client, world, _sent(world))
    assert engagement.status == "signed"
    invoice = Invoice.objects.get(pk=engagement.retainer_invoice_id)
    assert invoice.lifecycle == "ISSUED" and invoice.settlement == "UNPAID"
    assert (invoice.total, invoice.currency) == (Decimal("1500.00"), "PLN")
    assert invoice.contact_id == world.contact_a.pk
    assert Lead.objects.get(pk=engagement.lead_id).status == Lead.Status.ENGAGEMENT_SENT

    page = client.get(f"/portal/letters/{engagement.pk}/").content.decode()
    assert "One step left: pay the retainer below." in page
    assert reverse("billing:portal-invoice-pay", args=[invoice.pk]) in page
    assert "?copy=signed" in page

    # Staff cannot retain around it, on the page or through the service.
    client.force_login(world.staff_on)
    letter = client.get(f"/staff/intake/letters/{engagement.pk}/").content.decode()
    assert "not paid yet" in letter and invoice.number in letter
    response = client.post(
        f"/staff/intake/leads/{engagement.lead_id}/retain/",
        {
            "reference": "FAM-2026-900",
            "title": "Divorce",
            "responsible_lawyer": str(world.staff_on.pk),
        },
    )
    assert response.status_code == 400
    assert "not paid yet" in response.content.decode()
    assert not Matter.objects.filter(reference="FAM-2026-900").exists()
    with pytest.raises(ServiceError):
        services.lead_retain(
            lead_id=engagement.lead_id,
            actor=world.staff_on,
            data=services.RetainInput(
                reference="FAM-2026-901", title="Divorce", responsible_lawyer_id=world.staff_on.pk
            ),
        )


def test_paying_the_retainer_online_through_the_webhook_retains_the_lead_once(
    client: Any, world: Any, fake: FakeStripe, django_capture_on_commit_callbacks: Any
) -> None:
    engagement = _sign_in_portal(client, world, _sent(world))
    # The client presses the pay button on the letter page: billing's Checkout.
    response = client.post(
        reverse("billing:portal-invoice-pay", args=[engagement.retainer_invoice_id])
    )
    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.com/")
    session = next(o for o in fake.objects.values() if o["object"] == "checkout.session")
    # A redirect back settles nothing.
    assert Lead.objects.get(pk=engagement.lead_id).status == Lead.Status.ENGAGEMENT_SENT

    fake.complete_session(session["id"])
    for event in fake.events:
        assert _post_event(client, django_capture_on_commit_callbacks, event).status_code == 200
    payment = Payment.objects.get()
    assert payment.amount == Decimal("1500.00")
    assert Invoice.objects.get(pk=engagement.retainer_invoice_id).settlement == "PAID"
    matter = _assert_retained_once(world, engagement)
    assert matter.responsible_lawyer_id == world.staff_on.pk  # who sent the letter

    # Stripe sends its events again: nothing more happens.
    for event in fake.events:
        assert _post_event(client, django_capture_on_commit_callbacks, event).status_code == 200
    assert Payment.objects.count() == 1
    assert Matter.objects.filter(pk=matter.pk).count() == 1
    _assert_retained_once(world, engagement)

    page = client.get(f"/portal/letters/{engagement.pk}/").content.decode()
    assert "is paid. Thank you" in page


def test_the_demo_checkout_pays_the_retainer_and_retains(
    client: Any, world: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRETS = []
    engagement = _sign_in_portal(client, world, _sent(world))
    url = client.post(reverse("billing:portal-invoice-pay", args=[engagement.retainer_invoice_id]))[
        "Location"
    ]
    assert "/billing/demo-checkout/" in url
    with django_capture_on_commit_callbacks(execute=True):
        back = client.post(url, {"outcome": "pay", "method": "blik"})
    assert back.status_code == 302
    assert StripeEvent.objects.get().status == "PROCESSED"
    _assert_retained_once(world, engagement)


def test_a_payment_the_firm_records_retains_the_lead(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    engagement = _sign_in_portal(client, world, _sent(world))
    # A part first: not yet.
    with django_capture_on_commit_callbacks(execute=True):
        billing_services.payment_record(
            actor=world.admin,
            contact_id=world.contact_a.pk,
            method="BANK_TRANSFER",
            amount=Decimal("500.00"),
            currency="PLN",
            received_on=timezone.localdate(),
            invoice_order=[engagement.retainer_invoice_id],
        )
    assert Lead.objects.get(pk=engagement.lead_id).status == Lead.Status.ENGAGEMENT_SENT
    with django_capture_on_commit_callbacks(execute=True):
        billing_services.payment_record(
            actor=world.admin,
            contact_id=world.contact_a.pk,
            method="BANK_TRANSFER",
            amount=Decimal("1000.00"),
            currency="PLN",
            received_on=timezone.localdate(),
            invoice_order=[engagement.retainer_invoice_id],
        )
    _assert_retained_once(world, engagement)


def test_a_lead_that_cannot_be_retained_by_itself_waits_for_staff(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    engagement = _sign_in_portal(client, world, _sent(world))
    lead = Lead.objects.get(pk=engagement.lead_id)
    # Every reference the system would suggest is taken already.
    for attempt in range(3):
        Matter.objects.create(
            reference=services.suggested_reference(lead, attempt),
            title="Taken",
            practice_area="other",
            responsible_lawyer=world.staff_on,
        )
    with django_capture_on_commit_callbacks(execute=True):
        billing_services.payment_record(
            actor=world.admin,
            contact_id=world.contact_a.pk,
            method="BANK_TRANSFER",
            amount=Decimal("1500.00"),
            currency="PLN",
            received_on=timezone.localdate(),
        )
    assert Invoice.objects.get(pk=engagement.retainer_invoice_id).settlement == "PAID"
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.ENGAGEMENT_SENT
    assert AuditEvent.objects.filter(action="lead.retain_waiting", object_id=str(lead.pk)).exists()
    # Staff now retain it from the page (the retainer is paid, so nothing stops them).
    client.force_login(world.staff_on)
    response = client.post(
        f"/staff/intake/leads/{lead.pk}/retain/",
        {
            "reference": "FAM-2026-777",
            "title": "Divorce",
            "responsible_lawyer": str(world.staff_on.pk),
        },
    )
    assert response.status_code == 302
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.RETAINED


def test_without_a_retainer_signing_issues_nothing_and_staff_retain(
    client: Any, world: Any
) -> None:
    lead = clear_lead(world.contact_a)
    engagement = services.engagement_create(
        lead=lead,
        template=letter_template(world.admin),
        scope="Divorce proceedings",
        fee_amount=None,
        actor=world.staff_on,
    )
    engagement = services.engagement_send(engagement=engagement, actor=world.staff_on)
    client.force_login(world.client_a)
    page = client.get(f"/portal/letters/{engagement.pk}/").content.decode()
    assert "retainer" not in page.lower()
    client.post(
        f"/portal/letters/{engagement.pk}/sign/",
        {
            "typed_name": world.contact_a.full_name,
            "agreed": "on",
            "shown_sha256": engagement.document_sha256,
        },
    )
    engagement.refresh_from_db()
    assert engagement.status == "signed" and engagement.retainer_invoice_id is None
    assert not Invoice.objects.exists()
    client.force_login(world.staff_on)
    response = client.post(
        f"/staff/intake/leads/{lead.pk}/retain/",
        {
            "reference": "FAM-2026-778",
            "title": "Divorce",
            "responsible_lawyer": str(world.staff_on.pk),
        },
    )
    assert response.status_code == 302
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.RETAINED


def test_the_letter_may_set_its_own_retainer_over_the_template(world: Any) -> None:
    lead = clear_lead(world.contact_a)
    engagement = services.engagement_create(
        lead=lead,
        template=letter_template(world.admin, retainer_amount=Decimal("1500.00")),
        scope="Divorce",
        fee_amount=None,
        retainer_amount=Decimal("900.00"),
        actor=world.staff_on,
    )
    assert engagement.retainer_amount == Decimal("900.00")


def test_the_template_form_keeps_the_retainer_and_refuses_a_bad_one(
    client: Any, world: Any
) -> None:
    client.force_login(world.admin)
    data = {
        "name": "Family with retainer",
        "language": "pl",
        "body": "{{ client.full_name }}: {{ retainer.amount }}",
        "fee_model": "flat",
        "fee_amount": "5000",
        "currency": "PLN",
        "is_active": "on",
    }
    for bad in ("-1", "0", "12.345", "abc", "99999999"):
        response = client.post(
            "/staff/intake/letter-templates/new/", {**data, "retainer_amount": bad}
        )
        assert response.status_code == 400, bad
    assert not EngagementTemplate.objects.exists()
    response = client.post(
        "/staff/intake/letter-templates/new/", {**data, "retainer_amount": "1500"}
    )
    assert response.status_code == 302
    template = EngagementTemplate.objects.get()
    assert template.retainer_amount == Decimal("1500.00")
    page = client.get(f"/staff/intake/letter-templates/{template.pk}/").content.decode()
    assert "1500" in page
    # The merge field prints the retainer in the letter.
    lead = clear_lead(world.contact_a)
    letter = services.engagement_create(
        lead=lead, template=template, scope="x", fee_amount=None, actor=world.staff_on
    )
    assert "1\xa0500,00\xa0zł" in letter.body_text


def test_the_retainer_due_date_follows_the_firm_terms(client: Any, world: Any) -> None:
    engagement = _sign_in_portal(client, world, _sent(world))
    invoice = Invoice.objects.get(pk=engagement.retainer_invoice_id)
    assert invoice.due_date >= timezone.localdate() + dt.timedelta(days=1)
