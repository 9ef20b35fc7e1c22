"""Demo services, working hours and a few appointments (called by seed_demo; idempotent)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from scheduling import selectors, services
from scheduling.models import (
    STAFF_TITLE_LAWYER,
    Appointment,
    AvailabilityRule,
    LocationKind,
    PackageStep,
    Service,
)

if TYPE_CHECKING:
    from portal.models import Contact, User

SERVICES = [
    # slug, name, minutes, price, location, buffer after, audience, description
    (
        "introductory-call",
        "15-minute introductory call",
        15,
        Decimal("0"),
        LocationKind.PHONE,
        5,
        Service.Audience.ANYONE,
        "A free first call by phone or video: tell us what happened and we tell you how we can "
        "help.",
    ),
    (
        "initial-consultation",
        "45-minute initial consultation",
        45,
        Decimal("350"),
        LocationKind.OFFICE,
        15,
        Service.Audience.ANYONE,
        "A paid consultation at our office with the lawyer who will handle your matter.",
    ),
    (
        "estate-plan-review",
        "30-minute estate plan review",
        30,
        Decimal("200"),
        LocationKind.VIDEO,
        10,
        Service.Audience.CLIENTS,
        "For existing clients: we go through your will and estate plan together.",
    ),
]

# The demo firm writes in Polish first, with English (above), Spanish and Russian versions:
# slug -> language -> (name, description).
TRANSLATIONS: dict[str, dict[str, tuple[str, str]]] = {
    "introductory-call": {
        "pl": (
            "15-minutowa rozmowa wstępna",
            "Bezpłatna pierwsza rozmowa przez telefon lub wideo: opowiedz, co się stało, "
            "a my powiemy, jak możemy pomóc.",
        ),
        "es": (
            "Llamada introductoria de 15 minutos",
            "Una primera llamada gratuita por teléfono o vídeo: cuéntenos qué ha pasado y le "
            "diremos cómo podemos ayudarle.",
        ),
        "ru": (
            "15-минутный вводный звонок",
            "Бесплатный первый звонок по телефону или видео: расскажите, что случилось, "
            "а мы скажем, чем можем помочь.",
        ),
    },
    "initial-consultation": {
        "pl": (
            "45-minutowa konsultacja wstępna",
            "Płatna konsultacja w naszym biurze z prawnikiem, który poprowadzi Twoją sprawę.",
        ),
        "es": (
            "Consulta inicial de 45 minutos",
            "Una consulta de pago en nuestro despacho con el abogado que llevará su asunto.",
        ),
        "ru": (
            "45-минутная первичная консультация",
            "Платная консультация в нашем офисе с юристом, который будет вести ваше дело.",
        ),
    },
    "estate-plan-review": {
        "pl": (
            "30-minutowy przegląd planu spadkowego",
            "Dla obecnych klientów: wspólnie przeglądamy testament i plan spadkowy.",
        ),
        "es": (
            "Revisión del plan sucesorio de 30 minutos",
            "Para clientes actuales: repasamos juntos su testamento y su plan sucesorio.",
        ),
        "ru": (
            "30-минутный разбор наследственного плана",
            "Для действующих клиентов: вместе просматриваем завещание и наследственный план.",
        ),
    },
    "estate-plan-package": {
        "pl": (
            "Pakiet planowania spadkowego",
            "Konsultacja wstępna, przegląd projektu i podpisanie, rezerwowane za jednym razem.",
        ),
        "es": (
            "Paquete de planificación sucesoria",
            "Consulta inicial, revisión del borrador y firma, reservadas de una vez.",
        ),
        "ru": (
            "Пакет наследственного планирования",
            "Первичная консультация, разбор проекта и подписание — запись сразу на всё.",
        ),
    },
}
PHONE_DETAIL = {
    "pl": "Dzwonimy na podany przez Ciebie numer",
    "es": "Le llamamos al número que nos indique",
    "ru": "Мы позвоним по номеру, который вы укажете",
}


def _translations(slug: str, kind: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for language, (name, description) in TRANSLATIONS[slug].items():
        fields[f"name_{language}"] = name
        fields[f"description_{language}"] = description
        if kind == LocationKind.PHONE:
            fields[f"location_detail_{language}"] = PHONE_DETAIL[language]
    return fields


def seed(*, staff: list[User], clients: list[Contact], now: dt.datetime | None = None) -> None:
    """`clients`: whom the demo appointments are for."""
    now = now or timezone.now()
    made: dict[str, Service] = {}
    for position, (slug, name, minutes, price, kind, after, audience, text) in enumerate(SERVICES):
        service, _created = Service.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "duration_minutes": minutes,
                "price": price,
                "location_kind": kind,
                "location_detail": {
                    "office": "ul. Marszałkowska 1, Warszawa",
                    "video": "https://meet.example.com/atrium",
                    "phone": "We call you on the number you give",
                }[kind],
                "buffer_after_minutes": after,
                "audience": audience,
                "description": text,
                "position": position,
                "cancel_deadline_hours": 24,
                "cancel_fee": Decimal("100") if price else Decimal("0"),
                "intake_required": slug == "initial-consultation",
                # The 350 PLN consultation is paid when booking: its time is held meanwhile.
                "payment_rule": (
                    Service.PaymentRule.FULL_AT_BOOKING
                    if slug == "initial-consultation"
                    else Service.PaymentRule.NONE
                ),
                "is_consultation": slug in ("introductory-call", "initial-consultation"),
                # It promises "the lawyer who will handle your matter": no paralegal.
                "lawyers_only": slug == "initial-consultation",
                **_translations(slug, kind),
            },
        )
        service.staff.set(
            [m for m in staff if m.staff_title == STAFF_TITLE_LAWYER]
            if service.lawyers_only
            else staff
        )
        made[slug] = service
    package, _created = Service.objects.update_or_create(
        slug="estate-plan-package",
        defaults={
            "name": "Estate planning package",
            "duration_minutes": 45,
            "price": Decimal("1200"),
            "location_kind": LocationKind.OFFICE,
            "position": 9,
            "description": "Initial consultation, draft review and signing, booked at once.",
            **_translations("estate-plan-package", LocationKind.OFFICE),
        },
    )
    package.staff.set(staff)
    if not package.steps.exists():
        for position, (slug, gap) in enumerate(
            [("initial-consultation", 0), ("estate-plan-review", 7), ("initial-consultation", 7)]
        ):
            PackageStep.objects.create(
                package=package, service=made[slug], position=position, min_gap_days=gap
            )
    for member in staff:
        if not AvailabilityRule.objects.filter(staff=member).exists():
            AvailabilityRule.objects.bulk_create(
                [
                    AvailabilityRule(staff=member, weekday=d, start=dt.time(9), end=dt.time(17))
                    for d in range(5)
                ]
            )
    if Appointment.objects.exists():
        return
    contacts = list(clients)
    intro = Service.objects.prefetch_related("staff", "steps").get(slug="introductory-call")
    zone = selectors.firm_time_zone()
    for contact in contacts:
        start = dt.datetime.combine(now.date() + dt.timedelta(days=2), dt.time(0), tzinfo=dt.UTC)
        slots = selectors.slots_list(
            service=intro, start=start, end=start + dt.timedelta(days=14), now=now
        )
        if not slots:
            break
        pick = slots[len(slots) // (2 + contacts.index(contact))]
        services.appointment_book(
            service=intro,
            start_at=pick.start,
            contact=contact,
            time_zone=contact.time_zone or zone,
            now=now,
        )


# ---------------------------------------------------------------------------
# Three months of history for the insights pages (seed_demo plans it: config/demo_history)
# ---------------------------------------------------------------------------

HISTORY_UID = "demo-history-"
STATUS_OF = {
    "attended": Appointment.Status.ATTENDED,
    "no_show": Appointment.Status.NO_SHOW,
    "cancelled": Appointment.Status.CANCELLED,
    "booked": Appointment.Status.BOOKED,
}


def _history_row(
    service: Service,
    *,
    uid: str,
    staff: User,
    contact: Contact,
    start: dt.datetime,
    status: str,
    booked_at: dt.datetime,
    origin: str,
    matter: Any = None,
) -> Appointment:
    end = start + dt.timedelta(minutes=service.duration_minutes)
    return Appointment(
        service=service,
        staff=staff,
        contact=contact,
        matter=matter,
        start_at=start,
        end_at=end,
        blocked_start=start - dt.timedelta(minutes=service.buffer_before_minutes),
        blocked_end=end + dt.timedelta(minutes=service.buffer_after_minutes),
        status=status,
        uid=uid,
        time_zone="Europe/Warsaw",
        created_at=booked_at,
        cancelled_at=(start - dt.timedelta(hours=20)) if status == "cancelled" else None,
        origin=origin,
        policy_snapshot=selectors.policy_snapshot(service),
    )


def seed_history(
    *,
    plan: Any,
    people: dict[str, Contact],
    staff: dict[str, User],
    clients: list[tuple[Contact, Any]],
    rng: Any,
) -> dict[str, Appointment]:
    """The planned first consultations of the prospects (by email), and the returning
    clients' appointments (``clients``: contact and matter) every few business days,
    mostly attended, some missed, the last ones not marked yet (idempotent)."""
    made = Appointment.objects.filter(uid__startswith=HISTORY_UID)
    if made.exists():
        return {
            a.contact.email: a
            for a in made.select_related("contact", "service").filter(
                uid__startswith=f"{HISTORY_UID}c"
            )
        }
    services_by_slug = {s.slug: s for s in Service.objects.all()}
    rows: dict[str, Appointment] = {}
    used: set[tuple[Any, dt.datetime]] = set()
    for case in plan.cases:
        if not case.service or case.start is None:
            continue
        member = staff[case.staff]
        used.add((member.pk, case.start))
        paid_later = (
            case.fee_paid_at is not None and case.fee_paid_at.date() > case.booked_at.date()
        )
        rows[case.email] = _history_row(
            services_by_slug[case.service],
            uid=f"{HISTORY_UID}c{case.index}@atrium",
            staff=member,
            contact=people[case.email],
            start=case.start,
            status=STATUS_OF[case.outcome],
            booked_at=case.booked_at,
            origin=Appointment.Origin.STAFF if paid_later else Appointment.Origin.PUBLIC,
        )
    returning = []
    review = services_by_slug["estate-plan-review"]
    day = plan.start + dt.timedelta(days=2)
    n = 0
    while clients:
        day = plan.calendar.add_business_hours(day, 8 * rng.choice([1, 2, 2, 3]))
        if day > plan.now:
            break
        contact, matter = clients[n % len(clients)]
        lawyer = matter.responsible_lawyer
        local_day = day.astimezone(ZoneInfo("Europe/Warsaw")).date()
        start = dt.datetime.combine(
            local_day,
            dt.time(rng.choice([9, 10, 12, 13, 14, 15])),
            tzinfo=ZoneInfo("Europe/Warsaw"),
        ).astimezone(dt.UTC)
        if (lawyer.pk, start) in used or start > plan.now - dt.timedelta(hours=2):
            n += 1
            continue
        used.add((lawyer.pk, start))
        recent = start > plan.now - dt.timedelta(days=3)
        status = "booked" if recent else ("no_show" if rng.random() < 0.12 else "attended")
        returning.append(
            _history_row(
                review,
                uid=f"{HISTORY_UID}r{n}@atrium",
                staff=lawyer,
                contact=contact,
                matter=matter,
                start=start,
                status=status,
                booked_at=start - dt.timedelta(days=rng.randint(3, 12)),
                origin=Appointment.Origin.PORTAL,
            )
        )
        n += 1
    Appointment.objects.bulk_create([*rows.values(), *returning])
    return rows
