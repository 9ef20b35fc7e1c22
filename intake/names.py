"""Name normalisation for the conflict check (spec intake.md §4, "Name normalisation" 1–5).

A conflict check is only as good as its worst spelling: the same person is "Łukasz
Wiśniewski" in one matter and "Lukasz Wisniewski" in the next, "Щербаков Алексей" in a
Russian contract, "Aleksei Shcherbakov" in a passport and "Aleksiej Szczerbakow" in a
Polish court file; a wife is "Kowalska" where her husband is "Kowalski". This module turns
one written name into the keys that let all of those meet, and nothing else: it is pure
Python over strings (no ORM, no settings), so the golden file in
``tests/intake/golden_names.csv`` can pin its behaviour exactly.

The steps, in order:

1. NFKC and casefold, so full-width letters, ligatures and capitals compare equal;
   apostrophes are dropped inside words (O'Brien, Мар'яна) and everything else that is
   not a letter or digit separates words (spaces, hyphens, dots, commas, quotes).
2. Organisations: legal forms are stripped at either end (Polish, Spanish, English,
   German, Russian and Ukrainian; "sp. z o.o.", "S.L.", "GmbH & Co. KG", "ООО"). Short
   forms that are also ordinary words or initials ("S.A.", "AG", "АО") count only when
   written with dots or in capitals, or when the caller says the name is an organisation.
   Finding a legal form makes the name an organisation.
3. People: titles and honorifics are stripped (pan/pani, mec., adw., r.pr., dr, prof.,
   mr/mrs, sr./sra., Herr, г-н ...), name particles (de, del, van, von) dropped, and a
   Russian or Ukrainian patronymic set aside (documents written abroad omit it).
4. Every word gets its ASCII spellings (``NameToken.spellings``), at most
   ``MAX_VARIANTS``: the ``anyascii`` fold; for Cyrillic the ``iuliia`` schemes ICAO 9303,
   BGN/PCGN, Wikipedia and GOST 7.79 (system B), Atrium's Polish-convention table, the
   Ukrainian national (KMU 2010) table and an English-style fold; for Latin ``fold_pl``
   and ``fold_en``. Whole-name variant keys are the words of one scheme sorted and joined
   by spaces, so word order never matters ("Kowalski Jan" is "Jan Kowalski").
5. Surname family keys strip gendered endings (Kowalski/Kowalska → ``kowalsk``,
   Ivanov/Ivanova → ``ivanov``); the gender of the ending is kept beside the key so the
   scorer can tell a spelling variant (Zelenskyy ~ Zelenskiy) from a relative.

``ALGORITHM_VERSION`` names this behaviour: keys stored by another version are stale and
the conflict index must be rebuilt (``NameKeys.from_json`` refuses them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any, Final, NamedTuple

import iuliia
from anyascii import anyascii

ALGORITHM_VERSION: Final = "names-2026.1"
"""Bump on any change that alters keys or grades; stored keys of another version are stale."""

MAX_VARIANTS: Final = 8
"""At most this many ASCII spellings per word and whole-name variant keys per name (spec)."""

MAX_TOKENS: Final = 12
"""Longer "names" are pasted paragraphs; their first words are enough to find a person."""

MAX_NAME_LENGTH: Final = 300

SCHEMES: Final = (
    "ascii",
    "icao",
    "bgn",
    "wiki",
    "polish",
    "kmu",
    "gost",
    "fold_pl",
    "fold_en",
    "fold_de",
)
"""Spelling schemes in priority order: the first ``MAX_VARIANTS`` distinct keys are kept."""


class NameKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class StaleKeysError(ValueError):
    """Stored keys were built by another ``ALGORITHM_VERSION``: rebuild the index."""


class FamilyKey(NamedTuple):
    """A surname with its gendered ending removed, and the gender that ending had."""

    stem: str
    gender: str  # "m" or "f"


@dataclass(frozen=True, slots=True)
class NameToken:
    """One word of a name with every ASCII spelling it may be written in elsewhere."""

    spellings: tuple[str, ...]  # distinct, the anyascii fold first
    salient: bool = True  # a surname (people) or a distinctive word (organisations)
    initial: bool = False  # a lone letter such as "J."

    @property
    def ascii(self) -> str:
        return self.spellings[0]

    @property
    def families(self) -> tuple[FamilyKey, ...]:
        """Family keys of a salient word; given names never carry one (Dmitriy, Irina)."""
        if not self.salient or self.initial:
            return ()
        return _families(self.spellings)


@dataclass(frozen=True, slots=True)
class NameKeys:
    """Everything the scorer needs about one name, and what the index row stores."""

    display_name: str
    kind: NameKind
    tokens: tuple[NameToken, ...]
    patronymic: tuple[str, ...] = ()
    variant_keys: tuple[str, ...] = ()
    family_keys: tuple[str, ...] = ()

    @property
    def ascii_key(self) -> str:
        """The anyascii fold with sorted words: the column for the pg_trgm prefilter."""
        return self.variant_keys[0] if self.variant_keys else ""

    @property
    def is_empty(self) -> bool:
        return not self.tokens

    def to_json(self) -> dict[str, Any]:
        return {
            "v": ALGORITHM_VERSION,
            "kind": self.kind.value,
            "tokens": [list(t.spellings) for t in self.tokens],
            "salient": [t.salient for t in self.tokens],
            "initial": [t.initial for t in self.tokens],
            "patronymic": list(self.patronymic),
            "variants": list(self.variant_keys),
            "families": list(self.family_keys),
        }

    @classmethod
    def from_json(cls, display_name: str, data: Mapping[str, Any]) -> NameKeys:
        if data.get("v") != ALGORITHM_VERSION:
            raise StaleKeysError(f"keys of {data.get('v')!r}, engine is {ALGORITHM_VERSION!r}")
        tokens = tuple(
            NameToken(
                spellings=tuple(str(s) for s in spellings),
                salient=bool(salient),
                initial=bool(initial),
            )
            for spellings, salient, initial in zip(
                data["tokens"], data["salient"], data["initial"], strict=True
            )
        )
        return cls(
            display_name=display_name,
            kind=NameKind(data["kind"]),
            tokens=tokens,
            patronymic=tuple(str(s) for s in data["patronymic"]),
            variant_keys=tuple(str(s) for s in data["variants"]),
            family_keys=tuple(str(s) for s in data["families"]),
        )


# --------------------------------------------------------------------------------------
# Text helpers

_TOKEN_RE: Final = re.compile(r"[^\W_]+")
# Inside a word an apostrophe joins (O'Brien, D'Angelo, Мар'яна); it never separates.
_APOSTROPHES: Final = str.maketrans("", "", "'’ʼ`´ʹ‘")
_CYRILLIC_RE: Final = re.compile(r"[\u0400-\u04ff]")
_NOT_ASCII_ALNUM: Final = re.compile(r"[^a-z0-9]")
_UKRAINIAN_ONLY: Final = frozenset("іїєґ")


def fold_case(text: str) -> str:
    """NFKC, casefold, NFKC again: the Unicode-recommended caseless form of a name."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def ascii_fold(text: str) -> str:
    """``anyascii`` folding to lowercase letters and digits (ł→l, ż→z, ñ→n, ß→ss)."""
    return _NOT_ASCII_ALNUM.sub("", anyascii(text).lower())


def is_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC_RE.search(text))


# --------------------------------------------------------------------------------------
# Latin folds into one English-style comparison alphabet (spec §4.4)

_CONSONANT_IE: Final = re.compile(r"(?<=[bcdfghklmnpqrstvxz])ie")


def fold_pl(text: str) -> str:
    """Read a Latin word as Polish spelling and rewrite it the English-transliteration way.

    The spec's rules, in order: ch→kh, szcz→shch, sz→sh, cz→ch, rz→zh, w→v (so
    Szczerbakow → shcherbakov, Chruszczow → khrushchov). Three more make Polish-spelled
    Russian names meet their English spellings, and were added because the golden file
    showed them missing: ż→zh (Żukow ~ Zhukov), "ie" after a consonant → e (Pietrow ~
    Petrov, Siergiej ~ Sergey) and j→y (Jurij ~ Yuriy, Aleksiej ~ Aleksey).
    """
    s = fold_case(text)
    for old, new in (
        ("ch", "kh"),
        ("szcz", "shch"),
        ("sz", "sh"),
        ("cz", "ch"),
        ("rz", "zh"),
        ("ż", "zh"),
        ("w", "v"),
    ):
        s = s.replace(old, new)
    s = ascii_fold(s)
    s = _CONSONANT_IE.sub("e", s)
    return s.replace("j", "y")


def fold_en(text: str) -> str:
    """Read a Latin word as English-style transliteration: kh→h, ks→x (Aleksandr ~ Alexander)."""
    return ascii_fold(text).replace("kh", "h").replace("ks", "x")


_UMLAUTS: Final = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def fold_de(text: str) -> str:
    """German umlauts the way German writes them without: Müller → mueller (anyascii: muller).

    Only words with an umlaut get it, so nothing else grows a spelling.
    """
    s = fold_case(text)
    return ascii_fold(s.translate(_UMLAUTS)) if any(ch in s for ch in "äöü") else ""


# --------------------------------------------------------------------------------------
# Cyrillic → Latin tables

_PL_LETTERS: Final = {
    "а": "a",
    "б": "b",
    "в": "w",
    "г": "g",
    "д": "d",
    "ж": "ż",
    "з": "z",
    "й": "j",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "ch",
    "ц": "c",
    "ч": "cz",
    "ш": "sz",
    "щ": "szcz",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ґ": "g",
    "і": "i",
}
_CYR_VOWELS: Final = frozenset("аеёиоуыэюяіїє")
_PL_HARD: Final = frozenset("жшчщц")  # after these Polish writes e, o, never ie, io
_PL_HARD_I: Final = frozenset("жшц")  # and after these y, never i (Szyszkin, Cyganow)
_CYR_SIGNS: Final = frozenset("ъь")


def polish_convention(text: str) -> str:
    """Atrium's Polish-convention transliteration of a Cyrillic word (spec §4.4).

    Щ→szcz, Ш→sz, Ч→cz, Ж→ż, Х→ch, В→w, Й→j, Ю→ju, Я→ja, and so -ов→-ow: Щербаков →
    szczerbakow, Хрущёв → chruszczow, Петров → pietrow. Е, Ё, Ю, Я are written je, jo, ju,
    ja at the start of a word and after a vowel, plain after Л and after the hard
    consonants, and ie, io, iu, ia after the other consonants, as Polish newspapers and
    courts write Russian names. A word with a Ukrainian letter (і, ї, є, ґ) is read as
    Ukrainian: Г→h, И→y, Е→e. A final -кий, -гий, -хий loses its й, as Polish writes
    Czajkowski and Dostojewski.
    """
    s = fold_case(text)
    ukrainian = any(ch in _UKRAINIAN_ONLY for ch in s)
    if s.endswith(("кий", "гий", "хий")):
        s = s[:-1]  # Polish writes Чайковский Czajkowski, Горький Gorki
    out: list[str] = []
    prev = ""
    for ch in s:
        start_or_vowel = prev == "" or prev in _CYR_VOWELS or prev in _CYR_SIGNS
        soft_pair = {"е": "e", "ё": "o", "ю": "u", "я": "a", "є": "e"}
        if ch in soft_pair and not (ukrainian and ch == "е"):
            vowel = soft_pair[ch]
            if start_or_vowel:
                out.append("j" + vowel)
            elif prev in _PL_HARD or prev == "л":
                out.append(vowel)
            else:
                out.append("i" + vowel)
        elif ch == "е":  # Ukrainian е is hard
            out.append("e")
        elif ch == "ї":
            out.append("ji")
        elif ch == "и":
            if ukrainian or prev in _PL_HARD_I:
                out.append("y")
            elif prev == "ь":
                out.append("ji")
            else:
                out.append("i")
        elif ch == "г" and ukrainian:
            out.append("h")
        else:
            out.append(_PL_LETTERS.get(ch, ch))
        prev = ch
    return "".join(out)


_KMU_LETTERS: Final = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "",
    "ъ": "",
    "ы": "y",
    "э": "e",
}
_KMU_WORD_START: Final = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya", "ё": "yo"}
_KMU_INSIDE: Final = {"є": "ie", "ї": "i", "й": "i", "ю": "iu", "я": "ia", "ё": "io"}


def ukrainian_national(text: str) -> str:
    """Ukraine's national transliteration (Cabinet of Ministers resolution 55 of 2010).

    It is what Ukrainian passports print (Зеленський → Zelenskyi, Олег → Oleh), and
    ``iuliia`` has Russian schemes only.
    """
    s = fold_case(text).replace("зг", "zgh")
    out: list[str] = []
    for i, ch in enumerate(s):
        if ch in _KMU_WORD_START:
            out.append(_KMU_WORD_START[ch] if i == 0 else _KMU_INSIDE[ch])
        else:
            out.append(_KMU_LETTERS.get(ch, ch))
    return "".join(out)


# GOST 7.79 system B is the ASCII one (Щербаков → shherbakov); system A uses diacritics
# that fold to plain letters and would merge щ with с (Ŝerbakov → serbakov).
_IULIIA_SCHEMES: Final = (
    ("icao", iuliia.ICAO_DOC_9303),
    ("bgn", iuliia.BGN_PCGN),
    ("wiki", iuliia.WIKIPEDIA),
    ("gost", iuliia.GOST_779_ALT),
)


@lru_cache(maxsize=1 << 16)  # a register repeats its words; bounded for a long-lived worker
def transliterations(word: str) -> dict[str, str]:
    """Every scheme's ASCII spelling of one casefolded word, in ``SCHEMES`` order."""
    base = ascii_fold(word)
    result: dict[str, str] = {"ascii": base}
    if not is_cyrillic(word):
        result["fold_pl"] = fold_pl(word)
        result["fold_en"] = fold_en(word)
        result["fold_de"] = fold_de(word)
        return {scheme: value for scheme, value in result.items() if value}
    for scheme, table in _IULIIA_SCHEMES:
        result[scheme] = ascii_fold(str(table.translate(word)))
    result["polish"] = ascii_fold(polish_convention(word))
    result["kmu"] = ascii_fold(ukrainian_national(word))
    result["fold_en"] = result["icao"].replace("kh", "h").replace("ks", "x")
    return {scheme: result[scheme] for scheme in SCHEMES if result.get(scheme)}


def _distinct(values: Iterable[str], limit: int = MAX_VARIANTS) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
            if len(seen) == limit:
                break
    return tuple(seen)


# --------------------------------------------------------------------------------------
# Surname families (spec §4.5)

# (ending, what replaces it, gender); the first ending that fits wins, so longer first.
_FAMILY_ENDINGS: Final = (
    ("skaya", "sk", "f"),
    ("skaia", "sk", "f"),
    ("skaja", "sk", "f"),
    ("skiy", "sk", "m"),
    ("skii", "sk", "m"),
    ("skij", "sk", "m"),
    ("skyi", "sk", "m"),
    ("skyy", "sk", "m"),
    ("skyj", "sk", "m"),
    ("ski", "sk", "m"),
    ("sky", "sk", "m"),
    ("ska", "sk", "f"),
    ("cki", "ck", "m"),
    ("cka", "ck", "f"),
    ("zki", "zk", "m"),
    ("zka", "zk", "f"),
    ("ova", "ov", "f"),
    ("ov", "ov", "m"),
    ("eva", "ev", "f"),
    ("ev", "ev", "m"),
    ("owa", "ow", "f"),
    ("ow", "ow", "m"),
    ("ewa", "ew", "f"),
    ("ew", "ew", "m"),
    ("ina", "in", "f"),
    ("in", "in", "m"),
    ("yna", "yn", "f"),
    ("yn", "yn", "m"),
    ("aya", "", "f"),
    ("aia", "", "f"),
    ("aja", "", "f"),
    ("iy", "", "m"),
    ("yy", "", "m"),
    ("yi", "", "m"),
    ("ii", "", "m"),
    ("ij", "", "m"),
    ("oy", "", "m"),
    ("oi", "", "m"),
    ("oj", "", "m"),
)
_MIN_STEM: Final = 3


def family_key(spelling: str) -> FamilyKey | None:
    """The surname family of one ASCII spelling, or None when it has no gendered ending.

    Polish -ski/-ska, -cki/-cka, -dzki/-dzka; Russian and Ukrainian -ov/-ova, -ev/-eva,
    -in/-ina, -skiy/-skaya, -iy/-aya and their other transliterations (-skii, -skyi,
    -sky, -owa). Kowalski and Kowalska share ``kowalsk``; Ivanov and Ivanova ``ivanov``.
    """
    for ending, replacement, gender in _FAMILY_ENDINGS:
        if spelling.endswith(ending):
            stem = spelling[: len(spelling) - len(ending)] + replacement
            if len(stem) >= _MIN_STEM and len(spelling) > len(ending) + 1:
                return FamilyKey(stem, gender)
            return None
    return None


@lru_cache(maxsize=1 << 16)
def _families(spellings: tuple[str, ...]) -> tuple[FamilyKey, ...]:
    found: dict[FamilyKey, None] = {}
    for spelling in spellings:
        key = family_key(spelling)
        if key is not None:
            found[key] = None
    return tuple(found)


# --------------------------------------------------------------------------------------
# Legal forms, titles, particles (spec §4.1–2)

_LEGAL_FORMS_LATIN: Final = (
    # Polish
    "sp. z o.o.",
    "spółka z ograniczoną odpowiedzialnością",
    "sp. k.",
    "spółka komandytowa",
    "sp. j.",
    "spółka jawna",
    "sp. p.",
    "spółka partnerska",
    "spółka komandytowo-akcyjna",
    "spółka akcyjna",
    "prosta spółka akcyjna",
    "spółka cywilna",
    "w likwidacji",
    "w upadłości",
    # Spanish
    "s.l.u.",
    "s.a.u.",
    "s.l.l.",
    "s.l.n.e.",
    "s. coop.",
    "sociedad limitada",
    "sociedad limitada unipersonal",
    "sociedad anónima",
    "sociedad anónima unipersonal",
    "sociedad de responsabilidad limitada",
    "sociedad cooperativa",
    "s. de r.l.",
    "s. de r.l. de c.v.",
    "s.a. de c.v.",
    # English
    "llc",
    "limited liability company",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llp",
    "plc",
    "corp",
    "corporation",
    "company",
    "pllc",
    # German
    "gmbh",
    "mbh",
    "ohg",
    "gbr",
    "kgaa",
    "haftungsbeschränkt",
    # Russian and Ukrainian forms written in Latin letters or in English
    "ooo",
    "zao",
    "oao",
    "pao",
    "tov",
    "pjsc",
    "jsc",
    "ojsc",
    "cjsc",
)
# Also words or initials on their own: they count only with dots, in capitals, or when
# the caller says it is an organisation ("José Sa" is a person, "Grupo Sa" may not be).
_LEGAL_FORMS_LATIN_SHORT: Final = (
    "s.a.",
    "s.c.",
    "s.k.a.",
    "p.s.a.",
    "s.l.",
    "s.r.l.",
    "s.c.p.",
    "c.b.",
    "co.",
    "l.p.",
    "p.c.",
    "ag",
    "kg",
    "ug",
    "e.k.",
    "e.v.",
    "se",
)
_LEGAL_FORMS_CYRILLIC: Final = (
    "ооо",
    "оао",
    "зао",
    "пао",
    "нао",
    "нко",
    "ано",
    "общество с ограниченной ответственностью",
    "акционерное общество",
    "публичное акционерное общество",
    "закрытое акционерное общество",
    "открытое акционерное общество",
    "непубличное акционерное общество",
    "индивидуальный предприниматель",
    "тов",
    "товариство з обмеженою відповідальністю",
    "пат",
    "прат",
    "фоп",
    "фізична особа-підприємець",
    "приватне підприємство",
)
_LEGAL_FORMS_CYRILLIC_SHORT: Final = ("ао", "ип", "ат", "пп")

_TITLES_LEADING: Final = (
    "pan",
    "pani",
    "panna",
    "państwo",
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "sir",
    "dame",
    "sr",
    "sra",
    "srta",
    "señor",
    "señora",
    "señorita",
    "doña",
    "dña",
    "herr",
    "frau",
    "mme",
    "mlle",
)
_TITLES_ANYWHERE: Final = (
    "dr",
    "hab",
    "prof",
    "inż",
    "mgr",
    "lic",
    "adw",
    "adwokat",
    "mec",
    "mecenas",
    "r. pr.",
    "radca prawny",
    "apl",
    "esq",
    "phd",
    "llm",
    "mba",
    "dipl",
    "ing",
    "abogado",
    "abogada",
    "ldo",
    "lda",
)
_TITLES_CYRILLIC_LEADING: Final = (
    "г-н",
    "г-жа",
    "господин",
    "госпожа",
    "гражданин",
    "гражданка",
    "пан",
    "пані",
)
_TITLES_CYRILLIC_ANYWHERE: Final = ("д-р", "проф", "адв", "адвокат")

_PERSON_PARTICLES: Final = frozenset(
    {
        "de",
        "del",
        "la",
        "las",
        "los",
        "van",
        "von",
        "der",
        "den",
        "di",
        "da",
        "dos",
        "das",
        "du",
        "le",
        "zu",
        "ten",
        "ter",
    }
)
_PERSON_CONJUNCTIONS: Final = frozenset({"y", "e", "i"})  # García y López; never an initial
_ORG_CONNECTORS: Final = frozenset(
    {
        "and",
        "und",
        "i",
        "y",
        "e",
        "et",
        "the",
        "of",
        "de",
        "del",
        "la",
        "el",
        "ta",
    }
)
# Words every second firm has: sharing one of them says nothing (no INFO overlap).
_ORG_GENERIC: Final = frozenset(
    {
        "polska",
        "poland",
        "group",
        "grupa",
        "grupo",
        "holding",
        "holdings",
        "company",
        "firma",
        "przedsiebiorstwo",
        "zaklad",
        "uslugi",
        "uslugowe",
        "handlowe",
        "handel",
        "trade",
        "trading",
        "consulting",
        "services",
        "service",
        "serwis",
        "international",
        "invest",
        "investment",
        "investments",
        "inwestycje",
        "development",
        "deweloper",
        "nieruchomosci",
        "real",
        "estate",
        "bank",
        "banco",
        "fundacja",
        "fundacion",
        "stowarzyszenie",
        "centrum",
        "center",
        "centre",
        "global",
        "europe",
        "euro",
        "solutions",
        "systems",
        "technologies",
        "tech",
        "media",
        "studio",
        "law",
        "legal",
        "kancelaria",
        "partners",
        "partnerzy",
        "wspolnicy",
        "associates",
        "sociedad",
        "empresa",
        "compania",
        "servicios",
        "inversiones",
        "gestion",
        "construcciones",
        "inmobiliaria",
        "kompaniya",
        "gruppa",
        "torgovyi",
        "dom",
        "tsentr",
        "budowlane",
        "budownictwo",
        "transport",
        "logistics",
        "logistyka",
        "produkcja",
        "import",
        "export",
    }
)


def _phrase_tokens(phrase: str) -> list[str]:
    return [fold_case(t) for t in _TOKEN_RE.findall(phrase.translate(_APOSTROPHES))]


def _latin_compacts(phrases: Iterable[str]) -> frozenset[str]:
    return frozenset(ascii_fold("".join(_phrase_tokens(p))) for p in phrases)


def _raw_compacts(phrases: Iterable[str]) -> frozenset[str]:
    return frozenset("".join(_phrase_tokens(p)) for p in phrases)


_LF_LATIN: Final = _latin_compacts(_LEGAL_FORMS_LATIN)
_LF_LATIN_SHORT: Final = _latin_compacts(_LEGAL_FORMS_LATIN_SHORT)
_LF_CYR: Final = _raw_compacts(_LEGAL_FORMS_CYRILLIC)
_LF_CYR_SHORT: Final = _raw_compacts(_LEGAL_FORMS_CYRILLIC_SHORT)
_T_LEADING: Final = _latin_compacts(_TITLES_LEADING + _TITLES_ANYWHERE)
_T_LEADING_CYR: Final = _raw_compacts(_TITLES_CYRILLIC_LEADING + _TITLES_CYRILLIC_ANYWHERE)
_T_ANYWHERE: Final = _latin_compacts(_TITLES_ANYWHERE)
_T_ANYWHERE_CYR: Final = _raw_compacts(_TITLES_CYRILLIC_ANYWHERE)
_LONGEST_FORM: Final = 6  # words in the longest legal form ("s. de r.l. de c.v.")


@dataclass(frozen=True, slots=True)
class _Word:
    text: str  # casefolded
    dotted: bool  # a dot follows it in the original ("S.A.", "J.")
    upper: bool  # written in capitals


def _words(name: str) -> list[_Word]:
    source = unicodedata.normalize("NFKC", name)[:MAX_NAME_LENGTH].translate(_APOSTROPHES)
    return [
        _Word(
            text=fold_case(m.group()),
            dotted=source[m.end() : m.end() + 1] == ".",
            upper=m.group().isupper(),
        )
        for m in _TOKEN_RE.finditer(source)
    ]


def _compact_matches(
    span: Sequence[_Word],
    *,
    explicit_org: bool,
    all_upper: bool,
    latin: frozenset[str],
    latin_short: frozenset[str],
    cyrillic: frozenset[str],
    cyrillic_short: frozenset[str],
) -> bool:
    # Latin forms are compared on the ASCII fold of any script ("ЛТД" is LTD); Cyrillic
    # forms on the Cyrillic letters only, as their folds are Latin words ("ПАТ" is "pat").
    raw = "".join(w.text for w in span)
    folded = ascii_fold(raw)
    if folded in latin or raw in cyrillic:
        return True
    if folded not in latin_short and raw not in cyrillic_short:
        return False
    marked = any(w.dotted for w in span) or (all(w.upper for w in span) and not all_upper)
    return explicit_org or marked


def _strip_legal_forms(words: list[_Word], *, explicit_org: bool) -> tuple[list[_Word], bool]:
    all_upper = all(w.upper for w in words)
    found = False
    changed = True
    while changed and len(words) > 1:
        changed = False
        for at_end in (True, False):
            for k in range(min(_LONGEST_FORM, len(words) - 1), 0, -1):
                span = words[-k:] if at_end else words[:k]
                if _compact_matches(
                    span,
                    explicit_org=explicit_org,
                    all_upper=all_upper,
                    latin=_LF_LATIN,
                    latin_short=_LF_LATIN_SHORT,
                    cyrillic=_LF_CYR,
                    cyrillic_short=_LF_CYR_SHORT,
                ):
                    words = words[:-k] if at_end else words[k:]
                    found = changed = True
                    break
            if changed:
                break
    return words, found


def _is_title(span: Sequence[_Word], latin: frozenset[str], cyrillic: frozenset[str]) -> bool:
    raw = "".join(w.text for w in span)
    return ascii_fold(raw) in latin or raw in cyrillic


def _strip_titles(words: list[_Word]) -> list[_Word]:
    # Leading honorifics may pile up ("Pan mec. dr Jan Kowalski").
    while len(words) > 1:
        for k in (2, 1):
            if len(words) > k and _is_title(words[:k], _T_LEADING, _T_LEADING_CYR):
                words = words[k:]
                break
        else:
            break
    kept: list[_Word] = []
    skip = 0
    for i, word in enumerate(words):
        if skip:
            skip -= 1
            continue
        pair = words[i : i + 2]
        if len(pair) == 2 and len(words) > 2 and _is_title(pair, _T_ANYWHERE, _T_ANYWHERE_CYR):
            skip = 1
            continue
        if len(words) > 1 and _is_title([word], _T_ANYWHERE, _T_ANYWHERE_CYR):
            continue
        kept.append(word)
    return kept or words


def _drop_particles(words: list[_Word], kind: NameKind) -> list[_Word]:
    # Compared on the ASCII fold, so "де" and "и" go the way "de" and "i" go.
    if kind is NameKind.ORGANISATION:
        kept = [w for w in words if ascii_fold(w.text) not in _ORG_CONNECTORS]
    else:
        kept = [
            w
            for i, w in enumerate(words)
            if ascii_fold(w.text) not in _PERSON_PARTICLES
            and not (ascii_fold(w.text) in _PERSON_CONJUNCTIONS and not w.dotted and i > 0)
        ]
    return kept or words


_PATRONYMIC_CYRILLIC: Final = ("ич", "вна", "чна")
_PATRONYMIC_LATIN: Final = ("ovich", "evich", "ovych", "evych", "ovna", "evna", "ivna", "ichna")


def _is_patronymic(text: str) -> bool:
    if is_cyrillic(text):
        return len(text) > 4 and text.endswith(_PATRONYMIC_CYRILLIC)
    return text.endswith(_PATRONYMIC_LATIN)


def _split_patronymic(words: list[_Word]) -> tuple[list[_Word], _Word | None]:
    """Set aside the patronymic of a three-word Russian or Ukrainian name.

    Only the middle word (Ivan Ivanovich Ivanov) or the last (Иванов Иван Иванович) can
    be one, so the surnames Shostakovich or Sienkiewicz are never mistaken for it.
    """
    if len(words) < 3:
        return words, None
    for index in (1, len(words) - 1):
        if _is_patronymic(words[index].text) and not words[index].dotted:
            return words[:index] + words[index + 1 :], words[index]
    return words, None


# --------------------------------------------------------------------------------------
# Common given names: a shared word that is one of these is not evidence of a relative
# (Jan Nowak and Jan Kowalski share nothing worth a hit). Cyrillic names are spelled
# through every scheme when first needed.

_GIVEN_NAMES_LATIN: Final = """
anna maria katarzyna małgorzata agnieszka barbara ewa krystyna elżbieta magdalena joanna
zofia aleksandra monika teresa danuta natalia karolina marta beata dorota halina jadwiga
janina jolanta iwona grażyna julia paulina justyna renata urszula wiktoria zuzanna alicja
hanna irena helena bożena agata marianna weronika oliwia emilia kinga sylwia patrycja
izabela edyta lena maja amelia gabriela stanisława wanda kamila ilona aneta lucyna
michalina jan piotr krzysztof andrzej tomasz paweł michał marcin stanisław jakub adam
marek łukasz grzegorz mateusz wojciech mariusz dariusz zbigniew jerzy maciej rafał robert
kamil józef janusz ryszard szymon henryk tadeusz bartosz sebastian dawid przemysław
kazimierz daniel filip artur damian roman sławomir władysław mirosław jacek edward leszek
bogdan antoni zdzisław arkadiusz adrian wiesław waldemar patryk hubert konrad karol igor
oskar wiktor aleksander franciszek ignacy stefan eugeniusz czesław marian zenon bolesław
witold norbert radosław dominik kacper
josé antonio manuel francisco juan david javier carlos jesús alejandro miguel rafael
pedro pablo ángel sergio fernando jorge luis alberto álvaro diego raúl enrique
joaquín víctor eduardo roberto jaime ignacio alfonso ricardo mario emilio guillermo
gonzalo rubén óscar hugo iván carmen ana isabel laura cristina lucía dolores pilar elena
sara paula raquel manuela mercedes rocío beatriz silvia alba irene andrea nuria
montserrat encarnación concepción esther inmaculada sofía claudia carla verónica ángela
amparo yolanda susana lorena noelia sonia nerea marina alicia consuelo josefa francisca
antonia juana rosario guadalupe asunción begoña ainhoa leire itziar
john james michael william richard joseph thomas charles christopher matthew anthony
mark paul steven andrew kenneth joshua kevin brian george ronald timothy jason jeffrey
ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel
frank gregory alexander patrick peter henry mary patricia jennifer linda elizabeth susan
jessica sarah karen lisa nancy betty margaret sandra ashley kimberly emily donna michelle
carol amanda melissa deborah stephanie rebecca sharon cynthia kathleen amy helen emma
olivia sophia charlotte alice grace lucy kate catherine rachel hannah
"""
_GIVEN_NAMES_CYRILLIC: Final = """
александр алексей андрей антон артём артур борис вадим валентин валерий василий виктор
виталий владимир владислав вячеслав геннадий георгий глеб григорий даниил денис дмитрий
евгений егор иван игорь илья кирилл константин лев леонид максим марк михаил никита
николай олег павел пётр роман руслан семён сергей станислав степан тимур фёдор юрий
ярослав анастасия анна алина алла валентина валерия вера виктория галина дарья диана
евгения екатерина елена елизавета жанна зинаида зоя инна ирина карина кристина ксения
лариса лидия любовь людмила маргарита марина мария надежда наталья нина оксана ольга
полина раиса светлана софия тамара татьяна ульяна юлия яна
олександр олексій андрій богдан василь віктор володимир григорій дмитро євген іван ігор
микола михайло остап павло петро сергій тарас юрій віталій анатолій олена ірина наталія
тетяна світлана ганна катерина надія віра леся соломія христина зоряна мар'яна дарина
вікторія
"""


@cache
def _given_name_spellings() -> frozenset[str]:
    spellings: set[str] = set()
    for word in (_GIVEN_NAMES_LATIN + _GIVEN_NAMES_CYRILLIC).split():
        spellings.update(transliterations(fold_case(word.translate(_APOSTROPHES))).values())
    return frozenset(spellings)


def is_given_name(spellings: Iterable[str]) -> bool:
    known = _given_name_spellings()
    return any(s in known for s in spellings)


# --------------------------------------------------------------------------------------
# The entry point


def _token(word: _Word) -> tuple[dict[str, str], bool]:
    schemes = transliterations(word.text)
    initial = len(word.text) == 1 and word.text.isalpha()
    return schemes, initial


def normalise_name(
    name: str, *, family_name: str | None = None, kind: NameKind | None = None
) -> NameKeys:
    """The keys of one written name (a person or an organisation).

    ``family_name``, when the record keeps it apart (``Contact.last_name``), says which
    words are the surname; without it a word counts as a surname unless it is a common
    given name or an initial. ``kind`` forces person or organisation; left out, a name
    with a legal form is an organisation and any other a person.
    """
    display = " ".join(name.split())[:MAX_NAME_LENGTH]
    words = _words(name)
    has_form = False
    if kind is not NameKind.PERSON:  # a caller who knows it is a person: "Inc" is a name
        words, has_form = _strip_legal_forms(words, explicit_org=kind is NameKind.ORGANISATION)
    resolved = kind or (NameKind.ORGANISATION if has_form else NameKind.PERSON)
    patronymic: _Word | None = None
    if resolved is NameKind.PERSON:
        words = _strip_titles(words)
        words = _drop_particles(words, resolved)
        words, patronymic = _split_patronymic(words)
    else:
        words = _drop_particles(words, resolved)
    words = words[:MAX_TOKENS]

    surname_words: set[str] = set()
    if family_name and resolved is NameKind.PERSON:
        surname_words = {
            fold_case(t)
            for t in _TOKEN_RE.findall(
                unicodedata.normalize("NFKC", family_name).translate(_APOSTROPHES)
            )
        }
        present = {w.text for w in words}
        words += [_Word(t, False, False) for t in sorted(surname_words - present)]
        words = words[:MAX_TOKENS]

    scheme_maps: list[dict[str, str]] = []
    tokens: list[NameToken] = []
    for word in words:
        schemes, initial = _token(word)
        if not schemes.get("ascii"):
            continue  # a symbol with no Latin reading; nothing to compare
        spellings = _distinct(schemes.values())
        if resolved is NameKind.ORGANISATION:
            salient = (
                len(spellings[0]) >= 3
                and not spellings[0].isdigit()
                and not any(s in _ORG_GENERIC for s in spellings)
            )
        elif surname_words:
            salient = word.text in surname_words
        else:
            salient = not initial and not is_given_name(spellings)
        scheme_maps.append(schemes)
        tokens.append(
            NameToken(spellings=spellings, salient=salient and not initial, initial=initial)
        )

    variant_keys = (
        _distinct(
            " ".join(sorted(m.get(scheme, m["ascii"]) for m in scheme_maps)) for scheme in SCHEMES
        )
        if scheme_maps
        else ()
    )
    # Not capped like the variants: each is a lookup key of the prescreen, and dropping
    # one would hide a relative (at most MAX_TOKENS x MAX_VARIANTS of them anyway).
    family_keys = tuple(sorted({f.stem for t in tokens for f in t.families}))
    patronymic_spellings = (
        _distinct(transliterations(patronymic.text).values()) if patronymic else ()
    )
    return NameKeys(
        display_name=display,
        kind=resolved,
        tokens=tuple(tokens),
        patronymic=patronymic_spellings,
        variant_keys=variant_keys,
        family_keys=family_keys,
    )
