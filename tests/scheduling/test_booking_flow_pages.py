"""The pages of a held booking: "finish your booking", its release, refusals, staff views."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from scheduling import services
from scheduling.models import Appointment
from tests import factories
from tests.scheduling.flow_steps import FORM_STEP, PAY_STEP, registered
from tests.scheduling.helpers import make_service, working_week

pytestmark = pytest.mark.django_db

SLOT_UTC = dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)  # Tuesday 09:00 in Warsaw


@pytest.fixture
def solo(lawyers: list[Any]) -> Any:
    service = make_service(
        staff=[lawyers[0]], slug="solo-call", name="Solo call", minutes=30, hold_minutes=10
    )
    return type(service).objects.prefetch_related("staff", "steps").get(pk=service.pk)


@pytest.fixture
def held(frozen: Any, solo: Any) -> Any:
    with registered(FORM_STEP, PAY_STEP):
        booked = services.appointment_book(
            service=solo,
            start_at=SLOT_UTC,
            booker=services.BookerData(first_name="Ada", last_name="Nowak", email="a@example.com"),
            time_zone="Europe/Warsaw",
        )
        services.booking_step_complete(token=booked[0].manage_token, step_key="test-form")
        yield Appointment.objects.get(pk=booked[0].pk)


def test_the_manage_link_of_a_held_booking_shows_what_is_left_to_finish(
    client: Any, held: Any
) -> None:
    response = client.get(reverse("scheduling:booking-detail", args=[held.manage_token]))

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "Finish your booking" in page
    assert "Solo call" in page and "09:00" in page and "Europe/Warsaw" in page
    assert "Kept for you until 10:10" in page  # 08:10 UTC in Warsaw
    assert 'data-seconds="600"' in page and "10:00" in page
    assert page.count("data-step-done") == 1 and page.count("data-step>") == 1
    assert "Intake" in page and "Pay" in page
    assert f'href="/manage/{held.manage_token}/?step=test-pay" data-continue' in page
    assert reverse("scheduling:booking-release", args=[held.manage_token]) in page
    assert "You are booked" not in page


def test_after_expiry_the_page_says_the_time_was_released_and_links_to_book_again(
    client: Any, held: Any, frozen: Any
) -> None:
    frozen.shift(dt.timedelta(minutes=11))
    # not yet swept: the page already tells the truth
    page = client.get(reverse("scheduling:booking-detail", args=[held.manage_token]))
    assert "The time was released" in page.content.decode()
    services.booking_holds_expire()

    response = client.get(reverse("scheduling:booking-detail", args=[held.manage_token]))

    page = response.content.decode()
    assert "The time was released" in page
    assert "not finished in time" in page
    assert "data-continue" not in page and "data-countdown" not in page
    assert 'href="http://127.0.0.1:8000/book/solo-call/" data-rebook' in page or (
        "/book/solo-call/" in page and "data-rebook" in page
    )


def test_the_booker_releases_the_held_time(client: Any, held: Any) -> None:
    # when
    response = client.post(reverse("scheduling:booking-release", args=[held.manage_token]))

    # then
    assert response.status_code == 302
    assert response["Location"] == f"/manage/{held.manage_token}/"
    assert Appointment.objects.get(pk=held.pk).status == "cancelled"
    page = client.get(response["Location"]).content.decode()
    assert "The time was released" in page and "given back" in page
    assert Notification.objects.count() == 0
    assert AuditEvent.objects.filter(action="appointment.hold_released").count() == 1


def test_release_changes_nothing_on_get(client: Any, held: Any) -> None:
    response = client.get(reverse("scheduling:booking-release", args=[held.manage_token]))
    assert response.status_code == 405
    assert Appointment.objects.get(pk=held.pk).status == "held"


@pytest.mark.parametrize(
    ("name", "words"),
    [("booking-reschedule", "cannot be changed"), ("booking-cancel", "nothing to cancel")],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_rescheduling_or_cancelling_a_held_booking_is_refused_with_a_message(
    client: Any, held: Any, name: str, words: str, method: str
) -> None:
    response = getattr(client, method)(
        reverse(f"scheduling:{name}", args=[held.manage_token]),
        {"start": "2026-06-02T10:00:00+02:00"},
    )
    assert response.status_code == 409
    assert words in response.content.decode()
    assert Appointment.objects.get(pk=held.pk).status == "held"
    assert Appointment.objects.count() == 1


def test_the_finish_page_is_in_the_visitors_language(client: Any, held: Any) -> None:
    response = client.get(
        reverse("scheduling:booking-detail", args=[held.manage_token]),
        HTTP_ACCEPT_LANGUAGE="pl",
    )
    page = response.content.decode()
    assert "Dokończ rezerwację" in page
    assert "Przyjęcie sprawy" in page  # the step's own label, translated by its app


def test_staff_see_held_times_with_their_expiry_and_release_them(
    client: Any, held: Any, lawyers: list[Any]
) -> None:
    client.force_login(lawyers[0])
    page = client.get(
        reverse("scheduling:staff-calendar") + f"?staff={lawyers[0].pk}&date=2026-06-02"
    ).content.decode()
    assert "Held" in page and "until 10:10" in page

    detail = client.get(reverse("scheduling:staff-appointment", args=[held.pk])).content.decode()
    assert "the client is finishing the booking" in detail
    response = client.post(reverse("scheduling:staff-appointment-action", args=[held.pk, "cancel"]))
    assert response.status_code == 302
    assert Appointment.objects.get(pk=held.pk).status == "cancelled"
    assert AuditEvent.objects.filter(action="appointment.hold_released", actor=lawyers[0]).exists()
    assert Notification.objects.count() == 0  # the client was never told it was booked


def test_expired_holds_are_left_out_of_the_staff_day(
    client: Any, held: Any, frozen: Any, lawyers: list[Any]
) -> None:
    frozen.shift(dt.timedelta(minutes=11))
    services.booking_holds_expire()
    client.force_login(lawyers[0])
    page = client.get(
        reverse("scheduling:staff-calendar") + f"?staff={lawyers[0].pk}&date=2026-06-02"
    ).content.decode()
    assert "Nothing booked." in page


def test_the_service_form_sets_hold_minutes_and_consultation(
    client: Any, frozen: Any, solo: Any, lawyers: list[Any]
) -> None:
    admin = factories.AdminFactory(email="boss@firm.example")
    client.force_login(admin)
    page = client.get(reverse("scheduling:staff-service-edit", args=[solo.pk])).content.decode()
    assert 'name="hold_minutes"' in page and 'name="is_consultation"' in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_bookers_of_a_slot_with_a_step_one_holds_it(firm: Any) -> None:
    # given one lawyer, a registered step, and two bookers racing for one time
    lawyer = factories.StaffFactory(time_zone="UTC")
    working_week(lawyer, days=range(7), start=dt.time(0), end=dt.time(23))
    service = make_service(staff=[lawyer], slug="race-held", minutes=30, min_notice_minutes=0)
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    barrier = threading.Barrier(2)
    results: list[str] = []
    lock = threading.Lock()

    def book(i: int) -> None:
        try:
            svc = type(service).objects.prefetch_related("staff", "steps").get(pk=service.pk)
            barrier.wait()
            booked = services.appointment_book(
                service=svc,
                start_at=start,
                time_zone="UTC",
                booker=services.BookerData(first_name="P", last_name=str(i), email=f"r{i}@e.com"),
            )
            outcome = "held" if booked.held else "booked"
        except services.SlotTaken:
            outcome = "taken"
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test below
            outcome = f"error:{exc!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    # when
    with registered(FORM_STEP):
        threads = [threading.Thread(target=book, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)

    # then
    assert sorted(results) == ["held", "taken"], results
    assert list(Appointment.objects.values_list("status", flat=True)) == ["held"]
