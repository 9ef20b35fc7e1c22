"""No double booking, ever: 50 threads with their own connections race for one slot."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from portal.models import Contact
from scheduling import services
from scheduling.models import Appointment
from tests import factories
from tests.scheduling.helpers import make_appointment, make_service, working_week

N = 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_bookings_of_one_slot_exactly_one_wins(firm: Any) -> None:
    # given: one lawyer, one free slot tomorrow
    lawyer = factories.StaffFactory(time_zone="UTC")
    working_week(lawyer, days=range(7), start=dt.time(0), end=dt.time(23))
    service = make_service(staff=[lawyer], slug="race", minutes=30, min_notice_minutes=0)
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    barrier = threading.Barrier(N)
    results: list[str] = []
    lock = threading.Lock()

    def book(i: int) -> None:
        try:
            svc = type(service).objects.prefetch_related("staff", "steps").get(pk=service.pk)
            barrier.wait()
            services.appointment_book(
                service=svc,
                start_at=start,
                time_zone="UTC",
                booker=services.BookerData(
                    first_name="P", last_name=str(i), email=f"p{i}@example.com"
                ),
            )
            outcome = "ok"
        except services.SlotTaken as exc:
            outcome = "taken" if "just taken" in str(exc) else f"other:{exc}"
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test below
            outcome = f"error:{exc!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    # when
    threads = [threading.Thread(target=book, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # then
    assert sorted(set(results)) == ["ok", "taken"], results
    assert results.count("ok") == 1
    assert results.count("taken") == N - 1
    assert Appointment.objects.filter(status="booked").count() == 1
    assert Contact.objects.filter(email__startswith="p").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_refuses_overlap_even_when_code_is_bypassed(firm: Any) -> None:
    lawyer = factories.StaffFactory(time_zone="UTC")
    service = make_service(staff=[lawyer], slug="raw", minutes=30, buffer_after_minutes=10)
    contact = Contact.objects.create(first_name="A", last_name="B", email="a@example.com")
    start = dt.datetime(2030, 1, 7, 10, tzinfo=dt.UTC)
    make_appointment(service=service, staff=lawyer, contact=contact, start=start)
    # the buffer (10:30-10:40) is part of the blocked range
    with pytest.raises(IntegrityError), transaction.atomic():
        make_appointment(
            service=service, staff=lawyer, contact=contact, start=start + dt.timedelta(minutes=35)
        )
    # a cancelled appointment does not block
    Appointment.objects.update(status="cancelled")
    make_appointment(
        service=service, staff=lawyer, contact=contact, start=start + dt.timedelta(minutes=35)
    )
