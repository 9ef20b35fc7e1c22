"""A staff contact page lists the person's appointments, matters, invitations and invoices
(issue 12, item 5). Appointments and invoices come from scheduling and billing through
portal.contact_sections, each through its own access policy, and the page's query count
stays the same for one and for many of them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import contact_sections, services
from scheduling.models import Appointment
from tests import factories
from tests.billing.helpers import draft, issued
from tests.budget import CONTACT_PAGE_QUERIES, assert_page_budget
from tests.scheduling.helpers import make_appointment, make_service

pytestmark = pytest.mark.django_db


def _page(client: Any, contact: Any) -> str:
    response = client.get(reverse("staff:contact-detail", args=[contact.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _appointments(world: Any, contact: Any, count: int, *, staff: Any = None, **extra: Any) -> list:
    service = make_service(staff=[staff or world.staff_on], slug=f"s-{Appointment.objects.count()}")
    # Later than every appointment so far: one staff member's times never overlap
    # (PostgreSQL's exclusion constraint).
    start = timezone.now().replace(microsecond=0) + dt.timedelta(
        days=2, hours=Appointment.objects.count()
    )
    return [
        make_appointment(
            service=service,
            staff=staff or world.staff_on,
            contact=contact,
            start=start + dt.timedelta(hours=i),
            **extra,
        )
        for i in range(count)
    ]


def test_the_page_lists_appointments_matters_invitations_and_invoices(
    client: Any, world: Any
) -> None:
    # given client A with an appointment, an invoice and an invitation
    (appointment,) = _appointments(world, world.contact_a, 1)
    invoice = issued(actor=world.admin, contact=world.contact_a)
    services.client_invite(actor=world.staff_on, contact=world.contact_a)
    client.force_login(world.staff_on)

    page = _page(client, world.contact_a)

    assert reverse("scheduling:staff-appointment", args=[appointment.pk]) in page
    assert "Intro call" in page
    assert reverse("billing:staff-invoice", args=[invoice.pk]) in page
    assert invoice.number in page
    assert reverse("staff:matter-detail", args=[world.matter_a.pk]) in page
    assert "Invitation" in page
    assert 'data-section="appointments"' in page
    assert 'data-section="invoices"' in page


def test_empty_sections_say_so(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)
    page = _page(client, world.contact_a)
    assert "No appointments." in page
    assert "No invoices." in page


def test_each_section_answers_through_its_own_access_policy(client: Any, world: Any) -> None:
    # given a new inquiry (on no matter: every staff member may open the contact) who has
    # an appointment with staff_off and one with staff_on
    inquiry = factories.ContactFactory(last_name="Inquirer")
    (theirs,) = _appointments(world, inquiry, 1, staff=world.staff_off)
    (mine,) = _appointments(world, inquiry, 1)
    client.force_login(world.staff_on)

    page = _page(client, inquiry)

    # staff_on sees their own appointment, not staff_off's (scheduling's policy)
    assert reverse("scheduling:staff-appointment", args=[mine.pk]) in page
    assert reverse("scheduling:staff-appointment", args=[theirs.pk]) not in page


def test_discarded_drafts_expired_holds_and_replaced_times_are_left_out(
    client: Any, world: Any
) -> None:
    from billing import services as billing_services

    kept = draft(actor=world.admin, contact=world.contact_a)
    dropped = draft(actor=world.admin, contact=world.contact_a)
    billing_services.invoice_discard(actor=world.admin, invoice_id=dropped.pk)
    (expired,) = _appointments(world, world.contact_a, 1, status=Appointment.Status.EXPIRED)
    client.force_login(world.admin)

    page = _page(client, world.contact_a)

    assert reverse("billing:staff-invoice", args=[kept.pk]) in page
    assert reverse("billing:staff-invoice", args=[dropped.pk]) not in page
    assert reverse("scheduling:staff-appointment", args=[expired.pk]) not in page


def test_a_long_history_shows_the_latest_and_links_to_all(client: Any, world: Any) -> None:
    _appointments(world, world.contact_a, contact_sections.LIMIT + 3)
    for _ in range(contact_sections.LIMIT + 1):
        draft(actor=world.admin, contact=world.contact_a)
    client.force_login(world.admin)

    page = _page(client, world.contact_a)

    appointments = page.split('data-section="appointments"')[1].split("</section>")[0]
    assert appointments.count("/staff/appointments/") == contact_sections.LIMIT
    assert "Only the latest are listed here." in appointments
    invoices = page.split('data-section="invoices"')[1].split("</section>")[0]
    assert reverse("billing:staff-contact-billing", args=[world.contact_a.pk]) in invoices


def _queries(client: Any, contact: Any) -> int:
    url = reverse("staff:contact-detail", args=[contact.pk])
    client.get(url)  # warm the per-process caches first
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert_page_budget(ctx.captured_queries, limit=CONTACT_PAGE_QUERIES)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("viewer", ["staff_on", "admin"])
def test_the_contact_page_is_flat_for_one_and_many_appointments_and_invoices(
    client: Any, world: Any, viewer: str
) -> None:
    client.force_login(getattr(world, viewer))
    _appointments(world, world.contact_a, 1)
    issued(actor=world.admin, contact=world.contact_a)
    few = _queries(client, world.contact_a)

    _appointments(world, world.contact_a, 25)
    for _ in range(12):
        draft(actor=world.admin, contact=world.contact_a)
    services.client_invite(actor=world.staff_on, contact=world.contact_a)
    factories.make_matter(lawyer=world.staff_on, clients=[world.contact_a], title="Second")

    assert _queries(client, world.contact_a) == few
    # appointments, invoices and contacts outside the portal (insights)
    assert len(contact_sections.sections(user=world.admin, contact=world.contact_a)) == 3
