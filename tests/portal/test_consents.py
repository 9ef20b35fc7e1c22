"""Consent records: the exact text and its hash, withdrawal once, append-only everywhere."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import ServiceError
from core.http import RequestMeta
from portal import selectors, services
from portal.models import ConsentRecord

pytestmark = pytest.mark.django_db

# Exactly what a page showed: non-ASCII letters, a double space, a newline, a trailing space.
TEXT = (
    "Proszę o wykonanie konsultacji przed upływem 14 dni.  Rozumiem, że tracę prawo\n"
    "odstąpienia od umowy po jej wykonaniu. "
)
META = RequestMeta(ip="203.0.113.9", user_agent="Mozilla/5.0 (test)")


def _record(contact: Any, **overrides: Any) -> ConsentRecord:
    fields: dict[str, Any] = {
        "contact_id": contact.pk if contact is not None else None,
        "context_key": "appointment:6f1c1c1e-0000-4000-8000-000000000001",
        "purpose": ConsentRecord.Purpose.WITHDRAWAL_WAIVER,
        "lawful_basis": ConsentRecord.LawfulBasis.CONSENT,
        "text": TEXT,
        "text_version": "waiver-2026-01",
        "language": "pl",
        "channel": ConsentRecord.Channel.BOOKING,
        "meta": META,
    }
    fields.update(overrides)
    return services.consent_record(**fields)


def test_the_exact_text_shown_and_its_sha256_are_stored(world: Any) -> None:
    # when
    record = _record(world.contact_a)

    # then
    stored = ConsentRecord.objects.get(pk=record.pk)
    assert stored.text == TEXT  # not trimmed, not normalised
    assert stored.text_sha256 == hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    assert stored.text_version == "waiver-2026-01"
    assert stored.language == "pl"
    assert stored.contact_id == world.contact_a.pk
    assert stored.ip == "203.0.113.9"
    assert stored.user_agent == "Mozilla/5.0 (test)"
    assert stored.given_at <= timezone.now()
    assert stored.withdrawn_at is None
    # audited, without the text itself
    event = AuditEvent.objects.get(action="consent.given", object_id=str(record.pk))
    assert event.data["purpose"] == "withdrawal_waiver"
    assert "konsultacji" not in str(event.data)


def test_a_consent_before_there_is_a_contact_names_its_context(world: Any) -> None:
    record = _record(None, context_key="lead:6f1c1c1e-0000-4000-8000-000000000002")
    assert record.contact_id is None
    assert record.context_key == "lead:6f1c1c1e-0000-4000-8000-000000000002"


def test_a_consent_about_nothing_or_with_an_unknown_purpose_is_refused(world: Any) -> None:
    with pytest.raises(ValueError):
        _record(None, context_key="")
    with pytest.raises(ValueError):
        _record(world.contact_a, purpose="everything")
    with pytest.raises(ValueError):
        _record(world.contact_a, text="   ")
    assert ConsentRecord.objects.count() == 0


def test_a_withdrawal_is_recorded_once(world: Any) -> None:
    # given
    record = _record(world.contact_a)

    # when
    services.consent_withdraw(
        consent_id=record.pk,
        channel=ConsentRecord.Channel.STAFF_RECORDED,
        actor=world.staff_on,
        meta=META,
    )

    # then
    stored = ConsentRecord.objects.get(pk=record.pk)
    assert stored.withdrawn_at is not None
    assert stored.withdrawn_channel == "staff_recorded"
    assert stored.text == TEXT
    first_withdrawal = stored.withdrawn_at
    with pytest.raises(ServiceError):
        services.consent_withdraw(
            consent_id=record.pk, channel=ConsentRecord.Channel.PORTAL, actor=None, meta=None
        )
    stored.refresh_from_db()
    assert stored.withdrawn_at == first_withdrawal
    assert stored.withdrawn_channel == "staff_recorded"
    assert AuditEvent.objects.filter(action="consent.withdrawn").count() == 1


def test_the_model_refuses_to_change_or_delete_a_record(world: Any) -> None:
    record = _record(world.contact_a)
    record.text = "something else"
    with pytest.raises(ValueError):
        record.save()
    with pytest.raises(ValueError):
        record.delete()
    assert ConsentRecord.objects.get(pk=record.pk).text == TEXT


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_except_one_withdrawal(world: Any) -> None:
    # given
    record = _record(world.contact_a)
    rows = ConsentRecord.objects.filter(pk=record.pk)

    # then: the evidence cannot be rewritten, even by raw queries
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.update(text="I agreed to nothing")
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.update(text_sha256="0" * 64, withdrawn_at=timezone.now(), withdrawn_channel="portal")
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM portal_consentrecord WHERE id = %s", [record.pk])

    # a withdrawal may be recorded once, and never undone or repeated
    rows.update(withdrawn_at=timezone.now(), withdrawn_channel="portal")
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.update(withdrawn_at=None, withdrawn_channel="")
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.update(withdrawn_at=timezone.now(), withdrawn_channel="web_form")
    stored = rows.get()
    assert stored.text == TEXT
    assert stored.withdrawn_channel == "portal"


def test_staff_see_consents_only_of_contacts_they_may_see(world: Any) -> None:
    # given
    record = _record(world.contact_a)
    _record(world.contact_b)

    # then
    assert selectors.consents_for_contact(user=world.staff_on, contact_id=world.contact_a.pk) == [
        record
    ]
    assert len(selectors.consents_for_contact(user=world.admin, contact_id=world.contact_a.pk)) == 1
    with pytest.raises(Http404):
        selectors.consents_for_contact(user=world.staff_off, contact_id=world.contact_a.pk)
    with pytest.raises(Http404):
        selectors.consents_for_contact(user=world.client_a, contact_id=world.contact_a.pk)


def test_the_contact_page_lists_purpose_date_channel_and_withdrawal(
    client: Any, world: Any
) -> None:
    # given
    kept = _record(world.contact_a, purpose=ConsentRecord.Purpose.SMS)
    withdrawn = _record(world.contact_a, purpose=ConsentRecord.Purpose.MARKETING)
    services.consent_withdraw(
        consent_id=withdrawn.pk, channel=ConsentRecord.Channel.PORTAL, actor=None, meta=None
    )
    client.force_login(world.staff_on)

    # when
    response = client.get(reverse("staff:contact-detail", args=[world.contact_a.pk]))

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("data-consent") == 2
    assert "Text messages (SMS)" in page and "Marketing messages" in page
    assert "Booking page" in page and "Client portal" in page
    assert kept.text_version in page
    assert TEXT not in page


def test_the_contact_page_makes_the_same_queries_for_1_and_200_consents(
    client: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    url = reverse("staff:contact-detail", args=[world.contact_a.pk])
    client.force_login(world.staff_on)
    _record(world.contact_a)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(199):
        _record(world.contact_a)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("data-consent") == 200
