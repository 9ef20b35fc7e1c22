"""Staff search finds people and references: contacts by name (any case, with or without
diacritics, Cyrillic or its Latin spelling), email and phone in any form; matters by
reference and title; appointments by their short code; invoices by number. Each staff
member finds only what they may see, and the page's query count does not grow."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import services
from portal.models import Contact
from portal.search_keys import fold, search_text
from scheduling.selectors import booking_code
from tests import factories
from tests.billing.helpers import issued
from tests.scheduling.helpers import make_appointment, make_service

pytestmark = pytest.mark.django_db


def _search(client: Any, user: Any, query: str) -> str:
    client.force_login(user)
    response = client.get(reverse("staff:search"), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def _wisniewska(world: Any) -> Contact:
    contact = world.contact_a
    contact.first_name, contact.last_name = "Łucja", "Wiśniewska"
    contact.email = "l.wisniewska@poczta.example"
    contact.phone = "+48601234567"
    contact.save()
    return contact


def test_folding_treats_case_diacritics_and_cyrillic_alike() -> None:
    assert fold("WIŚNIEWSKA") == fold("wisniewska") == "wisniewska"
    assert fold("Łukasz Żółć") == "lukasz zolc"
    assert fold("Ёлкин") == fold("елкин")
    assert "ivanova" in search_text(["Иванова"])
    assert "muller" in search_text(["Müller"])


@pytest.mark.parametrize(
    "query",
    ["Wiśniewska", "wisniewska", "WISNIEWSKA", "wiśniewska łucja", "lucja wisn", "poczta.example"],
)
def test_a_contact_is_found_by_name_in_any_form_and_by_email(
    client: Any, world: Any, query: str
) -> None:
    contact = _wisniewska(world)
    page = _search(client, world.staff_on, query)
    assert reverse("staff:contact-detail", args=[contact.pk]) in page


@pytest.mark.parametrize("query", ["+48 601 234 567", "601-234-567", "601234567", "48601234567"])
def test_a_contact_is_found_by_phone_however_it_is_typed(
    client: Any, world: Any, query: str
) -> None:
    contact = _wisniewska(world)
    page = _search(client, world.staff_on, query)
    assert reverse("staff:contact-detail", args=[contact.pk]) in page


def test_cyrillic_names_are_found_in_cyrillic_any_case_and_in_latin(
    client: Any, world: Any
) -> None:
    contact = world.contact_a
    contact.first_name, contact.last_name = "Анна", "Иванова"
    contact.save()
    url = reverse("staff:contact-detail", args=[contact.pk])
    for query in ("Иванова", "ИВАНОВА", "иванова анна", "Ivanova"):
        assert url in _search(client, world.staff_on, query), query


def test_matters_are_found_by_reference_and_by_title_without_diacritics(
    client: Any, world: Any
) -> None:
    matter = world.matter_a
    matter.reference, matter.title = "2026/014", "Rozwód Kowalskich"
    matter.save()
    url = reverse("staff:matter-detail", args=[matter.pk])
    for query in ("2026/014", "014", "rozwod", "ROZWÓD kowalskich"):
        assert url in _search(client, world.staff_on, query), query
    # the matter list's own filter folds the same way, and finds the client's name too
    _wisniewska(world)
    client.force_login(world.staff_on)
    for query in ("rozwod", "wisniewska"):
        listing = client.get(reverse("staff:matter-list"), {"q": query}).content.decode()
        assert url in listing, query


def test_a_lawyer_finds_only_what_they_may_see(client: Any, world: Any) -> None:
    contact = _wisniewska(world)
    matter = world.matter_a
    matter.title = "Rozwód Wiśniewskiej"
    matter.save()
    # staff_off is not on matter A: neither its client nor the matter is found
    page = _search(client, world.staff_off, "wisniewsk")
    assert reverse("staff:contact-detail", args=[contact.pk]) not in page
    assert reverse("staff:matter-detail", args=[matter.pk]) not in page
    assert "Wiśniewska" not in page
    # a firm admin finds both
    page = _search(client, world.admin, "wisniewsk")
    assert reverse("staff:contact-detail", args=[contact.pk]) in page
    assert reverse("staff:matter-detail", args=[matter.pk]) in page


def test_clients_and_cocounsel_cannot_use_the_staff_search(client: Any, world: Any) -> None:
    _wisniewska(world)
    for user in (world.client_b, world.cocounsel):
        client.force_login(user)
        assert client.get(reverse("staff:search"), {"q": "wisniewska"}).status_code == 404


def test_the_contact_list_filter_folds_too(client: Any, world: Any) -> None:
    contact = _wisniewska(world)
    client.force_login(world.staff_on)
    page = client.get(reverse("staff:contact-list"), {"q": "wisniewska"}).content.decode()
    assert reverse("staff:contact-detail", args=[contact.pk]) in page


def test_an_appointment_is_found_by_its_short_code_and_only_by_those_who_see_it(
    client: Any, world: Any
) -> None:
    service = make_service(staff=[world.staff_on])
    appointment = make_appointment(
        service=service,
        staff=world.staff_on,
        contact=world.contact_a,
        start=timezone.now() + dt.timedelta(days=2),
    )
    code = booking_code(appointment.booking_ref)
    url = reverse("scheduling:staff-appointment", args=[appointment.pk])
    for query in (code, code.lower(), code.replace("-", "")):
        assert url in _search(client, world.staff_on, query), query
    assert url not in _search(client, world.staff_off, code)


def test_an_invoice_is_found_by_its_number(client: Any, world: Any) -> None:
    invoice = issued(actor=world.admin, contact=world.contact_a)
    assert invoice.number
    url = reverse("billing:staff-invoice", args=[invoice.pk])
    assert url in _search(client, world.staff_on, invoice.number)
    assert url not in _search(client, world.staff_off, invoice.number)


def test_the_search_page_makes_the_same_number_of_queries_for_1_or_30_matches(
    client: Any, world: Any
) -> None:
    def count() -> int:
        client.force_login(world.admin)
        client.get(reverse("staff:search"), {"q": "nowak"})  # warm caches (firm, session)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("staff:search"), {"q": "nowak"}).content.decode()
        assert "Nowak" in page
        return len(queries)

    def add(n: int) -> None:
        for i in range(n):
            contact = factories.ContactFactory(first_name=f"Jan{i}", last_name="Nowak")
            factories.make_matter(lawyer=world.staff_on, clients=[contact], title=f"Nowak {i}")

    add(1)
    one = count()
    add(29)
    assert count() == one


def test_a_short_query_says_so(client: Any, world: Any) -> None:
    page = _search(client, world.staff_on, "w")
    assert "Type at least two letters to search." in page


def test_contacts_saved_through_the_service_get_their_key(world: Any) -> None:
    contact = services.contact_create(
        actor=world.admin,
        data={"first_name": "Zofia", "last_name": "Żak", "email": "zofia@example.com"},
        tags=[],
    )
    assert "zak" in Contact.objects.get(pk=contact.pk).search_text
    services.contact_update(
        actor=world.admin, contact=contact, data={"last_name": "Źrebiec"}, tags=[]
    )
    assert "zrebiec" in Contact.objects.get(pk=contact.pk).search_text
