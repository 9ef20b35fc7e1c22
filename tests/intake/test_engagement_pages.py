"""Engagement letters and retaining in the browser pages: staff prepare, preview, send and
follow a letter and retain the lead; the client reads, signs (typed name and tick, a POST)
and downloads the signed copy; the expiry sweep is on beat (intake.md §5, §6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from audit.models import AuditEvent
from intake import tasks
from intake.models import Engagement, EngagementTemplate, Lead
from notifications.models import Notification
from portal.models import Matter
from tests import factories
from tests.intake.helpers import LETTER_BODY, clear_lead, letter_draft, letter_template

pytestmark = pytest.mark.django_db


def _prepare(client: Any, world: Any, **overrides: Any) -> Any:
    lead = clear_lead(world.contact_a)
    template = letter_template(world.admin)
    client.force_login(world.staff_on)
    data = {"template": str(template.pk), "scope": "Divorce proceedings", "fee_amount": ""}
    data.update(overrides)
    return lead, client.post(f"/staff/intake/leads/{lead.pk}/letter/", data)


def test_staff_prepare_preview_and_send_a_letter(client: Any, world: Any) -> None:
    lead, response = _prepare(client, world)
    engagement = Engagement.objects.get(lead=lead)
    assert response.status_code == 302
    assert response["Location"] == f"/staff/intake/letters/{engagement.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Divorce proceedings" in page and world.contact_a.full_name in page
    assert "Send for signature" in page
    pdf = client.get(f"/staff/intake/letters/{engagement.pk}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert pdf["Cache-Control"] == "no-store"

    sent = client.post(f"/staff/intake/letters/{engagement.pk}/send/", {"expires_days": "10"})
    assert sent.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == "sent"
    assert engagement.expires_at is not None
    assert dt.timedelta(days=9) < engagement.expires_at - timezone.now() <= dt.timedelta(days=10)
    assert Lead.objects.get(pk=lead.pk).status == "engagement_sent"
    lead_page = client.get(f"/staff/intake/leads/{lead.pk}/").content.decode()
    assert f"/staff/intake/letters/{engagement.pk}/" in lead_page
    assert "Sent" in lead_page


@pytest.mark.parametrize(
    "overrides",
    [
        {"scope": "x" * 20000},
        {"scope": "<script>alert(1)</script>"},
        {"template": "00000000-0000-0000-0000-000000000000"},
        {"fee_amount": "-5"},
        {"fee_amount": "1e12"},
        {"scope": ""},
    ],
)
def test_bad_letter_input_is_a_form_error_and_stores_nothing(
    client: Any, world: Any, overrides: dict[str, str]
) -> None:
    _lead, response = _prepare(client, world, **overrides)
    assert response.status_code == 400
    assert Engagement.objects.count() == 0


def test_bad_letter_input_is_answered_in_polish(client: Any, world: Any) -> None:
    client.cookies["django_language"] = "pl"
    _lead, response = _prepare(client, world, scope="")
    assert response.status_code == 400
    assert "To pole jest wymagane" in response.content.decode()


def test_send_is_refused_on_the_page_while_the_check_is_out_of_date(
    client: Any, world: Any
) -> None:
    engagement = letter_draft(world)
    Lead.objects.filter(pk=engagement.lead_id).update(
        parties_changed_at=timezone.now() + dt.timedelta(days=1)
    )
    client.force_login(world.staff_on)
    response = client.post(f"/staff/intake/letters/{engagement.pk}/send/", {"expires_days": "14"})
    assert response.status_code == 400
    assert "conflict check must be current" in response.content.decode()
    assert Engagement.objects.get(pk=engagement.pk).status == "draft"
    bad = client.post(f"/staff/intake/letters/{engagement.pk}/send/", {"expires_days": "900"})
    assert bad.status_code == 400


def test_withdrawing_from_the_page(client: Any, world: Any) -> None:
    engagement = letter_draft(world)
    client.force_login(world.staff_on)
    client.post(f"/staff/intake/letters/{engagement.pk}/withdraw/")
    assert Engagement.objects.get(pk=engagement.pk).status == "revoked"


def test_firm_admin_writes_a_template_with_a_sample_preview(client: Any, world: Any) -> None:
    client.force_login(world.admin)
    data = {
        "name": "Rodzinne",
        "language": "pl",
        "practice_area": "family",
        "body": LETTER_BODY,
        "fee_model": "flat",
        "fee_amount": "4000",
        "currency": "pln",
        "is_active": "on",
    }
    response = client.post("/staff/intake/letter-templates/new/", data)
    assert response.status_code == 302
    template = EngagementTemplate.objects.get()
    assert template.currency == "PLN"
    page = client.get(response["Location"]).content.decode()
    assert "Anna Kowalska" in page  # the sample lawyer in the preview
    refused = client.post(
        f"/staff/intake/letter-templates/{template.pk}/", {**data, "body": "{% load static %}"}
    )
    assert refused.status_code == 400
    template.refresh_from_db()
    assert template.body == LETTER_BODY and template.version == 1


def _sent(world: Any) -> Engagement:
    from intake import services

    return services.engagement_send(engagement=letter_draft(world), actor=world.staff_on)


def test_the_notice_is_content_free_with_one_link(world: Any) -> None:
    engagement = _sent(world)
    rows = Notification.objects.filter(about=f"engagement:{engagement.pk}")
    assert rows.exists()
    from notifications.services import deliveries_sweep

    deliveries_sweep()
    from django.core import mail

    sent = [m for m in mail.outbox if world.contact_a.email in m.to]
    assert sent
    body = sent[-1].body
    assert f"/portal/letters/{engagement.pk}/" in body
    assert body.rsplit("\n-- \n", 1)[0].count("http") == 1  # the foot links the privacy notice
    assert "Divorce" not in body and "5,000" not in body and "Family" not in sent[-1].subject


def test_the_client_reads_signs_and_downloads_the_signed_copy(client: Any, world: Any) -> None:
    engagement = _sent(world)
    client.force_login(world.client_a)
    home = client.get("/portal/").content.decode()
    assert f"/portal/letters/{engagement.pk}/" in home
    page = client.get(f"/portal/letters/{engagement.pk}/")
    assert page.status_code == 200
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    html = page.content.decode()
    assert "Divorce proceedings" in html and engagement.document_sha256 in html
    engagement.refresh_from_db()
    assert engagement.status == "viewed"

    wrong = client.post(
        f"/portal/letters/{engagement.pk}/sign/",
        {"typed_name": "Someone Else", "agreed": "on", "shown_sha256": engagement.document_sha256},
    )
    assert wrong.status_code == 400
    assert Engagement.objects.get(pk=engagement.pk).status == "viewed"
    untick = client.post(
        f"/portal/letters/{engagement.pk}/sign/",
        {"typed_name": world.contact_a.full_name, "shown_sha256": engagement.document_sha256},
    )
    assert untick.status_code == 400

    signed = client.post(
        f"/portal/letters/{engagement.pk}/sign/",
        {
            "typed_name": world.contact_a.full_name.lower(),
            "agreed": "on",
            "shown_sha256": engagement.document_sha256,
        },
        HTTP_USER_AGENT="Mozilla/5.0 (phone)",
    )
    assert signed.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == "signed"
    assert engagement.evidence.user_agent == "Mozilla/5.0 (phone)"
    after = client.get(f"/portal/letters/{engagement.pk}/").content.decode()
    assert "?copy=signed" in after and "Sign the letter" not in after
    pdf = client.get(f"/portal/letters/{engagement.pk}/pdf/?copy=signed")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        action="engagement.downloaded", object_id=str(engagement.pk), data__copy="signed"
    ).exists()


def test_a_get_never_signs_and_the_signed_copy_waits_for_the_signature(
    client: Any, world: Any
) -> None:
    engagement = _sent(world)
    client.force_login(world.client_a)
    assert client.get(f"/portal/letters/{engagement.pk}/sign/").status_code == 405
    assert client.get(f"/portal/letters/{engagement.pk}/pdf/?copy=signed").status_code == 404
    assert Engagement.objects.get(pk=engagement.pk).status != "signed"


def test_a_tampered_hidden_hash_is_refused(client: Any, world: Any) -> None:
    engagement = _sent(world)
    client.force_login(world.client_a)
    client.get(f"/portal/letters/{engagement.pk}/")
    for shown in ("0" * 64, "<script>"):
        response = client.post(
            f"/portal/letters/{engagement.pk}/sign/",
            {"typed_name": world.contact_a.full_name, "agreed": "on", "shown_sha256": shown},
        )
        assert response.status_code == 400
    assert Engagement.objects.get(pk=engagement.pk).status == "viewed"


def _staff_mail(address: str) -> list[Any]:
    from django.core import mail

    from notifications.services import deliveries_sweep

    deliveries_sweep()
    return [m for m in mail.outbox if address in m.to]


def test_the_client_declines(client: Any, world: Any) -> None:
    engagement = _sent(world)
    client.force_login(world.client_a)
    client.post(f"/portal/letters/{engagement.pk}/decline/")
    assert Engagement.objects.get(pk=engagement.pk).status == "declined"


def test_a_decline_with_its_reason_reaches_the_firm_and_shows_on_the_lead(
    client: Any, world: Any
) -> None:
    engagement = _sent(world)
    lead = engagement.lead
    lawyer = factories.StaffFactory(email="lawyer@firm.example")
    factories.join_team(world.matter_a, lawyer)
    Lead.objects.filter(pk=lead.pk).update(assigned_to=lawyer)
    client.force_login(world.client_a)
    client.get(f"/portal/letters/{engagement.pk}/")
    response = client.post(
        f"/portal/letters/{engagement.pk}/decline/",
        {"reason": "The fee is more than I can pay this year."},
    )
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == "declined"
    assert engagement.declined_reason == "The fee is more than I can pay this year."
    mine = client.get(f"/portal/letters/{engagement.pk}/").content.decode()
    assert "You declined this letter." in mine and "more than I can pay" in mine

    # The lead's responsible lawyer and the sender each get one content-free email
    # linking to the lead page; the firm admins are not bothered.
    rows = Notification.objects.filter(event="engagement_declined")
    assert sorted(str(r.recipient_id) for r in rows) == sorted(
        [str(world.staff_on.pk), str(lawyer.pk)]
    )
    for person in (world.staff_on, lawyer):
        sent = _staff_mail(person.email)
        assert len(sent) == 1
        body = sent[0].body.rsplit("\n-- \n", 1)[0]
        assert f"/staff/intake/leads/{lead.pk}/" in body
        assert body.count("http") == 1
        for secret in ("more than I can pay", world.contact_a.last_name, "Divorce"):
            assert secret not in body and secret not in sent[0].subject
    assert not _staff_mail(world.admin.email)

    client.force_login(lawyer)
    page = client.get(f"/staff/intake/leads/{lead.pk}/").content.decode()
    assert "The client declined this letter" in page and "more than I can pay" in page
    letter = client.get(f"/staff/intake/letters/{engagement.pk}/").content.decode()
    assert "more than I can pay" in letter


def test_a_decline_without_anyone_responsible_goes_to_the_firm_admins(
    client: Any, world: Any
) -> None:
    engagement = _sent(world)
    world.staff_on.is_active = False
    world.staff_on.save(update_fields=["is_active"])
    client.force_login(world.client_a)
    assert client.post(f"/portal/letters/{engagement.pk}/decline/").status_code == 302
    rows = Notification.objects.filter(event="engagement_declined")
    assert [r.recipient_id for r in rows] == [world.admin.pk]
    assert len(_staff_mail(world.admin.email)) == 1
    client.force_login(world.admin)
    page = client.get(f"/staff/intake/leads/{engagement.lead_id}/").content.decode()
    assert "They gave no reason." in page


@pytest.mark.parametrize(
    "reason", ["<script>alert(1)</script>", "x" * 1001, "bad \x00 byte"], ids=["tag", "long", "nul"]
)
def test_a_bad_decline_reason_is_refused_and_nothing_changes(
    client: Any, world: Any, reason: str
) -> None:
    engagement = _sent(world)
    client.force_login(world.client_a)
    client.get(f"/portal/letters/{engagement.pk}/")
    response = client.post(f"/portal/letters/{engagement.pk}/decline/", {"reason": reason})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.status == "viewed" and engagement.declined_reason == ""
    assert not Notification.objects.filter(event="engagement_declined").exists()


def test_a_bad_decline_reason_is_explained_in_polish(client: Any, world: Any) -> None:
    engagement = _sent(world)
    client.force_login(world.client_a)
    client.cookies["django_language"] = "pl"
    response = client.post(f"/portal/letters/{engagement.pk}/decline/", {"reason": "<b>nie</b>"})
    assert response.status_code == 400
    assert "Usuń z tego pola nawiasy ostre lub kod." in response.content.decode()


def test_staff_retain_a_signed_lead_from_the_page(client: Any, world: Any) -> None:
    from intake import services
    from tests.intake.test_engagements import META

    engagement = _sent(world)
    services.engagement_viewed(engagement=engagement, user=world.client_a)
    services.engagement_sign(
        engagement=engagement,
        user=world.client_a,
        meta=META,
        signature=services.Signature(
            typed_name=world.contact_a.full_name,
            agreed=True,
            shown_sha256=engagement.document_sha256,
            language="en",
            auth_method="password",
        ),
    )
    client.force_login(world.staff_on)
    lead_id = engagement.lead_id
    form = client.get(f"/staff/intake/leads/{lead_id}/retain/")
    assert form.status_code == 200
    bad = client.post(
        f"/staff/intake/leads/{lead_id}/retain/",
        {"reference": "", "title": "x", "responsible_lawyer": str(world.staff_on.pk)},
    )
    assert bad.status_code == 400 and not Matter.objects.filter(title="x").exists()
    response = client.post(
        f"/staff/intake/leads/{lead_id}/retain/",
        {
            "reference": "FAM-2026-777",
            "title": "Divorce of A",
            "responsible_lawyer": str(world.staff_on.pk),
            "retainer_amount": "1500.00",
            "retainer_due": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302
    matter = Matter.objects.get(reference="FAM-2026-777")
    assert response["Location"] == f"/staff/matters/{matter.pk}/"
    lead = Lead.objects.get(pk=lead_id)
    assert lead.status == "retained" and lead.matter_id == matter.pk
    engagement.refresh_from_db()
    assert engagement.document is not None
    from billing.models import Invoice

    assert Invoice.objects.get(matter=matter).total == Decimal("1500.00")
    again = client.get(f"/staff/intake/leads/{lead_id}/retain/")
    assert again.status_code == 302  # already retained: nothing more to do


def test_the_expiry_sweep_is_on_beat_and_expires_unsigned_letters(world: Any) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["intake-engagements-expire"]
    assert entry["task"] == "intake.tasks.engagements_expire"
    engagement = _sent(world)
    Engagement.objects.filter(pk=engagement.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    tasks.engagements_expire.delay()
    tasks.engagements_expire.delay()
    assert Engagement.objects.get(pk=engagement.pk).status == "expired"
    assert AuditEvent.objects.filter(action="engagement.expired").count() == 1
