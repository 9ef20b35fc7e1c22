from __future__ import annotations

from tests.access import (
    ANY_SIGNED_IN,
    LOGIN,
    MATTER_A_READERS,
    MATTER_A_STAFF,
    PUBLIC,
    STAFF_ONLY,
    Row,
    same,
)


def _matter_a(w):
    return {"matter_id": w.matter_a.pk}


def _contact_a(w):
    return {"contact_id": w.contact_a.pk}


STAFF_POST_ON_A = {**MATTER_A_STAFF, "staff_on": 302, "admin": 302}

ROWS = [
    Row("home", same(302)),
    Row("healthz", PUBLIC),
    Row("invitation-accept", same(404), kwargs=lambda w: {"token": "not-a-real-token"}),
    Row("set-language", same(302), method="post", data=lambda w: {"language": "pl"}),
    Row("set-time-zone", PUBLIC, method="post", data=lambda w: {"time_zone": "Europe/Madrid"}),
    Row("firm-logo", same(404)),
    Row("portal:home", ANY_SIGNED_IN),
    Row("portal:matter-detail", MATTER_A_READERS, kwargs=_matter_a,
        secret=lambda w: w.matter_a.title),
    Row("portal:preferences", ANY_SIGNED_IN),
    Row("staff:home", STAFF_ONLY),
    Row("staff:contact-list", STAFF_ONLY),
    Row("staff:contact-create", STAFF_ONLY),
    Row("staff:contact-detail", STAFF_ONLY, kwargs=_contact_a,
        secret=lambda w: w.contact_a.email),
    Row("staff:contact-edit", STAFF_ONLY, kwargs=_contact_a, secret=lambda w: w.contact_a.email),
    Row("staff:contact-invite", {**STAFF_ONLY, "staff_on": 302, "staff_off": 302, "admin": 302},
        kwargs=_contact_a, method="post"),
    Row("staff:matter-list", STAFF_ONLY),
    Row("staff:matter-create", STAFF_ONLY),
    Row("staff:matter-detail", MATTER_A_STAFF, kwargs=_matter_a,
        secret=lambda w: w.matter_a.title),
    Row("staff:matter-edit", MATTER_A_STAFF, kwargs=_matter_a, secret=lambda w: w.matter_a.title),
    Row("staff:matter-stage", STAFF_POST_ON_A, kwargs=_matter_a, method="post",
        data=lambda w: {"stage": "engaged"}),
    Row("staff:matter-timeline-add", STAFF_POST_ON_A, kwargs=_matter_a, method="post",
        data=lambda w: {"kind": "update", "title": "x", "occurred_at": "2026-01-01T10:00"}),
    Row("staff:matter-share", STAFF_POST_ON_A, kwargs=_matter_a, method="post",
        data=lambda w: {"email": "new@partner.example", "first_name": "N", "last_name": "P",
                        "expires_on": "2099-01-01"}),
    Row("staff:grant-revoke", STAFF_POST_ON_A, kwargs=lambda w: {"grant_id": w.grant.pk},
        method="post"),
    Row("staff:audit-log", STAFF_ONLY),
    Row("staff:firm-settings", {**STAFF_ONLY, "staff_on": 404, "staff_off": 404}),
]

__all__ = ["LOGIN", "ROWS"]
