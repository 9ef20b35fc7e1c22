"""Logging a client's contact outside the portal (spec insights.md §3): from the contact
and matter pages, for people the staff member may see, with the optional "please use the
portal" text; the rows and the logging coverage the metric reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client

from audit.models import AuditEvent
from insights import selectors
from insights.models import OutsideContact
from notifications import services as notifications
from tests.factories import StaffFactory, client_with_contact, make_matter

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC)


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_contact_page_offers_the_quick_log_and_lists_what_was_logged(world: Any) -> None:
    staff = _signed_in(world.staff_on)
    contact = world.contact_a

    # given: the contact page has the control
    page = staff.get(f"/staff/contacts/{contact.pk}/").content.decode()
    assert "Client contacted us outside the portal" in page
    assert f"/staff/insights/outside-contacts/contact/{contact.pk}/" in page

    # when: open, pick "phone", save (the quick form sends only these)
    with time_machine.travel(NOW, tick=False):
        response = staff.post(
            f"/staff/insights/outside-contacts/contact/{contact.pk}/",
            {"channel": "phone", "direction": "in"},
        )

    # then: logged, from the client, now, by this staff member; the page lists it
    assert response.status_code == 302
    assert response["Location"] == f"/staff/contacts/{contact.pk}/"
    row = OutsideContact.objects.get()
    assert (row.contact, row.matter, row.channel, row.direction) == (contact, None, "phone", "in")
    assert (row.at, row.logged_by, row.nudged_at) == (NOW, world.staff_on, None)
    assert AuditEvent.objects.filter(
        action="outside_contact.logged", object_id=str(row.pk)
    ).exists()
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        page = staff.get(f"/staff/contacts/{contact.pk}/").content.decode()
    assert (
        'id="contact-outside_contacts"' in page
        and "Phone" in page.split('id="contact-outside_contacts"')[1]
    )


def test_logging_from_the_matter_page_names_the_matter_and_the_chosen_client(
    world: Any,
) -> None:
    # given: a matter of staff_on with two clients
    _user, spouse = client_with_contact(email="spouse@client.example")
    matter = make_matter(lawyer=world.staff_on, clients=[world.contact_a, spouse])
    staff = _signed_in(world.staff_on)
    assert (
        "Client contacted us outside the portal"
        in staff.get(f"/staff/matters/{matter.pk}/").content.decode()
    )

    # when
    response = staff.post(
        f"/staff/insights/outside-contacts/matter/{matter.pk}/",
        {"channel": "whatsapp", "direction": "in", "contact": str(spouse.pk)},
    )

    # then
    assert response.status_code == 302 and response["Location"] == f"/staff/matters/{matter.pk}/"
    row = OutsideContact.objects.get()
    assert (row.contact, row.matter, row.channel) == (spouse, matter, "whatsapp")


def test_a_staff_member_who_cannot_see_the_contact_or_matter_gets_404(world: Any) -> None:
    staff = _signed_in(world.staff_off)

    assert (
        staff.get(f"/staff/insights/outside-contacts/contact/{world.contact_a.pk}/").status_code
        == 404
    )
    posted = staff.post(
        f"/staff/insights/outside-contacts/contact/{world.contact_a.pk}/", {"channel": "phone"}
    )
    on_matter = staff.post(
        f"/staff/insights/outside-contacts/matter/{world.matter_a.pk}/",
        {"channel": "phone", "contact": str(world.contact_a.pk)},
    )
    # a matter they may open, naming a client of another matter
    foreign = staff.post(
        f"/staff/insights/outside-contacts/matter/{world.matter_b.pk}/",
        {"channel": "phone", "contact": str(world.contact_a.pk)},
    )

    assert posted.status_code == 404 and on_matter.status_code == 404
    assert foreign.status_code == 400
    assert not OutsideContact.objects.exists()


def test_a_contact_page_matter_of_someone_else_is_refused(world: Any) -> None:
    """Client B's matter named on client A's form: nothing stored, a message."""
    admin = _signed_in(world.admin)

    response = admin.post(
        f"/staff/insights/outside-contacts/contact/{world.contact_a.pk}/",
        {"channel": "email", "direction": "in", "matter": str(world.matter_b.pk)},
    )

    assert response.status_code == 400
    assert not OutsideContact.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"channel": "carrier-pigeon", "direction": "in"},
        {"channel": "", "direction": "in"},
        {"channel": "phone", "direction": "sideways"},
        {"channel": "phone", "direction": "in", "at": "2026-03-05T10:00"},  # tomorrow
        {"channel": "phone", "direction": "in", "at": "2025-01-01T10:00"},  # long ago
        {"channel": "phone", "direction": "in", "at": "not a date"},
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(
    world: Any, data: dict[str, str]
) -> None:
    staff = _signed_in(world.staff_on)

    with time_machine.travel(NOW, tick=False):
        response = staff.post(
            f"/staff/insights/outside-contacts/contact/{world.contact_a.pk}/", data
        )

    assert response.status_code == 400
    assert "errorlist" in response.content.decode() or 'role="alert"' in response.content.decode()
    assert not OutsideContact.objects.exists()


def test_the_please_use_the_portal_text_goes_to_the_client_with_the_firms_promise(
    world: Any, firm: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given: the firm's promise, in English and Polish; a Polish-speaking client
    firm.promise_channels_en = "Secure messages in the portal"
    firm.promise_channels_pl = "Bezpieczne wiadomości w portalu"
    firm.response_hours = 8
    firm.save()
    contact = world.contact_a
    contact.language = "pl"
    contact.save(update_fields=["language"])
    staff = _signed_in(world.staff_on)

    # when: logged with the tick
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        staff.post(
            f"/staff/insights/outside-contacts/contact/{contact.pk}/",
            {"channel": "email", "direction": "in", "nudge": "on"},
        )
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        notifications.deliveries_sweep()

    # then: one email in Polish quoting the promise and the portal's address
    [message] = [m for m in mail.outbox if m.to == [contact.email]]
    assert message.subject.startswith("Kontakt z")
    assert "Bezpieczne wiadomości w portalu" in message.body
    assert "8 godzin roboczych" in message.body
    assert "/portal/" in message.body
    assert OutsideContact.objects.get().nudged_at == NOW


def test_without_the_tick_nothing_is_sent(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    staff = _signed_in(world.staff_on)
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            f"/staff/insights/outside-contacts/contact/{world.contact_a.pk}/",
            {"channel": "sms", "direction": "in"},
        )
    notifications.deliveries_sweep()

    assert [m for m in mail.outbox if m.to == [world.contact_a.email]] == []


# ---------------------------------------------------------------------------
# What the metric reads
# ---------------------------------------------------------------------------
def _log(contact: Any, *, by: Any, matter: Any = None, at: dt.datetime = NOW, **extra: Any) -> Any:
    return OutsideContact.objects.create(
        contact=contact, matter=matter, channel="phone", at=at, logged_by=by, **extra
    )


def test_a_lawyer_sees_only_the_rows_of_their_own_matters(world: Any) -> None:
    mine = _log(world.contact_a, by=world.admin, matter=world.matter_a)
    _log(world.contact_b, by=world.staff_off, matter=world.matter_b)
    unmattered = _log(world.contact_b, by=world.staff_on)
    window = {"start": NOW - dt.timedelta(days=1), "end": NOW + dt.timedelta(days=1)}

    own = selectors.outside_contacts_between(**window, user=world.staff_on, own_only=False)
    everything = selectors.outside_contacts_between(**window, user=world.admin, own_only=False)
    admin_own = selectors.outside_contacts_between(**window, user=world.admin, own_only=True)
    client = selectors.outside_contacts_between(**window, user=world.client_a, own_only=False)

    assert {r.id for r in own} == {mine.pk, unmattered.pk}
    assert len(everything) == 3 and client == []
    assert admin_own == []
    row = next(r for r in own if r.id == mine.pk)
    assert (row.lawyer_id, row.matter_reference, row.direction) == (
        world.staff_on.pk,
        world.matter_a.reference,
        "in",
    )


def test_the_period_is_half_open(world: Any) -> None:
    _log(world.contact_a, by=world.staff_on, at=NOW)
    _log(world.contact_a, by=world.staff_on, at=NOW + dt.timedelta(hours=1))

    rows = selectors.outside_contacts_between(
        start=NOW, end=NOW + dt.timedelta(hours=1), user=world.admin, own_only=False
    )

    assert [r.at for r in rows] == [NOW]


def test_the_rows_take_the_same_queries_for_one_and_for_many(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    window = {"start": NOW - dt.timedelta(days=1), "end": NOW + dt.timedelta(days=1)}
    _log(world.contact_a, by=world.staff_on, matter=world.matter_a)
    with django_assert_max_num_queries(1):
        assert (
            len(selectors.outside_contacts_between(**window, user=world.admin, own_only=False)) == 1
        )
    for _ in range(200):
        _log(world.contact_a, by=world.staff_on, matter=world.matter_a)
    with django_assert_max_num_queries(1):
        assert (
            len(selectors.outside_contacts_between(**window, user=world.admin, own_only=False))
            == 201
        )


def test_logging_coverage_counts_staff_who_logged_in_the_last_14_days(world: Any) -> None:
    # given: five active staff (admin, staff_on, staff_off, two more); two logged lately
    StaffFactory()
    StaffFactory()
    recent = NOW - dt.timedelta(days=3)
    OutsideContact.objects.create(
        contact=world.contact_a,
        channel="phone",
        logged_by=world.staff_on,
        at=recent,
        created_at=recent,
    )
    OutsideContact.objects.create(
        contact=world.contact_b,
        channel="email",
        logged_by=world.admin,
        at=recent,
        created_at=recent,
    )
    old = NOW - dt.timedelta(days=15)
    OutsideContact.objects.create(
        contact=world.contact_b, channel="email", logged_by=world.staff_off, at=old, created_at=old
    )

    assert selectors.outside_logging_coverage(now=NOW) == (2, 5)


def test_the_contact_and_matter_pages_stay_flat_with_many_outside_contacts(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    staff = _signed_in(world.staff_on)
    pages = [f"/staff/contacts/{world.contact_a.pk}/", f"/staff/matters/{world.matter_a.pk}/"]
    _log(world.contact_a, by=world.staff_on, matter=world.matter_a, at=dt.datetime.now(dt.UTC))
    for url in pages:
        staff.get(url)  # warm the per-process caches
    counts = []
    for url in pages:
        with django_assert_max_num_queries(60) as ctx:
            staff.get(url)
        counts.append(len(ctx.captured_queries))
    for _ in range(30):
        _log(world.contact_a, by=world.staff_on, matter=world.matter_a, at=dt.datetime.now(dt.UTC))
    for url, count in zip(pages, counts, strict=True):
        with django_assert_max_num_queries(count):
            page = staff.get(url).content.decode()
        assert "Client contacted us outside the portal" in page
