"""A public booking made with the email of a client (or of anyone with a login) is not
attached to them silently: it waits until the owner of the address confirms it from the
email, staff see it as unconfirmed, and the client's record is never changed."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from portal.models import ConsentRecord, Contact
from scheduling.models import Appointment, Reminder
from tests import factories

pytestmark = pytest.mark.django_db

SLOT = "2026-06-02T09:00:00+02:00"


def _book(client: Any, capture: Any, **overrides: Any) -> Any:
    data = {
        "service": "intro-call",
        "start": SLOT,
        "first_name": "Eve",
        "last_name": "Stranger",
        "email": "EWA@example.com",
        "phone": "+48601234567",
        "time_zone": "Europe/Warsaw",
        "sms_opt_in": True,
    }
    data.update(overrides)
    with capture(execute=True):
        return client.post(
            reverse("scheduling:api-bookings"),
            data=json.dumps(data),
            content_type="application/json",
        )


@pytest.fixture
def ewa(firm: Any) -> Any:
    user, contact = factories.client_with_contact(email="ewa@example.com")
    contact.first_name, contact.last_name, contact.phone = "Ewa", "Kowalska", ""
    contact.save()
    return user, contact


def _link(message: Any) -> str:
    (url,) = re.findall(r"https?://\S+/booking/confirm/\S+/", message.body)
    return urlsplit(url).path


def _portal_upcoming(client: Any, user: Any) -> list[Any]:
    from scheduling import selectors

    return selectors.appointments_for_client(user=user)[0]


def test_a_booking_with_a_clients_email_waits_for_her_and_changes_nothing(
    client: Any, frozen: Any, intro: Any, ewa: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user, contact = ewa
    # when: somebody books on the public API with her address, another name and a phone
    response = _book(client, django_capture_on_commit_callbacks)
    # then: the booking is made (the time is blocked) but waits for the address's owner
    assert response.status_code == 201
    appointment = Appointment.objects.get(pk=response.json()["reference"])
    assert appointment.contact_id == contact.pk
    assert appointment.owner_check == Appointment.OwnerCheck.PENDING
    assert appointment.booker_details["first_name"] == "Eve"
    assert appointment.booker_details["phone"] == "+48601234567"
    # her record is exactly as it was: no phone written, no SMS consent recorded
    fresh = Contact.objects.get(pk=contact.pk)
    assert (fresh.first_name, str(fresh.phone), fresh.sms_consent) == ("Ewa", "", False)
    assert not ConsentRecord.objects.filter(contact_id=contact.pk).exists()
    # it is not in her portal, and no confirmation or reminder goes to her
    assert _portal_upcoming(client, user) == []
    assert not Notification.objects.filter(event="booked").exists()
    assert not Reminder.objects.filter(appointment=appointment).exists()
    # she got one email: did you make this booking?
    (message,) = mail.outbox
    assert message.to == ["ewa@example.com"]
    assert "Please confirm a booking made with your email address" in message.subject
    assert "/booking/confirm/" in message.body


def test_staff_see_the_booking_as_unconfirmed_with_what_the_booker_typed(
    client: Any, frozen: Any, intro: Any, ewa: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _book(client, django_capture_on_commit_callbacks)
    appointment = Appointment.objects.get()
    client.force_login(appointment.staff)
    page = client.get(reverse("scheduling:staff-appointment", args=[appointment.pk])).content
    text = page.decode()
    assert "Unconfirmed: booked with the email of an existing client" in text
    assert "Eve Stranger" in text and "+48601234567" in text
    schedule = client.get(
        reverse("scheduling:staff-calendar"),
        {"staff": appointment.staff_id, "date": "2026-06-02"},
    ).content.decode()
    assert "Unconfirmed: booked with the email of an existing client" in schedule


def test_the_owner_confirms_and_the_booking_becomes_hers(
    client: Any, frozen: Any, intro: Any, ewa: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user, contact = ewa
    _book(client, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    mail.outbox.clear()
    # when: she opens the link and confirms
    page = client.get(link)
    assert page.status_code == 200
    assert "Did you make this booking?" in page.content.decode()
    assert "Eve Stranger" in page.content.decode()
    assert "+48601234567" not in page.content.decode()  # only the last digits
    with django_capture_on_commit_callbacks(execute=True):
        answered = client.post(link, {"answer": "confirm"})
    # then: confirmed, in her portal, the confirmation and reminders go out
    assert answered.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.owner_check == Appointment.OwnerCheck.CONFIRMED
    assert _portal_upcoming(client, user) == [appointment]
    assert Notification.objects.filter(event="booked").count() == 1
    assert [m.to for m in mail.outbox] == [["ewa@example.com"]]
    assert Reminder.objects.filter(appointment=appointment).exists()
    assert AuditEvent.objects.filter(action="appointment.owner_confirmed").exists()
    # and the phone typed by the booker is still not written into her record
    assert str(Contact.objects.get(pk=contact.pk).phone) == ""
    assert "the booking is confirmed" in client.get(link).content.decode()
    # answering again changes nothing
    assert client.post(link, {"answer": "decline"}).status_code == 302
    assert Appointment.objects.get().status == Appointment.Status.BOOKED


def test_the_owner_declines_and_the_time_is_freed_without_a_message(
    client: Any, frozen: Any, intro: Any, ewa: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user, _contact = ewa
    _book(client, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, {"answer": "decline"})
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.owner_check == Appointment.OwnerCheck.DECLINED
    assert mail.outbox == []
    assert _portal_upcoming(client, user) == []
    assert selectors_past(user) == []
    assert "The booking is cancelled" in client.get(link).content.decode()
    # the time can be booked again
    again = _book(client, django_capture_on_commit_callbacks, email="ada@example.com")
    assert again.status_code == 201


def selectors_past(user: Any) -> list[Any]:
    from scheduling import selectors

    return selectors.appointments_for_client(user=user)[1]


def test_a_forged_or_unknown_link_is_404_and_a_bad_answer_is_400(
    client: Any, frozen: Any, intro: Any, ewa: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _book(client, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    assert client.get(link[:-3] + "xx/").status_code == 404
    assert client.get("/booking/confirm/%00/").status_code in (400, 404)
    bad = client.post(link, {"answer": "maybe"})
    assert bad.status_code == 400
    assert "Please choose one of the two buttons." in bad.content.decode()
    assert Appointment.objects.get().owner_check == Appointment.OwnerCheck.PENDING


def test_a_contact_with_a_login_is_asked_too_and_a_prospect_is_not(
    client: Any, frozen: Any, intro: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # a prospect who booked before: the new booking joins them as it did, unchanged
    prospect = Contact.objects.create(
        first_name="Ada", last_name="N", email="ada@example.com", kind=Contact.Kind.PROSPECT
    )
    response = _book(client, django_capture_on_commit_callbacks, email="ada@example.com")
    appointment = Appointment.objects.get(pk=response.json()["reference"])
    assert appointment.contact_id == prospect.pk
    assert appointment.owner_check == Appointment.OwnerCheck.NOT_NEEDED
    assert appointment.booker_details["phone"] == "+48601234567"
    # the prospect had no phone: the booking keeps it, the contact gets none
    assert str(Contact.objects.get(pk=prospect.pk).phone) == ""
    assert Notification.objects.filter(event="booked").count() == 1


def test_a_signed_in_client_booking_for_herself_is_not_asked(
    client: Any, frozen: Any, intro: Any, ewa: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user, contact = ewa
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("scheduling:book-service", kwargs={"slug": "intro-call"}),
            {
                "start": SLOT,
                "first_name": "Ewa",
                "last_name": "Kowalska",
                "email": "ewa@example.com",
                "time_zone": "Europe/Warsaw",
            },
        )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.contact_id == contact.pk
    assert appointment.owner_check == Appointment.OwnerCheck.NOT_NEEDED
    assert _portal_upcoming(client, user) == [appointment]


def test_a_new_prospect_keeps_the_phone_and_sms_consent_from_the_booking(
    client: Any, frozen: Any, intro: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = _book(client, django_capture_on_commit_callbacks, email="new@example.com")
    appointment = Appointment.objects.get(pk=response.json()["reference"])
    assert appointment.owner_check == Appointment.OwnerCheck.NOT_NEEDED
    assert appointment.booker_details == {}
    contact = appointment.contact
    assert (str(contact.phone), contact.sms_consent) == ("+48601234567", True)
    assert ConsentRecord.objects.filter(contact_id=contact.pk, purpose="sms").exists()
