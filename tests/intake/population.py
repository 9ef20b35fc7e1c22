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


# --------------------------------------------------------------------------------------
# A firm-sized spread: the names above collide on purpose (about forty surnames, so at
# 50,000 entries every check finds thousands of namesakes). A real index of that size
# holds thousands of surnames, a few common ones among them, and given names repeat far
# more than surnames. ``spread_keys`` builds such names from syllables, per language,
# with the colliding lists above as the common names (one entry in ten).

_STEMS_PL = ["ko", "no", "wi", "za", "le", "dą", "kr", "ma", "so", "pio", "go", "ja", "ka"]
_STEMS_PL += ["wa", "szy", "bo", "cze", "ry", "sta", "wro", "mi", "ga", "ło", "że", "ku"]
_MIDS_PL = ["wal", "rzyc", "bor", "niew", "dow", "cho", "roc", "lin", "sił", "mysł", "bań"]
_MIDS_PL += ["gór", "rad", "leś", "pol", "trz", "wod", "ciech", "kęp", "brz"]
_ENDS_PL_GENDERED = ["sk", "ck", "dzk"]
_ENDS_PL_PLAIN = ["ak", "ek", "czyk", "owicz", "iak", "uch", "ała"]
_STEMS_RU = ["Ка", "Бо", "Ве", "Гу", "До", "Ер", "Жи", "За", "Ки", "Ло", "Ми", "Но", "Ор"]
_STEMS_RU += ["Па", "Ры", "Са", "Ти", "Фе", "Ху", "Ча", "Ша", "Юр", "Як"]
_MIDS_RU = ["лин", "рот", "мар", "сел", "бур", "тих", "вол", "гор", "дем", "зуб", "кол"]
_MIDS_RU += ["лап", "мух", "нес", "пуш", "ряб", "сам", "тор", "хар", "чер"]
_ENDS_RU = ["ов", "ев", "ин"]
_ENDS_UK = ["енко", "чук", "ук", "ишин", "ець"]
_STEMS_ES = ["Ber", "Cas", "Dom", "Fer", "Gal", "Her", "Ib", "Lor", "Mar", "Nav", "Ort"]
_STEMS_ES += ["Pas", "Rom", "San", "Tor", "Val", "Vel", "Alc", "Bel", "Cor", "Esc"]
_MIDS_ES = ["and", "ed", "on", "ir", "ul", "ab", "ig", "om", "ar", "ust"]
_ENDS_ES = ["ez", "es", "ado", "ero", "ino", "ano", "ía", "illo"]
_STEMS_EN = ["Ash", "Brad", "Carl", "Dun", "Ell", "Fair", "Gold", "Hart", "Kings", "Lang"]
_STEMS_EN += ["Marsh", "North", "Penn", "Rad", "Stan", "Thorn", "Wal", "Whit", "York"]
_ENDS_EN = ["ford", "ley", "ton", "wood", "field", "well", "by", "ridge"]
_GIVEN_PL_M = GIVEN_PL_M + ["Marek", "Adam", "Wojciech", "Grzegorz", "Rafał", "Jakub"]
_GIVEN_PL_M += ["Kamil", "Marcin", "Bartosz", "Dariusz", "Stanisław", "Zbigniew", "Jerzy"]
_GIVEN_PL_F = GIVEN_PL_F + ["Joanna", "Magdalena", "Monika", "Barbara", "Dorota", "Iwona"]
_GIVEN_PL_F += ["Aleksandra", "Natalia", "Julia", "Beata", "Renata", "Halina", "Jolanta"]
_GIVEN_RU_M = GIVEN_RU_M + ["Андрей", "Михаил", "Владимир", "Евгений", "Павел", "Олег"]
_GIVEN_RU_M += ["Константин", "Роман", "Виктор", "Артём", "Григорий", "Борис"]
_GIVEN_RU_F = GIVEN_RU_F + ["Анастасия", "Светлана", "Екатерина", "Марина", "Ксения"]
_GIVEN_RU_F += ["Дарья", "Людмила", "Вера", "Галина", "Полина", "Софья"]
_GIVEN_UK = GIVEN_UK + ["Микола", "Андрій", "Юрій", "Галина", "Наталія", "Василь"]
_GIVEN_ES = GIVEN_ES + ["Manuel", "Pedro", "Javier", "Elena", "Isabel", "Pilar", "Rosa"]
_GIVEN_ES += ["Alejandro", "Miguel", "Rafael", "Teresa", "Dolores", "Ángel"]
_GIVEN_EN = GIVEN_EN + ["James", "Robert", "William", "Linda", "Susan", "Thomas", "Laura"]


def _spread_polish(rng: random.Random) -> str:
    female = rng.random() < 0.5
    given = rng.choice(_GIVEN_PL_F if female else _GIVEN_PL_M)
    stem = rng.choice(_STEMS_PL) + rng.choice(_MIDS_PL)
    if rng.random() < 0.5:
        surname = stem + rng.choice(_ENDS_PL_GENDERED) + ("a" if female else "i")
    else:
        surname = stem + rng.choice(_ENDS_PL_PLAIN)
    return f"{given} {surname.capitalize()}"


def _spread_russian(rng: random.Random) -> str:
    female = rng.random() < 0.5
    given = rng.choice(_GIVEN_RU_F if female else _GIVEN_RU_M)
    surname = rng.choice(_STEMS_RU) + rng.choice(_MIDS_RU) + rng.choice(_ENDS_RU)
    surname += "а" if female else ""
    return f"{surname} {given}" if rng.random() < 0.5 else f"{given} {surname}"


def _spread_ukrainian(rng: random.Random) -> str:
    surname = rng.choice(_STEMS_RU) + rng.choice(_MIDS_RU) + rng.choice(_ENDS_UK)
    return f"{rng.choice(_GIVEN_UK)} {surname}"


def _spread_spanish_surname(rng: random.Random) -> str:
    return rng.choice(_STEMS_ES) + rng.choice(_MIDS_ES) + rng.choice(_ENDS_ES)


def _spread_spanish(rng: random.Random) -> str:
    name = f"{rng.choice(_GIVEN_ES)} {_spread_spanish_surname(rng)}"
    return name + (f" {_spread_spanish_surname(rng)}" if rng.random() < 0.6 else "")


def _spread_organisation(rng: random.Random) -> str:
    word = rng.choice(_STEMS_EN + _STEMS_ES) + rng.choice(_MIDS_ES + _ENDS_EN)
    parts = [word, rng.choice(ORG_GENERIC), rng.choice(ORG_FORMS)]
    if parts[-1] == "ООО":
        return f"ООО «{' '.join(p for p in parts[:2] if p)}»"
    return " ".join(p for p in parts if p)


def spread_name(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return random_name(rng)  # the common names
    pick = rng.random()
    if pick < 0.35:
        return _spread_polish(rng)
    if pick < 0.55:
        return _spread_russian(rng)
    if pick < 0.7:
        return _spread_spanish(rng)
    if pick < 0.8:
        return _spread_ukrainian(rng)
    if pick < 0.88:
        return f"{rng.choice(_GIVEN_EN)} {rng.choice(_STEMS_EN)}{rng.choice(_ENDS_EN)}"
    return _spread_organisation(rng)


def spread_keys(rng: random.Random, n: int) -> EntryKeys:
    keys = random_keys(rng, n)  # the same identifiers as the colliding population
    return build_entry_keys(
        spread_name(rng),
        emails=keys.identifiers.emails,
        phones=keys.identifiers.phones,
        birth_dates=keys.identifiers.birth_dates,
    )
