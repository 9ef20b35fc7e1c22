"""The insights overview and detail pages (insights.md §5, §9): cards, the detail's chart,
breakdowns and rows, the period and filters from the URL, bad input, the PDF."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from portal.models import Matter
from tests import factories
from tests.insights.pages_support import METRIC_ID, only_test_metric  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_test_metric")]
WARSAW = ZoneInfo("Europe/Warsaw")
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=WARSAW)


def opened(lawyer: Any, when: dt.datetime, *, title: str = "Lease", closed: bool = False) -> Matter:
    """A matter opened at ``when`` (written through the service, then dated)."""
    _user, contact = factories.client_with_contact()
    matter = factories.make_matter(lawyer=lawyer, clients=[contact], title=title)
    Matter.objects.filter(pk=matter.pk).update(
        created_at=when, **({"stage": "closed"} if closed else {})
    )
    return matter


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@time_machine.travel(NOW, tick=False)
def test_overview_card_shows_value_band_n_change_and_links_to_detail(
    client: Any, world: Any
) -> None:
    # given: 6 matters this month (1 closed) and 5 last month (all open)
    for day in range(1, 7):
        opened(world.staff_on, dt.datetime(2026, 11, day, 10, tzinfo=WARSAW), closed=day == 1)
    for day in range(1, 6):
        opened(world.staff_off, dt.datetime(2026, 10, day, 10, tzinfo=WARSAW))
    client.force_login(world.admin)

    # when
    response = client.get(reverse("insights:overview"))

    # then
    assert response.status_code == 200
    text = _text(response)
    assert "Open matters" in text
    assert "83.3 %" in text
    assert "on target" in text
    assert "5 of 6" in text and "n = 6" in text
    assert "−16.7 pp" in text and "vs previous period" in text
    assert reverse("insights:metric-detail", args=[METRIC_ID]) in text
    assert text.count("<svg") == 1


@time_machine.travel(NOW, tick=False)
def test_fewer_than_five_cases_say_too_few_to_judge_with_the_counts(
    client: Any, world: Any
) -> None:
    for day in (2, 3, 4):
        opened(world.staff_on, dt.datetime(2026, 11, day, 9, tzinfo=WARSAW), closed=day == 2)
    client.force_login(world.admin)

    text = _text(client.get(reverse("insights:overview")))

    assert "too few to judge" in text
    assert "2 of 3" in text
    assert "66.7 %" not in text


@time_machine.travel(NOW, tick=False)
def test_a_lawyer_sees_only_their_own_figures(client: Any, world: Any) -> None:
    for day in range(1, 6):
        opened(world.staff_on, dt.datetime(2026, 11, day, 9, tzinfo=WARSAW), title=f"Own {day}")
    for day in range(1, 4):
        opened(world.staff_off, dt.datetime(2026, 11, day, 9, tzinfo=WARSAW), title=f"Other {day}")
    client.force_login(world.staff_on)

    overview = _text(client.get(reverse("insights:overview")))
    detail = _text(client.get(reverse("insights:metric-detail", args=[METRIC_ID])))

    assert "Your own figures" in overview
    assert "n = 5" in overview
    assert "Own 1" in detail and "Other 1" not in detail
    # No one else to filter by: the staff filter is not offered.
    assert 'name="staff"' not in detail


@time_machine.travel(NOW, tick=False)
def test_detail_page_has_chart_breakdown_rows_csv_link_and_definition(
    client: Any, world: Any
) -> None:
    for day in range(1, 8):
        opened(world.staff_on, dt.datetime(2026, 11, day, 9, tzinfo=WARSAW), title=f"Lease {day}")
    opened(world.staff_on, dt.datetime(2026, 11, 10, 9, tzinfo=WARSAW), title="Act now")
    client.force_login(world.admin)

    response = client.get(
        reverse("insights:metric-detail", args=[METRIC_ID]), {"practice_area": "family"}
    )

    assert response.status_code == 200
    text = _text(response)
    assert "by week" in text
    assert 'role="img"' in text and '<table class="chart-table' in text
    assert '<h2 id="bd-1">Lawyer</h2>' in text
    assert "Needs action" in text and "Act now" in text
    matter = Matter.objects.get(title="Lease 3")
    assert reverse("staff:matter-detail", args=[matter.pk]) in text
    csv_url = reverse("insights:metric-csv", args=[METRIC_ID])
    assert f"{csv_url}?period=month&amp;practice_area=family" in text
    assert "How this is counted" in text
    assert "Matters opened in the period that are not closed" in text


@time_machine.travel(NOW, tick=False)
def test_period_and_filters_come_from_the_url(client: Any, world: Any) -> None:
    opened(world.staff_on, dt.datetime(2026, 3, 5, 9, tzinfo=WARSAW), title="March lease")
    opened(world.staff_on, dt.datetime(2026, 11, 5, 9, tzinfo=WARSAW), title="November lease")
    client.force_login(world.admin)

    march = _text(
        client.get(
            reverse("insights:metric-detail", args=[METRIC_ID]),
            {"period": "month", "date": "2026-03-10"},
        )
    )
    custom = _text(
        client.get(
            reverse("insights:metric-detail", args=[METRIC_ID]),
            {"period": "custom", "start": "2026-01-01", "end": "2026-12-31"},
        )
    )

    assert "March lease" in march and "November lease" not in march
    assert "March lease" in custom and "November lease" in custom
    assert "by month" in custom


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"period": "custom", "start": "2016-01-01", "end": "2026-01-01"},
            "A custom range covers at most 24 months.",
        ),
        (
            {"period": "custom", "start": "2026-05-01", "end": "2026-04-01"},
            "The range ends before it starts.",
        ),
        ({"period": "custom", "start": "2026-02-31", "end": "nonsense"}, "Enter a valid date."),
        ({"period": "fortnight"}, "Select a valid choice."),
        ({"colour": "red"}, "There is no filter “colour”; it was ignored."),
        ({"practice_area": "astrology"}, "“astrology” is not a value of the filter Practice area"),
        ({"currency": "XXX"}, "“XXX” is not a value of the filter Currency"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_bad_period_or_filter_says_so_and_shows_the_default_period(
    client: Any, world: Any, params: dict[str, str], message: str
) -> None:
    opened(world.staff_on, dt.datetime(2026, 11, 5, 9, tzinfo=WARSAW), title="November lease")
    client.force_login(world.admin)

    for name in ("insights:overview", "insights:metric-detail"):
        args = [METRIC_ID] if name == "insights:metric-detail" else []
        response = client.get(reverse(name, args=args), params)

        assert response.status_code == 200
        text = _text(response)
        assert message in text
        # The default period (this month) is shown.
        assert "November 2026" in text


@time_machine.travel(NOW, tick=False)
def test_bad_input_message_is_in_the_viewers_language(client: Any, world: Any) -> None:
    world.admin.language = "ru"
    world.admin.save(update_fields=["language"])
    client.force_login(world.admin)

    response = client.get(
        reverse("insights:overview"), {"period": "custom", "start": "bad", "end": "2026-01-01"}
    )

    assert response.status_code == 200
    assert "Введите правильную дату." in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_overview_prints_to_pdf(client: Any, world: Any) -> None:
    for day in range(1, 7):
        opened(world.staff_on, dt.datetime(2026, 11, day, 9, tzinfo=WARSAW))
    client.force_login(world.admin)

    response = client.get(reverse("insights:overview-pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert "Open matters" in page.extract_text()
    # The sparkline's SVG is drawn: a stroke in the firm's brand colour (#1f3a5f).
    assert "0.121569 0.227451 0.372549 RG" in page.get_contents().get_data().decode("latin-1")


@time_machine.travel(NOW, tick=False)
def test_overview_queries_stay_flat_with_many_rows(
    client: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(world.admin)
    opened(world.staff_on, dt.datetime(2026, 11, 2, 9, tzinfo=WARSAW))
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("insights:overview"))
    for i in range(60):
        opened(
            world.staff_on if i % 2 else world.staff_off,
            dt.datetime(2026, 1 + i % 11, 1 + i % 27, 9, tzinfo=WARSAW),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("insights:overview"))


@time_machine.travel(NOW, tick=False)
def test_navigation_offers_insights_to_staff(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)

    text = client.get(reverse("staff:home")).content.decode()

    assert reverse("insights:overview") in text


@time_machine.travel(NOW, tick=False)
def test_a_closed_month_changed_since_its_snapshot_says_so(client: Any, world: Any) -> None:
    from decimal import Decimal

    from insights.models import MetricSnapshot

    # given October closed at 5 of 5 open, and one of them closed since
    for day in range(1, 6):
        opened(world.staff_on, dt.datetime(2026, 10, day, 9, tzinfo=WARSAW), closed=day == 1)
    MetricSnapshot.objects.create(
        metric=METRIC_ID,
        definition_version=1,
        period_start=dt.date(2026, 10, 1),
        numerator=Decimal(5),
        denominator=Decimal(5),
        value=Decimal(100),
        n=5,
    )
    client.force_login(world.admin)

    october = {"period": "month", "date": "2026-10-01"}
    text = _text(client.get(reverse("insights:metric-detail", args=[METRIC_ID]), october))
    filtered = _text(
        client.get(
            reverse("insights:metric-detail", args=[METRIC_ID]),
            {**october, "practice_area": "family"},
        )
    )

    assert "Changed since month end: 100 % → 80 %" in text
    # A filtered page is not the firm's month-end figure: nothing to compare with.
    assert "Changed since month end" not in filtered


@time_machine.travel(NOW, tick=False)
def test_sparkline_shows_older_closed_months_as_at_month_end(client: Any, world: Any) -> None:
    from decimal import Decimal

    from insights.models import MetricSnapshot

    # given June's month-end figure, and no June rows left to count now
    MetricSnapshot.objects.create(
        metric=METRIC_ID,
        definition_version=1,
        period_start=dt.date(2026, 6, 1),
        numerator=Decimal(21),
        denominator=Decimal(50),
        value=Decimal(42),
        n=50,
    )
    # an older definition's figure is not shown
    MetricSnapshot.objects.create(
        metric=METRIC_ID,
        definition_version=0,
        period_start=dt.date(2026, 7, 1),
        value=Decimal(77),
        n=9,
    )
    client.force_login(world.admin)

    whole_firm = _text(client.get(reverse("insights:overview")))
    filtered = _text(client.get(reverse("insights:overview"), {"practice_area": "family"}))

    assert '<th scope="row">June 2026</th><td>42 %</td>' in whole_firm
    assert "77 %" not in whole_firm
    assert "42 %" not in filtered


@time_machine.travel(NOW, tick=False)
def test_the_change_on_a_card_is_measured_against_last_months_month_end_figure(
    client: Any, world: Any
) -> None:
    from decimal import Decimal

    from insights.models import MetricSnapshot

    # given October's month-end figure (November is the period shown)
    MetricSnapshot.objects.create(
        metric=METRIC_ID,
        definition_version=1,
        period_start=dt.date(2026, 10, 1),
        numerator=Decimal(31),
        denominator=Decimal(50),
        value=Decimal(62),
        n=50,
    )
    client.force_login(world.admin)

    # when the admin opens the overview
    page = _text(client.get(reverse("insights:overview")))

    # then October's point of the sparkline is the month-end figure
    assert '<th scope="row">October 2026</th><td>62 %</td>' in page


@time_machine.travel(NOW, tick=False)
def test_a_lawyers_sparkline_reads_their_own_month_end_figures(client: Any, world: Any) -> None:
    from decimal import Decimal

    from insights.models import MetricSnapshot
    from insights.selectors import own_filters_hash

    # given the firm's and the lawyer's own October figures
    for key, value in (("", 62), (own_filters_hash(world.staff_on.pk), 48)):
        MetricSnapshot.objects.create(
            metric=METRIC_ID,
            definition_version=1,
            period_start=dt.date(2026, 10, 1),
            filters_hash=key,
            value=Decimal(value),
            n=50,
        )
    client.force_login(world.staff_on)

    # when the lawyer opens the overview
    page = _text(client.get(reverse("insights:overview")))

    # then October is their own month-end figure, never the firm's
    assert '<th scope="row">October 2026</th><td>48 %</td>' in page
    assert "62 %" not in page


def test_an_unknown_metric_is_a_page_that_does_not_exist(client: Any, world: Any) -> None:
    client.force_login(world.admin)

    assert client.get(reverse("insights:metric-detail", args=["no_such_metric"])).status_code == 404
    assert client.get(reverse("insights:metric-csv", args=["no_such_metric"])).status_code == 404
    assert not AuditEvent.objects.filter(action="insights.exported").exists()
