from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from portal import services
from portal.audit_actions import PortalAction
from portal.models import Invitation, User
from tests import factories

pytestmark = pytest.mark.django_db

LINK_RE = re.compile(r"https?://[^\s\"]+/invite/([A-Za-z0-9_\-]+)/")


def _invite(staff: User, contact: Any, capture: Any) -> str:
    with capture(execute=True):
        services.client_invite(actor=staff, contact=contact)
    return LINK_RE.search(mail.outbox[-1].body).group(1)


def test_staff_invites_client_who_sets_password_and_sees_only_their_matter(
    client: Any, firm: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    staff = factories.StaffFactory()
    contact = factories.ContactFactory(email="new.client@example.com", language="pl")
    other = factories.ContactFactory()
    mine = factories.make_matter(lawyer=staff, clients=[contact], title="Sprawa rozwodowa")
    factories.make_matter(lawyer=staff, clients=[other], title="Someone else's matter")
    client.force_login(staff)

    # when staff press the invite button
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:contact-invite", args=[contact.pk]))
    assert response.status_code == 302
    client.logout()

    # then one email with a single link went out, in the client's language
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.client@example.com"]
    token = LINK_RE.search(message.body).group(1)
    assert "portal" in message.subject.lower()

    # when the client follows it and sets a password
    page = client.get(reverse("invitation-accept", args=[token]))
    assert page.status_code == 200
    response = client.post(
        reverse("invitation-accept", args=[token]),
        {"password1": "a-long-new-secret-9", "password2": "a-long-new-secret-9"},
        follow=True,
    )

    # then they land on their portal home with their matter only
    assert response.redirect_chain[-1][0] == reverse("portal:home")
    body = response.content.decode()
    assert "Sprawa rozwodowa" in body
    assert "Someone else" not in body
    user = User.objects.get(email="new.client@example.com")
    assert user.role == User.Role.CLIENT and user.check_password("a-long-new-secret-9")
    assert user.language == "pl"
    contact.refresh_from_db()
    assert contact.user == user
    assert client.get(reverse("portal:matter-detail", args=[mine.pk])).status_code == 200
    assert AuditEvent.objects.filter(action=PortalAction.INVITATION_ACCEPTED).exists()


def test_invitation_link_works_only_once(
    client: Any, firm: Any, django_capture_on_commit_callbacks: Any
) -> None:
    staff = factories.StaffFactory()
    contact = factories.ContactFactory()
    token = _invite(staff, contact, django_capture_on_commit_callbacks)
    data = {"password1": "a-long-new-secret-9", "password2": "a-long-new-secret-9"}
    assert client.post(reverse("invitation-accept", args=[token]), data).status_code == 302
    client.logout()

    again = client.post(
        reverse("invitation-accept", args=[token]),
        {"password1": "attacker-pass-123", "password2": "attacker-pass-123"},
    )

    assert again.status_code == 404
    assert User.objects.get(email=contact.email).check_password("a-long-new-secret-9")


def test_invitation_link_expires_after_seven_days(
    client: Any, firm: Any, django_capture_on_commit_callbacks: Any
) -> None:
    staff = factories.StaffFactory()
    contact = factories.ContactFactory()
    token = _invite(staff, contact, django_capture_on_commit_callbacks)

    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        response = client.post(
            reverse("invitation-accept", args=[token]),
            {"password1": "a-long-new-secret-9", "password2": "a-long-new-secret-9"},
        )

    assert response.status_code == 404
    assert not User.objects.filter(email=contact.email).exists()


def test_a_new_invitation_replaces_the_old_link(
    client: Any, firm: Any, django_capture_on_commit_callbacks: Any
) -> None:
    staff = factories.StaffFactory()
    contact = factories.ContactFactory()
    first = _invite(staff, contact, django_capture_on_commit_callbacks)
    second = _invite(staff, contact, django_capture_on_commit_callbacks)

    assert client.get(reverse("invitation-accept", args=[first])).status_code == 404
    assert client.get(reverse("invitation-accept", args=[second])).status_code == 200


def test_unknown_used_and_expired_links_look_the_same(
    client: Any, firm: Any, django_capture_on_commit_callbacks: Any
) -> None:
    staff = factories.StaffFactory()
    used_contact, old_contact = factories.ContactFactory(), factories.ContactFactory()
    used = _invite(staff, used_contact, django_capture_on_commit_callbacks)
    old = _invite(staff, old_contact, django_capture_on_commit_callbacks)
    client.post(
        reverse("invitation-accept", args=[used]),
        {"password1": "a-long-new-secret-9", "password2": "a-long-new-secret-9"},
    )
    client.logout()
    Invitation.objects.filter(email=old_contact.email).update(expires_at=timezone.now())

    pages = [client.get(reverse("invitation-accept", args=[t])) for t in ("x" * 43, used, old)]

    assert {p.status_code for p in pages} == {404}
    bodies = {
        p.content.decode().replace(p.wsgi_request.META.get("CSRF_COOKIE", ""), "") for p in pages
    }
    # The CSP nonce differs per response too.
    assert len({re.sub(r'(value|nonce)="[^"]+"', "", b) for b in bodies}) == 1


def test_only_a_hash_of_the_link_is_stored(
    firm: Any, django_capture_on_commit_callbacks: Any
) -> None:
    staff = factories.StaffFactory()
    contact = factories.ContactFactory()
    token = _invite(staff, contact, django_capture_on_commit_callbacks)

    invitation = Invitation.objects.get(email=contact.email)
    assert token not in (invitation.token_hash or "")
    assert not AuditEvent.objects.filter(data__icontains=token).exists()


def test_password_reset_does_not_reveal_whether_an_account_exists(client: Any, firm: Any) -> None:
    factories.UserFactory(email="known@example.com")

    known = client.post(reverse("account_reset_password"), {"email": "known@example.com"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_sixth_failed_login_within_five_minutes_is_refused_despite_spoofed_forwarded_for(
    client: Any, firm: Any
) -> None:
    # given
    user = factories.UserFactory(email="target@example.com")
    url = reverse("account_login")

    # when five wrong passwords are tried, each from a "different" address
    for i in range(5):
        response = client.post(
            url, {"login": user.email, "password": f"wrong-{i}"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}"
        )
        assert response.status_code == 200
        assert "Too many failed login attempts" not in response.content.decode()

    # then the sixth, even with the right password and yet another spoofed address, is refused
    sixth = client.post(
        url, {"login": user.email, "password": factories.PASSWORD}, HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert "Too many failed login attempts" in sixth.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=PortalAction.LOGIN_FAILED).count() == 5


def test_successful_and_failed_sign_ins_are_audited_without_passwords(
    client: Any, firm: Any
) -> None:
    user = factories.UserFactory(email="audited@example.com")
    client.post(reverse("account_login"), {"login": user.email, "password": "nope-nope-1"})
    client.post(reverse("account_login"), {"login": user.email, "password": factories.PASSWORD})

    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert PortalAction.LOGIN_FAILED in actions
    assert PortalAction.LOGIN in actions
    assert not AuditEvent.objects.filter(data__icontains="nope-nope-1").exists()
    assert not AuditEvent.objects.filter(data__icontains=factories.PASSWORD).exists()
