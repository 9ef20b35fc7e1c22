"""Demo folders, documents, messages, a checklist and client tasks (seed_demo calls seed)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal import services
from portal.models import Matter, User


def pdf_with_text(text: str) -> bytes:
    """A one-page PDF with a line of text (real enough for pypdf and search)."""
    content = f"BT /F1 16 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def seed() -> None:
    """Idempotent: matters that already have folders are left alone."""
    today = timezone.localdate()
    for matter in Matter.objects.select_related("responsible_lawyer").exclude(stage="closed"):
        if matter.folders.exists():
            continue
        lawyer = matter.responsible_lawyer
        client_user = User.objects.filter(contact__matters=matter).first()
        discovery = services.folder_create(
            actor=lawyer, matter=matter, name="Discovery", client_can_upload=True
        )
        services.folder_create(actor=lawyer, matter=matter, name="Signed documents")
        internal = services.folder_create(
            actor=lawyer, matter=matter, name="Internal notes", shared_with_client=False
        )
        versions = services.document_upload(
            actor=lawyer,
            matter=matter,
            folder=discovery,
            files=[
                SimpleUploadedFile(
                    "Engagement letter.pdf",
                    pdf_with_text("Engagement letter: scope of work and fees"),
                )
            ],
        )
        versions += services.document_upload(
            actor=lawyer,
            matter=matter,
            folder=discovery,
            files=[
                SimpleUploadedFile(
                    "Engagement letter.pdf",
                    pdf_with_text("Engagement letter, revised: fees and retainer"),
                )
            ],
        )
        versions += services.document_upload(
            actor=lawyer,
            matter=matter,
            folder=internal,
            shared_with_client=False,
            files=[
                SimpleUploadedFile(
                    "Case strategy.txt", b"Internal: strengths, weaknesses, settlement range."
                )
            ],
        )
        for version in versions:
            services.document_version_extract_text(version_id=str(version.pk))
        services.document_request_create(
            actor=lawyer,
            matter=matter,
            title="Documents for the first filing",
            due_date=today + dt.timedelta(days=7),
            items=["Photo of your ID card", "Marriage certificate", "Last three payslips"],
        )
        services.client_task_create(
            actor=lawyer,
            matter=matter,
            kind="sign_upload",
            title="Sign and upload the power of attorney",
            due_date=today + dt.timedelta(days=3),
            description="Print it, sign every page and upload a photo or scan.",
        )
        services.client_task_create(
            actor=lawyer,
            matter=matter,
            kind="review",
            title="Read the draft settlement",
            due_date=today - dt.timedelta(days=1),
        )
        if client_user is not None:
            services.message_send(
                actor=client_user,
                matter=matter,
                text="Good morning, is there anything you need from me before the mediation?",
            )
            services.message_send(
                actor=lawyer,
                matter=matter,
                text="Yes: please upload the documents on the checklist by "
                "next week, and sign the power of attorney.",
            )
