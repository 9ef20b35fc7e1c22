"""Pages stay flat as data grows: the same number of queries for 1 and for 200 matters."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import TimelineEntry
from tests import factories
from tests.budget import assert_page_budget

pytestmark = pytest.mark.django_db


def _queries(client: Any, url: str) -> int:
    client.get(url)  # warm the per-process caches (content types, firm) first
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert_page_budget(ctx.captured_queries)
    return len(ctx.captured_queries)


def _matters_for(contact: Any, lawyer: Any, count: int) -> None:
    team = [factories.StaffFactory()]
    others = [factories.ContactFactory() for _ in range(2)]
    for i in range(count):
        matter = factories.make_matter(
            lawyer=lawyer, clients=[contact, *others], team=team, title=f"Matter {i}"
        )
        TimelineEntry.objects.bulk_create(
            [
                TimelineEntry(matter=matter, title=f"Update {j}", shared_with_client=j % 2 == 0)
                for j in range(3)
            ]
        )


@pytest.mark.parametrize("url_name", ["portal:home", "staff:matter-list", "staff:home"])
def test_page_makes_the_same_number_of_queries_for_1_and_200_matters(
    client: Any, firm: Any, url_name: str, django_assert_max_num_queries: Any
) -> None:
    # given one client with one matter, and another with 200
    lawyer_small, lawyer_big = factories.StaffFactory(), factories.StaffFactory()
    small_user, small = factories.client_with_contact()
    big_user, big = factories.client_with_contact()
    _matters_for(small, lawyer_small, 1)
    _matters_for(big, lawyer_big, 200)
    viewer_small = lawyer_small if url_name.startswith("staff") else small_user
    viewer_big = lawyer_big if url_name.startswith("staff") else big_user

    # when
    client.force_login(viewer_small)
    few = _queries(client, reverse(url_name))
    client.force_login(viewer_big)
    many = _queries(client, reverse(url_name))

    # then
    assert many == few
    with django_assert_max_num_queries(few):
        client.get(reverse(url_name))


def test_matter_page_is_flat_in_timeline_size(client: Any, world: Any) -> None:
    client.force_login(world.client_a)
    url = reverse("portal:matter-detail", args=[world.matter_a.pk])
    TimelineEntry.objects.create(matter=world.matter_a, title="one")
    few = _queries(client, url)
    TimelineEntry.objects.bulk_create(
        [TimelineEntry(matter=world.matter_a, title=f"t{i}") for i in range(200)]
    )

    assert _queries(client, url) == few
