"""Client tasks "Pay" and "Book an appointment" link to the invoice and the booking page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import services
from tests.billing.helpers import issued

pytestmark = pytest.mark.django_db


def _task(world: Any, kind: str, title: str) -> Any:
    return services.client_task_create(
        actor=world.staff_on,
        matter=world.matter_a,
        kind=kind,
        title=title,
        due_date=timezone.localdate() + dt.timedelta(days=7),
    )


def test_pay_task_opens_the_matters_unpaid_invoice_and_book_task_the_booking_page(
    client: Any, world: Any
) -> None:
    # given
    invoice = issued(actor=world.admin, contact=world.contact_a, matter_id=world.matter_a.pk)
    _task(world, "pay", "Pay the retainer")
    _task(world, "book", "Book the hearing prep")
    client.force_login(world.client_a)

    # when
    home = client.get(reverse("portal:home")).content.decode()
    tasks = client.get(reverse("portal:task-list", args=[world.matter_a.pk])).content.decode()

    # then
    invoice_url = reverse("billing:portal-invoice", kwargs={"invoice_id": invoice.pk})
    for page in (home, tasks):
        assert f'href="{invoice_url}"' in page
        assert f'href="{reverse("scheduling:book")}"' in page


def test_pay_task_without_an_unpaid_invoice_opens_the_invoice_list(client: Any, world: Any) -> None:
    # given: the only invoice belongs to another client
    issued(actor=world.admin, contact=world.contact_b)
    _task(world, "pay", "Pay the court fee")
    client.force_login(world.client_a)

    page = client.get(reverse("portal:task-list", args=[world.matter_a.pk])).content.decode()

    assert f'href="{reverse("billing:portal-invoices")}"' in page
