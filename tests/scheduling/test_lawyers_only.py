"""Issue 11: a service promising "the lawyer who will handle your matter" is lawyers only.

A paralegal is never offered on the booking page or the slots API, and can never be
booked for it, neither chosen nor as "anyone", through the page or /api/bookings/.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse

from core.errors import ServiceError
from portal.models import User
from scheduling import services
from scheduling.models import Appointment, Service
from tests import factories
from tests.scheduling.helpers import make_service, working_week

pytestmark = pytest.mark.django_db

SLOT = "2026-06-02T09:00:00+02:00"


@pytest.fixture
def team(lawyers: list[Any]) -> dict[str, Any]:
    lawyer = lawyers[0]
    lawyer.staff_title = User.StaffTitle.LAWYER
    lawyer.save(update_fields=["staff_title"])
    paralegal = factories.StaffFactory(
        email="paralegal@firm.example",
        first_name="Pat",
        last_name="Paralegal",
        staff_title=User.StaffTitle.PARALEGAL,
        time_zone="Europe/Warsaw",
    )
    working_week(paralegal)
    # Offered by both (as when a lawyer later becomes a paralegal): the rule still holds.
    service = make_service(
        staff=[lawyer, paralegal], slug="consultation", minutes=45, lawyers_only=True
    )
    return {"lawyer": lawyer, "paralegal": paralegal, "service": service}


def _book(client: Any, **overrides: Any) -> Any:
    data = {
        "service": "consultation",
        "start": SLOT,
        "first_name": "Ada",
        "last_name": "Nowak",
        "email": "ada@example.com",
        "time_zone": "Europe/Warsaw",
        **overrides,
    }
    return client.post(
        reverse("scheduling:api-bookings"), data=json.dumps(data), content_type="application/json"
    )


def test_the_booking_page_and_the_slots_api_offer_no_paralegal(client, frozen, team) -> None:
    body = client.get("/book/consultation/", {"tz": "Europe/Warsaw"}).content.decode()
    assert "Pat Paralegal" not in body
    assert team["lawyer"].get_full_name() in body
    answer = client.get(
        "/api/slots/",
        {"service": "consultation", "start": "2026-06-02", "end": "2026-06-03", "tz": "UTC"},
    ).json()
    assert [p["id"] for p in answer["staff"]] == [team["lawyer"].pk]
    assert all(slot["staff"] == [team["lawyer"].pk] for slot in answer["slots"])


def test_a_paralegal_is_never_bookable_for_it(client, frozen, team) -> None:
    # chosen by id through the API: refused, nothing stored
    refused = _book(client, staff=team["paralegal"].pk)
    assert refused.status_code == 400
    assert not Appointment.objects.exists()
    # chosen on the page: the choice is not honoured
    page = client.get(
        "/book/consultation/", {"tz": "Europe/Warsaw", "staff": team["paralegal"].pk}
    ).content.decode()
    assert "Pat Paralegal" not in page
    # "anyone": the lawyer takes it; once the lawyer is busy, the paralegal is still not used
    assert _book(client).status_code == 201
    assert Appointment.objects.get().staff == team["lawyer"]
    taken = _book(client, email="bob@example.com")
    assert taken.status_code == 409
    assert Appointment.objects.count() == 1
    assert not Appointment.objects.filter(staff=team["paralegal"]).exists()


def test_the_same_service_without_the_setting_offers_the_paralegal(client, frozen, team) -> None:
    Service.objects.filter(pk=team["service"].pk).update(lawyers_only=False)
    assert _book(client, staff=team["paralegal"].pk).status_code == 201


def test_a_firm_admin_cannot_make_a_paralegal_offer_a_lawyers_only_service(
    frozen, team, world
) -> None:
    with pytest.raises(ServiceError):
        services.service_create(
            fields={
                "slug": "lawyer-call",
                "name": "Lawyer call",
                "duration_minutes": 30,
                "lawyers_only": True,
            },
            staff=[team["lawyer"], team["paralegal"]],
            actor=world.admin,
        )
    assert not Service.objects.filter(slug="lawyer-call").exists()
    made = services.service_create(
        fields={
            "slug": "lawyer-call",
            "name": "Lawyer call",
            "duration_minutes": 30,
            "lawyers_only": True,
        },
        staff=[team["lawyer"]],
        actor=world.admin,
    )
    assert made.lawyers_only


def test_the_staff_service_form_has_the_setting(frozen, team) -> None:
    from scheduling.forms import ServiceForm

    assert "lawyers_only" in ServiceForm().fields


def test_the_demo_consultation_promising_the_lawyer_is_lawyers_only(db) -> None:
    from scheduling import demo

    paralegal = factories.StaffFactory(staff_title=User.StaffTitle.PARALEGAL)
    lawyer = factories.StaffFactory(staff_title=User.StaffTitle.LAWYER)
    demo.seed(staff=[lawyer, paralegal], clients=[], now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    consultation = Service.objects.get(slug="initial-consultation")
    assert "the lawyer who will handle your matter" in consultation.description_en
    assert consultation.lawyers_only
    assert consultation.offering_staff() == [lawyer]
    assert not Service.objects.get(slug="introductory-call").lawyers_only
