"""Who sees which figures (insights.md §9): a lawyer's figures never hold another
lawyer's matters, appointments or leads; clients and co-counsel see nothing."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.http import Http404

from insights.metrics import all_metrics
from insights.periods import Period
from insights.selectors.scope import insights_scope
from tests import factories
from tests.insights import metrics_data
from tests.insights.metrics_data import NOW

pytestmark = pytest.mark.django_db

MARCH = Period.month(2026, 3)


@pytest.fixture
def golden() -> metrics_data.Golden:
    with time_machine.travel(NOW, tick=False):
        return metrics_data.build()


def marek_urls(g: metrics_data.Golden) -> set[str]:
    """Every staff page of Marek's: his appointments, leads, matter and its invoices."""
    urls = {f"/staff/matters/{g.m2.pk}/"}
    urls |= {
        f"/staff/appointments/{a.pk}/" for a in g.appointments.values() if a.staff_id == g.marek.pk
    }
    urls |= {
        f"/staff/intake/leads/{lead.pk}/"
        for lead in g.leads.values()
        if lead.assigned_to_id == g.marek.pk
    }
    urls |= {
        f"/staff/billing/invoices/{i.pk}/" for i in g.invoices.values() if i.matter_id == g.m2.pk
    }
    urls.add(f"/staff/contacts/{g.contacts['c4'].pk}/")
    urls.add(f"/staff/billing/contacts/{g.contacts['c4'].pk}/")
    return urls


def scope_of(user: Any, **filters: Any) -> Any:
    return insights_scope(user=user, period=MARCH, filters=filters, now=NOW)


def test_a_lawyer_never_sees_another_lawyers_figures(golden: metrics_data.Golden) -> None:
    lena = scope_of(golden.lena)
    assert lena.own_only
    firm = scope_of(golden.admin)
    forbidden = marek_urls(golden)
    for metric in all_metrics():
        mine = metric.rows(lena)
        everyone = metric.rows(firm)
        assert not {r["url"] for r in mine} & forbidden, metric.id
        # Marek has rows in every metric but staff intake time (no decided lead of his
        # in March), so there the firm's figure is larger than Lena's.
        if metric.id != "staff_intake_time":
            assert len(mine) < len(everyone), metric.id
        if metric.actions:
            assert not {r["url"] for r in metric.actions(lena)} & forbidden, metric.id
        # Asking for Marek by filter does not widen her view: it empties it.
        for row in metric.rows(scope_of(golden.lena, staff=[golden.marek.pk])):
            assert row["url"] not in forbidden, metric.id


def test_lawyers_own_figures_are_those_of_their_matters_and_appointments(
    golden: metrics_data.Golden,
) -> None:
    lena = scope_of(golden.lena)
    counts = {m.id: m.value(m.rows(lena)) for m in all_metrics()}
    show = counts["show_rate"][0]
    assert (show.numerator, show.denominator) == (5, 6)
    invoices = {f.currency: f.n for f in counts["days_to_payment_invoices"]}
    assert invoices == {"PLN": 2, "EUR": 1}
    outside = counts["outside_portal_share"][0]
    # Her matter's 3 portal messages, its 2 contacts outside, and the one she logged
    # on no matter.
    assert (outside.numerator, outside.denominator) == (3, 6)
    response = counts["response_within_promise"][0]
    assert (response.numerator, response.denominator, response.too_few) == (2, 3, True)


def test_view_all_and_admins_see_the_whole_firm(golden: metrics_data.Golden) -> None:
    assert not scope_of(golden.admin).own_only
    golden.marek.user_permissions.add(Permission.objects.get(codename="view_all"))
    marek = type(golden.marek).objects.get(pk=golden.marek.pk)
    scope = scope_of(marek)
    assert not scope.own_only
    show = next(m for m in all_metrics() if m.id == "show_rate")
    assert len(show.rows(scope)) == 10


def test_clients_and_cocounsel_see_nothing(golden: metrics_data.Golden) -> None:
    cocounsel = factories.CoCounselFactory()
    for user in (golden.clients["c1"], cocounsel):
        with pytest.raises(Http404):
            scope_of(user)
