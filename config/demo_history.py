"""The demo firm's last three months, planned as plain data (seed_demo; no ORM here).

The insights pages need history: people who asked, booked, came or did not, paid, became
clients, wrote and were answered, and rated the firm. One seeded random generator plans
that history from today's date, so the same day always gives the same demo; each app's
``demo`` module then writes its own rows from the plan, with their dates in the past.

The window starts on the first day of the month three months back (in the firm's zone),
so the previous full month, the one the overview opens on, is always covered whole.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from zoneinfo import ZoneInfo

from core.business_time import BusinessCalendar

T = TypeVar("T")
ZONE = "Europe/Warsaw"
SEED = 16
# People who asked the firm for help in the window: first, last, language.
PROSPECTS = [
    ("Piotr", "Kamiński", "pl"),
    ("Agnieszka", "Lewandowska", "pl"),
    ("Tomasz", "Wójcik", "pl"),
    ("Magdalena", "Kowalczyk", "pl"),
    ("Krzysztof", "Kamińsky", "pl"),
    ("Joanna", "Zielińska", "pl"),
    ("Paweł", "Szymański", "pl"),
    ("Monika", "Woźniak", "pl"),
    ("Michał", "Dąbrowski", "pl"),
    ("Aleksandra", "Kozłowska", "pl"),
    ("Łukasz", "Jankowski", "pl"),
    ("Natalia", "Mazur", "pl"),
    ("Grzegorz", "Kwiatkowski", "pl"),
    ("Karolina", "Krawczyk", "pl"),
    ("Marcin", "Piotrowski", "pl"),
    ("Beata", "Grabowska", "pl"),
    ("Rafał", "Nowakowski", "pl"),
    ("Ewelina", "Pawłowska", "pl"),
    ("Adam", "Michalski", "pl"),
    ("Dorota", "Nowicka", "pl"),
    ("Carmen", "Ruiz", "es"),
    ("Javier", "Moreno", "es"),
    ("Lucía", "Fernández", "es"),
    ("Diego", "Navarro", "es"),
    ("Irina", "Petrova", "ru"),
    ("Sergei", "Volkov", "ru"),
    ("Anastasia", "Morozova", "ru"),
    ("Oleg", "Smirnov", "ru"),
    ("Emily", "Clarke", "en"),
    ("James", "Walker", "en"),
    ("Sophie", "Turner", "en"),
    ("Daniel", "Hughes", "en"),
    ("Zofia", "Adamczyk", "pl"),
    ("Wojciech", "Dudek", "pl"),
    ("Barbara", "Zając", "pl"),
    ("Jakub", "Wieczorek", "pl"),
    ("Marta", "Jabłońska", "pl"),
    ("Kamil", "Król", "pl"),
    ("Iwona", "Majewska", "pl"),
    ("Robert", "Olszewski", "pl"),
    ("Elena", "Castillo", "es"),
    ("Mikhail", "Orlov", "ru"),
    ("Charlotte", "Evans", "en"),
    ("Halina", "Jaworska", "pl"),
    ("Artur", "Malinowski", "pl"),
    ("Renata", "Stępień", "pl"),
    ("Sebastian", "Górski", "pl"),
    ("Ewa", "Rutkowska", "pl"),
    ("Patryk", "Sikora", "pl"),
    ("Alicja", "Baran", "pl"),
    ("Hubert", "Chmielewski", "pl"),
    ("Weronika", "Borkowska", "pl"),
    ("Dariusz", "Czerwiński", "pl"),
    ("Izabela", "Sokołowska", "pl"),
    ("Mateusz", "Urbański", "pl"),
    ("Paula", "Romero", "es"),
    ("Yulia", "Kuznetsova", "ru"),
    ("Oliver", "Bennett", "en"),
    ("Sylwia", "Kubiak", "pl"),
    ("Janusz", "Kołodziej", "pl"),
]
# Clients whose matters (opened before the window) closed in it: NPS at matter close.
PAST_CLIENTS = [
    ("Henryk", "Sadowski", "pl"),
    ("Teresa", "Błaszczyk", "pl"),
    ("Zbigniew", "Ostrowski", "pl"),
    ("Elżbieta", "Duda", "pl"),
    ("Andrzej", "Tomaszewski", "pl"),
    ("Krystyna", "Pietrzak", "pl"),
    ("Roberto", "Serrano", "es"),
    ("Olga", "Fedorova", "ru"),
    ("Thomas", "Wright", "en"),
    ("Danuta", "Marciniak", "pl"),
    ("Jerzy", "Wróbel", "pl"),
    ("Maria", "Zawadzka", "pl"),
    ("Stanisław", "Jakubowski", "pl"),
    ("Ryszard", "Sobczak", "pl"),
    ("Jadwiga", "Czarnecka", "pl"),
    ("Pilar", "Ortega", "es"),
    ("Natalia", "Lebedeva", "ru"),
    ("George", "Harris", "en"),
    ("Wanda", "Kaczmarek", "pl"),
    ("Leszek", "Zalewski", "pl"),
    ("Bożena", "Wilk", "pl"),
    ("Marian", "Kalinowski", "pl"),
    ("Grażyna", "Mróz", "pl"),
    ("Edward", "Szczepański", "pl"),
    ("Lidia", "Szewczyk", "pl"),
    ("Kazimierz", "Baranowski", "pl"),
    ("Antonio", "Gil", "es"),
    ("Helena", "Laskowska", "pl"),
    ("Tadeusz", "Witkowski", "pl"),
    ("Irena", "Walczak", "pl"),
]
HISTORY_DOMAIN = "example.org"
LEADS_PER_MONTH = 16
CLOSINGS_PER_MONTH = 7
# Staff by email (the demo's three); the consultations of each practice area.
ANNA, MAREK, SOFIA = (
    "anna.kowalska@example.com",
    "marek.nowak@example.com",
    "sofia.garcia@example.com",
)
LAWYER_OF = {"family": ANNA, "estate": MAREK, "immigration": ANNA}
SOURCES = [
    ("website", 35),
    ("google", 20),
    ("referral", 20),
    ("directory", 10),
    ("social", 10),
    ("other", 5),
]
AREAS = [("family", 50), ("estate", 30), ("immigration", 20)]
# How many business days ahead a lead books its first consultation.
BOOKING_DELAYS = [0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 5, 7]
CSAT_SCORES = [(5, 55), (4, 30), (3, 9), (2, 4), (1, 2)]
NPS_SCORES = [(10, 35), (9, 30), (8, 15), (7, 8), (6, 6), (5, 3), (3, 3)]
CSAT_COMMENTS = {
    5: ["Clear advice and a plan I understand. Thank you!", "Very kind and well prepared."],
    4: ["Helpful; the office was a little hard to find.", "Good consultation, a bit rushed."],
    3: ["Useful, but I expected more concrete next steps."],
    2: ["The lawyer was twenty minutes late and we had to hurry."],
    1: ["Nobody told me the consultation was moved."],
}
NPS_COMMENTS = {
    10: ["You made a hard year easier. I already recommended you to a friend."],
    9: ["Always answered within a day, and explained every letter from the court."],
    8: ["Good work; the invoices could be clearer."],
    6: ["The result was fine, but I often had to chase for news."],
    3: ["Too slow, and the costs were higher than I was told."],
}


@dataclass
class Case:
    """One prospect's story: the inquiry, the first consultation, and what came of it."""

    index: int
    first: str
    last: str
    language: str
    source: str
    area: str
    staff: str  # the email of whoever holds the consultation
    service: str  # its slug; "" when the lead never booked one
    inquiry_at: dt.datetime
    booked_at: dt.datetime | None = None
    start: dt.datetime | None = None
    minutes: int = 0
    # attended | no_show | cancelled | booked (past, not marked yet) | "" (none)
    outcome: str = ""
    fee_paid_at: dt.datetime | None = None  # the consultation fee (paid services only)
    # The lead's stage changes after NEW: (to_status, at, reason).
    stages: list[tuple[str, dt.datetime, str]] = field(default_factory=list)
    matter_at: dt.datetime | None = None  # retained: the matter opened then
    csat: tuple[int, str, dt.datetime] | None = None  # score, comment, answered at
    csat_sent_at: dt.datetime | None = None

    @property
    def email(self) -> str:
        return f"{_ascii(self.first)}.{_ascii(self.last)}@{HISTORY_DOMAIN}"

    @property
    def status(self) -> str:
        return self.stages[-1][0] if self.stages else "new"


@dataclass
class Closing:
    """A past client's matter, opened before the window, closed in it; the NPS answer."""

    index: int
    first: str
    last: str
    language: str
    area: str
    lawyer: str
    opened_at: dt.datetime
    closed_at: dt.datetime
    nps_sent_at: dt.datetime
    nps: tuple[int, str, dt.datetime] | None

    @property
    def email(self) -> str:
        return f"{_ascii(self.first)}.{_ascii(self.last)}@{HISTORY_DOMAIN}"

    @property
    def reference(self) -> str:
        prefix = {"family": "FAM", "estate": "EST", "immigration": "IMM"}[self.area]
        return f"{prefix}-{self.opened_at.year}-H{self.index:02d}"


@dataclass
class Plan:
    start: dt.datetime  # the window's first instant (UTC)
    now: dt.datetime
    cases: list[Case]
    closings: list[Closing]
    calendar: BusinessCalendar
    seed: int = SEED

    def rng(self, salt: str) -> random.Random:
        """A generator of its own for each app's part, so one part's draws never shift
        another's."""
        return random.Random(f"{self.seed}:{salt}:{self.start.date()}")  # noqa: S311 - demo data


def _ascii(text: str) -> str:
    table = str.maketrans("ąćęłńóśźżáéíóúñ", "acelnoszzaeioun")
    return text.lower().translate(table).replace("ł", "l")


def demo_calendar() -> BusinessCalendar:
    """The demo firm's hours (Mon-Fri 9-17, Polish holidays), as its settings say."""
    return BusinessCalendar.from_weekly(
        time_zone=ZONE,
        weekly={day: [(dt.time(9), dt.time(17))] for day in range(5)},
        country="PL",
    )


def window_start(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(ZoneInfo(ZONE)).date()
    index = local.year * 12 + local.month - 1 - 3
    first = dt.date(index // 12, index % 12 + 1, 1)
    return dt.datetime.combine(first, dt.time(0), tzinfo=ZoneInfo(ZONE)).astimezone(dt.UTC)


def _pick(rng: random.Random, weighted: Sequence[tuple[T, int]]) -> T:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(ZONE)).astimezone(dt.UTC)


def _business_days(calendar: BusinessCalendar, start: dt.date, end: dt.date) -> list[dt.date]:
    days = []
    day = start
    while day < end:
        if calendar.is_business_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _add_business_days(calendar: BusinessCalendar, day: dt.date, count: int) -> dt.date:
    while count > 0:
        day += dt.timedelta(days=1)
        if calendar.is_business_day(day):
            count -= 1
    return day


def plan(now: dt.datetime) -> Plan:
    calendar = demo_calendar()
    start = window_start(now)
    rng = random.Random(f"{SEED}:{start.date()}")  # noqa: S311 - demo data, not secrets
    local_now = now.astimezone(ZoneInfo(ZONE))
    months = (local_now.year * 12 + local_now.month) - (start.year * 12 + start.month) + 1
    days = _business_days(calendar, start.astimezone(ZoneInfo(ZONE)).date(), local_now.date())
    cases = _cases(rng, calendar, days, now, count=LEADS_PER_MONTH * months)
    closings = _closings(rng, calendar, start, now)
    return Plan(start=start, now=now, cases=cases, closings=closings, calendar=calendar)


def _cases(
    rng: random.Random,
    calendar: BusinessCalendar,
    days: list[dt.date],
    now: dt.datetime,
    count: int,
) -> list[Case]:
    people = PROSPECTS[:count]
    cases = []
    used: set[tuple[str, dt.datetime]] = set()
    for index, (first, last, language) in enumerate(people):
        day = days[min(len(days) - 1, index * len(days) // len(people))]
        inquiry_at = _at(day, rng.randint(7, 18), rng.choice([0, 10, 25, 40, 55]))
        area = _pick(rng, AREAS)
        case = Case(
            index=index,
            first=first,
            last=last,
            language=language,
            source=_pick(rng, SOURCES),
            area=area,
            staff=LAWYER_OF[area],
            service="",
            inquiry_at=inquiry_at,
        )
        cases.append(case)
        if inquiry_at > now - dt.timedelta(days=2) or rng.random() < 0.08:
            # Still new, or never booked (a lead that went quiet is lost after a week).
            if inquiry_at < now - dt.timedelta(days=10):
                case.stages.append(("lost", inquiry_at + dt.timedelta(days=8), "no_response"))
            continue
        paid = rng.random() < 0.6
        case.service = "initial-consultation" if paid else "introductory-call"
        case.minutes = 45 if paid else 15
        if not paid and rng.random() < 0.5:
            case.staff = SOFIA
        delay = rng.choice(BOOKING_DELAYS)
        local = inquiry_at.astimezone(ZoneInfo(ZONE))
        hours = [h for h in range(9, 17) if delay or h >= local.hour + 2]
        if not hours:
            delay = max(delay, 1)
            hours = list(range(9, 17))
        slot_day = _add_business_days(calendar, local.date(), delay)
        while True:
            start = _at(slot_day, rng.choice(hours))
            if (case.staff, start) not in used:
                break
            slot_day = _add_business_days(calendar, slot_day, 1)
            hours = list(range(9, 17))
        if start > now - dt.timedelta(hours=2):
            # Its consultation would be still to come: keep the lead new instead.
            case.service = ""
            continue
        used.add((case.staff, start))
        case.start = start
        case.booked_at = min(inquiry_at + dt.timedelta(minutes=rng.randint(5, 90)), start)
        case.stages.append(("consult_booked", case.booked_at, ""))
        end = start + dt.timedelta(minutes=case.minutes)
        roll = rng.random()
        if start > now - dt.timedelta(days=2) and roll < 0.5:
            case.outcome = "booked"  # past, and nobody marked it yet
        elif roll < 0.04:
            case.outcome = "cancelled"
            case.stages.append(("lost", start - dt.timedelta(hours=20), "changed_mind"))
        elif roll < 0.16:
            case.outcome = "no_show"
            case.stages.append(("no_show", end + dt.timedelta(minutes=30), ""))
            if end < now - dt.timedelta(days=7):
                case.stages.append(("lost", end + dt.timedelta(days=6), "no_response"))
        else:
            case.outcome = "attended"
            case.stages.append(("consult_held", end + dt.timedelta(minutes=10), ""))
            _after_consultation(rng, calendar, case, end, now)
        if paid and case.outcome != "cancelled":
            if rng.random() < 0.75:
                case.fee_paid_at = case.booked_at + dt.timedelta(minutes=rng.randint(2, 30))
            else:
                # Booked by staff on the phone; paid through the emailed link later.
                later = case.booked_at + dt.timedelta(days=rng.randint(1, 6), hours=2)
                case.fee_paid_at = later if later < now else None
    return cases


def _after_consultation(
    rng: random.Random, calendar: BusinessCalendar, case: Case, end: dt.datetime, now: dt.datetime
) -> None:
    if case.service == "introductory-call" or rng.random() < 0.9:
        sent_at = end + dt.timedelta(hours=2)
        if sent_at < now:
            case.csat_sent_at = sent_at
            if rng.random() < 0.8:
                score = _pick(rng, CSAT_SCORES)
                answered = sent_at + dt.timedelta(hours=rng.randint(1, 40))
                comment = rng.choice(CSAT_COMMENTS[score]) if rng.random() < 0.5 else ""
                if answered < now:
                    case.csat = (score, comment, answered)
    roll = rng.random()
    local_end = end.astimezone(ZoneInfo(ZONE)).date()

    def at(bdays: int, hour: int) -> dt.datetime:
        return _at(_add_business_days(calendar, local_end, bdays), hour, rng.randint(0, 59))

    if roll < 0.55:
        sent = at(rng.randint(1, 3), rng.randint(9, 16))
        if sent >= now:
            return
        case.stages.append(("engagement_sent", sent, ""))
        retained = sent + dt.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 5))
        if retained < now:
            case.stages.append(("retained", retained, ""))
            case.matter_at = retained
    elif roll < 0.7:
        declined = at(rng.randint(1, 4), rng.randint(9, 16))
        if declined < now:
            case.stages.append(("declined", declined, "outside_practice"))
    elif roll < 0.85:
        lost = at(rng.randint(5, 9), 12)
        if lost < now:
            case.stages.append(("lost", lost, "other_firm"))


def _closings(
    rng: random.Random, calendar: BusinessCalendar, start: dt.datetime, now: dt.datetime
) -> list[Closing]:
    closings: list[Closing] = []
    month_start = start.astimezone(ZoneInfo(ZONE)).date()
    index = 0
    while True:
        month_days = [
            d
            for d in _business_days(
                calendar, month_start, (month_start + dt.timedelta(days=32)).replace(day=1)
            )
            if d.day <= 24
        ]
        for k in range(CLOSINGS_PER_MONTH):
            if index >= len(PAST_CLIENTS):
                return closings
            day = month_days[k * len(month_days) // CLOSINGS_PER_MONTH]
            closed_at = _at(day, rng.randint(10, 16), rng.randint(0, 59))
            sent_at = closed_at + dt.timedelta(days=2)
            if sent_at > now:
                return closings
            answered = sent_at + dt.timedelta(hours=rng.randint(2, 70))
            nps = None
            if rng.random() < 0.9 and answered < now:
                score = _pick(rng, NPS_SCORES)
                comments = NPS_COMMENTS.get(score)
                comment = rng.choice(comments) if comments and rng.random() < 0.6 else ""
                nps = (score, comment, answered)
            first, last, language = PAST_CLIENTS[index]
            area = _pick(rng, AREAS)
            closings.append(
                Closing(
                    index=index,
                    first=first,
                    last=last,
                    language=language,
                    area=area,
                    lawyer=LAWYER_OF[area],
                    opened_at=closed_at - dt.timedelta(days=rng.randint(60, 240)),
                    closed_at=closed_at,
                    nps_sent_at=sent_at,
                    nps=nps,
                )
            )
            index += 1
        month_start = (month_start + dt.timedelta(days=32)).replace(day=1)
