"""Defects found in QA of the portal, each pinned by the request that showed it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal import services
from portal.models import Document, DocumentRequestItem, Folder

pytestmark = pytest.mark.django_db


def _folder(world: Any, **kwargs: Any) -> Folder:
    return services.folder_create(
        actor=world.staff_on, matter=world.matter_a, name=kwargs.pop("name", "Discovery"), **kwargs
    )


def _upload(world: Any, folder: Folder, name: str, content: bytes, *, shared: bool) -> Document:
    versions = services.document_upload(
        actor=world.staff_on,
        matter=world.matter_a,
        folder=folder,
        files=[SimpleUploadedFile(name, content)],
        shared_with_client=shared,
    )
    return versions[0].document


def test_client_upload_with_the_name_of_an_internal_document_stays_the_clients(
    client: Any, world: Any
) -> None:
    # given an internal firm document in a folder the client may upload into
    folder = _folder(world, client_can_upload=True)
    internal = _upload(world, folder, "notes.txt", b"internal strategy", shared=False)
    client.force_login(world.client_a)

    # when the client uploads a file of the same name
    client.post(
        reverse("portal:document-list", args=[world.matter_a.pk]),
        {"folder": str(folder.pk), "files": [SimpleUploadedFile("notes.txt", b"mine")]},
    )

    # then the internal document is untouched and the client's file is a shared document
    internal.refresh_from_db()
    assert internal.version_count == 1
    mine = Document.objects.get(folder=folder, name="notes (2).txt")
    assert mine.shared_with_client
    page = client.get(reverse("portal:document-list", args=[world.matter_a.pk]))
    assert "notes (2).txt" in page.content.decode()
    assert b"internal strategy" not in page.content


def test_client_upload_with_the_name_of_a_shared_document_adds_a_version(
    client: Any, world: Any
) -> None:
    # given a shared document
    folder = _folder(world, client_can_upload=True)
    shared = _upload(world, folder, "signed.txt", b"draft", shared=True)
    client.force_login(world.client_a)

    # when the client uploads the same name
    client.post(
        reverse("portal:document-list", args=[world.matter_a.pk]),
        {"folder": str(folder.pk), "files": [SimpleUploadedFile("signed.txt", b"x")]},
    )

    # then it is the next version, as the upload form promises
    shared.refresh_from_db()
    assert shared.version_count == 2


def test_request_list_hides_files_the_firm_has_made_internal(client: Any, world: Any) -> None:
    # given a client upload for a checklist item that the firm then made internal
    import datetime as dt

    from django.utils import timezone

    doc_request = services.document_request_create(
        actor=world.staff_on,
        matter=world.matter_a,
        title="Docs",
        due_date=timezone.localdate() + dt.timedelta(days=3),
        items=["Passport"],
    )
    item = doc_request.items.get()
    versions = services.request_item_upload(
        actor=world.client_a, item=item, files=[SimpleUploadedFile("passport-scan.txt", b"scan")]
    )
    services.document_set_shared(actor=world.staff_on, document=versions[0].document, shared=False)
    url = reverse("portal:request-list", args=[world.matter_a.pk])

    # when the client and the lawyer open the checklist
    client.force_login(world.client_a)
    seen_by_client = client.get(url).content.decode()
    client.force_login(world.staff_on)
    seen_by_staff = client.get(url).content.decode()

    # then only the firm still lists the file (the client's link would be a 404)
    assert DocumentRequestItem.objects.get(pk=item.pk).status == "submitted"
    assert "passport-scan.txt" not in seen_by_client
    assert "passport-scan.txt" in seen_by_staff


def test_sharing_a_document_in_an_internal_folder_does_not_claim_the_client_sees_it(
    client: Any, world: Any
) -> None:
    # given an internal document in an internal folder
    folder = _folder(world, name="Strategy", shared_with_client=False)
    document = _upload(world, folder, "memo.txt", b"memo", shared=False)
    client.force_login(world.staff_on)

    # when the lawyer presses "Share with the client"
    response = client.post(
        reverse("staff:document-share", args=[document.pk]), {"shared": "1"}, follow=True
    )

    # then the page says the client still cannot see it, and the client indeed cannot
    text = response.content.decode()
    assert "The client can see this document now." not in text
    assert "folder is internal" in text
    assert "internal folder: the client cannot see it" in text
    client.force_login(world.client_a)
    assert client.get(reverse("portal:document-detail", args=[document.pk])).status_code == 404


def test_cocounsel_sees_which_documents_are_internal(client: Any, world: Any) -> None:
    # given a document kept from the client but shared with co-counsel
    folder = _folder(world)
    document = _upload(world, folder, "memo.txt", b"memo", shared=False)
    services.document_set_shared(actor=world.staff_on, document=document, cocounsel=True)

    # when co-counsel opens it
    client.force_login(world.cocounsel)
    response = client.get(reverse("portal:document-detail", args=[document.pk]))

    # then it is marked internal, so they know not to pass it to the client
    assert 'badge internal">internal<' in response.content.decode()


def test_a_client_can_open_one_folder(client: Any, world: Any) -> None:
    # given two shared folders with a document each
    discovery = _folder(world, client_can_upload=True)
    other = _folder(world, name="Court papers")
    _upload(world, discovery, "bank.txt", b"b", shared=True)
    _upload(world, other, "filing.txt", b"f", shared=True)
    client.force_login(world.client_a)
    url = reverse("portal:document-list", args=[world.matter_a.pk])

    # when the client opens the Discovery folder
    response = client.get(url, {"folder": str(discovery.pk)})

    # then only its documents are listed and it is preselected for uploads
    text = response.content.decode()
    assert response.status_code == 200
    assert "bank.txt" in text
    assert "filing.txt" not in text
    assert f'value="{discovery.pk}" selected' in text


@pytest.mark.parametrize("folder_id", ["internal", "other-matter", "not-a-uuid"])
def test_a_client_cannot_open_a_hidden_or_foreign_folder(
    client: Any, world: Any, folder_id: str
) -> None:
    # given an internal folder on matter A and a folder on matter B
    hidden = _folder(world, name="Strategy", shared_with_client=False)
    _upload(world, hidden, "memo-secret.txt", b"memo", shared=True)
    foreign = services.folder_create(actor=world.staff_off, matter=world.matter_b, name="B papers")
    ids = {"internal": str(hidden.pk), "other-matter": str(foreign.pk), "not-a-uuid": "../../etc"}
    client.force_login(world.client_a)

    # when client A asks for it
    response = client.get(
        reverse("portal:document-list", args=[world.matter_a.pk]), {"folder": ids[folder_id]}
    )

    # then 404 and no byte of it
    assert response.status_code == 404
    assert b"memo-secret" not in response.content
    assert b"B papers" not in response.content


def test_a_sign_and_upload_task_tells_the_client_where_to_upload(client: Any, world: Any) -> None:
    # given a "sign and upload" task
    import datetime as dt

    from django.utils import timezone

    services.client_task_create(
        actor=world.staff_on,
        matter=world.matter_a,
        kind="sign_upload",
        title="Sign the power of attorney",
        due_date=timezone.localdate() + dt.timedelta(days=2),
    )
    client.force_login(world.client_a)
    documents = reverse("portal:document-list", args=[world.matter_a.pk])

    # when the client reads it on the home page and on the task list
    home = client.get(reverse("portal:home")).content.decode()
    tasks = client.get(reverse("portal:task-list", args=[world.matter_a.pk])).content.decode()

    # then both lead to the matter's documents, where the upload form is
    assert f'href="{documents}"' in home
    assert f'href="{documents}"' in tasks
    assert "Upload it in Documents" in tasks


def _invitation_link(world: Any, contact: Any, capture: Any) -> str:
    import re

    from django.core import mail

    with capture(execute=True):
        services.client_invite(actor=world.staff_on, contact=contact)
    return re.search(r"/invite/([A-Za-z0-9_\-]+)/", mail.outbox[-1].body).group(1)


def test_a_disabled_client_cannot_reactivate_themselves_with_an_old_invitation(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a client with an account, a fresh invitation, and then the account disabled
    token = _invitation_link(world, world.contact_a, django_capture_on_commit_callbacks)
    world.client_a.is_active = False
    world.client_a.save(update_fields=["is_active"])
    old_hash = world.client_a.password

    # when the link is used to set a new password
    response = client.post(
        reverse("invitation-accept", args=[token]),
        {"password1": "a-long-new-secret-9", "password2": "a-long-new-secret-9"},
    )

    # then the account stays disabled, its password unchanged, and nobody is signed in
    world.client_a.refresh_from_db()
    assert response.status_code == 404
    assert not world.client_a.is_active
    assert world.client_a.password == old_hash
    assert "_auth_user_id" not in client.session


def test_a_client_invitation_never_sets_the_password_of_a_staff_account(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given an invitation to a contact, whose address later becomes a staff login
    from tests import factories

    contact = factories.ContactFactory(email="later.staff@example.com")
    token = _invitation_link(world, contact, django_capture_on_commit_callbacks)
    staff = factories.StaffFactory(email="later.staff@example.com")
    old_hash = staff.password

    # when the invitation is accepted
    response = client.post(
        reverse("invitation-accept", args=[token]),
        {"password1": "a-long-new-secret-9", "password2": "a-long-new-secret-9"},
    )

    # then the staff password is unchanged and no contact is tied to the staff account
    staff.refresh_from_db()
    contact.refresh_from_db()
    assert response.status_code == 404
    assert staff.password == old_hash
    assert contact.user_id is None


def test_a_one_letter_search_asks_for_more_instead_of_claiming_nothing_matched(
    client: Any, world: Any
) -> None:
    # given a message that contains the letter
    services.message_send(actor=world.staff_on, matter=world.matter_a, text="a hearing date")
    client.force_login(world.client_a)

    # when the client searches for one letter
    response = client.get(reverse("portal:search"), {"q": "a"})

    # then the page asks for two letters and lists no empty result sections
    text = response.content.decode()
    assert "Type at least two letters to search." in text
    assert "No messages found." not in text


def test_a_deleted_or_internal_attachment_is_not_listed_to_the_client(
    client: Any, world: Any
) -> None:
    # given two attachments the lawyer sent, one then deleted and one made internal
    message = services.message_send(
        actor=world.staff_on,
        matter=world.matter_a,
        text="Drafts attached",
        files=[
            SimpleUploadedFile("wrong-client.txt", b"x"),
            SimpleUploadedFile("draft-internal.txt", b"y"),
            SimpleUploadedFile("draft-ok.txt", b"z"),
        ],
    )
    by_name = {v.document.name: v.document for v in message.attachments.all()}
    services.document_delete(actor=world.staff_on, document=by_name["wrong-client.txt"])
    services.document_set_shared(
        actor=world.staff_on, document=by_name["draft-internal.txt"], shared=False
    )
    url = reverse("portal:message-list", args=[world.matter_a.pk])

    # when the client and the lawyer read the thread
    client.force_login(world.client_a)
    seen_by_client = client.get(url).content.decode()
    client.force_login(world.staff_on)
    seen_by_staff = client.get(url).content.decode()

    # then the client sees only the attachment still shared; the firm also the internal one
    assert "draft-ok.txt" in seen_by_client
    assert "wrong-client.txt" not in seen_by_client
    assert "draft-internal.txt" not in seen_by_client
    assert "draft-internal.txt" in seen_by_staff
    assert "wrong-client.txt" not in seen_by_staff


def test_preferences_offer_the_zone_in_use_not_utc(client: Any, world: Any, firm: Any) -> None:
    # given a client with no saved zone, in a firm in Warsaw
    firm.time_zone = "Europe/Warsaw"
    firm.save(update_fields=["time_zone"])
    world.client_a.time_zone = ""
    world.client_a.save(update_fields=["time_zone"])
    client.force_login(world.client_a)

    # when they open preferences
    response = client.get(reverse("portal:preferences"))

    # then the zone field holds the zone the pages are shown in
    form = response.context["form"]
    assert form["time_zone"].value() == "Europe/Warsaw"


def test_cocounsel_home_does_not_list_the_clients_tasks_as_their_own(
    client: Any, world: Any
) -> None:
    # given an open task for the client on the shared matter
    import datetime as dt

    from django.utils import timezone

    services.client_task_create(
        actor=world.staff_on,
        matter=world.matter_a,
        kind="review",
        title="Read the draft settlement",
        due_date=timezone.localdate() + dt.timedelta(days=2),
    )

    # when co-counsel and the client open their home pages
    client.force_login(world.cocounsel)
    cocounsel_home = client.get(reverse("portal:home")).content.decode()
    client.force_login(world.client_a)
    client_home = client.get(reverse("portal:home")).content.decode()

    # then only the client is told it is their task; co-counsel see the lawyer named as such
    assert "Read the draft settlement" in client_home
    assert "Your open tasks" not in cocounsel_home
    assert "Read the draft settlement" not in cocounsel_home
    assert "Responsible lawyer:" in cocounsel_home
    assert "Your lawyer:" not in cocounsel_home


def test_the_invitation_email_text_does_not_show_html_entities(
    world: Any, firm: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a firm whose name has an ampersand
    firm.name = "Kowalska & Nowak"
    firm.save(update_fields=["name"])

    # when a client is invited
    _invitation_link(world, world.contact_a, django_capture_on_commit_callbacks)

    # then subject and plain text read "&", and the HTML part is still escaped
    message = mailoutbox[-1]
    assert "Kowalska & Nowak" in message.subject
    assert "Kowalska & Nowak" in message.body
    assert "&amp;" not in message.subject + message.body
    assert "Kowalska &amp; Nowak" in message.alternatives[0][0]
