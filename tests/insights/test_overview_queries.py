"""The overview's query budget (spec insights.md §10.9): the same number of queries for a
small firm-year and for one several times larger, built like benchmarks/bench_insights.py
(at a scale SQLite builds in seconds). Each count covers the twelve months of every
card's sparkline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.insights_data import build

pytestmark = pytest.mark.django_db

# A three-person firm (so its lawyer has rows of every metric in every month: an empty
# month skips a selector's follow-up query, flat but not equal). Small: 2,000
# appointments, 400 invoices and 4,000 messages over the year; large: three times that.
SMALL, LARGE = 0.02, 0.06
PEOPLE = {"lawyers": 2, "paralegals": 1}
# Mid-month, mid-week: the current month has rows too.
DAY = dt.datetime(2026, 6, 17, 10, 0, tzinfo=dt.UTC)


def _queries(user: Any) -> int:
    TOTP.activate(user, generate_totp_secret())  # staff pages ask for a second factor
    http = Client()
    http.force_login(user)
    url = reverse("insights:overview")
    assert http.get(url).status_code == 200  # warm the caches a first view fills
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_overview_takes_the_same_queries_for_a_small_and_a_large_year(firm: Any) -> None:
    with time_machine.travel(DAY, tick=False):
        # given a firm's year, then three times as much beside it
        small = build(scale=SMALL, label="s", **PEOPLE)
        admin_small, lawyer_small = _queries(small.admin), _queries(small.lawyer)
        large = build(scale=LARGE, label="l", **PEOPLE)

        # when its admin and a lawyer open the overview
        admin_large, lawyer_large = _queries(large.admin), _queries(large.lawyer)

    # then the query counts did not grow with the data
    assert admin_large == admin_small
    assert lawyer_large == lawyer_small
    # and a lawyer's overview (their own figures: the firm-wide snapshots do not apply, so
    # all twelve months are live) takes about as many as the admin's, not twelve times the
    # metrics: each metric's rows are asked for once over the months a card shows
    assert lawyer_small <= admin_small + 5
