"""The insights pages (spec insights.md §5, §7, §9): the overview of every metric, a
metric's detail page, its CSV and the overview as a PDF.

Staff only; what a person sees is decided by the scope (``insights_scope``): firm admins
and holders of ``insights.view_all`` the whole firm, any other lawyer their own matters
and appointments. The CSV additionally needs ``insights.export`` (firm admins hold every
permission) and is written from the same rows as the page it is linked from.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.views.decorators.http import require_GET

from core.csv_export import csv_response
from core.decorators import staff_required
from core.http import RequestMeta
from core.pdf import render_pdf
from insights import presentation
from insights import selectors as insights_selectors
from insights.forms import PageQuery, page_query
from insights.metrics.base import Metric, Scope, all_metrics, get
from insights.periods import MONTH
from insights.services.exports import insights_export_record
from portal import selectors as portal_selectors
from portal.types import Request

# Drill-down rows per page; the CSV has them all.
ROWS_PER_PAGE = 50


def may_export(user: Any) -> bool:
    return bool(user.is_firm_staff and (user.is_firm_admin or user.has_perm("insights.export")))


def _language() -> str:
    return (translation.get_language() or "en")[:2]


def _today(firm_tz: str) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(firm_tz)).date()


def _query(request: Request, *, default_kind: str) -> tuple[PageQuery, Scope]:
    firm = portal_selectors.firm_get()
    query = page_query(
        request.GET,
        today=_today(firm.time_zone),
        default_kind=default_kind,
        may_view_all=insights_selectors.may_see_all(request.user),
    )
    scope = insights_selectors.insights_scope(
        user=request.user, period=query.period, filters=query.filters
    )
    return query, scope


def _metric_or_404(metric_id: str) -> Metric:
    metric = get(metric_id)
    if metric is None or not metric.available():
        raise Http404
    return metric


def _overview_context(request: Request) -> dict[str, Any]:
    query, scope = _query(request, default_kind=MONTH)
    metrics = all_metrics()
    months = presentation.sparkline_months(scope)
    snapshots = insights_selectors.snapshots_by_month(
        months=months,
        metric_versions={m.id: m.definition_version for m in metrics},
        filters_hash=presentation.snapshots_key(scope),
    )
    cards = presentation.overview_cards(
        metrics,
        scope,
        language=_language(),
        month_end=presentation.month_end_figures(snapshots, metrics),
    )
    return {
        "query": query,
        "scope": scope,
        "params": query.params(),
        "period_label": presentation.period_label(scope.period),
        "cards": cards,
        "own_only": scope.own_only,
        "may_export": may_export(request.user),
        "firm_tz": scope.firm_tz,
    }


@staff_required
@require_GET
def overview(request: Request) -> HttpResponse:
    return render(request, "insights/overview.html", _overview_context(request))


@staff_required
@require_GET
def overview_pdf(request: Request) -> HttpResponse:
    context = _overview_context(request)
    context["firm"] = portal_selectors.firm_get()
    # A PDF's relative links would point nowhere (it has no address of its own).
    context["pdf"] = True
    context["generated_at"] = formats.date_format(
        timezone.now().astimezone(ZoneInfo(context["firm_tz"])), "SHORT_DATETIME_FORMAT"
    )
    html = render_to_string("insights/overview_pdf.html", context, request=request)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="insights-overview.pdf"'
    return response


@staff_required
@require_GET
def detail(request: Request, metric_id: str) -> HttpResponse:
    metric = _metric_or_404(metric_id)
    query, scope = _query(request, default_kind=metric.period_kind)
    language = _language()
    data = presentation.detail_for(metric, scope, language=language)
    paginator = Paginator(data.rows, ROWS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    snapshots = insights_selectors.snapshots_for_period(scope=scope)
    changed = []
    for line in data.lines:
        change = insights_selectors.snapshot_change(
            metric=metric, figure=line.figure, snapshots=snapshots
        )
        if change is not None and (change.changed or change.definition_changed):
            changed.append(
                {
                    "currency": line.currency,
                    "definition_changed": change.definition_changed,
                    "before": presentation.format_value(
                        change.before, metric.unit, line.currency, language
                    ),
                    "after": line.text,
                }
            )
    return render(
        request,
        "insights/detail.html",
        {
            "metric": metric,
            "query": query,
            "scope": scope,
            "params": query.params(),
            "csv_params": query.params(),
            "period_label": presentation.period_label(scope.period),
            "data": data,
            "band": presentation.band_of(metric),
            "band_label": str(metric.target.label) if metric.target else "",
            "page": page,
            "table": presentation.table_rows(
                metric.columns, list(page.object_list), language, scope.firm_tz
            ),
            "actions": presentation.table_rows(
                metric.columns, data.actions, language, scope.firm_tz
            ),
            "columns": metric.columns,
            "extra": presentation.extra_items(data.extra, language=language),
            "changed": changed,
            "may_export": may_export(request.user),
            "firm_tz": scope.firm_tz,
            "line_chart": metric.unit in ("days", "hours", "money"),
        },
    )


@staff_required
@require_GET
def export_csv(request: Request, metric_id: str) -> StreamingHttpResponse:
    if not may_export(request.user):
        raise Http404
    metric = _metric_or_404(metric_id)
    query, scope = _query(request, default_kind=metric.period_kind)
    rows = metric.rows(scope)
    insights_export_record(
        actor=request.user,
        meta=RequestMeta.from_request(request),
        metric_id=metric.id,
        period=scope.period,
        filters=query.filters,
        row_count=len(rows),
        excel=query.excel,
    )
    header, kinds, values = presentation.csv_cells(metric.columns, rows, scope.firm_tz)
    period = scope.period
    last_day = period.end - dt.timedelta(days=1)
    filename = f"{metric.id}-{period.start.isoformat()}-{last_day.isoformat()}.csv"
    return csv_response(
        filename=filename,
        header=header,
        kinds=kinds,  # type: ignore[arg-type]  # "text" or "number", see csv_cells
        rows=values(),
        excel=query.excel,
        language=_language(),
    )
