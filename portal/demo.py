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
from portal.models import (
    Contact,
    Folder,
    Matter,
    MatterStageChange,
    Message,
    StaffProfile,
    User,
)
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


# ---------------------------------------------------------------------------
# Three months of history for the insights pages (seed_demo plans it: config/demo_history)
# ---------------------------------------------------------------------------

# What clients write and what the firm answers (the demo's message history).
CLIENT_LINES = [
    "Good morning, did the court reply to our application yet?",
    "I have uploaded the bank statements you asked for.",
    "Can we move Thursday's call to the afternoon?",
    "My former husband sent me a letter, I attach a photo. What should I do?",
    "Thank you. One more question about the hearing date.",
    "Is there anything I need to sign this week?",
    "The school asked for a copy of the custody order. Do you have it?",
]
FIRM_LINES = [
    "Thank you, we have it. Nothing else is needed from you for now.",
    "Not yet; the court usually answers within four weeks. We will write as soon as it does.",
    "Yes, 15:00 works. I have moved it in the calendar.",
    "Please do not answer the letter; we will reply on your behalf by Friday.",
    "The order is in your documents, folder Signed documents.",
]
NO_REPLY_REASONS = ["Thanks only; nothing to answer.", "Answered by phone the same day."]
# The demo firm's promise (Firm.response_hours), in business hours, and how long a client
# waits for the firm's answer.
PROMISE_HOURS = 24
WAITS = [(0.3, 10), (1, 15), (2, 15), (4, 15), (7, 12), (12, 10), (20, 8), (27, 7), (40, 5)]


def seed_history_people(*, plan: Any, actor: User) -> dict[str, Any]:
    """The prospects and past clients of the plan as contacts, by email (idempotent)."""
    wanted = [*plan.cases, *plan.closings]
    existing = {c.email: c for c in Contact.objects.filter(email__in=[p.email for p in wanted])}
    for person in wanted:
        if person.email in existing:
            continue
        contact = services.contact_create(
            actor=actor,
            data={
                "kind": "prospect" if person in plan.cases else "client",
                "first_name": person.first,
                "last_name": person.last,
                "email": person.email,
                "language": person.language,
                "time_zone": "Europe/Warsaw",
            },
        )
        created = getattr(person, "inquiry_at", None) or person.opened_at
        Contact.objects.filter(pk=contact.pk).update(created_at=created)
        existing[person.email] = contact
    return existing


def seed_history_matters(
    *, plan: Any, people: dict[str, Any], staff: dict[str, User], actor: User
) -> dict[str, Matter]:
    """The matters of retained leads (open) and of past clients (closed in the window),
    opened and moved on their planned dates; by the client's email (idempotent)."""
    made: dict[str, Matter] = {}
    plans: list[tuple[Any, str, str, dt.datetime, list[tuple[str, dt.datetime]]]] = []
    for case in plan.cases:
        if case.matter_at is not None:
            prefix = {"family": "FAM", "estate": "EST", "immigration": "IMM"}[case.area]
            reference = f"{prefix}-{case.matter_at.year}-N{case.index:02d}"
            stages = [("engaged", case.matter_at), ("in_progress", case.matter_at)]
            plans.append((case, reference, case.staff, case.matter_at, stages))
    for closing in plan.closings:
        stages = [
            ("engaged", closing.opened_at),
            ("in_progress", closing.opened_at + dt.timedelta(days=3)),
            ("closed", closing.closed_at),
        ]
        plans.append((closing, closing.reference, closing.lawyer, closing.opened_at, stages))
    existing = {m.reference: m for m in Matter.objects.filter(reference__in=[p[1] for p in plans])}
    titles = {
        "family": "Divorce and child support",
        "estate": "Inheritance and the family home",
        "immigration": "Residence permit",
    }
    for person, reference, lawyer_email, opened_at, stages in plans:
        if reference in existing:
            made[person.email] = existing[reference]
            continue
        lawyer = staff.get(lawyer_email) or actor
        if lawyer.staff_title != "lawyer":
            lawyer = actor
        matter = services.matter_create(
            actor=actor,
            data=services.MatterData(
                reference=reference,
                title=f"{titles[person.area]}: {person.last}",
                practice_area=person.area,
                priority="normal",
                responsible_lawyer=lawyer,
                team=[],
                clients=[people[person.email]],
                tags=[],
            ),
        )
        # The stage history on its dates, written directly: a matter closed weeks ago
        # sends no notices and asks for no feedback today (insights' demo has its answer).
        previous = matter.stage
        MatterStageChange.objects.bulk_create(
            [
                MatterStageChange(
                    matter=matter,
                    from_stage=(previous if i == 0 else stages[i - 1][0]),
                    to_stage=stage,
                    changed_by=lawyer,
                    changed_at=at,
                )
                for i, (stage, at) in enumerate(stages)
            ]
        )
        Matter.objects.filter(pk=matter.pk).update(
            created_at=opened_at, stage=stages[-1][0], stage_changed_at=stages[-1][1]
        )
        # Its documents folder (empty: the history is about numbers, not papers).
        Folder.objects.create(
            matter=matter,
            name="Documents",
            client_can_upload=True,
            created_by=lawyer,
            created_at=opened_at,
        )
        matter.refresh_from_db()
        # A retained prospect is a client now.
        Contact.objects.filter(pk=people[person.email].pk).update(kind=Contact.Kind.CLIENT)
        made[person.email] = matter
    return made


def seed_history_messages(*, plan: Any, rng: Any) -> None:
    """Client messages and the firm's answers on the demo clients' matters over the window,
    at business-hour waits drawn from WAITS: most within the 24-hour promise, some over it,
    a few marked "no reply needed", and one client still waiting now (idempotent: the
    matters that already have messages from before the window's end are left alone)."""
    calendar = plan.calendar
    matters = list(
        Matter.objects.filter(clients__user__isnull=False)
        .select_related("responsible_lawyer")
        .order_by("reference")
        .distinct()
    )
    rows: list[Message] = []
    for matter in matters:
        client = User.objects.filter(contact__matters=matter).order_by("email").first()
        if (
            client is None
            or matter.messages.filter(created_at__lt=plan.now - dt.timedelta(days=2)).exists()
        ):
            continue
        lawyer = matter.responsible_lawyer
        at = plan.start + dt.timedelta(hours=rng.randint(30, 80))
        end = plan.now - dt.timedelta(days=1)
        while True:
            at = calendar.add_business_hours(at, rng.randint(8, 30)) + dt.timedelta(
                minutes=rng.randint(0, 59)
            )
            if at >= end:
                break
            run = [at + dt.timedelta(minutes=25 * k) for k in range(rng.choice([1, 1, 1, 2, 3]))]
            rows += [
                Message(
                    matter=matter,
                    sender=client,
                    side=Message.Side.CLIENT,
                    text=rng.choice(CLIENT_LINES),
                    created_at=sent,
                    read_at=sent + dt.timedelta(minutes=40),
                    read_by=lawyer,
                    promise_hours=PROMISE_HOURS,
                )
                for sent in run
            ]
            hours = float(rng.choices([w for w, _n in WAITS], [n for _w, n in WAITS])[0])
            answered = calendar.add_business_hours(run[0], hours)
            if answered >= plan.now:
                break
            if rng.random() < 0.08:
                last = rows[-1]
                last.no_reply_needed_at = answered
                last.no_reply_reason = rng.choice(NO_REPLY_REASONS)
                last.no_reply_by = lawyer
            else:
                rows.append(
                    Message(
                        matter=matter,
                        sender=lawyer,
                        side=Message.Side.FIRM,
                        text=rng.choice(FIRM_LINES),
                        created_at=max(answered, run[-1] + dt.timedelta(minutes=1)),
                        read_at=answered + dt.timedelta(hours=3),
                        read_by=client,
                    )
                )
            at = answered
        if matter.stage == Matter.Stage.CLOSED:
            # A question after the matter closed that nobody has answered yet.
            rows.append(
                Message(
                    matter=matter,
                    sender=client,
                    side=Message.Side.CLIENT,
                    text="Could you send me the final settlement once more? I cannot find it.",
                    created_at=plan.now - dt.timedelta(hours=50),
                    promise_hours=PROMISE_HOURS,
                )
            )
    Message.objects.bulk_create(rows)
