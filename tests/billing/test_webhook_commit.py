"""The event's own bookkeeping (claimed, processed) commits without waiting for the WAL
flush; the receiving insert and the money never do (PostgreSQL only)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from billing.models import Payment, StripeEvent
from billing.services import online
from tests import factories
from tests.billing.helpers import issued
from tests.billing.stripe_fake import FakeStripe, event_payload, online_stripe, sign_webhook

SECRET = "whsec_test_commit"
RELAXED = "SET LOCAL synchronous_commit TO OFF"


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeStripe]:
    with online_stripe(settings, SECRET) as stripe:
        yield stripe


def _paid_session_event(fake: FakeStripe, client: Any) -> bytes:
    admin = factories.AdminFactory()
    user, contact = factories.client_with_contact()
    invoice = issued(actor=admin, contact=contact)
    client.force_login(user)
    client.post(f"/portal/invoices/{invoice.pk}/pay/")
    session = next(o for o in fake.objects.values() if o["object"] == "checkout.session")
    fake.complete_session(session["id"])
    event = next(e for e in fake.events if e["type"] == "checkout.session.completed")
    return event_payload(event)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_only_the_event_bookkeeping_skips_the_flush_wait(
    firm: Any, fake: FakeStripe, client: Any
) -> None:
    # given a paid Checkout's completed event
    payload = _paid_session_event(fake, client)
    with CaptureQueriesContext(connection) as ctx:
        # when it is delivered (its processing task runs eagerly in tests)
        row = online.webhook_receive(payload, sign_webhook(payload, SECRET))
        assert row is not None
        # then the setting never outlives its transaction
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
    # then the payment is recorded and the event processed
    assert StripeEvent.objects.get().status == StripeEvent.Status.PROCESSED
    assert Payment.objects.count() == 1
    sql = [q["sql"] for q in ctx.captured_queries]
    relaxed = [i for i, s in enumerate(sql) if s == RELAXED]
    # two relaxed commits, the claim and the final status, each holding only the event's
    # own update; the receiving insert and the payment's writes are never among them
    assert len(relaxed) == 2
    for i in relaxed:
        assert sql[i + 1].startswith('UPDATE "billing_stripeevent"')
        assert sql[i + 2] == RELAXED or not sql[i + 2].startswith("UPDATE")
    insert_event = next(
        i for i, s in enumerate(sql) if s.startswith('INSERT INTO "billing_stripeevent"')
    )
    insert_payment = next(
        i for i, s in enumerate(sql) if s.startswith('INSERT INTO "billing_payment"')
    )
    assert insert_event < relaxed[0] < insert_payment < relaxed[1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_callers_transaction_keeps_its_synchronous_commit(
    firm: Any, fake: FakeStripe, client: Any
) -> None:
    # given the event processed inside somebody else's transaction
    payload = _paid_session_event(fake, client)
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        assert online.webhook_receive(payload, sign_webhook(payload, SECRET)) is not None
        online.stripe_event_process(event_id=StripeEvent.objects.get().event_id)
        # then that transaction still commits synchronously
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
    assert RELAXED not in [q["sql"] for q in ctx.captured_queries]
    assert Payment.objects.count() == 1
