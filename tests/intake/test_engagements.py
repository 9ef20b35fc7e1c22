"""Engagement letters: templates, sending, the client's signature, decline, expiry, and
retaining the lead (intake.md §5, §6)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils import timezone
from pypdf import PdfReader

from core.errors import ServiceError
from core.http import RequestMeta
from intake import selectors, services
from intake.models import ConflictCheck, Engagement, Lead
from tests import factories

pytestmark = pytest.mark.django_db

BODY = (
    "Dear {{ client.full_name }},\n\n"
    "{{ firm.name }} will act for you in: {{ matter.scope }}.\n"
    '{% if fee_model == "flat" %}The flat fee is {{ fee.amount }}.{% endif %}\n\n'
    "{{ lawyer.full_name }}"
)
META = RequestMeta(ip="203.0.113.7", user_agent="Mozilla/5.0 (test phone)")


def _template(admin: Any, **overrides: Any) -> Any:
    data = {
        "name": "Family",
        "language": "en",
        "body": BODY,
        "fee_model": "flat",
        "fee_amount": Decimal("5000.00"),
        "currency": "PLN",
    }
    data.update(overrides)
    return services.engagement_template_save(
        actor=admin, template=None, data=services.TemplateData(**data)
    )


def _lead(contact: Any, status: str = "consult_held") -> Lead:
    lead = Lead.objects.create(contact=contact, status=status, conflict_state="clear")
    ConflictCheck.objects.create(lead=lead, trigger="intake", status="clear", algorithm_version="t")
    return lead


def _sent(world: Any, contact: Any = None) -> Engagement:
    lead = _lead(contact or world.contact_a)
    engagement = services.engagement_create(
        lead=lead,
        template=_template(world.admin),
        scope="Divorce proceedings",
        fee_amount=None,
        actor=world.staff_on,
    )
    return services.engagement_send(engagement=engagement, actor=world.staff_on)


def _signature(engagement: Engagement, **overrides: Any) -> Any:
    data = {
        "typed_name": engagement.contact.full_name,
        "agreed": True,
        "shown_sha256": engagement.document_sha256,
        "language": "en",
        "auth_method": "password",
    }
    data.update(overrides)
    return services.Signature(**data)


def _sign(world: Any, engagement: Engagement, **overrides: Any) -> Engagement:
    services.engagement_viewed(engagement=engagement, user=world.client_a)
    return services.engagement_sign(
        engagement=engagement,
        user=world.client_a,
        signature=_signature(engagement, **overrides),
        meta=META,
    )


def test_letter_is_rendered_from_plain_values_and_stored_with_its_hash(world: Any) -> None:
    engagement = _sent(world)
    assert world.contact_a.full_name in engagement.body_text
    assert "The flat fee is PLN5,000.00" in engagement.body_text
    assert "Divorce proceedings" in engagement.body_text
    with default_storage.open(engagement.pdf.name, "rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF")
    import hashlib

    assert hashlib.sha256(data).hexdigest() == engagement.document_sha256
    assert engagement.status == "sent"
    assert Lead.objects.get(pk=engagement.lead_id).status == "engagement_sent"


@pytest.mark.parametrize(
    "body",
    [
        "{% include 'base.html' %}",
        "{% load static %}",
        "{% debug %}",
        "{{ client.full_name ",
        "{% if %}",
        "",
        "x" * 20001,
    ],
)
def test_a_template_that_could_reach_outside_or_is_broken_is_refused(world: Any, body: str) -> None:
    with pytest.raises(ServiceError):
        _template(world.admin, body=body)


def test_only_firm_admins_edit_templates(world: Any) -> None:
    with pytest.raises(ServiceError):
        _template(world.staff_on)


def test_editing_a_template_makes_a_new_version_and_leaves_sent_letters_alone(
    world: Any,
) -> None:
    engagement = _sent(world)
    template = engagement.template
    services.engagement_template_save(
        actor=world.admin,
        template=template,
        data=services.TemplateData(
            name="Family", language="en", body="Changed {{ client.full_name }}", fee_model="flat"
        ),
    )
    template.refresh_from_db()
    engagement.refresh_from_db()
    assert template.version == 2
    assert engagement.template_version == 1
    assert "Changed" not in engagement.body_text


def test_sending_is_refused_while_the_conflict_check_is_out_of_date(world: Any) -> None:
    lead = _lead(world.contact_a)
    Lead.objects.filter(pk=lead.pk).update(parties_changed_at=timezone.now() + dt.timedelta(1))
    lead.refresh_from_db()
    engagement = services.engagement_create(
        lead=lead, template=_template(world.admin), scope="", fee_amount=None, actor=world.admin
    )
    with pytest.raises(ServiceError):
        services.engagement_send(engagement=engagement, actor=world.admin)
    assert Engagement.objects.get(pk=engagement.pk).status == "draft"


def test_the_client_signs_after_opening_and_the_evidence_is_kept(world: Any) -> None:
    engagement = _sent(world)
    with pytest.raises(ServiceError):  # not opened yet
        services.engagement_sign(
            engagement=engagement, user=world.client_a, signature=_signature(engagement)
        )
    signed = _sign(world, engagement, typed_name=world.contact_a.full_name.upper())
    assert signed.status == "signed"
    evidence = signed.evidence
    assert evidence.ip == "203.0.113.7"
    assert evidence.user_agent == "Mozilla/5.0 (test phone)"
    assert evidence.document_sha256 == engagement.document_sha256
    assert evidence.consent.text == services.sign_statement(signed, "en")
    assert evidence.consent.context_key == f"engagement:{signed.pk}"
    with default_storage.open(signed.signed_pdf.name, "rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    certificate = reader.pages[-1].extract_text()
    assert engagement.document_sha256[:20] in certificate.replace("\n", "")
    assert "203.0.113.7" in certificate


def test_another_client_gets_404_and_cannot_sign(world: Any) -> None:
    engagement = _sent(world)
    with pytest.raises(Http404):
        selectors.engagement_get_for_client(user=world.client_b, engagement_id=engagement.pk)
    with pytest.raises(ServiceError):
        services.engagement_sign(
            engagement=engagement, user=world.client_b, signature=_signature(engagement)
        )
    assert Engagement.objects.get(pk=engagement.pk).status == "sent"


def test_a_draft_is_not_visible_to_the_client(world: Any) -> None:
    lead = _lead(world.contact_a)
    draft = services.engagement_create(
        lead=lead, template=_template(world.admin), scope="", fee_amount=None, actor=world.admin
    )
    with pytest.raises(Http404):
        selectors.engagement_get_for_client(user=world.client_a, engagement_id=draft.pk)


def test_a_replayed_signature_is_refused_and_records_nothing_more(world: Any) -> None:
    engagement = _sent(world)
    _sign(world, engagement)
    with pytest.raises(ServiceError, match="already signed"):
        services.engagement_sign(
            engagement=engagement, user=world.client_a, signature=_signature(engagement)
        )
    from portal.models import ConsentRecord

    assert ConsentRecord.objects.filter(context_key=f"engagement:{engagement.pk}").count() == 1


def test_a_letter_whose_file_was_edited_after_sending_is_refused(world: Any) -> None:
    engagement = _sent(world)
    services.engagement_viewed(engagement=engagement, user=world.client_a)
    name = engagement.pdf.name
    default_storage.delete(name)
    default_storage.save(name, io.BytesIO(b"%PDF-1.7 edited"))
    with pytest.raises(ServiceError, match="not the one sent"):
        services.engagement_sign(
            engagement=engagement, user=world.client_a, signature=_signature(engagement)
        )
    assert Engagement.objects.get(pk=engagement.pk).status == "viewed"
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(
        action="engagement.sign_refused", object_id=str(engagement.pk)
    ).exists()


def test_a_letter_changed_since_the_client_saw_it_is_refused(world: Any) -> None:
    engagement = _sent(world)
    with pytest.raises(ServiceError, match="changed after you opened"):
        _sign(world, engagement, shown_sha256="0" * 64)


@pytest.mark.parametrize(
    ("field", "value"), [("agreed", False), ("typed_name", "Someone Else"), ("typed_name", "")]
)
def test_a_signature_without_the_tick_or_the_name_is_refused(
    world: Any, field: str, value: Any
) -> None:
    engagement = _sent(world)
    with pytest.raises(ServiceError):
        _sign(world, engagement, **{field: value})
    assert Engagement.objects.get(pk=engagement.pk).status == "viewed"


def test_an_expired_letter_cannot_be_signed(world: Any) -> None:
    engagement = _sent(world)
    services.engagement_viewed(engagement=engagement, user=world.client_a)
    Engagement.objects.filter(pk=engagement.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(ServiceError, match="expired"):
        services.engagement_sign(
            engagement=engagement, user=world.client_a, signature=_signature(engagement)
        )
    assert Engagement.objects.get(pk=engagement.pk).status == "expired"


def test_the_sweep_expires_letters_once(world: Any) -> None:
    engagement = _sent(world)
    later = timezone.now() + dt.timedelta(days=15)
    assert services.engagements_expire(now=later) == 1
    assert services.engagements_expire(now=later) == 0
    assert Engagement.objects.get(pk=engagement.pk).status == "expired"


def test_the_client_declines_and_a_declined_letter_cannot_be_signed(world: Any) -> None:
    engagement = _sent(world)
    services.engagement_decline(engagement=engagement, user=world.client_a)
    with pytest.raises(ServiceError):
        _sign(world, engagement)
    assert Engagement.objects.get(pk=engagement.pk).status == "declined"


def test_withdrawing_a_letter_puts_the_lead_back_and_allows_a_new_one(world: Any) -> None:
    engagement = _sent(world)
    services.engagement_revoke(engagement=engagement, actor=world.staff_on)
    lead = Lead.objects.get(pk=engagement.lead_id)
    assert lead.status == "consult_held"
    again = services.engagement_create(
        lead=lead, template=engagement.template, scope="", fee_amount=None, actor=world.staff_on
    )
    assert again.status == "draft"
    with pytest.raises(ServiceError):
        services.engagement_create(
            lead=lead, template=engagement.template, scope="", fee_amount=None, actor=world.staff_on
        )


# ---------------------------------------------------------------------------- retain


def _retain_input(world: Any, **overrides: Any) -> Any:
    data = {
        "reference": "FAM-2026-900",
        "title": "Divorce",
        "responsible_lawyer_id": world.staff_on.pk,
    }
    data.update(overrides)
    return services.RetainInput(**data)


def test_retaining_a_signed_lead_makes_one_matter_files_the_letter_and_is_idempotent(
    world: Any,
) -> None:
    prospect = factories.ContactFactory(kind="prospect", email="new@prospect.example")
    user = factories.UserFactory(email="new@prospect.example")
    prospect.user = user
    prospect.save(update_fields=["user"])
    engagement = _sent(world, contact=prospect)
    services.engagement_viewed(engagement=engagement, user=user)
    services.engagement_sign(engagement=engagement, user=user, signature=_signature(engagement))

    first = services.lead_retain(
        lead_id=engagement.lead_id, actor=world.staff_on, data=_retain_input(world)
    )
    second = services.lead_retain(
        lead_id=engagement.lead_id, actor=world.staff_on, data=_retain_input(world)
    )

    from portal.models import Contact, DocumentVersion, Matter

    assert first.created and not second.created
    assert Matter.objects.filter(reference="FAM-2026-900").count() == 1
    matter = Matter.objects.get(reference="FAM-2026-900")
    assert matter.stage == "engaged"
    assert list(matter.clients.all()) == [prospect]
    assert Contact.objects.get(pk=prospect.pk).kind == "client"
    lead = Lead.objects.get(pk=engagement.lead_id)
    assert lead.status == "retained" and lead.matter_id == matter.pk
    filed = Engagement.objects.get(pk=engagement.pk)
    assert filed.matter_id == matter.pk
    version = DocumentVersion.objects.get(pk=filed.document_id)
    assert version.sha256 == filed.signed_sha256
    assert first.invitation is None  # already has a portal account


def test_retaining_without_a_letter_needs_a_note_and_invites_the_client(world: Any) -> None:
    prospect = factories.ContactFactory(kind="prospect", email="paper@prospect.example")
    lead = _lead(prospect)
    with pytest.raises(ServiceError):
        services.lead_retain(lead_id=lead.pk, actor=world.staff_on, data=_retain_input(world))
    result = services.lead_retain(
        lead_id=lead.pk,
        actor=world.staff_on,
        data=_retain_input(world, agreed_outside_note="Signed on paper at the office"),
    )
    assert result.invitation is not None
    assert result.invitation.email == "paper@prospect.example"


def test_a_failed_step_leaves_nothing_behind(world: Any) -> None:
    from portal.models import Invitation, Matter

    prospect = factories.ContactFactory(kind="prospect", email="atomic@prospect.example")
    lead = _lead(prospect)
    # The reference is taken: matter creation fails after nothing else ran; and a
    # retainer due in the past fails after the matter was made (billing refuses).
    factories.make_matter(lawyer=world.staff_on, clients=[world.contact_b], title="Taken")
    taken = Matter.objects.get(title="Taken").reference
    bad_inputs = [
        _retain_input(world, reference=taken, agreed_outside_note="on paper"),
        _retain_input(
            world,
            agreed_outside_note="on paper",
            retainer_amount=Decimal("-5"),
            retainer_due=timezone.localdate(),
        ),
        _retain_input(
            world,
            agreed_outside_note="on paper",
            retainer_amount=Decimal("100.001"),
            retainer_due=timezone.localdate(),
        ),
        _retain_input(
            world, agreed_outside_note="on paper", responsible_lawyer_id=world.client_a.pk
        ),
        _retain_input(world, agreed_outside_note="on paper", reference="x" * 40),
    ]
    for data in bad_inputs:
        with pytest.raises(ServiceError):
            services.lead_retain(lead_id=lead.pk, actor=world.staff_on, data=data)
    assert Lead.objects.get(pk=lead.pk).status == "consult_held"
    assert not Matter.objects.filter(reference="FAM-2026-900").exists()
    assert not Invitation.objects.filter(email="atomic@prospect.example").exists()


def test_retain_is_refused_while_a_letter_waits_for_the_client(world: Any) -> None:
    engagement = _sent(world)
    with pytest.raises(ServiceError, match="still waiting"):
        services.lead_retain(
            lead_id=engagement.lead_id,
            actor=world.staff_on,
            data=_retain_input(world, agreed_outside_note="on paper"),
        )
