"""A seeded population of plausible index entries for search tests (Polish, Spanish,
Russian, Ukrainian and English people, and firms with legal forms)."""

from __future__ import annotations

import random

from intake.conflicts_engine import Candidate, EntryKeys, Query, build_entry_keys

GIVEN_PL_M = ["Jan", "Piotr", "Tomasz", "Paweł", "Łukasz", "Michał", "Krzysztof", "Andrzej"]
GIVEN_PL_F = ["Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Ewa", "Zofia"]
SURNAMES_PL = ["Kowalsk", "Wiśniewsk", "Zawadzk", "Nowick", "Lewandowsk", "Dąbrowsk"]
SURNAMES_PL_PLAIN = ["Nowak", "Wójcik", "Kaczmarek", "Mazur", "Krawczyk", "Zając", "Lis"]
GIVEN_RU_M = ["Алексей", "Сергей", "Иван", "Дмитрий", "Николай", "Пётр"]
GIVEN_RU_F = ["Юлия", "Ольга", "Ирина", "Наталья", "Татьяна", "Елена"]
SURNAMES_RU = ["Иванов", "Петров", "Щербаков", "Соколов", "Хрущёв", "Жуков", "Смирнов"]
GIVEN_ES = ["José", "María", "Juan", "Carmen", "Antonio", "Lucía", "Francisco"]
SURNAMES_ES = ["García", "López", "Fernández", "Martínez", "Sánchez", "Pérez", "Muñoz"]
GIVEN_UK = ["Олена", "Тарас", "Володимир", "Ірина", "Оксана", "Богдан"]
SURNAMES_UK = ["Шевченко", "Бондаренко", "Мельник", "Коваленко", "Ткаченко"]
GIVEN_EN = ["John", "Mary", "David", "Sarah", "Michael", "Emma"]
SURNAMES_EN = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans"]
ORG_WORDS = [
    "Alfa",
    "Orion",
    "Vistula",
    "Baltic",
    "Sigma",
    "Nova",
    "Atlas",
    "Ромашка",
    "Светлана",
    "Iberia",
    "Castilla",
    "Kowalski",
    "Nowak",
]
ORG_GENERIC = ["Deweloper", "Consulting", "Trade", "Services", "Grupa", "Holding", ""]
ORG_FORMS = ["sp. z o.o.", "S.A.", "sp.k.", "S.L.", "Ltd", "GmbH", "LLC", "ООО", ""]


def _polish(rng: random.Random) -> str:
    if rng.random() < 0.5:
        female = rng.random() < 0.5
        given = rng.choice(GIVEN_PL_F if female else GIVEN_PL_M)
        surname = rng.choice(SURNAMES_PL) + ("a" if female else "i")
    else:
        given = rng.choice(GIVEN_PL_F + GIVEN_PL_M)
        surname = rng.choice(SURNAMES_PL_PLAIN)
    return f"{given} {surname}"


def _russian(rng: random.Random) -> str:
    female = rng.random() < 0.5
    given = rng.choice(GIVEN_RU_F if female else GIVEN_RU_M)
    surname = rng.choice(SURNAMES_RU) + ("а" if female else "")
    return f"{surname} {given}" if rng.random() < 0.5 else f"{given} {surname}"


def _spanish(rng: random.Random) -> str:
    first, second = rng.sample(SURNAMES_ES, 2)
    return f"{rng.choice(GIVEN_ES)} {first}" + (f" {second}" if rng.random() < 0.6 else "")


def _organisation(rng: random.Random) -> str:
    parts = [rng.choice(ORG_WORDS), rng.choice(ORG_GENERIC), rng.choice(ORG_FORMS)]
    if parts[-1] == "ООО":
        return f"ООО «{' '.join(p for p in parts[:2] if p)}»"
    return " ".join(p for p in parts if p)


def random_name(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.35:
        return _polish(rng)
    if pick < 0.55:
        return _russian(rng)
    if pick < 0.7:
        return _spanish(rng)
    if pick < 0.8:
        return f"{rng.choice(GIVEN_UK)} {rng.choice(SURNAMES_UK)}"
    if pick < 0.88:
        return f"{rng.choice(GIVEN_EN)} {rng.choice(SURNAMES_EN)}"
    return _organisation(rng)


def random_keys(rng: random.Random, n: int) -> EntryKeys:
    emails = [f"person{n}@example.pl"] if rng.random() < 0.3 else []
    phones = [f"+48 600 {n % 1000:03d} {n // 1000 % 1000:03d}"] if rng.random() < 0.3 else []
    dates = (
        [f"19{rng.randint(40, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"]
        if rng.random() < 0.2
        else []
    )
    return build_entry_keys(random_name(rng), emails=emails, phones=phones, birth_dates=dates)


def population(size: int, *, seed: int = 7) -> list[Candidate[int]]:
    rng = random.Random(seed)
    roles = ["CLIENT", "ADVERSE", "CO_PARTY", "WITNESS", None]
    return [Candidate(n, random_keys(rng, n), rng.choice(roles)) for n in range(size)]


def queries(count: int, *, seed: int = 11) -> list[Query]:
    rng = random.Random(seed)
    return [
        Query(random_keys(rng, 10_000 + n), rng.choice(["CLIENT", "ADVERSE"])) for n in range(count)
    ]
