"""The staff contact list filters by kind, tag, matter stage and matter priority (issue 12,
item 5): the filters combine, live in the address, ignore values not on offer, never tell
about a matter the staff member may not open, and cost the same queries for any data."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import Contact, Matter, Tag
from tests import factories
from tests.budget import assert_page_budget

pytestmark = pytest.mark.django_db


def _listed(client: Any, **params: Any) -> set[str]:
    response = client.get(reverse("staff:contact-list"), params)
    assert response.status_code == 200
    page = response.content.decode()
    return {
        c.last_name
        for c in Contact.objects.all()
        if reverse("staff:contact-detail", args=[c.pk]) in page
    }


@pytest.fixture
def people(world: Any) -> dict[str, Any]:
    vip = Tag.objects.create(name="VIP", category=Tag.Category.PRIORITY)
    court = Tag.objects.create(name="Court", category=Tag.Category.STAGE)
    lawyer = world.staff_on
    high = factories.ContactFactory(last_name="Highwater")
    low = factories.ContactFactory(last_name="Lowland")
    prospect = factories.ContactFactory(last_name="Prospera", kind=Contact.Kind.PROSPECT)
    other = factories.ContactFactory(last_name="Otherside", kind=Contact.Kind.OTHER_PARTY)
    high.tags.add(vip)
    prospect.tags.add(vip, court)
    factories.make_matter(
        lawyer=lawyer, clients=[high], priority=Matter.Priority.HIGH, stage="in_progress"
    )
    factories.make_matter(lawyer=lawyer, clients=[low], stage="awaiting")
    # A high-priority matter staff_on does not work on: its client must not show to them
    # under "high priority" (nor at all: they may not see that contact).
    hidden = factories.ContactFactory(last_name="Hiddenly")
    factories.make_matter(
        lawyer=world.staff_off, clients=[hidden], priority=Matter.Priority.HIGH, stage="awaiting"
    )
    return {"vip": vip, "court": court, "prospect": prospect, "other": other}


def test_each_filter_alone(client: Any, world: Any, people: dict[str, Any]) -> None:
    client.force_login(world.admin)
    assert _listed(client, kind="prospect") == {"Prospera"}
    assert _listed(client, kind="other_party") == {"Otherside"}
    assert _listed(client, tag=people["vip"].pk) == {"Highwater", "Prospera"}
    assert _listed(client, tag=people["court"].pk) == {"Prospera"}
    assert _listed(client, stage="awaiting") == {"Lowland", "Hiddenly"}
    assert _listed(client, priority="high") == {"Highwater", "Hiddenly"}


def test_filters_combine(client: Any, world: Any, people: dict[str, Any]) -> None:
    client.force_login(world.admin)
    assert _listed(client, kind="client", tag=people["vip"].pk) == {"Highwater"}
    assert _listed(client, stage="in_progress", priority="high") == {"Highwater"}
    # stage and priority of the same matter: Hiddenly's high matter is not in progress
    assert _listed(client, stage="awaiting", priority="high") == {"Hiddenly"}
    assert _listed(client, stage="in_progress", priority="low") == set()
    assert _listed(client, q="highwater", priority="high") == {"Highwater"}


def test_stage_and_priority_only_count_matters_the_staff_member_may_open(
    client: Any, world: Any, people: dict[str, Any]
) -> None:
    client.force_login(world.staff_on)
    assert _listed(client, priority="high") == {"Highwater"}
    assert _listed(client, stage="awaiting") == {"Lowland"}


def test_the_filter_is_kept_in_the_address_and_the_form(
    client: Any, world: Any, people: dict[str, Any]
) -> None:
    for i in range(30):
        factories.ContactFactory(last_name=f"Many{i:02}", kind=Contact.Kind.PROSPECT)
    client.force_login(world.admin)

    page = client.get(
        reverse("staff:contact-list"), {"kind": "prospect", "priority": "high"}
    ).content.decode()
    assert '<option value="prospect" selected>' in page
    assert '<option value="high" selected>' in page

    page = client.get(reverse("staff:contact-list"), {"kind": "prospect"}).content.decode()
    # the next page's link keeps the filter
    assert "kind=prospect" in page.split('class="pagination"')[1]


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "nobody"},
        {"tag": "not-a-number"},
        {"tag": "999999"},
        {"stage": "<script>"},
        {"priority": "urgent"},
        {"page": "-1"},
    ],
)
def test_values_not_on_offer_are_ignored(
    client: Any, world: Any, people: dict[str, Any], params: dict[str, str]
) -> None:
    client.force_login(world.admin)
    everyone = _listed(client)
    assert _listed(client, **params) == everyone


def _queries(client: Any, params: dict[str, Any]) -> int:
    url = reverse("staff:contact-list")
    client.get(url, params)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    assert_page_budget(ctx.captured_queries)
    return len(ctx.captured_queries)


def test_the_filtered_list_is_flat_in_queries(client: Any, world: Any) -> None:
    vip = Tag.objects.create(name="VIP", category=Tag.Category.PRIORITY)
    params = {"kind": "client", "tag": vip.pk, "stage": "intake", "priority": "high"}
    client.force_login(world.staff_on)

    def add(n: int) -> None:
        for _ in range(n):
            contact = factories.ContactFactory()
            contact.tags.add(vip)
            factories.make_matter(
                lawyer=world.staff_on, clients=[contact], priority=Matter.Priority.HIGH
            )

    add(1)
    few = _queries(client, params)
    add(20)
    assert _queries(client, params) == few
