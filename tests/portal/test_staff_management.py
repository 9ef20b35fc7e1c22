"""Firm admins manage staff accounts and tags in the staff pages (no Django admin)."""

from __future__ import annotations

import re
from typing import Any

from allauth.usersessions.models import UserSession
from django.core import mail
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from portal import services
from portal.models import Contact, Tag, User
from tests import factories

LINK_RE = re.compile(r"https?://[^\s\"]+/invite/([A-Za-z0-9_\-]+)/")


def test_an_admin_invites_a_paralegal_who_sets_a_password_and_signs_in(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff:team-create"),
            {
                "first_name": "Zofia",
                "last_name": "Wiśniewska",
                "email": "Zofia.W@firm.example",
                "role": "paralegal",
                "language": "pl",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="zofia.w@firm.example")
    assert user.is_firm_staff and not user.is_firm_admin and user.staff_title == "paralegal"
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="staff.created").exists()
    # the invitation sets the password
    token = LINK_RE.search(mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    client.logout()
    client.post(
        reverse("invitation-accept", args=[token]),
        {"password1": "a-long-new-secret-9", "password2": "a-long-new-secret-9"},
    )
    user.refresh_from_db()
    assert user.has_usable_password() and user.is_firm_staff
    # the list shows her as a paralegal without two-step sign-in yet
    client.force_login(world.admin)
    page = client.get(reverse("staff:team-list")).content.decode()
    row = page[page.index("Zofia Wiśniewska") :].split("</tr>")[0]
    assert "Paralegal" in row and "Not set up" in row


def test_an_existing_email_is_refused_with_a_message_and_nothing_is_stored(
    client: Any, world: Any
) -> None:
    client.force_login(world.admin)
    response = client.post(
        reverse("staff:team-create"),
        {
            "first_name": "Again",
            "last_name": "Someone",
            "email": world.staff_on.email.upper(),
            "role": "lawyer",
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email__iexact=world.staff_on.email).count() == 1


def test_a_turned_off_login_is_refused_on_its_next_request_and_can_be_turned_on(
    world: Any,
) -> None:
    # given: the colleague is signed in
    colleague = Client()
    colleague.force_login(world.staff_on)
    assert colleague.get(reverse("staff:home")).status_code == 200
    assert UserSession.objects.filter(user=world.staff_on).exists()
    admin = Client()
    admin.force_login(world.admin)
    url = reverse("staff:team-update", kwargs={"staff_id": world.staff_on.pk})
    # when
    admin.post(url, {"action": "deactivate"})
    # then: the session is gone and the next request goes to the sign-in page
    response = colleague.get(reverse("staff:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not UserSession.objects.filter(user=world.staff_on).exists()
    # when: turned back on, the colleague can sign in again
    admin.post(url, {"action": "reactivate"})
    colleague.force_login(User.objects.get(pk=world.staff_on.pk))
    assert colleague.get(reverse("staff:home")).status_code == 200


def test_a_role_change_takes_effect_on_the_next_request(world: Any) -> None:
    colleague = Client()
    colleague.force_login(world.staff_on)
    assert colleague.get(reverse("staff:firm-settings")).status_code == 404
    admin = Client()
    admin.force_login(world.admin)
    url = reverse("staff:team-update", kwargs={"staff_id": world.staff_on.pk})
    admin.post(url, {"action": "role", "role": "firm_admin"})
    assert colleague.get(reverse("staff:firm-settings")).status_code == 200
    admin.post(url, {"action": "role", "role": "paralegal"})
    assert colleague.get(reverse("staff:firm-settings")).status_code == 404
    assert User.objects.get(pk=world.staff_on.pk).staff_title == "paralegal"


def test_the_last_firm_admin_stays_and_nobody_turns_off_their_own_login(
    client: Any, world: Any
) -> None:
    client.force_login(world.admin)
    url = reverse("staff:team-update", kwargs={"staff_id": world.admin.pk})
    page = client.post(url, {"action": "role", "role": "lawyer"}, follow=True).content.decode()
    assert "at least one firm admin" in page
    page = client.post(url, {"action": "deactivate"}, follow=True).content.decode()
    assert "cannot turn off your own sign-in" in page
    admin = User.objects.get(pk=world.admin.pk)
    assert admin.is_firm_admin


def test_tags_are_created_renamed_merged_and_deleted(client: Any, world: Any) -> None:
    client.force_login(world.admin)
    client.post(reverse("staff:tag-list"), {"name": "VIP", "category": "priority"})
    client.post(reverse("staff:tag-list"), {"name": "vip client", "category": "priority"})
    vip, dup = Tag.objects.get(name="VIP"), Tag.objects.get(name="vip client")
    both = factories.ContactFactory()
    both.tags.set([vip, dup])
    only_dup = factories.ContactFactory()
    only_dup.tags.set([dup])
    world.matter_a.tags.set([dup])
    # a name taken in the category is refused with a message
    page = client.post(
        reverse("staff:tag-edit", kwargs={"tag_id": dup.pk}),
        {"name": "VIP", "category": "priority"},
    ).content.decode()
    assert "merge them instead" in page
    client.post(
        reverse("staff:tag-edit", kwargs={"tag_id": vip.pk}),
        {"name": "Key client", "category": "priority"},
    )
    client.post(reverse("staff:tag-merge", kwargs={"tag_id": dup.pk}), {"target": vip.pk})
    assert not Tag.objects.filter(pk=dup.pk).exists()
    assert list(Contact.objects.get(pk=both.pk).tags.values_list("name", flat=True)) == [
        "Key client"
    ]
    assert list(only_dup.tags.values_list("pk", flat=True)) == [vip.pk]
    assert list(world.matter_a.tags.values_list("pk", flat=True)) == [vip.pk]
    client.post(reverse("staff:tag-delete", kwargs={"tag_id": vip.pk}))
    assert not Tag.objects.exists() and Contact.objects.filter(pk=both.pk).exists()


def test_only_firm_admins_use_the_services(world: Any) -> None:
    import pytest

    from core.errors import ServiceError

    with pytest.raises(ServiceError):
        services.staff_set_active(actor=world.staff_on, user=world.staff_off, active=False)
    with pytest.raises(ServiceError):
        services.tag_create(actor=world.staff_on, name="X", category="other")


def test_staff_list_queries_are_flat(
    client: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(world.admin)
    client.get(reverse("staff:team-list"))
    for _ in range(30):
        factories.StaffFactory(mfa=False)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("staff:team-list")).status_code == 200
