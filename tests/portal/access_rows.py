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


ADMIN_ONLY = {**STAFF_ONLY, "staff_on": 404, "staff_off": 404}
ADMIN_POST = {**ADMIN_ONLY, "admin": 302}


def _closure(w):
    import datetime as dt

    from portal.models import FirmClosure

    w.closure = FirmClosure.objects.create(date=dt.date(2099, 12, 30), reason="Bridge day")


def _client_message(w):
    from portal import services

    w.client_message = services.message_send(
        actor=w.client_a, matter=w.matter_a, text="Thank you, nothing else."
    )


def _staff_off(w):
    return {"staff_id": w.staff_off.pk}


def _tags(w):
    from portal.models import Tag

    w.tag = Tag.objects.create(name="Secret tag Okapi", category="other")
    w.other_tag = Tag.objects.create(name="Other tag", category="other")


def _tag(w):
    return {"tag_id": w.tag.pk}


STAFF_POST_ON_A = {**MATTER_A_STAFF, "staff_on": 302, "admin": 302}


def _contact_a_edit(w):
    c = w.contact_a
    return {
        "kind": c.kind,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "email": c.email,
        "language": c.language,
        "time_zone": c.time_zone,
        "preferred_channel": c.preferred_channel,
        "notes": "edited",
    }


def _inquiry(w):
    from tests import factories

    w.inquiry = factories.ContactFactory(kind="prospect", email="inquiry-7731@example.com")


def _staff_off_profile(w):
    """staff_off has a booking page profile with a photo (its key on w.photo_key)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from portal import services
    from portal.photos import photo_checked

    out = io.BytesIO()
    Image.new("RGB", (100, 100), (1, 2, 3)).save(out, format="PNG")
    photo = photo_checked(SimpleUploadedFile("p.png", out.getvalue(), "image/png"))
    profile = services.staff_profile_update(
        actor=w.admin,
        user=w.staff_off,
        data={"profile_en": "Secret profile Narwhal"},
        photo=photo,
    )
    w.photo_key = profile.photo_key


STAFF_POST = {**STAFF_ONLY, "staff_on": 302, "staff_off": 302, "admin": 302}


ROWS = [
    Row("home", same(302)),
    Row("healthz", PUBLIC),
    Row("invitation-accept", same(404), kwargs=lambda w: {"token": "not-a-real-token"}),
    Row("set-language", same(302), method="post", data=lambda w: {"language": "pl"}),
    Row("set-time-zone", PUBLIC, method="post", data=lambda w: {"time_zone": "Europe/Madrid"}),
    Row("firm-logo", same(404)),
    # Staff photos on the public booking page: anyone, by the photo's unguessable key.
    Row("staff-photo", same(404), kwargs=lambda w: {"key": "NoSuchPhotoKey123"}),
    Row("staff-photo", PUBLIC, setup=_staff_off_profile, kwargs=lambda w: {"key": w.photo_key}),
    Row("portal:home", ANY_SIGNED_IN),
    Row(
        "portal:matter-detail",
        MATTER_A_READERS,
        kwargs=_matter_a,
        secret=lambda w: w.matter_a.title,
    ),
    Row("portal:preferences", ANY_SIGNED_IN),
    Row("staff:home", STAFF_ONLY),
    Row("staff:contact-list", STAFF_ONLY),
    Row("staff:contact-create", STAFF_ONLY),
    # Contacts follow the staff access policy: client A's contact is on matter A only.
    Row(
        "staff:contact-detail",
        MATTER_A_STAFF,
        kwargs=_contact_a,
        secret=lambda w: w.contact_a.email,
    ),
    Row(
        "staff:contact-edit", MATTER_A_STAFF, kwargs=_contact_a, secret=lambda w: w.contact_a.email
    ),
    Row(
        "staff:contact-edit",
        {**MATTER_A_STAFF, "staff_on": 302, "admin": 302},
        kwargs=_contact_a,
        method="post",
        data=_contact_a_edit,
        secret=lambda w: w.contact_a.email,
    ),
    Row(
        "staff:contact-invite",
        {**MATTER_A_STAFF, "staff_on": 302, "admin": 302},
        kwargs=_contact_a,
        method="post",
    ),
    # A new inquiry (a contact on no matter yet) is open to every staff member.
    Row(
        "staff:contact-detail",
        STAFF_ONLY,
        setup=_inquiry,
        kwargs=lambda w: {"contact_id": w.inquiry.pk},
        secret=lambda w: w.inquiry.email,
    ),
    Row("staff:matter-list", STAFF_ONLY),
    Row("staff:matter-create", STAFF_ONLY),
    Row("staff:matter-detail", MATTER_A_STAFF, kwargs=_matter_a, secret=lambda w: w.matter_a.title),
    Row("staff:matter-edit", MATTER_A_STAFF, kwargs=_matter_a, secret=lambda w: w.matter_a.title),
    Row(
        "staff:matter-stage",
        STAFF_POST_ON_A,
        kwargs=_matter_a,
        method="post",
        data=lambda w: {"stage": "engaged"},
    ),
    Row(
        "staff:matter-timeline-add",
        STAFF_POST_ON_A,
        kwargs=_matter_a,
        method="post",
        data=lambda w: {"kind": "update", "title": "x", "occurred_at": "2026-01-01T10:00"},
    ),
    Row(
        "staff:matter-share",
        STAFF_POST_ON_A,
        kwargs=_matter_a,
        method="post",
        data=lambda w: {
            "email": "new@partner.example",
            "first_name": "N",
            "last_name": "P",
            "expires_on": "2099-01-01",
        },
    ),
    Row(
        "staff:grant-revoke",
        STAFF_POST_ON_A,
        kwargs=lambda w: {"grant_id": w.grant.pk},
        method="post",
    ),
    Row("staff:audit-log", STAFF_ONLY),
    Row("staff:audit-export", STAFF_ONLY),
    Row("staff:firm-settings", {**STAFF_ONLY, "staff_on": 404, "staff_off": 404}),
    # The firm's business time (insights §3): firm admins only.
    Row("staff:firm-hours", ADMIN_ONLY),
    Row(
        "staff:firm-hours",
        ADMIN_POST,
        method="post",
        data=lambda w: {
            **{f"day_{d}": "9:00-17:00" for d in range(5)},
            "country": "PL",
            "subdivision": "",
        },
    ),
    Row(
        "staff:firm-closure-add",
        ADMIN_POST,
        method="post",
        data=lambda w: {"date": "2099-12-31", "reason": "Bridge day"},
    ),
    Row(
        "staff:firm-closure-remove",
        ADMIN_POST,
        setup=_closure,
        method="post",
        kwargs=lambda w: {"closure_id": w.closure.pk},
    ),
]


# ---------------------------------------------------------------------------
# Messages, documents, requests, tasks and search (issue 3)
# ---------------------------------------------------------------------------
SECRET_TEXT = "Zebra-secret-7431"
SECRET_BYTES = "Confidential settlement figure 98765"


def _portal_objects(w):
    """A message, a shared and an internal document, a checklist and a task on matter A."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from portal import services

    folder = services.folder_create(
        actor=w.staff_on, matter=w.matter_a, name="Discovery", client_can_upload=True
    )
    w.message = services.message_send(actor=w.staff_on, matter=w.matter_a, text=SECRET_TEXT)
    w.version = services.document_upload(
        actor=w.staff_on,
        matter=w.matter_a,
        folder=folder,
        files=[SimpleUploadedFile("shared-plan.txt", SECRET_BYTES.encode())],
    )[0]
    w.document = w.version.document
    w.internal_version = services.document_upload(
        actor=w.staff_on,
        matter=w.matter_a,
        folder=folder,
        shared_with_client=False,
        files=[SimpleUploadedFile("internal-memo.txt", b"internal strategy notes")],
    )[0]
    w.internal = w.internal_version.document
    w.cocounsel_version = services.document_upload(
        actor=w.staff_on,
        matter=w.matter_a,
        folder=folder,
        shared_with_client=False,
        shared_with_cocounsel=True,
        files=[SimpleUploadedFile("counsel-brief.txt", b"brief for co-counsel only")],
    )[0]
    w.cocounsel_doc = w.cocounsel_version.document
    w.folder = folder
    due = timezone.localdate() + dt.timedelta(days=7)
    w.doc_request = services.document_request_create(
        actor=w.staff_on,
        matter=w.matter_a,
        title="Discovery items",
        due_date=due,
        items=["Passport scan"],
    )
    w.item = w.doc_request.items.get()
    w.task = services.client_task_create(
        actor=w.staff_on,
        matter=w.matter_a,
        kind="sign_upload",
        title="Sign the power of attorney",
        due_date=due,
    )


def _submitted_item(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal import services

    _portal_objects(w)
    services.request_item_upload(
        actor=w.client_a, item=w.item, files=[SimpleUploadedFile("passport.txt", b"passport")]
    )


def _deleted_document(w):
    from portal import services

    _portal_objects(w)
    services.document_delete(actor=w.staff_on, document=w.document)


# Matter A's POST actions that anyone who may open the matter can take.
READER_POST_ON_A = {
    **MATTER_A_READERS,
    "client_a": 302,
    "staff_on": 302,
    "admin": 302,
    "cocounsel": 302,
}
# Internal items: staff on the matter only (co-counsel too, unless shared with them).
FIRM_SIDE_ON_A = {**MATTER_A_READERS, "client_a": 404, "cocounsel": 404}
# Shared with co-counsel but not with the client.
COCOUNSEL_ON_A = {**MATTER_A_READERS, "client_a": 404}

ROWS += [
    # One rule for what co-counsel see (portal.selectors.visibility).
    Row(
        "portal:document-detail",
        COCOUNSEL_ON_A,
        setup=_portal_objects,
        kwargs=lambda w: {"document_id": w.cocounsel_doc.pk},
        secret=lambda w: "counsel-brief",
    ),
    Row(
        "portal:version-download",
        COCOUNSEL_ON_A,
        setup=_portal_objects,
        kwargs=lambda w: {"version_id": w.cocounsel_version.pk},
        secret=lambda w: "brief for co-counsel only",
    ),
    Row(
        "staff:folder-share-cocounsel",
        STAFF_POST_ON_A,
        setup=_portal_objects,
        method="post",
        kwargs=lambda w: {"folder_id": w.folder.pk},
        data=lambda w: {"shared": "1"},
    ),
    Row(
        "staff:document-share",
        STAFF_POST_ON_A,
        setup=_portal_objects,
        method="post",
        kwargs=lambda w: {"document_id": w.internal.pk},
        data=lambda w: {"cocounsel": "1"},
    ),
    Row(
        "portal:message-list",
        MATTER_A_READERS,
        kwargs=_matter_a,
        setup=_portal_objects,
        secret=lambda w: SECRET_TEXT,
    ),
    Row(
        "portal:message-list",
        READER_POST_ON_A,
        kwargs=_matter_a,
        method="post",
        data=lambda w: {"text": "Hello"},
    ),
    Row(
        "portal:document-list",
        MATTER_A_READERS,
        kwargs=_matter_a,
        setup=_portal_objects,
        secret=lambda w: "shared-plan.txt",
    ),
    Row(
        "portal:document-list",
        READER_POST_ON_A,
        kwargs=_matter_a,
        method="post",
        setup=_portal_objects,
        data=lambda w: {"folder": str(w.document.folder_id)},
    ),
    Row(
        "portal:document-detail",
        MATTER_A_READERS,
        setup=_portal_objects,
        kwargs=lambda w: {"document_id": w.document.pk},
        secret=lambda w: "shared-plan.txt",
    ),
    Row(
        "portal:document-detail",
        FIRM_SIDE_ON_A,
        setup=_portal_objects,
        kwargs=lambda w: {"document_id": w.internal.pk},
        secret=lambda w: "internal-memo",
    ),
    Row(
        "portal:version-download",
        MATTER_A_READERS,
        setup=_portal_objects,
        kwargs=lambda w: {"version_id": w.version.pk},
        secret=lambda w: SECRET_BYTES,
    ),
    Row(
        "portal:version-download",
        FIRM_SIDE_ON_A,
        setup=_portal_objects,
        kwargs=lambda w: {"version_id": w.internal_version.pk},
        secret=lambda w: "internal strategy notes",
    ),
    Row(
        "portal:request-list",
        MATTER_A_READERS,
        kwargs=_matter_a,
        setup=_portal_objects,
        secret=lambda w: "Passport scan",
    ),
    Row(
        "portal:request-item-upload",
        READER_POST_ON_A,
        setup=_portal_objects,
        kwargs=lambda w: {"item_id": w.item.pk},
        method="post",
    ),
    Row(
        "portal:task-list",
        MATTER_A_READERS,
        kwargs=_matter_a,
        setup=_portal_objects,
        secret=lambda w: "power of attorney",
    ),
    Row(
        "portal:task-done",
        READER_POST_ON_A,
        setup=_portal_objects,
        kwargs=lambda w: {"task_id": w.task.pk},
        method="post",
    ),
    Row("portal:search", ANY_SIGNED_IN, setup=_portal_objects, query="q=Zebra"),
    Row(
        "staff:folder-create",
        STAFF_POST_ON_A,
        kwargs=_matter_a,
        method="post",
        data=lambda w: {"name": "Signed documents"},
    ),
    Row(
        "staff:document-share",
        STAFF_POST_ON_A,
        setup=_portal_objects,
        method="post",
        kwargs=lambda w: {"document_id": w.internal.pk},
        data=lambda w: {"shared": "1"},
    ),
    Row(
        "staff:document-delete",
        STAFF_POST_ON_A,
        setup=_portal_objects,
        method="post",
        kwargs=lambda w: {"document_id": w.document.pk},
    ),
    Row(
        "staff:document-restore",
        STAFF_POST_ON_A,
        setup=_deleted_document,
        method="post",
        kwargs=lambda w: {"document_id": w.document.pk},
    ),
    Row(
        "staff:request-create",
        STAFF_POST_ON_A,
        kwargs=_matter_a,
        method="post",
        data=lambda w: {"title": "Papers", "due_date": "2099-01-01", "items": "ID\nPayslip"},
    ),
    Row(
        "staff:request-item-review",
        STAFF_POST_ON_A,
        setup=_submitted_item,
        method="post",
        kwargs=lambda w: {"item_id": w.item.pk},
        data=lambda w: {"decision": "accept"},
    ),
    Row(
        "staff:task-create",
        STAFF_POST_ON_A,
        kwargs=_matter_a,
        method="post",
        data=lambda w: {"kind": "review", "title": "Read the draft", "due_date": "2099-01-01"},
    ),
    Row("staff:tasks-overdue", STAFF_ONLY),
    Row("staff:status-update", STAFF_ONLY),
    Row("staff:search", STAFF_ONLY, setup=_portal_objects, query="q=Zebra"),
    # The silence alarm (moved here from notifications).
    Row("staff:silence-list", STAFF_ONLY),
    Row(
        "staff:silence-checkin",
        MATTER_A_STAFF,
        kwargs=lambda w: {"matter_id": w.matter_a.pk},
        secret=lambda w: w.matter_a.title,
    ),
    Row(
        "staff:silence-checkin",
        {**MATTER_A_STAFF, "staff_on": 302, "admin": 302},
        kwargs=lambda w: {"matter_id": w.matter_a.pk},
        method="post",
        data=lambda w: {"title": "Quick update", "body": "Nothing new yet."},
        secret=lambda w: w.matter_a.title,
    ),
    # The staff inbox: every staff member has one; "no reply needed" only on their matters.
    Row("staff:inbox", STAFF_ONLY),
    Row(
        "staff:message-no-reply",
        STAFF_POST_ON_A,
        setup=_client_message,
        method="post",
        kwargs=lambda w: {"message_id": w.client_message.pk},
        data=lambda w: {"reason": "Only a thank-you"},
    ),
    Row(
        "staff:inbox-dismiss",
        STAFF_POST_ON_A,
        kwargs=_matter_a,
        method="post",
        data=lambda w: {"reason": "Only a thank-you"},
        secret=lambda w: w.matter_a.title,
    ),
    # Staff accounts and tags: firm admins only.
    Row("staff:team-list", ADMIN_ONLY),
    Row("staff:team-create", ADMIN_ONLY),
    Row(
        "staff:team-create",
        ADMIN_POST,
        method="post",
        data=lambda w: {
            "first_name": "New",
            "last_name": "Colleague",
            "email": "new.colleague@firm.example",
            "role": "paralegal",
            "language": "pl",
        },
    ),
    Row("staff:team-detail", ADMIN_ONLY, kwargs=_staff_off, secret=lambda w: w.staff_off.email),
    Row(
        "staff:team-update",
        ADMIN_POST,
        kwargs=_staff_off,
        method="post",
        data=lambda w: {"action": "deactivate"},
        secret=lambda w: w.staff_off.email,
    ),
    # Booking page profiles: everyone on the staff keeps their own, admins anyone's.
    Row("staff:profile", STAFF_ONLY),
    Row(
        "staff:profile",
        STAFF_POST,
        method="post",
        data=lambda w: {"practice_areas": ["family"], "languages": ["pl"], "profile_en": "Hi"},
    ),
    Row(
        "staff:team-profile",
        ADMIN_ONLY,
        setup=_staff_off_profile,
        kwargs=_staff_off,
        secret=lambda w: "Secret profile Narwhal",
    ),
    Row(
        "staff:team-profile",
        ADMIN_POST,
        kwargs=_staff_off,
        method="post",
        data=lambda w: {"languages": ["en"], "profile_en": "Changed"},
    ),
    Row("staff:tag-list", ADMIN_ONLY),
    Row(
        "staff:tag-list",
        ADMIN_POST,
        method="post",
        data=lambda w: {"name": "Urgent", "category": "priority"},
    ),
    Row("staff:tag-edit", ADMIN_ONLY, setup=_tags, kwargs=_tag, secret=lambda w: w.tag.name),
    Row(
        "staff:tag-edit",
        ADMIN_POST,
        setup=_tags,
        kwargs=_tag,
        method="post",
        data=lambda w: {"name": "Renamed", "category": "other"},
    ),
    Row(
        "staff:tag-merge",
        ADMIN_POST,
        setup=_tags,
        kwargs=_tag,
        method="post",
        data=lambda w: {"target": w.other_tag.pk},
    ),
    Row("staff:tag-delete", ADMIN_POST, setup=_tags, kwargs=_tag, method="post"),
]

__all__ = ["LOGIN", "ROWS"]


def _adverse_party(w):
    from portal import services

    other = services.contact_create(
        actor=w.admin, data={"kind": "other_party", "first_name": "Qorvan", "last_name": "Plimsett"}
    )
    w.party = services.matter_party_add(
        actor=w.admin, matter=w.matter_a, contact=other, role="ADVERSE"
    )


ROWS += [
    Row(
        "staff:matter-parties",
        MATTER_A_STAFF,
        kwargs=_matter_a,
        setup=_adverse_party,
        secret=lambda w: "Plimsett",
    ),
    Row(
        "staff:matter-party-end",
        {**MATTER_A_STAFF, "staff_on": 302, "admin": 302},
        method="post",
        setup=_adverse_party,
        kwargs=lambda w: {"matter_id": w.matter_a.pk, "party_id": w.party.pk},
    ),
]


# ---------------------------------------------------------------------------
# Correcting and withdrawing what staff posted (issue 12, item 4)
# ---------------------------------------------------------------------------
EDIT_SECRET = "Okapi-hearing-5521"


def _timeline_entry(w):
    from portal import services

    w.entry = services.timeline_entry_add(
        actor=w.staff_on, matter=w.matter_a, kind="update", title=EDIT_SECRET
    )


def _entry_id(w):
    return {"entry_id": w.entry.pk}


ROWS += [
    Row(
        "staff:timeline-edit",
        MATTER_A_STAFF,
        setup=_timeline_entry,
        kwargs=_entry_id,
        secret=lambda w: EDIT_SECRET,
    ),
    Row(
        "staff:timeline-withdraw",
        STAFF_POST_ON_A,
        setup=_timeline_entry,
        kwargs=_entry_id,
        method="post",
    ),
    Row(
        "staff:task-edit",
        MATTER_A_STAFF,
        setup=_portal_objects,
        kwargs=lambda w: {"task_id": w.task.pk},
        secret=lambda w: w.task.title,
    ),
    Row(
        "staff:task-cancel",
        STAFF_POST_ON_A,
        setup=_portal_objects,
        kwargs=lambda w: {"task_id": w.task.pk},
        method="post",
    ),
    Row(
        "staff:request-edit",
        MATTER_A_STAFF,
        setup=_portal_objects,
        kwargs=lambda w: {"request_id": w.doc_request.pk},
        secret=lambda w: w.doc_request.title,
    ),
    Row(
        "staff:request-withdraw",
        STAFF_POST_ON_A,
        setup=_portal_objects,
        kwargs=lambda w: {"request_id": w.doc_request.pk},
        method="post",
    ),
    Row(
        "staff:request-item-withdraw",
        STAFF_POST_ON_A,
        setup=_portal_objects,
        kwargs=lambda w: {"item_id": w.item.pk},
        method="post",
    ),
    Row(
        "staff:folder-edit",
        MATTER_A_STAFF,
        setup=_portal_objects,
        kwargs=lambda w: {"folder_id": w.document.folder_id},
    ),
    Row(
        "staff:document-edit",
        MATTER_A_STAFF,
        setup=_portal_objects,
        kwargs=lambda w: {"document_id": w.internal.pk},
        secret=lambda w: w.internal.name,
    ),
]

# Help pages and the firm's own texts (issue 12, item 9).
ROWS += [
    Row("portal:help", ANY_SIGNED_IN),
    Row("staff:help", STAFF_ONLY),
    Row("staff:firm-text-edit", ADMIN_ONLY, kwargs=lambda w: {"key": "client_help"}),
    Row(
        "staff:firm-text-edit",
        ADMIN_POST,
        kwargs=lambda w: {"key": "meeting_followup"},
        method="post",
        data=lambda w: {"pl": "Dziękujemy za spotkanie."},
    ),
]
