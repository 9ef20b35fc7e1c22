"""For random data and random filters, every metric's card, drill-down and CSV agree
(insights.md §10.2): the figure's n is the number of rows, each breakdown's lines add up
to it, the CSV has exactly those rows, and a lawyer's rows are a part of the firm's."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import uuid
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import Allocation, Invoice, Payment, PaymentAttempt, PaymentRequest
from core.csv_export import csv_lines
from insights.metrics import all_metrics
from insights.metrics.base import Metric, Row
from insights.models import Feedback, FeedbackRequest, OutsideContact
from insights.periods import Period
from insights.selectors.scope import insights_scope
from intake.models import Lead, LeadStageChange
from portal.models import Firm, Message
from tests import factories
from tests.scheduling.helpers import make_appointment, make_service

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 4, 20, 12, 0, tzinfo=dt.UTC)
BASE = dt.datetime(2026, 2, 25, 0, 0, tzinfo=dt.UTC)
STATUSES = ("attended", "no_show", "booked", "cancelled", "rescheduled")
SOURCES = ("website", "google", "referral")
AREAS = ("family", "estate")
STAGES = (
    [],
    ["consult_booked"],
    ["consult_booked", "consult_held", "retained"],
    ["consult_booked", "declined"],
    ["lost"],
    ["engagement_sent", "retained"],
)
_seq = itertools.count()

instants = st.builds(
    lambda day, minute: BASE + dt.timedelta(days=day, minutes=minute),
    st.integers(0, 40),
    st.integers(0, 24 * 60 - 1),
)
data = st.fixed_dictionaries(
    {
        "appointments": st.lists(
            st.tuples(
                instants,
                st.integers(0, 1),
                st.integers(0, 1),
                st.integers(0, 3),
                st.sampled_from(STATUSES),
            ),
            max_size=10,
        ),
        "leads": st.lists(
            st.tuples(
                instants,
                st.integers(0, 3),
                st.sampled_from(SOURCES),
                st.integers(0, 1),
                st.sampled_from(AREAS),
                st.sampled_from(STAGES),
            ),
            max_size=6,
        ),  # fmt: skip
        "fees": st.lists(st.tuples(st.integers(0, 9), st.none() | st.integers(0, 60)), max_size=4),
        "invoices": st.lists(
            st.tuples(
                st.integers(0, 1),
                st.sampled_from(["PLN", "EUR"]),
                st.integers(0, 40),
                st.none() | st.integers(0, 30),
            ),
            max_size=5,
        ),  # fmt: skip
        "messages": st.lists(st.tuples(instants, st.integers(0, 1), st.booleans()), max_size=8),
        "outside": st.lists(
            st.tuples(instants, st.integers(0, 1), st.booleans(), st.booleans()), max_size=5
        ),
        "feedback": st.lists(
            st.tuples(st.booleans(), st.integers(0, 10), st.integers(0, 1), instants), max_size=5
        ),
    }
)
filters = st.fixed_dictionaries(
    {},
    optional={
        "staff": st.integers(0, 1),
        "service": st.integers(0, 1),
        "client_kind": st.sampled_from(["new", "returning"]),
        "source": st.sampled_from(SOURCES),
        "practice_area": st.sampled_from(AREAS),
        "currency": st.sampled_from(["PLN", "EUR"]),
    },
)
periods = st.sampled_from(
    [Period.month(2026, 3), Period.containing("week", dt.date(2026, 3, 10)), Period.month(2026, 2)]
)


def build(d: dict[str, Any]) -> dict[str, Any]:
    Firm.objects.filter(pk=1).update(time_zone="Europe/Warsaw", country="PL")
    cache.clear()
    admin = factories.AdminFactory(mfa=False)
    staff = [factories.StaffFactory(mfa=False), factories.StaffFactory(mfa=False)]
    users_contacts = [factories.client_with_contact() for _ in range(2)]
    contacts = [c for _u, c in users_contacts] + [factories.ContactFactory() for _ in range(2)]
    matters = [
        factories.make_matter(lawyer=staff[i], clients=[contacts[i]], practice_area=AREAS[i])
        for i in range(2)
    ]
    n = next(_seq)
    services = [
        make_service(staff=staff, slug=f"p-consult-{n}", minutes=30, is_consultation=True),
        make_service(staff=staff, slug=f"p-other-{n}", minutes=30),
    ]
    # The i-th appointment starts i hours (and under 30 minutes) after its random day's
    # midnight, so no two of one lawyer overlap (PostgreSQL refuses overlapping bookings).
    appointments = [
        make_appointment(service=services[sv], staff=staff[s], contact=contacts[c],
                         start=BASE + dt.timedelta(days=(start - BASE).days, hours=i,
                                                   minutes=start.minute % 30),
                         status=status, matter=matters[c] if c < 2 and s == c else None)
        for i, (start, s, sv, c, status) in enumerate(d["appointments"])
    ]  # fmt: skip
    for created, c, source, s, area, stages in d["leads"]:
        lead = Lead.objects.create(contact=contacts[c], source=source, practice_area=area,
                                   assigned_to=staff[s], created_at=created,
                                   status=stages[-1] if stages else "new")  # fmt: skip
        for i, stage in enumerate(stages):
            LeadStageChange.objects.create(
                lead=lead, from_status="new", to_status=stage, at=created + dt.timedelta(days=i + 1)
            )
    for index, delay in d["fees"]:
        if index >= len(appointments):
            continue
        a = appointments[index]
        request = PaymentRequest.objects.create(
            kind="CONSULTATION_FEE", contact=a.contact, appointment=a, amount=Decimal("100"),
            currency="PLN", status="PAID" if delay is not None else "OPEN",
            created_at=a.start_at - dt.timedelta(hours=2),
        )  # fmt: skip
        if delay is not None:
            attempt = PaymentAttempt.objects.create(
                request=request, amount=Decimal("100"), currency="PLN", status="SUCCEEDED",
                idempotency_key=uuid.uuid4().hex, expires_at=NOW, created_at=a.start_at,
            )  # fmt: skip
            Payment.objects.create(contact=a.contact, method="CARD", amount=Decimal("100"),
                                   currency="PLN", attempt=attempt,
                                   received_at=a.start_at + dt.timedelta(hours=delay))  # fmt: skip
    for m, currency, issue_day, paid_after in d["invoices"]:
        issued = (BASE + dt.timedelta(days=issue_day)).date()
        total = Decimal("100")
        invoice = Invoice.objects.create(
            number=f"P/{next(_seq)}", lifecycle="ISSUED", contact=contacts[m], matter=matters[m],
            currency=currency, issue_date=issued, due_date=issued + dt.timedelta(days=14),
            issued_at=dt.datetime.combine(issued, dt.time(8), tzinfo=dt.UTC), language="en",
            total=total, settlement="PAID" if paid_after is not None else "UNPAID",
            balance=Decimal("0") if paid_after is not None else total,
        )  # fmt: skip
        if paid_after is not None:
            when = dt.datetime.combine(issued, dt.time(12), tzinfo=dt.UTC) + dt.timedelta(
                days=paid_after
            )
            payment = Payment.objects.create(contact=contacts[m], method="BANK_TRANSFER",
                                             amount=total, currency=currency, received_at=when)  # fmt: skip
            Allocation.objects.create(
                payment=payment, invoice=invoice, amount=total, created_at=when
            )
    for when, m, from_client in d["messages"]:
        sender = users_contacts[m][0] if from_client else staff[m]
        Message.objects.create(matter=matters[m], sender=sender, text="x", created_at=when,
                               side="client" if from_client else "firm")  # fmt: skip
    for when, m, on_matter, inbound in d["outside"]:
        OutsideContact.objects.create(contact=contacts[m], matter=matters[m] if on_matter else None,
                                      channel="phone", direction="in" if inbound else "out",
                                      at=when, created_at=when, logged_by=staff[m])  # fmt: skip
    for csat, score, s, when in d["feedback"]:
        request = FeedbackRequest.objects.create(
            kind="csat_consult" if csat else "nps_close", contact=contacts[s], staff=staff[s],
            token_hash=uuid.uuid4().hex, send_after=when, sent_at=when,
            expires_at=when + dt.timedelta(days=30), responded_at=when + dt.timedelta(hours=1),
        )  # fmt: skip
        Feedback.objects.create(request=request, score=min(score, 5) if csat else score)
    return {"admin": admin, "staff": staff, "services": services}


def csv_count(metric: Metric, rows: list[Row]) -> int:
    text = "".join(
        csv_lines(
            header=[str(c.label) for c in metric.columns],
            kinds=["number" if c.kind in ("number", "money") else "text" for c in metric.columns],
            rows=([r[c.key] for c in metric.columns] for r in rows),
        )
    )
    return len(list(csv.reader(io.StringIO(text)))) - 1


def check(metric: Metric, rows: list[Row]) -> None:
    figures = metric.value(rows)
    assert sum(f.n for f in figures) == len(rows), metric.id
    assert csv_count(metric, rows) == len(rows), metric.id
    for f in figures:
        if f.unit == "percent" and f.denominator is not None:
            assert 0 <= (f.numerator or 0) <= f.denominator <= f.n, metric.id
            assert (f.value is None) == (f.too_few or f.denominator == 0), metric.id
        if f.too_few:
            assert f.value is None, metric.id
    if len({f.currency for f in figures}) != len(figures):
        raise AssertionError(f"{metric.id}: a currency twice")
    for breakdown in metric.breakdowns:
        lines = {}
        for key in {r[breakdown.key] for r in rows}:
            group = [r for r in rows if r[breakdown.key] == key]
            lines[key] = sum(f.n for f in metric.value(group))
        assert sum(lines.values()) == len(rows), (metric.id, breakdown.key)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(d=data, chosen=filters, period=periods, own=st.booleans())
def test_card_rows_and_csv_agree_for_every_metric(
    d: dict[str, Any], chosen: dict[str, Any], period: Period, own: bool
) -> None:
    with transaction.atomic():
        w = build(d)
        values: dict[str, Any] = {}
        for key, value in chosen.items():
            if key == "staff":
                values[key] = [w["staff"][value].pk]
            elif key == "service":
                values[key] = [w["services"][value].pk]
            else:
                values[key] = [value]
        firm = insights_scope(user=w["admin"], period=period, filters=values, now=NOW)
        lawyer = insights_scope(user=w["staff"][0], period=period, filters=values, now=NOW)
        for metric in all_metrics():
            rows = metric.rows(firm)
            check(metric, rows)
            if own:
                mine = metric.rows(lawyer)
                check(metric, mine)
                assert not Counter(r["url"] for r in mine) - Counter(r["url"] for r in rows), (
                    metric.id
                )
        transaction.set_rollback(True)
