"""The one staff access policy outside matter pages (regressions of the leaks it closed).

Staff see the contacts, appointments and audit rows of the matters they are on, contacts
on no matter yet (new inquiries) and their own appointments; firm admins see everything;
only firm admins change the texts clients receive, the services and the firm settings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from notifications.models import NotificationTemplate
from portal.models import Contact
from scheduling.models import Appointment
from tests import factories
from tests.scheduling.helpers import make_appointment, make_service, working_week

pytestmark = pytest.mark.django_db

SECRET_SURNAME = "Vrzbelquist"


def _appointment(world: Any, *, staff: Any, matter: Any) -> Appointment:
    world.contact_b.last_name = SECRET_SURNAME
    world.contact_b.save(update_fields=["last_name"])
    service = make_service(staff=[staff], slug="policy-call", name="Policy call")
    working_week(staff)
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3)
    return make_appointment(
        service=service, staff=staff, contact=world.contact_b, start=start, matter=matter
    )


def test_staff_off_the_matter_get_404_on_its_appointment_and_its_reminders(
    client: Any, world: Any
) -> None:
    # given: matter B's appointment, with matter B's lawyer
    appointment = _appointment(world, staff=world.staff_off, matter=world.matter_b)
    client.force_login(world.staff_on)

    # when / then: both staff pages of it answer alike, and show nothing of it
    for name in ("scheduling:staff-appointment", "scheduling:appointment-reminders"):
        response = client.get(reverse(name, kwargs={"appointment_id": appointment.pk}))
        assert response.status_code == 404, name
        assert SECRET_SURNAME.encode() not in response.content


def test_staff_off_the_matter_cannot_cancel_reschedule_or_mark_its_appointment(
    client: Any, world: Any
) -> None:
    appointment = _appointment(world, staff=world.staff_off, matter=world.matter_b)
    client.force_login(world.staff_on)

    for action, data in (
        ("cancel", {}),
        ("attended", {}),
        ("reschedule", {"start": "2099-01-05T10:00"}),
    ):
        url = reverse(
            "scheduling:staff-appointment-action",
            kwargs={"appointment_id": appointment.pk, "action": action},
        )
        assert client.post(url, data).status_code == 404, action

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    assert Appointment.objects.count() == 1


def test_staff_see_their_own_appointment_even_on_a_matter_they_are_not_on(
    client: Any, world: Any
) -> None:
    appointment = _appointment(world, staff=world.staff_on, matter=world.matter_b)
    client.force_login(world.staff_on)

    response = client.get(
        reverse("scheduling:staff-appointment", kwargs={"appointment_id": appointment.pk})
    )

    assert response.status_code == 200
    assert SECRET_SURNAME.encode() in response.content


def test_a_colleagues_appointment_on_another_matter_is_only_busy_in_the_calendar(
    client: Any, world: Any
) -> None:
    appointment = _appointment(world, staff=world.staff_off, matter=world.matter_b)
    day = appointment.start_at.astimezone(dt.UTC).date().isoformat()
    client.force_login(world.staff_on)

    page = client.get(
        reverse("scheduling:staff-calendar"),
        {"staff": world.staff_off.pk, "date": day, "view": "week"},
    )

    assert page.status_code == 200
    assert SECRET_SURNAME.encode() not in page.content
    assert b"Policy call" not in page.content
    assert b"Busy (not on your matters)" in page.content
    client.force_login(world.staff_off)
    own = client.get(
        reverse("scheduling:staff-calendar"),
        {"staff": world.staff_off.pk, "date": day, "view": "week"},
    )
    assert SECRET_SURNAME.encode() in own.content


def test_staff_booking_form_lists_only_the_matters_and_clients_the_user_may_open(
    client: Any, world: Any
) -> None:
    # given (a surname no other generated contact can share by chance)
    world.contact_b.last_name = "Zyxwvonkel"
    world.contact_b.save(update_fields=["last_name"])
    service = make_service(staff=[world.staff_on], slug="form-call", name="Form call")
    working_week(world.staff_on)
    client.force_login(world.staff_on)

    # when
    page = client.get(reverse("scheduling:staff-book")).content.decode()

    # then: matter A and its client are offered; matter B and its client are not
    assert world.matter_a.reference in page
    assert world.matter_b.reference not in page and world.matter_b.title not in page
    assert world.contact_b.email not in page and world.contact_b.last_name not in page

    # and a forged choice of matter B's client or matter books nothing
    response = client.post(
        reverse("scheduling:staff-book"),
        {
            "service": service.pk,
            "staff": world.staff_on.pk,
            "contact": world.contact_b.pk,
            "matter": world.matter_b.pk,
            "start": "2099-01-05T10:00",
            "repeat_monthly": 1,
        },
    )
    assert response.status_code == 400
    assert not Appointment.objects.exists()


def test_lawyer_off_a_matter_cannot_read_or_edit_its_clients_contact(
    client: Any, world: Any
) -> None:
    client.force_login(world.staff_on)
    detail = reverse("staff:contact-detail", kwargs={"contact_id": world.contact_b.pk})
    edit = reverse("staff:contact-edit", kwargs={"contact_id": world.contact_b.pk})

    assert client.get(detail).status_code == 404
    assert client.get(edit).status_code == 404
    response = client.post(
        edit,
        {
            "kind": "client",
            "first_name": "Changed",
            "last_name": "By staff_on",
            "language": "en",
            "time_zone": "Europe/Warsaw",
            "preferred_channel": "email",
        },
    )
    assert response.status_code == 404
    world.contact_b.refresh_from_db()
    assert world.contact_b.first_name != "Changed"
    listing = client.get(reverse("staff:contact-list")).content.decode()
    assert world.contact_b.email not in listing
    assert world.contact_a.email in listing


def test_new_inquiries_are_open_to_every_staff_member_and_admins_see_every_contact(
    client: Any, world: Any
) -> None:
    inquiry = factories.ContactFactory(kind=Contact.Kind.PROSPECT, email="new@inquiry.example")
    client.force_login(world.staff_on)
    assert (
        client.get(reverse("staff:contact-detail", kwargs={"contact_id": inquiry.pk})).status_code
        == 200
    )
    client.force_login(world.admin)
    listing = client.get(reverse("staff:contact-list")).content.decode()
    for contact in (inquiry, world.contact_a, world.contact_b):
        assert contact.email in listing


def test_only_firm_admins_change_the_texts_clients_receive(client: Any, world: Any) -> None:
    url = reverse(
        "notifications:template-edit",
        kwargs={"event": "reminder", "channel": "sms", "language": "en"},
    )
    data = {"body": "{firm}: see you {when}. {link}", "action": "save"}

    client.force_login(world.staff_on)
    assert client.post(data=data, path=url).status_code == 404
    assert not NotificationTemplate.objects.exists()
    reset = reverse(
        "notifications:template-reset",
        kwargs={"event": "reminder", "channel": "sms", "language": "en"},
    )
    assert client.post(reset).status_code == 404

    client.force_login(world.admin)
    assert client.post(url, data).status_code == 302
    assert NotificationTemplate.objects.get().body == data["body"]
