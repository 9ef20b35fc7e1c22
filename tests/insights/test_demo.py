"""The demo's three months of history: every insights card has something to show."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from billing.models import Invoice
from insights.metrics import all_metrics
from insights.models import Feedback, OutsideContact
from insights.periods import Period
from insights.selectors.scope import firm_scope
from portal.models import Message
from scheduling.models import Appointment

pytestmark = pytest.mark.django_db

# A Wednesday in June: the window is March to today, May the previous full month.
DEMO_DAY = dt.datetime(2026, 6, 17, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def seeded(django_capture_on_commit_callbacks: Any) -> None:
    with time_machine.travel(DEMO_DAY, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", stdout=StringIO())


def test_every_metric_of_the_previous_month_has_cases(seeded: None) -> None:
    with time_machine.travel(DEMO_DAY, tick=False):
        scope = firm_scope(period=Period.month(2026, 5))
        figures = {m.id: m.value(m.rows(scope)) for m in all_metrics()}

    assert {
        "show_rate",
        "time_to_first_consultation",
        "days_to_payment_consultations",
        "days_to_payment_invoices",
        "outside_portal_share",
        "staff_intake_time",
        "response_within_promise",
        "csat",
        "nps",
    } <= set(figures)
    for metric_id, values in figures.items():
        assert values and all(f.n > 0 for f in values), (metric_id, values)
        # A real value on the card, not "too few to judge" (in the firm's currency for
        # money metrics; the few EUR documents may be too few in a month).
        main = next(f for f in values if f.currency in ("", "PLN"))
        assert main.n >= 5 and not main.too_few and main.value is not None, (metric_id, main)
    show_rate = figures["show_rate"][0].value
    assert show_rate is not None and 80 <= show_rate < 95


def test_the_history_has_the_cases_the_pages_explain(seeded: None) -> None:
    past = Appointment.objects.filter(start_at__lt=DEMO_DAY)
    assert past.filter(status="attended").count() > 40
    assert past.filter(status="no_show").exists()
    # Past appointments nobody marked yet: the show rate's action list.
    assert past.filter(status="booked").exists()
    # Invoices paid at different speeds, some still overdue, a few in a second currency.
    history = Invoice.objects.filter(internal_note="Demo history")
    assert history.filter(settlement="PAID").count() > 20
    assert history.filter(settlement="UNPAID", due_date__lt=DEMO_DAY.date()).exists()
    assert set(history.values_list("currency", flat=True)) == {"PLN", "EUR"}
    # Waits marked "no reply needed", and a client waiting now.
    assert Message.objects.exclude(no_reply_needed_at=None).exists()
    assert OutsideContact.objects.filter(direction="in").count() > 10
    assert Feedback.objects.exclude(comment="").exists()
    assert Feedback.objects.filter(request__kind="nps_close").exists()
