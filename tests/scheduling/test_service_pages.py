"""Staff service pages: firm admins create, edit and archive services; /book/ follows."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from scheduling.models import PackageStep, Reminder, Service
from tests import factories
from tests.scheduling.helpers import make_appointment

pytestmark = pytest.mark.django_db


def _form(lawyers: list[Any], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name_en": "Divorce consultation",
        "slug": "divorce-consultation",
        "description_en": "A first talk about your situation.",
        "duration_minutes": 45,
        "price": "200.00",
        "location_kind": "office",
        "location_detail_en": "Main St 1",
        "buffer_before_minutes": 5,
        "buffer_after_minutes": 10,
        "min_notice_minutes": 240,
        "horizon_days": 90,
        "slot_step_minutes": 15,
        "hold_minutes": 10,
        "staff": [lawyers[0].pk],
        "audience": "anyone",
        "cancel_deadline_hours": 24,
        "cancel_fee": "50.00",
        "position": 0,
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "10",
        "steps-0-service": "",
        "steps-0-min_gap_days": "1",
        "steps-1-service": "",
        "steps-1-min_gap_days": "1",
    }
    # The firm of these tests writes in English: a plain text field is its English column.
    translated = {"name", "description", "location_detail"}
    data.update({f"{k}_en" if k in translated else k: v for k, v in overrides.items()})
    return data


@pytest.fixture
def admin(firm: Any) -> Any:
    return factories.AdminFactory(email="boss@firm.example")


def test_admin_creates_a_service_that_the_public_booking_page_lists(
    client, frozen, admin, lawyers
) -> None:
    # given
    client.force_login(admin)

    # when
    response = client.post(reverse("scheduling:staff-service-new"), _form(lawyers))

    # then
    assert response.status_code == 302
    service = Service.objects.get(slug="divorce-consultation")
    assert service.duration_minutes == 45
    assert service.price == Decimal("200.00")
    assert service.cancel_fee == Decimal("50.00")
    assert list(service.staff.all()) == [lawyers[0]]
    assert service.is_active
    assert AuditEvent.objects.filter(
        action="service.created", actor=admin, object_id=str(service.pk)
    ).exists()
    client.logout()
    page = client.get(reverse("scheduling:book"))
    assert b"Divorce consultation" in page.content
    assert (
        client.get(reverse("scheduling:book-service", kwargs={"slug": service.slug})).status_code
        == 200
    )


def test_admin_edits_a_service_and_the_change_is_audited(
    client, frozen, admin, intro, lawyers
) -> None:
    # given
    client.force_login(admin)
    url = reverse("scheduling:staff-service-edit", kwargs={"service_id": intro.pk})
    assert client.get(url).status_code == 200

    # when
    response = client.post(
        url,
        _form(
            lawyers,
            name="Intro call (longer)",
            slug=intro.slug,
            duration_minutes=30,
            price="0",
            cancel_fee="0",
            staff=[lawyers[1].pk],
        ),
    )

    # then
    assert response.status_code == 302
    intro.refresh_from_db()
    assert intro.name == "Intro call (longer)"
    assert intro.duration_minutes == 30
    assert list(intro.staff.all()) == [lawyers[1]]
    event = AuditEvent.objects.get(action="service.updated")
    assert "duration_minutes" in event.data["changed"]
    assert "staff" in event.data["changed"]


def test_admin_builds_a_package_from_existing_services(
    client, frozen, admin, intro, lawyers
) -> None:
    # given
    client.force_login(admin)

    # when
    response = client.post(
        reverse("scheduling:staff-service-new"),
        _form(
            lawyers,
            name="Two meetings",
            slug="two-meetings",
            price="0",
            cancel_fee="0",
            **{
                "steps-0-service": str(intro.pk),
                "steps-0-min_gap_days": "7",
                "steps-1-service": str(intro.pk),
                "steps-1-min_gap_days": "3",
            },
        ),
    )

    # then
    assert response.status_code == 302
    package = Service.objects.get(slug="two-meetings")
    assert [(s.service_id, s.min_gap_days, s.position) for s in package.steps.all()] == [
        (intro.pk, 7, 0),
        (intro.pk, 3, 1),
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration_minutes", 4),
        ("duration_minutes", 481),
        ("buffer_before_minutes", 241),
        ("buffer_after_minutes", -1),
        ("min_notice_minutes", 30 * 24 * 60 + 1),
        ("horizon_days", 0),
        ("horizon_days", 366),
        ("slot_step_minutes", 4),
        ("slot_step_minutes", 241),
        ("hold_minutes", 4),
        ("hold_minutes", 31),
        ("price", "-1"),
        ("cancel_fee", "200.01"),
        ("staff", []),
        ("slug", "not a slug!"),
        ("slug", "intro-call"),
        ("name_en", "<b>Bold</b>"),
        ("description_en", "<script>alert(1)</script>"),
        ("name_en", ""),
    ],
)
def test_bad_input_shows_an_error_and_stores_nothing(
    client, frozen, admin, intro, lawyers, field, value
) -> None:
    # given
    client.force_login(admin)
    before = AuditEvent.objects.count()

    # when
    response = client.post(
        reverse("scheduling:staff-service-new"), _form(lawyers, **{field: value})
    )

    # then
    assert response.status_code == 400
    assert b"Nothing was saved" in response.content
    assert Service.objects.count() == 1  # only the intro fixture
    assert AuditEvent.objects.count() == before


def test_bad_edit_leaves_the_service_unchanged(client, frozen, admin, intro, lawyers) -> None:
    # given
    client.force_login(admin)
    url = reverse("scheduling:staff-service-edit", kwargs={"service_id": intro.pk})

    # when
    response = client.post(
        url, _form(lawyers, slug=intro.slug, duration_minutes=1000, name="Changed")
    )

    # then
    assert response.status_code == 400
    intro.refresh_from_db()
    assert intro.name == "Intro call"
    assert intro.duration_minutes == 15
    assert not AuditEvent.objects.filter(action="service.updated").exists()


def test_a_package_cannot_contain_itself_or_another_package(
    client, frozen, admin, intro, lawyers
) -> None:
    # given
    client.force_login(admin)
    package = Service.objects.create(slug="pkg", name="Package", duration_minutes=15)
    package.staff.set(lawyers)
    PackageStep.objects.create(package=package, service=intro)
    url = reverse("scheduling:staff-service-edit", kwargs={"service_id": package.pk})

    # when
    self_step = client.post(
        url,
        _form(
            lawyers,
            name="Package",
            slug="pkg",
            price="0",
            cancel_fee="0",
            **{"steps-0-service": str(package.pk)},
        ),
    )

    # then
    assert self_step.status_code == 400
    assert list(package.steps.values_list("service_id", flat=True)) == [intro.pk]


def test_archiving_keeps_the_service_but_takes_it_off_the_booking_page(
    client, frozen, admin, intro, world
) -> None:
    # given
    make_appointment(
        service=intro,
        staff=intro.staff.first(),
        contact=world.contact_a,
        start=dt.datetime(2026, 6, 3, 8, tzinfo=dt.UTC),
    )
    client.force_login(admin)

    # when
    response = client.post(
        reverse("scheduling:staff-service-archive", kwargs={"service_id": intro.pk})
    )

    # then
    assert response.status_code == 302
    intro.refresh_from_db()
    assert not intro.is_active
    assert intro.appointments.count() == 1
    event = AuditEvent.objects.get(action="service.archived")
    assert event.data["upcoming_kept"] == 1
    client.logout()
    assert b"Intro call" not in client.get(reverse("scheduling:book")).content
    assert (
        client.get(reverse("scheduling:book-service", kwargs={"slug": intro.slug})).status_code
        == 404
    )


def test_an_archived_service_can_be_made_bookable_again(client, frozen, admin, intro) -> None:
    # given
    client.force_login(admin)
    url = reverse("scheduling:staff-service-archive", kwargs={"service_id": intro.pk})
    client.post(url)

    # when
    client.post(url, {"restore": "1"})

    # then
    intro.refresh_from_db()
    assert intro.is_active
    assert AuditEvent.objects.filter(action="service.restored").exists()


def test_a_step_of_a_bookable_package_cannot_be_archived(
    client, frozen, admin, intro, lawyers
) -> None:
    # given
    package = Service.objects.create(slug="pkg", name="Package", duration_minutes=15)
    PackageStep.objects.create(package=package, service=intro)
    client.force_login(admin)

    # when
    response = client.post(
        reverse("scheduling:staff-service-archive", kwargs={"service_id": intro.pk}), follow=True
    )

    # then
    intro.refresh_from_db()
    assert intro.is_active
    assert b"is a step of" in response.content


def test_staff_see_the_list_but_only_admins_may_change(
    client, frozen, admin, intro, lawyers
) -> None:
    # given
    client.force_login(lawyers[0])

    # when
    page = client.get(reverse("scheduling:staff-services"))
    new = client.get(reverse("scheduling:staff-service-new"))
    archive = client.post(
        reverse("scheduling:staff-service-archive", kwargs={"service_id": intro.pk})
    )

    # then
    assert page.status_code == 200
    assert b"Intro call" in page.content
    assert reverse("scheduling:staff-service-new").encode() not in page.content
    assert new.status_code == 404
    assert archive.status_code == 404
    intro.refresh_from_db()
    assert intro.is_active


def test_admin_ticks_reminder_times_and_the_next_booking_gets_those_reminders(
    client, frozen, admin, intro, lawyers
) -> None:
    # given: the form offers the common times, none ticked (the firm's usual)
    client.force_login(admin)
    url = reverse("scheduling:staff-service-edit", kwargs={"service_id": intro.pk})
    page = client.get(url).content.decode()
    assert "1 week before" in page and "4 hours before" in page

    # when: the admin ticks 1 week and 4 hours before
    response = client.post(
        url,
        _form(
            lawyers,
            name=intro.name,
            slug=intro.slug,
            duration_minutes=15,
            buffer_before_minutes=0,
            buffer_after_minutes=5,
            min_notice_minutes=60,
            staff=[lawyer.pk for lawyer in lawyers],
            reminder_offsets=["240", str(7 * 24 * 60)],
        ),
    )

    # then: stored in minutes, latest first; the list shows them; a booking uses them
    assert response.status_code == 302
    intro.refresh_from_db()
    assert intro.reminder_offsets == [7 * 24 * 60, 240]
    listing = client.get(reverse("scheduling:staff-services")).content.decode()
    assert "1 week before, 4 hours before" in listing
    assert "checked" in client.get(url).content.decode().split('value="240"')[1][:40]
    client.logout()
    booked = client.post(
        reverse("scheduling:api-bookings"),
        data=json.dumps(
            {
                "service": intro.slug,
                "start": "2026-06-16T09:00:00+02:00",
                "first_name": "Ada",
                "last_name": "Nowak",
                "email": "ada@example.com",
                "time_zone": "Europe/Warsaw",
            }
        ),
        content_type="application/json",
    )
    assert booked.status_code == 201, booked.content
    rows = Reminder.objects.filter(appointment_id=booked.json()["reference"])
    assert {(r.kind, r.offset_minutes, r.state) for r in rows} == {
        ("168h", 7 * 24 * 60, "scheduled"),
        ("4h", 240, "scheduled"),
    }
    start = dt.datetime(2026, 6, 16, 7, 0, tzinfo=dt.UTC)
    assert {r.due_at for r in rows} == {start - dt.timedelta(days=7), start - dt.timedelta(hours=4)}


def test_no_reminder_ticked_keeps_the_firms_usual_reminders(
    client, frozen, admin, intro, lawyers, settings
) -> None:
    # given
    settings.NOTIFICATIONS_REMINDER_OFFSETS = [24 * 60, 2 * 60]
    intro.reminder_offsets = [60]
    intro.save(update_fields=["reminder_offsets"])
    client.force_login(admin)
    url = reverse("scheduling:staff-service-edit", kwargs={"service_id": intro.pk})

    # when
    response = client.post(url, _form(lawyers, name=intro.name, slug=intro.slug))

    # then
    assert response.status_code == 302
    intro.refresh_from_db()
    assert intro.reminder_offsets == []
    listing = client.get(reverse("scheduling:staff-services")).content.decode()
    assert "24 hours before, 2 hours before (the firm's usual)" in listing


@pytest.mark.parametrize(
    "tampered",
    [["61"], ["abc"], ["60", "60"], ["-60"], [str(10**30)]],
    ids=["unlisted", "not-a-number", "duplicate", "negative", "huge"],
)
def test_tampered_reminder_times_are_a_form_error_and_nothing_changes(
    client, frozen, admin, intro, lawyers, tampered
) -> None:
    # given
    intro.reminder_offsets = [2880]
    intro.save(update_fields=["reminder_offsets"])
    client.force_login(admin)
    url = reverse("scheduling:staff-service-edit", kwargs={"service_id": intro.pk})

    # when
    response = client.post(
        url, _form(lawyers, name="Changed", slug=intro.slug, reminder_offsets=tampered)
    )

    # then
    assert response.status_code == 400
    assert response.context["form"].errors["reminder_offsets"]
    intro.refresh_from_db()
    assert (intro.name, intro.reminder_offsets) == ("Intro call", [2880])
    assert not AuditEvent.objects.filter(action="service.updated").exists()


def test_a_reminder_time_set_before_the_form_existed_stays_ticked(
    client, frozen, admin, intro, lawyers
) -> None:
    # given: 90 minutes is not one of the listed times
    intro.reminder_offsets = [1440, 90]
    intro.save(update_fields=["reminder_offsets"])
    client.force_login(admin)
    url = reverse("scheduling:staff-service-edit", kwargs={"service_id": intro.pk})

    # when
    page = client.get(url).content.decode()
    response = client.post(
        url, _form(lawyers, name=intro.name, slug=intro.slug, reminder_offsets=["1440", "90"])
    )

    # then
    assert "90 min before" in page
    assert "checked" in page.split('value="90"')[1][:40]
    assert response.status_code == 302
    intro.refresh_from_db()
    assert intro.reminder_offsets == [1440, 90]


def test_admin_chooses_no_reminders_and_a_booking_gets_a_confirmation_but_no_reminder(
    client, frozen, admin, intro, lawyers, settings
) -> None:
    # given: the firm sends reminders by default
    settings.NOTIFICATIONS_REMINDER_OFFSETS = [24 * 60, 2 * 60]
    client.force_login(admin)
    url = reverse("scheduling:staff-service-edit", kwargs={"service_id": intro.pk})
    fields = {
        "name_en": intro.name,
        "slug": intro.slug,
        "duration_minutes": 15,
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 5,
        "min_notice_minutes": 60,
        "staff": [lawyer.pk for lawyer in lawyers],
    }

    # when: times and "no reminders" together are refused; "no reminders" alone is saved
    both = client.post(url, _form(lawyers, **fields, reminder_offsets=["60"], reminders_off="on"))
    saved = client.post(url, _form(lawyers, **fields, reminders_off="on"))

    # then
    assert both.status_code == 400
    assert both.context["form"].errors["reminders_off"]
    assert saved.status_code == 302
    intro.refresh_from_db()
    assert intro.reminders_off and intro.reminder_offsets == []
    listing = client.get(reverse("scheduling:staff-services")).content.decode()
    assert "Reminders: none" in listing
    client.logout()
    booked = client.post(
        reverse("scheduling:api-bookings"),
        data=json.dumps(
            {
                "service": intro.slug,
                "start": "2026-06-16T09:00:00+02:00",
                "first_name": "Ada",
                "last_name": "Nowak",
                "email": "ada@example.com",
                "time_zone": "Europe/Warsaw",
            }
        ),
        content_type="application/json",
    )
    assert booked.status_code == 201, booked.content
    assert not Reminder.objects.filter(appointment_id=booked.json()["reference"]).exists()
    assert Notification.objects.filter(event="booked").count() == 1


def test_admin_makes_a_service_paid_when_booking_and_bad_rules_are_refused(
    client, frozen, admin, lawyers
) -> None:
    client.force_login(admin)
    url = reverse("scheduling:staff-service-new")
    # a deposit above the price, and a free service asking for payment: errors, nothing stored
    bad = client.post(url, _form(lawyers, payment_rule="DEPOSIT", deposit_amount="250.00"))
    assert bad.status_code == 400 and b"less than the price" in bad.content
    free = client.post(
        url, _form(lawyers, price="0", cancel_fee="0", payment_rule="FULL_AT_BOOKING")
    )
    assert free.status_code == 400 and b"nothing to pay when booking" in free.content
    assert not Service.objects.exists()
    page = client.get(url).content.decode()
    assert 'name="payment_rule"' in page and 'name="deposit_amount"' in page
    # a deposit of 80 on the 200 consultation
    response = client.post(url, _form(lawyers, payment_rule="DEPOSIT", deposit_amount="80.00"))
    assert response.status_code == 302
    service = Service.objects.get()
    assert service.payment_rule == "DEPOSIT" and service.deposit_amount == Decimal("80.00")
    assert service.amount_at_booking == Decimal("80.00")
