from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def _current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def _login(client: Any, email: str) -> Any:
    return client.post(reverse("account_login"), {"login": email, "password": factories.PASSWORD})


@pytest.mark.parametrize("path", ["/staff/", "/staff/matters/", "/admin/", "/admin/portal/matter/"])
def test_staff_without_mfa_are_sent_to_enrol_before_anything(
    client: Any, firm: Any, path: str
) -> None:
    staff = factories.StaffFactory(mfa=False)
    _login(client, staff.email)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_cocounsel_without_mfa_cannot_open_a_shared_matter(client: Any, world: Any) -> None:
    newcomer = factories.CoCounselFactory(mfa=False)
    factories.share_with_cocounsel(matter=world.matter_a, by=world.staff_on, user=newcomer)
    client.force_login(newcomer)

    response = client.get(reverse("portal:matter-detail", args=[world.matter_a.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_admin_login_page_goes_through_the_portal_sign_in(client: Any, firm: Any) -> None:
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_enrolled_staff_need_the_code_after_the_password(client: Any, firm: Any) -> None:
    staff = factories.StaffFactory()

    response = _login(client, staff.email)

    # the password alone does not sign in: allauth asks for the second factor
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get("/staff/").status_code == 302

    done = client.post(reverse("mfa_authenticate"), {"code": _current_code(staff.totp_secret)})
    assert done.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_a_code_without_the_password_gets_nothing(client: Any, firm: Any) -> None:
    staff = factories.StaffFactory()

    response = client.post(reverse("mfa_authenticate"), {"code": _current_code(staff.totp_secret)})

    assert "_auth_user_id" not in client.session
    assert response.status_code in (302, 400, 404)
    assert client.get("/staff/").status_code == 302


def test_a_code_works_only_once(client: Any, firm: Any) -> None:
    staff = factories.StaffFactory()
    code = _current_code(staff.totp_secret)
    _login(client, staff.email)
    client.post(reverse("mfa_authenticate"), {"code": code})
    client.post(reverse("account_logout"))

    _login(client, staff.email)
    client.post(reverse("mfa_authenticate"), {"code": code})

    assert "_auth_user_id" not in client.session


def test_clients_are_not_asked_for_mfa(client: Any, world: Any) -> None:
    client.force_login(world.client_a)

    assert client.get(reverse("portal:home")).status_code == 200


def test_staff_are_not_asked_for_the_password_again_to_set_up_mfa(
    client: Any, firm: Any, settings: Any
) -> None:
    # given: a staff member without two-step sign-in signs in with the password
    settings.ATRIUM_REQUIRE_STAFF_MFA = True
    staff = factories.StaffFactory(mfa=False)
    _login(client, staff.email)

    # when: the gate sends them to enrol
    gate = client.get("/staff/")
    enrol = client.get(gate["Location"])

    # then: the enrolment form, not a second password prompt
    assert gate["Location"] == reverse("mfa_activate_totp")
    assert enrol.status_code == 200
    assert b"reauthenticate" not in enrol.content


def test_a_password_typed_long_ago_is_asked_again_before_mfa_setup(
    client: Any, firm: Any, settings: Any
) -> None:
    import datetime as dt

    import time_machine
    from django.utils import timezone

    settings.ATRIUM_REQUIRE_STAFF_MFA = True
    staff = factories.StaffFactory(mfa=False)
    with time_machine.travel(timezone.now() - dt.timedelta(minutes=30)):
        _login(client, staff.email)

    enrol = client.get(reverse("mfa_activate_totp"))

    assert enrol.status_code == 302
    assert enrol["Location"].startswith(reverse("account_reauthenticate"))


def test_enrolled_staff_still_confirm_the_password_to_change_mfa(client: Any, firm: Any) -> None:
    staff = factories.StaffFactory()
    client.force_login(staff)

    response = client.get(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_a_new_colleague_sets_a_password_and_goes_straight_to_mfa_setup(
    client: Any, world: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import re

    from django.core import mail

    from portal import services

    settings.ATRIUM_REQUIRE_STAFF_MFA = True
    with django_capture_on_commit_callbacks(execute=True):
        services.staff_create(
            actor=world.admin,
            email="new.one@firm.example",
            first_name="New",
            last_name="One",
            role="lawyer",
        )
    token = re.search(r"/invite/([A-Za-z0-9_\-]+)/", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]  # the mail has the link

    client.post(
        reverse("invitation-accept", args=[token]),
        {"password1": "a-long-new-secret-9", "password2": "a-long-new-secret-9"},
    )
    enrol = client.get(reverse("mfa_activate_totp"))

    assert enrol.status_code == 200
