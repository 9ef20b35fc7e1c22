"""The one CSV writer (core/csv_export.py, insights.md §7): formulas defused in text
cells only, numbers written as numbers, and the "for Excel" option."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import AuditEvent
from core.csv_export import csv_lines
from portal.models import Matter
from tests.insights.pages_support import METRIC_ID, only_test_metric  # noqa: F401
from tests.insights.test_pages import opened


def _read(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def test_text_cells_that_would_run_as_formulas_are_prefixed() -> None:
    text = "".join(
        csv_lines(
            header=["Name", "Amount"],
            kinds=["text", "number"],
            rows=[
                ['=HYPERLINK("http://evil.example","x")', Decimal("-150.00")],
                ["+1", 1],
                ["@SUM(A1:A2)", Decimal("0")],
                ["-2", Decimal("2.5")],
                ["\tTab", None],
                ["\rCR", Decimal("1E+2")],
                ["Anna Nowak", Decimal("12.30")],
            ],
        )
    )

    rows = _read(text)
    assert rows[0] == ["Name", "Amount"]
    names = [r[0] for r in rows[1:]]
    assert names[:6] == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'+1",
        "'@SUM(A1:A2)",
        "'-2",
        "'\tTab",
        "'\rCR",
    ]
    assert names[6] == "Anna Nowak"
    # Numbers stay numbers: a negative amount keeps its minus and gets no quote.
    assert [r[1] for r in rows[1:]] == ["-150.00", "1", "0", "2.5", "", "100", "12.30"]


def test_plain_csv_has_no_bom_and_uses_commas() -> None:
    text = "".join(csv_lines(header=["A", "B"], kinds=["text", "number"], rows=[["x", 1]]))

    assert not text.startswith("\ufeff")
    assert text.splitlines()[1] == "x,1"


def test_excel_option_adds_a_bom_and_semicolons_for_polish_spanish_russian() -> None:
    for language in ("pl", "es", "ru"):
        text = "".join(
            csv_lines(
                header=["A", "B"],
                kinds=["text", "number"],
                rows=[["x", Decimal("-1.5")]],
                excel=True,
                language=language,
            )
        )
        assert text.startswith("\ufeff")
        assert text[1:].splitlines()[1] == "x;-1.5"


def test_excel_option_in_english_keeps_commas_but_adds_the_bom() -> None:
    text = "".join(csv_lines(header=["A"], kinds=["text"], rows=[["x"]], excel=True, language="en"))

    assert text.startswith("\ufeff")
    assert text[1:].splitlines() == ["A", "x"]


# ------------------------------------------------------------------ the metric's CSV
WARSAW = ZoneInfo("Europe/Warsaw")
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=WARSAW)


def _csv(response: Any, delimiter: str = ",") -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return _read(text.removeprefix("\ufeff"), delimiter)


def _exporter(world: Any) -> Any:
    world.staff_on.user_permissions.add(Permission.objects.get(codename="export"))
    return type(world.staff_on).objects.get(pk=world.staff_on.pk)


@pytest.mark.usefixtures("only_test_metric")
@time_machine.travel(NOW, tick=False)
def test_metric_csv_escapes_formulas_keeps_amounts_numeric_and_names_the_zone(
    client: Any, world: Any
) -> None:
    for i, title in enumerate(['=HYPERLINK("http://evil.example","x")', "+1", "@SUM(A1)", "Lease"]):
        matter = opened(world.staff_on, dt.datetime(2026, 11, 2 + i, 9, 30, tzinfo=WARSAW))
        Matter.objects.filter(pk=matter.pk).update(title=title)
    client.force_login(world.admin)

    response = client.get(reverse("insights:metric-csv", args=[METRIC_ID]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["Opened (Europe/Warsaw)", "Title", "Lawyer", "Amount"]
    assert [r[1] for r in rows[1:]] == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'+1",
        "'@SUM(A1)",
        "Lease",
    ]
    assert {r[3] for r in rows[1:]} == {"-150.00"}
    assert rows[1][0] == "2026-11-02T09:30:00+01:00"


@pytest.mark.usefixtures("only_test_metric")
@time_machine.travel(NOW, tick=False)
def test_csv_for_excel_in_polish_has_a_bom_and_semicolons(client: Any, world: Any) -> None:
    opened(world.staff_on, dt.datetime(2026, 11, 2, 9, tzinfo=WARSAW), title="Najem")
    world.admin.language = "pl"
    world.admin.save(update_fields=["language"])
    client.force_login(world.admin)

    response = client.get(reverse("insights:metric-csv", args=[METRIC_ID]), {"excel": "1"})

    raw = b"".join(response.streaming_content).decode("utf-8")
    assert raw.startswith("\ufeff")
    body = _read(raw[1:], ";")
    assert body[1][1:] == ["Najem", world.staff_on.email, "-150.00"]


@pytest.mark.usefixtures("only_test_metric")
@time_machine.travel(NOW, tick=False)
def test_csv_needs_the_export_permission(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)
    url = reverse("insights:metric-csv", args=[METRIC_ID])

    assert client.get(url).status_code == 404
    detail = client.get(reverse("insights:metric-detail", args=[METRIC_ID])).content.decode()
    assert url not in detail


@pytest.mark.usefixtures("only_test_metric")
@time_machine.travel(NOW, tick=False)
def test_a_lawyers_csv_holds_only_their_own_rows_and_is_audited(client: Any, world: Any) -> None:
    for day in (2, 3):
        opened(world.staff_on, dt.datetime(2026, 11, day, 9, tzinfo=WARSAW), title=f"Own {day}")
    opened(world.staff_off, dt.datetime(2026, 11, 4, 9, tzinfo=WARSAW), title="Not yours")
    client.force_login(_exporter(world))

    response = client.get(
        reverse("insights:metric-csv", args=[METRIC_ID]),
        {"period": "month", "date": "2026-11-01", "practice_area": "family"},
    )

    rows = _csv(response)
    assert [r[1] for r in rows[1:]] == ["Own 2", "Own 3"]
    event = AuditEvent.objects.get(action="insights.exported")
    assert event.actor_id == world.staff_on.pk
    assert event.data == {
        "metric": METRIC_ID,
        "period": {"kind": "month", "start": "2026-11-01", "end": "2026-12-01"},
        "filters": {"practice_area": "family"},
        "rows": 2,
        "excel": False,
    }


@pytest.mark.usefixtures("only_test_metric")
@time_machine.travel(NOW, tick=False)
def test_the_card_n_equals_the_csv_row_count(client: Any, world: Any) -> None:
    for day in range(1, 10):
        opened(world.staff_on, dt.datetime(2026, 11, day, 9, tzinfo=WARSAW), closed=day % 3 == 0)
    opened(world.staff_on, dt.datetime(2026, 10, 31, 23, 30, tzinfo=WARSAW))  # October
    client.force_login(world.admin)

    overview = client.get(reverse("insights:overview")).content.decode()
    rows = _csv(client.get(reverse("insights:metric-csv", args=[METRIC_ID])))

    card_n = int(re.search(r"n = (\d+)", overview).group(1))  # type: ignore[union-attr]
    assert card_n == len(rows) - 1 == 9
