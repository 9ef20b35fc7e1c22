"""Demo folders, documents, messages, a checklist and client tasks (seed_demo calls seed),
and the demo people's booking page profiles (seed_profiles)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from portal import services
from portal.models import Matter, StaffProfile, User
from portal.photos import photo_checked


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


# The demo people's booking page profiles: written in Polish, with English, Spanish and
# Russian versions; practice areas and the languages each one speaks.
PROFILES: dict[str, dict[str, Any]] = {
    "anna.kowalska@example.com": {
        "practice_areas": ["family", "litigation"],
        "languages": ["pl", "en", "de"],
        "photo": (46, 84, 150),
        "profile_pl": (
            "Adwokatka od 2009 roku. Prowadzi sprawy rozwodowe, o opiekę nad dziećmi i alimenty;"
            " stawia na mediację, a w sądzie jest stanowcza."
        ),
        "profile_en": (
            "An advocate since 2009. She handles divorce, custody and child support cases;"
            " she prefers mediation and is firm in court."
        ),
        "profile_es": (
            "Abogada desde 2009. Lleva divorcios, custodia y pensiones de alimentos;"
            " prefiere la mediación y es firme ante el tribunal."
        ),
        "profile_ru": (
            "Адвокат с 2009 года. Ведёт дела о разводе, опеке над детьми и алиментах;"
            " предпочитает медиацию, а в суде настойчива."
        ),
    },
    "marek.nowak@example.com": {
        "practice_areas": ["estate", "corporate"],
        "languages": ["pl", "en", "ru", "uk"],
        "photo": (38, 120, 96),
        "profile_pl": (
            "Radca prawny. Testamenty, spadki i darowizny, a także umowy dla rodzinnych firm;"
            " tłumaczy przepisy bez żargonu."
        ),
        "profile_en": (
            "A legal adviser. Wills, inheritance and gifts, and contracts for family"
            " businesses; he explains the law without jargon."
        ),
        "profile_es": (
            "Asesor jurídico. Testamentos, herencias y donaciones, y contratos para empresas"
            " familiares; explica la ley sin tecnicismos."
        ),
        "profile_ru": (
            "Юрисконсульт. Завещания, наследство и дарение, а также договоры для семейных"
            " компаний; объясняет закон без жаргона."
        ),
    },
    "sofia.garcia@example.com": {
        "practice_areas": ["immigration", "family"],
        "languages": ["es", "pl", "en"],
        "photo": None,  # the booking page shows her initials
        "profile_pl": (
            "Asystentka prawna. Pomaga skompletować dokumenty do wniosków o pobyt"
            " i przygotowuje pierwsze spotkania."
        ),
        "profile_en": (
            "A paralegal. She helps gather the documents for residence applications"
            " and prepares first meetings."
        ),
        "profile_es": (
            "Asistente legal. Ayuda a reunir los documentos para las solicitudes de residencia"
            " y prepara las primeras reuniones."
        ),
        "profile_ru": (
            "Помощник юриста. Помогает собрать документы для заявлений на вид на жительство"
            " и готовит первые встречи."
        ),
    },
}


def demo_portrait(color: tuple[int, int, int]) -> bytes:
    """A plain drawn portrait (a head and shoulders on a coloured ground) as a PNG."""
    image = Image.new("RGB", (240, 240), color)
    draw = ImageDraw.Draw(image)
    draw.ellipse((80, 40, 160, 130), fill=(236, 214, 196))
    draw.ellipse((40, 140, 200, 300), fill=(245, 245, 245))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed_profiles(*, actor: User) -> None:
    """Idempotent: a staff member who already has a profile keeps it."""
    for email, values in PROFILES.items():
        user = User.objects.filter(email=email, role=User.Role.STAFF).first()
        if user is None or StaffProfile.objects.filter(user=user).exists():
            continue
        photo = None
        if values["photo"] is not None:
            photo = photo_checked(
                SimpleUploadedFile("portrait.png", demo_portrait(values["photo"]), "image/png")
            )
        data = {k: v for k, v in values.items() if k != "photo"}
        services.staff_profile_update(actor=actor, user=user, data=data, photo=photo)
