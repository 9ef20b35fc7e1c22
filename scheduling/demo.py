"""Demo services, working hours and a few appointments (called by seed_demo; idempotent)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

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
