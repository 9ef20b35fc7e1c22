"""The conflict check's name engine alone: key building, and a search over 50,000 entries.

Prints
  * index keys built per second (``build_entry_keys``), with a cold and a warm
    transliteration cache (a rebuild of the whole index is cold once per word);
  * building the in-memory index, and one search over all entries in memory (median and
    p95 of the queries, each hit list identical to scoring every entry);
  * what the PostgreSQL prefilter would hand the scorer (pg_trgm similarity >= 0.3 on
    the ascii key, simulated with pg_trgm's own algorithm, plus exact family-key,
    surname, identifier and date-of-birth overlaps), and the scoring time of that.

No database: the 200 ms goal on PostgreSQL (trigram index) is measured where the real
``ConflictIndexEntry`` table exists. The population is synthetic and seeded: people of
Polish, Russian, Ukrainian, Spanish and English origin (a tenth written in Cyrillic, a
share in a second transliteration or the other gender's surname form), and firms with
legal forms; common surnames recur as in a real register.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from intake import names as names_module  # noqa: E402
from intake.conflicts_engine import (  # noqa: E402
    Candidate,
    EntryKeys,
    MemoryIndex,
    Query,
    build_entry_keys,
    prefilter_terms,
    score_all,
    trigrams,
)

SYLLABLES = [
    "ko",
    "wa",
    "le",
    "mi",
    "ro",
    "sta",
    "bor",
    "kra",
    "zie",
    "lin",
    "dob",
    "gra",
    "pol",
    "wol",
    "mar",
    "jan",
    "chor",
    "szcz",
    "bie",
    "ryb",
    "sok",
    "lis",
    "mor",
    "tar",
    "nik",
    "dan",
    "gor",
    "bel",
    "ser",
    "wit",
    "lub",
    "kam",
    "piet",
    "zaw",
]
PL_GIVEN_M = [
    "Jan",
    "Piotr",
    "Tomasz",
    "Paweł",
    "Łukasz",
    "Michał",
    "Krzysztof",
    "Andrzej",
    "Marek",
    "Grzegorz",
    "Wojciech",
    "Adam",
    "Marcin",
    "Jakub",
    "Kamil",
    "Rafał",
]
PL_GIVEN_F = [
    "Anna",
    "Maria",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Ewa",
    "Zofia",
    "Joanna",
    "Magdalena",
    "Monika",
    "Barbara",
    "Aleksandra",
    "Natalia",
]
PL_COMMON = [
    "Nowak",
    "Wójcik",
    "Kaczmarek",
    "Mazur",
    "Krawczyk",
    "Zając",
    "Lis",
    "Kowalczyk",
    "Woźniak",
    "Kozłowski",
    "Wiśniewski",
    "Kowalski",
    "Lewandowski",
    "Zieliński",
]
RU_GIVEN_M = ["Алексей", "Сергей", "Иван", "Дмитрий", "Николай", "Пётр", "Андрей", "Михаил"]
RU_GIVEN_F = ["Юлия", "Ольга", "Ирина", "Наталья", "Татьяна", "Елена", "Анна", "Мария"]
RU_ROOTS = [
    "Иван",
    "Петр",
    "Щербак",
    "Сокол",
    "Смирн",
    "Жук",
    "Кузнец",
    "Попов",
    "Лебед",
    "Козл",
    "Новик",
    "Морозов",
    "Волк",
    "Зайц",
    "Павл",
    "Семён",
    "Голуб",
    "Виноград",
]
UK_GIVEN = ["Олена", "Тарас", "Володимир", "Ірина", "Оксана", "Богдан", "Юрій", "Наталія"]
UK_ROOTS = ["Шевч", "Бондар", "Мельн", "Ковал", "Ткач", "Кравч", "Олійн", "Лисенк", "Гончар"]
ES_GIVEN = [
    "José",
    "María",
    "Juan",
    "Carmen",
    "Antonio",
    "Lucía",
    "Francisco",
    "Ana",
    "Manuel",
    "Isabel",
    "David",
    "Laura",
    "Javier",
    "Elena",
]
ES_SURNAMES = [
    "García",
    "López",
    "Fernández",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Muñoz",
    "Rodríguez",
    "Gómez",
    "Díaz",
    "Moreno",
    "Álvarez",
    "Romero",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Serrano",
    "Molina",
]
EN_GIVEN = ["John", "Mary", "David", "Sarah", "Michael", "Emma", "James", "Olivia"]
EN_SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Thompson",
    "White",
    "Hughes",
    "Edwards",
    "Green",
]
ORG_GENERIC = [
    "Deweloper",
    "Consulting",
    "Trade",
    "Services",
    "Grupa",
    "Holding",
    "Invest",
    "Logistyka",
    "Construcciones",
    "Software",
    "Transport",
    "",
]
ORG_FORMS = ["sp. z o.o.", "S.A.", "sp.k.", "sp. j.", "S.L.", "Ltd", "GmbH", "LLC", "Inc.", ""]


def root(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice([2, 2, 3]))).capitalize()


def polish(rng: random.Random) -> str:
    female = rng.random() < 0.5
    given = rng.choice(PL_GIVEN_F if female else PL_GIVEN_M)
    if rng.random() < 0.25:
        surname = rng.choice(PL_COMMON)
        if female and surname.endswith("ski"):
            surname = surname[:-1] + "a"
    else:
        ending = rng.choice(["ski", "cki", "ak", "ek", "czyk", "owicz", "ik", ""])
        surname = root(rng) + ending
        if female and ending in ("ski", "cki"):
            surname = surname[:-1] + "a"
    return f"{given} {surname}"


def russian(rng: random.Random) -> str:
    female = rng.random() < 0.5
    given = rng.choice(RU_GIVEN_F if female else RU_GIVEN_M)
    surname = rng.choice(RU_ROOTS) + rng.choice(["ов", "ев", "ин", "ский"])
    if female:
        surname = surname[:-2] + "ская" if surname.endswith("ский") else surname + "а"
    text = f"{surname} {given}" if rng.random() < 0.5 else f"{given} {surname}"
    if rng.random() < 0.5:  # written in Latin by someone else: passport or Polish spelling
        keys = names_module.normalise_name(text)
        return " ".join(rng.choice(t.spellings).capitalize() for t in keys.tokens)
    return text


def ukrainian(rng: random.Random) -> str:
    return (
        f"{rng.choice(UK_GIVEN)} {rng.choice(UK_ROOTS)}{rng.choice(['енко', 'ук', 'чук', 'ник'])}"
    )


def spanish(rng: random.Random) -> str:
    first, second = rng.sample(ES_SURNAMES, 2)
    return f"{rng.choice(ES_GIVEN)} {first}" + (f" {second}" if rng.random() < 0.6 else "")


def english(rng: random.Random) -> str:
    return f"{rng.choice(EN_GIVEN)} {rng.choice(EN_SURNAMES)}"


def organisation(rng: random.Random) -> str:
    parts = [root(rng), rng.choice(ORG_GENERIC), rng.choice(ORG_FORMS)]
    return " ".join(p for p in parts if p)


MAKERS = [
    (polish, 0.45),
    (russian, 0.15),
    (ukrainian, 0.07),
    (spanish, 0.13),
    (english, 0.08),
    (organisation, 0.12),
]


def random_name(rng: random.Random) -> str:
    pick = rng.random()
    for maker, share in MAKERS:
        if pick < share:
            return maker(rng)
        pick -= share
    return organisation(rng)


def random_entry(rng: random.Random, n: int) -> EntryKeys:
    emails = [f"client{n}@example.pl"] if rng.random() < 0.4 else []
    phones = [f"+48 6{n:08d}"] if rng.random() < 0.4 else []
    dates = (
        [f"19{rng.randint(40, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"]
        if rng.random() < 0.2
        else []
    )
    return build_entry_keys(random_name(rng), emails=emails, phones=phones, birth_dates=dates)


def make_queries(rng: random.Random, entries: list[Candidate[int]], count: int) -> list[Query]:
    fixed = [
        "Anna Kowalska",
        "Jan Nowak",
        "Щербаков Алексей",
        "María García López",
        "Nowak Deweloper sp. z o.o.",
        "Tomasz Wiśniewski",
        "Олена Шевчук",
        "John Smith",
    ]
    found = [Query(build_entry_keys(name), "CLIENT") for name in fixed]
    while len(found) < count:
        if rng.random() < 0.5:  # someone already indexed, typed again
            source = rng.choice(entries).keys
            found.append(
                Query(
                    build_entry_keys(source.display_name.upper(), emails=source.identifiers.emails),
                    "ADVERSE",
                )
            )
        else:
            found.append(Query(random_entry(rng, 10_000_000 + len(found)), "CLIENT"))
    return found


def milliseconds(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    return f"median {statistics.median(samples):.1f} ms  p95 {p95:.1f} ms"


def keys_per_second(names: list[str], *, cold: bool) -> float:
    if cold:
        names_module.transliterations.cache_clear()
    started = time.perf_counter()
    for name in names:
        build_entry_keys(name, emails=["someone@example.pl"], phones=["600100200"])
    return len(names) / (time.perf_counter() - started)


def prefiltered(
    query: Query,
    entries: list[Candidate[int]],
    grams: list[frozenset[str]],
    by_key: dict[str, list[int]],
) -> list[int]:
    """The rows PostgreSQL would return: the same rules as ``prefilter_matches``."""
    terms = prefilter_terms(query)
    found: set[int] = set()
    for key in (
        *terms.identifier_keys,
        *(f"family:{f}" for f in terms.family_keys),
        *(f"word:{w}" for w in terms.salient_tokens),
        *(f"dob:{d}" for d in terms.birth_dates),
    ):
        found.update(by_key.get(key, ()))
    term_grams = [trigrams(t) for t in terms.trigram_terms]
    for position, entry_grams in enumerate(grams):
        if position in found or not entry_grams:
            continue
        for term in term_grams:
            shared = len(term & entry_grams)
            if shared and shared / (len(term) + len(entry_grams) - shared) >= terms.min_similarity:
                found.add(position)
                break
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    sample = [random_name(rng) for _ in range(5000)]
    cold = keys_per_second(sample, cold=True)
    warm = keys_per_second(sample, cold=False)

    started = time.perf_counter()
    entries = [Candidate(n, random_entry(rng, n)) for n in range(args.entries)]
    built = time.perf_counter() - started
    started = time.perf_counter()
    index = MemoryIndex(entries)
    indexed = time.perf_counter() - started
    queries = make_queries(rng, entries, args.queries)

    searches: list[float] = []
    screened: list[int] = []
    hits: list[int] = []
    for query in queries:
        started = time.perf_counter()
        result = index.search(query)
        searches.append((time.perf_counter() - started) * 1000)
        screened.append(len(index.candidate_indexes(query)))
        hits.append(len(result))

    grams = [trigrams(c.keys.ascii_key) for c in entries]
    by_key: dict[str, list[int]] = {}
    for position, candidate in enumerate(entries):
        keys = candidate.keys
        for key in (
            *keys.identifier_keys,
            *(f"family:{f}" for f in keys.family_keys),
            *(f"word:{w}" for w in keys.salient_tokens),
            *(f"dob:{d}" for d in keys.identifiers.birth_dates),
        ):
            by_key.setdefault(key, []).append(position)
    returned: list[int] = []
    scoring: list[float] = []
    for query in queries:
        rows = prefiltered(query, entries, grams, by_key)
        returned.append(len(rows))
        started = time.perf_counter()
        score_all(query, [entries[p] for p in rows])
        scoring.append((time.perf_counter() - started) * 1000)

    per_entry = []
    for query in queries[:5]:
        started = time.perf_counter()
        score_all(query, entries[:2000])
        per_entry.append((time.perf_counter() - started) / 2000)
    brute = statistics.median(per_entry) * args.entries * 1000

    print(
        f"conflict name engine (algorithm {names_module.ALGORITHM_VERSION}), "
        f"{args.entries:,} synthetic entries, {len(queries)} queries"
    )
    print(
        f"  keys built: {cold:,.0f} per second cold cache, {warm:,.0f} warm "
        f"(whole index {built:.1f} s); in-memory index built in {indexed:.1f} s"
    )
    print(
        f"  in-memory search over {args.entries:,}: {milliseconds(searches)}  "
        f"(prescreen scores median {statistics.median(screened):.0f} entries, "
        f"{statistics.median(hits):.0f} hits; scoring every entry would take "
        f"~{brute:,.0f} ms)"
    )
    print(
        f"  PostgreSQL prefilter would return median {statistics.median(returned):.0f} rows "
        f"(max {max(returned)}) of {args.entries:,}; scoring them: {milliseconds(scoring)} "
        f"(plus the trigram query, measured against the real index)"
    )


if __name__ == "__main__":
    main()
