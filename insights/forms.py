from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing.money import SUPPORTED_CURRENCIES
from core.forms import DateInput, SaneDateField
from insights import periods
from insights.models import MetricSnapshot
from insights.periods import Period
from intake import selectors as intake_selectors
from portal import selectors as portal_selectors
from portal.types import PracticeArea
from scheduling import selectors as scheduling_selectors

# ---------------------------------------------------------------- periods and filters
# The insights pages take their period and filters from GET parameters, so a page can be
# bookmarked and sent to a colleague; bad input never fails the page: it says what was
# wrong, in the viewer's language, and shows the default period instead.

PERIOD_PARAMS = ("period", "date", "start", "end")
FILTER_PARAMS = ("staff", "service", "practice_area", "source", "client_kind", "currency")
# Parameters the pages read besides the filters (CSV for Excel, the drill-down page).
OTHER_PARAMS = ("excel", "page")
CLIENT_KINDS = (("new", _("New clients")), ("returning", _("Returning clients")))


def _months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, last)
        except ValueError:
            continue
    raise AssertionError("every month has 28 days")  # pragma: no cover


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=periods.KINDS, required=False)
    date = SaneDateField(
        label=_("Including the day"),
        required=False,
        widget=DateInput(),
        help_text=_("The month, week, quarter or year that holds this day."),
    )
    start = SaneDateField(label=_("From"), required=False, widget=DateInput())
    end = SaneDateField(label=_("To (inclusive)"), required=False, widget=DateInput())

    def __init__(self, *args: Any, today: dt.date, default_kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.default_kind = default_kind

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("period") or self.default_kind
        data["period"] = kind
        if kind == periods.CUSTOM:
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(
                    gettext("A custom range needs a first and a last day."), code="incomplete"
                )
            if end < start:
                raise forms.ValidationError(
                    gettext("The range ends before it starts."), code="reversed"
                )
            if end >= _months_later(start, periods.MAX_CUSTOM_MONTHS):
                raise forms.ValidationError(
                    gettext("A custom range covers at most %(months)d months.")
                    % {"months": periods.MAX_CUSTOM_MONTHS},
                    code="too_long",
                )
        return data

    def period_or_none(self) -> Period | None:
        if not self.is_valid():
            return None
        data = self.cleaned_data
        if data["period"] == periods.CUSTOM:
            return Period(data["start"], data["end"] + dt.timedelta(days=1), periods.CUSTOM)
        return Period.containing(data["period"], data.get("date") or self.today)


def _staff_choices() -> list[tuple[str, str]]:
    return [(str(u.pk), u.get_full_name() or u.email) for u in portal_selectors.staff_members()]


def _service_choices() -> list[tuple[str, str]]:
    return [(str(s.pk), str(s.name)) for s in scheduling_selectors.services_active()]


def _source_choices() -> list[tuple[str, str]]:
    return list(intake_selectors.lead_source_choices())


class InsightsFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no type hints
    """The filters of every insights page. The metrics apply them (each to the rows it
    reads); this set only offers and checks the values: ``filters()`` are the valid ones,
    as plain strings."""

    staff = django_filters.ChoiceFilter(
        label=_("Staff"), choices=_staff_choices, empty_label=_("Everyone")
    )
    service = django_filters.ChoiceFilter(
        label=_("Service"), choices=_service_choices, empty_label=_("All services")
    )
    practice_area = django_filters.ChoiceFilter(
        label=_("Practice area"), choices=PracticeArea.choices, empty_label=_("All areas")
    )
    source = django_filters.ChoiceFilter(
        label=_("Lead source"), choices=_source_choices, empty_label=_("All sources")
    )
    client_kind = django_filters.ChoiceFilter(
        label=_("Clients"), choices=CLIENT_KINDS, empty_label=_("New and returning")
    )
    currency = django_filters.ChoiceFilter(
        label=_("Currency"),
        choices=[(c, c) for c in SUPPORTED_CURRENCIES],
        empty_label=_("All currencies"),
    )

    class Meta:
        # The set filters no queryset of its own; a model is named because django-filter
        # wants one.
        model = MetricSnapshot
        fields: list[str] = []

    def __init__(self, data: Any = None, *, may_view_all: bool = True) -> None:
        super().__init__(data, queryset=MetricSnapshot.objects.none())
        if not may_view_all:
            # A lawyer's figures are their own: there is no one else to filter by.
            self.filters.pop("staff", None)
            self.form.fields.pop("staff", None)


@dataclass
class PageQuery:
    """What a page was asked for, and what it had to ignore (messages for the viewer)."""

    period: Period
    filters: dict[str, str]
    period_form: PeriodForm
    filter_form: forms.Form
    problems: list[str] = field(default_factory=list)
    excel: bool = False

    def params(self, **extra: str) -> str:
        """The query string of this page's period and filters (for links and the CSV)."""
        query = QueryDict(mutable=True)
        data = self.period_form.cleaned_data if self.period_form.is_valid() else {}
        if data and not self.problems_in_period:
            query["period"] = data["period"]
            if data["period"] == periods.CUSTOM:
                query["start"] = data["start"].isoformat()
                query["end"] = data["end"].isoformat()
            elif data.get("date"):
                query["date"] = data["date"].isoformat()
        for key, value in self.filters.items():
            query[key] = value
        for key, value in extra.items():
            query[key] = value
        return query.urlencode()

    @property
    def problems_in_period(self) -> bool:
        return not self.period_form.is_valid()

    def params_for(self, period: Period) -> str:
        """The query string of another period (earlier, later) with the same filters."""
        query = QueryDict(mutable=True)
        query["period"] = period.kind
        if period.kind == periods.CUSTOM:
            query["start"] = period.start.isoformat()
            query["end"] = (period.end - dt.timedelta(days=1)).isoformat()
        else:
            query["date"] = period.start.isoformat()
        for key, value in self.filters.items():
            query[key] = value
        return query.urlencode()

    @property
    def previous_params(self) -> str:
        return self.params_for(self.period.previous())

    @property
    def next_params(self) -> str:
        return self.params_for(self.period.shifted(1))


def page_query(
    data: Mapping[str, Any], *, today: dt.date, default_kind: str, may_view_all: bool
) -> PageQuery:
    """The period and filters of ``data`` (request.GET); anything wrong in it becomes a
    message and is left out (a bad period: the default one)."""
    problems: list[str] = []
    known = set(PERIOD_PARAMS) | set(FILTER_PARAMS) | set(OTHER_PARAMS)
    for key in data:
        if key not in known:
            problems.append(
                gettext("There is no filter “%(name)s”; it was ignored.") % {"name": key}
            )

    period_data = {k: data[k] for k in PERIOD_PARAMS if k in data}
    # The form shows the period the page shows: the default kind when none is asked.
    period_data.setdefault("period", default_kind)
    period_form = PeriodForm(period_data, today=today, default_kind=default_kind)
    period = period_form.period_or_none()
    if period is None:
        for errors in period_form.errors.values():
            problems.extend(str(e) for e in errors)
        problems.append(gettext("Showing the default period instead."))
        period = Period.containing(default_kind, today)

    filterset = InsightsFilterSet(
        {k: data[k] for k in FILTER_PARAMS if k in data}, may_view_all=may_view_all
    )
    filter_form = filterset.form
    filters: dict[str, str] = {}
    if not may_view_all and data.get("staff"):
        problems.append(gettext("You see your own figures only; the staff filter was ignored."))
    if filter_form.is_valid():
        cleaned = filter_form.cleaned_data
    else:
        cleaned = {k: v for k, v in filter_form.cleaned_data.items() if k not in filter_form.errors}
        for name in filter_form.errors:
            label = filter_form.fields[name].label if name in filter_form.fields else name
            problems.append(
                gettext("“%(value)s” is not a value of the filter %(filter)s; it was ignored.")
                % {"value": data.get(name, ""), "filter": label}
            )
    for key in FILTER_PARAMS:
        value = cleaned.get(key)
        if value:
            filters[key] = str(value)
    excel = str(data.get("excel", "")) in ("1", "on", "true")
    return PageQuery(
        period=period,
        filters=filters,
        period_form=period_form,
        filter_form=filter_form,
        problems=problems,
        excel=excel,
    )
