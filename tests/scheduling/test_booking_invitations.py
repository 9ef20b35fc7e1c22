"""Personal, single-use, expiring booking invitations for "invited only" services: staff
send one from the contact or matter page, the link books exactly once (claimed inside the
booking transaction), and a used, expired, withdrawn, foreign or nonsense link gets a
clear page, never a 500 and never a booking."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from scheduling import selectors, services
from scheduling.models import Appointment, BookingInvitation, Service
from tests import factories
from tests.scheduling.helpers import make_service, working_week

pytestmark = pytest.mark.django_db

SLOT = "2026-06-02T09:00:00+02:00"
SLOT2 = "2026-06-02T10:00:00+02:00"


@pytest.fixture
def vip(world: Any, frozen: Any) -> Service:
    working_week(world.staff_on)
    world.staff_on.time_zone = "Europe/Warsaw"
    world.staff_on.save(update_fields=["time_zone"])
    return make_service(
        staff=[world.staff_on], slug="vip", name="Strategy session", audience="invited"
    )


def _send(client: Any, world: Any, capture: Any, **data: Any) -> Any:
    client.force_login(world.staff_on)
    url = reverse("scheduling:staff-contact-invitations", args=[world.contact_a.pk])
    form = {
        "service": str(Service.objects.get(slug="vip").pk),
        "email": world.contact_a.email,
        "days": "7",
        **data,
    }
    with capture(execute=True):
        return client.post(url, form)


def _token(message: Any) -> str:
    (url,) = re.findall(r"https?://\S+/book/vip/\?invite=\S+", message.body)
    return parse_qs(urlsplit(url).query)["invite"][0]


def _book(client: Any, token: str, start: str = SLOT, **extra: Any) -> Any:
    return client.post(
        reverse("scheduling:book-service", args=["vip"]) + "?tz=Europe/Warsaw",
        {
            "start": start,
            "time_zone": "Europe/Warsaw",
            "first_name": "Anna",
            "last_name": "A",
            "email": "typed@example.com",
            "invite": token,
            **extra,
        },
    )


def test_staff_send_an_invitation_in_the_contacts_language_and_it_books_once(
    client: Any, world: Any, vip: Service, django_capture_on_commit_callbacks: Any
) -> None:
    world.contact_a.language = "pl"
    world.contact_a.save(update_fields=["language"])
    response = _send(client, world, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    invitation = BookingInvitation.objects.get()
    assert invitation.created_by == world.staff_on
    assert invitation.sent_at is not None and invitation.token_hash
    assert AuditEvent.objects.filter(action="booking_invitation.sent").count() == 1
    (message,) = mail.outbox
    assert message.to == [world.contact_a.email]
    assert "Test Firm" in message.from_email
    assert "Strategy session" in message.body
    assert "zaprasza" in message.subject  # Polish, the contact's language
    token = _token(message)
    # only the hash is stored
    assert token not in json.dumps(list(BookingInvitation.objects.values()), default=str)
    assert invitation.token_hash == selectors.invitation_token_hash(token)
    # the staff list shows it open
    listing = client.get(reverse("scheduling:staff-contact-invitations", args=[world.contact_a.pk]))
    assert b'data-invitation="open"' in listing.content
    # when: the invited person opens the link (signed out) and books
    client.logout()
    page = client.get(reverse("scheduling:book-service", args=["vip"]), {"invite": token})
    assert page.status_code == 200
    assert world.contact_a.email.encode() in page.content  # prefilled: the booking is theirs
    with django_capture_on_commit_callbacks(execute=True):
        booked = _book(client, token)
    assert booked.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.contact_id == world.contact_a.pk
    assert appointment.owner_check == Appointment.OwnerCheck.NOT_NEEDED
    invitation.refresh_from_db()
    assert invitation.used_at is not None and invitation.used_by_appointment == appointment
    assert AuditEvent.objects.filter(action="booking_invitation.used").count() == 1
    # a second use: a clear page, nothing booked
    again = client.get(reverse("scheduling:book-service", args=["vip"]), {"invite": token})
    assert again.status_code == 410
    assert b"already used" in again.content
    assert _book(client, token, start=SLOT2).status_code == 410
    assert Appointment.objects.count() == 1


def test_the_matter_page_sends_one_for_the_matter(
    client: Any, world: Any, vip: Service, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.staff_on)
    matter_page = client.get(reverse("staff:matter-detail", args=[world.matter_a.pk]))
    url = reverse("scheduling:staff-matter-invitations", args=[world.matter_a.pk])
    assert url.encode() in matter_page.content
    contact_page = client.get(reverse("staff:contact-detail", args=[world.contact_a.pk]))
    assert (
        reverse("scheduling:staff-contact-invitations", args=[world.contact_a.pk]).encode()
        in contact_page.content
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"service": str(vip.pk), "email": world.contact_a.email, "days": "3"}
        )
    assert response.status_code == 302
    invitation = BookingInvitation.objects.get()
    assert invitation.matter_id == world.matter_a.pk
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        _book(client, _token(mail.outbox[0]))
    assert Appointment.objects.get().matter_id == world.matter_a.pk


def test_bad_input_gets_a_message_and_stores_nothing(
    client: Any, world: Any, vip: Service, django_capture_on_commit_callbacks: Any
) -> None:
    open_service = make_service(staff=[world.staff_on], slug="open-call")
    cases = [
        {"email": "a" * 290 + "@example.com"},
        {"email": "not an address"},
        {"days": "500"},
        {"days": "0"},
        {"days": "x"},
        {"service": str(open_service.pk)},  # not an invited-only service
        {"service": "not-a-uuid"},
    ]
    for case in cases:
        response = _send(client, world, django_capture_on_commit_callbacks, **case)
        assert response.status_code == 400, case
        assert b'class="errorlist' in response.content or b"msg error" in response.content
    assert not BookingInvitation.objects.exists()
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="booking_invitation.sent").exists()


def test_expired_withdrawn_foreign_and_nonsense_links_get_a_clear_page(
    client: Any, world: Any, vip: Service, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _send(client, world, django_capture_on_commit_callbacks, days="1")
    _send(client, world, django_capture_on_commit_callbacks, days="30")
    expiring, revocable = sorted(BookingInvitation.objects.all(), key=lambda i: i.expires_at)
    t_expiring, t_revocable = (_token(m) for m in mail.outbox)
    # withdrawn by staff (audited), from the list
    listing_url = reverse("scheduling:staff-contact-invitations", args=[world.contact_a.pk])
    revoke = client.post(
        reverse("scheduling:staff-invitation-revoke", args=[revocable.pk]), {"next": listing_url}
    )
    assert revoke.status_code == 302 and revoke["Location"] == listing_url
    assert AuditEvent.objects.filter(action="booking_invitation.revoked").count() == 1
    assert b'data-invitation="revoked"' in client.get(listing_url).content
    client.logout()
    url = reverse("scheduling:book-service", args=["vip"])
    page = client.get(url, {"invite": t_revocable})
    assert page.status_code == 410 and b"withdrawn" in page.content
    # expired after its day
    frozen.shift(dt.timedelta(days=1, minutes=1))
    page = client.get(url, {"invite": t_expiring})
    assert page.status_code == 410 and b"expired" in page.content
    # nonsense and overlong tokens
    for token in ("nonsense", "x" * 5000, "a:b:c", "%00"):
        page = client.get(url, {"invite": token})
        assert page.status_code == 410, token
        assert b"not valid" in page.content
    # a valid invitation used for another invited-only service
    make_service(staff=[world.staff_on], slug="vip2", audience="invited")
    client.force_login(world.staff_on)
    _send(client, world, django_capture_on_commit_callbacks, days="30")
    client.logout()
    fresh = _token(mail.outbox[-1])
    page = client.get(reverse("scheduling:book-service", args=["vip2"]), {"invite": fresh})
    assert page.status_code == 410 and b"another service" in page.content
    # none of this booked anything, and an unknown service is still simply not found
    assert client.get("/book/nope/", {"invite": fresh}).status_code == 404
    for token in (t_revocable, t_expiring, "nonsense"):
        assert _book(client, token).status_code == 410
    assert not Appointment.objects.exists()


def test_a_failed_booking_leaves_the_invitation_unused(
    client: Any, world: Any, vip: Service, django_capture_on_commit_callbacks: Any
) -> None:
    _send(client, world, django_capture_on_commit_callbacks)
    token = _token(mail.outbox[0])
    client.logout()
    # someone else takes the time first (staff book it)
    other = factories.client_with_contact(email="other@example.com")[1]
    services.appointment_book(
        service=vip,
        start_at=dt.datetime.fromisoformat(SLOT),
        contact=other,
        actor=world.staff_on,
    )
    refused = _book(client, token)
    assert refused.status_code == 409
    assert BookingInvitation.objects.get().used_at is None
    assert _book(client, token, start=SLOT2).status_code == 302


def test_the_api_claims_the_invitation_too(
    client: Any, world: Any, vip: Service, django_capture_on_commit_callbacks: Any
) -> None:
    _send(client, world, django_capture_on_commit_callbacks)
    token = _token(mail.outbox[0])
    client.logout()

    def post(start: str) -> Any:
        return client.post(
            reverse("scheduling:api-bookings"),
            data=json.dumps(
                {
                    "service": "vip",
                    "start": start,
                    "first_name": "A",
                    "last_name": "B",
                    "email": "x@example.com",
                    "time_zone": "Europe/Warsaw",
                    "invite": token,
                }
            ),
            content_type="application/json",
        )

    assert post(SLOT).status_code == 201
    second = post(SLOT2)
    assert second.status_code == 410
    assert "already used" in second.json()["errors"]["invite"][0]
    assert Appointment.objects.count() == 1


def test_a_rebooking_link_of_an_invited_service_books_once(
    client: Any, world: Any, vip: Service, django_capture_on_commit_callbacks: Any
) -> None:
    (appointment,) = services.appointment_book(
        service=vip,
        start_at=dt.datetime.fromisoformat(SLOT),
        contact=world.contact_a,
        actor=world.staff_on,
    )
    # while the appointment stands its rebooking link does not book
    link = selectors.appointment_rebook_link(appointment=appointment)
    token = parse_qs(urlsplit(link).query)["invite"][0]
    assert client.get(urlsplit(link).path, {"invite": token}).status_code == 410
    services.appointment_cancel(appointment=appointment, by_client=True)
    assert client.get(urlsplit(link).path, {"invite": token}).status_code == 200
    assert _book(client, token, start=SLOT2).status_code == 302
    rebooked = Appointment.objects.get(status="booked")
    assert rebooked.contact_id == world.contact_a.pk
    row = BookingInvitation.objects.get()
    assert row.origin == BookingInvitation.Origin.REBOOK and row.used_by_appointment == rebooked
    # the same link again: already used
    assert _book(client, token, start="2026-06-02T11:00:00+02:00").status_code == 410
    assert Appointment.objects.filter(status="booked").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_bookers_with_one_invitation_exactly_one_wins(world: Any) -> None:
    lawyer = world.staff_on
    working_week(lawyer, days=range(7), start=dt.time(0), end=dt.time(23))
    service = make_service(
        staff=[lawyer], slug="vip-race", audience="invited", min_notice_minutes=0
    )
    contact = world.contact_a
    token = "race-token-0123456789abcdef"
    BookingInvitation.objects.create(
        service=service,
        contact=contact,
        email=contact.email,
        token_hash=selectors.invitation_token_hash(token),
        sent_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(days=3),
    )
    day = (timezone.now() + dt.timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    barrier = threading.Barrier(2)
    results: list[str] = []
    lock = threading.Lock()

    def book(i: int) -> None:
        try:
            svc = Service.objects.prefetch_related("staff", "steps").get(pk=service.pk)
            barrier.wait()
            services.appointment_book(
                service=svc,
                # different times: only the invitation is shared
                start_at=day + dt.timedelta(hours=i),
                time_zone="UTC",
                booker=services.BookerData(first_name="P", last_name=str(i), email=f"p{i}@x.io"),
                invitation=token,
            )
            outcome = "ok"
        except services.InvitationRefused as exc:
            outcome = "used" if "already used" in str(exc) else f"other:{exc}"
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test
            outcome = f"error:{exc!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=book, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["ok", "used"], results
    assert Appointment.objects.filter(service=service).count() == 1
    assert BookingInvitation.objects.get().used_by_appointment is not None
