"""The conflict check's matching engine (spec intake.md §4 "Matching"), with no ORM inside.

The intake app stores one ``ConflictIndexEntry`` row per contact, alias, matter party and
lead party; this module says what such a row holds (``build_entry_keys``), how a new name
is compared with one (``score``), and how a search over many runs (``MemoryIndex`` in
memory; ``prefilter_terms`` for the PostgreSQL trigram prefilter, after which the
candidates go through ``score_all``). Keeping it pure lets the golden file of labelled
name pairs calibrate the thresholds in a plain unit test, and the benchmark time it alone.

Grades (thresholds in ``MatchConfig``; reason codes in ``ReasonCode``, documented in
``REASON_DESCRIPTIONS``; the page translates them, so never rename one):

========  ====================================================================  ==========
Grade     Evidence                                                              Reason
========  ====================================================================  ==========
HIGH      the same email, phone (E.164) or tax id                               email_exact,
                                                                                phone_exact,
                                                                                tax_id_exact
HIGH      the same date of birth and the same surname                           dob_surname
HIGH      people: token_sort_ratio >= 92 on a variant pair, every word matched  name_full
HIGH      organisations: token_sort_ratio >= 95                                 org_name
REVIEW    people 85–92, organisations 85–95                                     name_close,
                                                                                org_name_close
REVIEW    surname family with opposite gendered endings and the same given     surname_family
          name or initial (Anna Kowalska ~ Anna Kowalski)
REVIEW    every word of the shorter name is in the longer (María García López  name_subset,
          ~ Maria Garcia), or matches it by initial (J. Nowak ~ Jan Nowak)      name_initial
INFO      only a surname (or its family) in common                              surname_only
INFO      a distinctive word shared with an organisation                        org_token_overlap
========  ====================================================================  ==========

Roles then adjust the grade (``role_conflict``, ``adverse_party``) and a differing
patronymic caps a name-only HIGH at REVIEW (``patronymic_differs``); see ``score``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any, Final, Generic, TypeVar

import phonenumbers
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler
from stdnum.es import nif as es_nif
from stdnum.eu import vat as eu_vat
from stdnum.pl import nip as pl_nip
from stdnum.pl import pesel as pl_pesel
from stdnum.pl import regon as pl_regon
from stdnum.ru import inn as ru_inn
from stdnum.us import ein as us_ein

from intake.names import (
    ALGORITHM_VERSION,
    NameKeys,
    NameKind,
    NameToken,
    family_key,
    normalise_name,
)

__all__ = [
    "ALGORITHM_VERSION",
    "DEFAULT_CONFIG",
    "REASON_DESCRIPTIONS",
    "Candidate",
    "EntryKeys",
    "Grade",
    "Hit",
    "Identifiers",
    "MatchConfig",
    "MemoryIndex",
    "PrefilterTerms",
    "Prescreen",
    "Query",
    "Reason",
    "ReasonCode",
    "TaxId",
    "build_entry_keys",
    "build_identifiers",
    "exact_terms",
    "normalise_birth_date",
    "normalise_email",
    "normalise_phone",
    "normalise_tax_id",
    "prefilter_matches",
    "prefilter_terms",
    "score",
    "score_all",
    "search",
    "trigram_similarity",
    "trigrams",
]

R = TypeVar("R", bound=Hashable)


# --------------------------------------------------------------------------------------
# Grades, reasons, thresholds


class Grade(StrEnum):
    HIGH = "HIGH"
    REVIEW = "REVIEW"
    INFO = "INFO"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK: Final = {Grade.HIGH: 3, Grade.REVIEW: 2, Grade.INFO: 1}


class ReasonCode(StrEnum):
    """Stable machine codes; the staff page renders each in the reader's language."""

    EMAIL_EXACT = "email_exact"
    PHONE_EXACT = "phone_exact"
    TAX_ID_EXACT = "tax_id_exact"
    DOB_SURNAME = "dob_surname"
    NAME_FULL = "name_full"
    ORG_NAME = "org_name"
    NAME_CLOSE = "name_close"
    ORG_NAME_CLOSE = "org_name_close"
    SURNAME_FAMILY = "surname_family"
    NAME_SUBSET = "name_subset"
    NAME_INITIAL = "name_initial"
    SURNAME_ONLY = "surname_only"
    ORG_TOKEN_OVERLAP = "org_token_overlap"  # noqa: S105 - a reason code, not a secret
    ROLE_CONFLICT = "role_conflict"
    ADVERSE_PARTY = "adverse_party"
    PATRONYMIC_DIFFERS = "patronymic_differs"


REASON_DESCRIPTIONS: Final[Mapping[ReasonCode, str]] = {
    ReasonCode.EMAIL_EXACT: "the same email address (detail: the address)",
    ReasonCode.PHONE_EXACT: "the same phone number in E.164 (detail: the number)",
    ReasonCode.TAX_ID_EXACT: "the same tax or registry number (detail: scheme and number)",
    ReasonCode.DOB_SURNAME: "the same date of birth and surname (detail: date + surname)",
    ReasonCode.NAME_FULL: "the same full name in some spelling (detail: the two variant keys)",
    ReasonCode.ORG_NAME: "the same organisation name without legal forms (detail: the keys)",
    ReasonCode.NAME_CLOSE: "a full name that differs by a letter or two (detail: the keys)",
    ReasonCode.ORG_NAME_CLOSE: "an organisation name that differs slightly (detail: the keys)",
    ReasonCode.SURNAME_FAMILY: "the same surname family with the other gender's ending and "
    "the same given name or initial (detail: the family keys)",
    ReasonCode.NAME_SUBSET: "every word of one name appears in the other (detail: the keys)",
    ReasonCode.NAME_INITIAL: "the same surname and a matching initial (detail: the keys)",
    ReasonCode.SURNAME_ONLY: "only the surname or its family in common (detail: the words)",
    ReasonCode.ORG_TOKEN_OVERLAP: "a distinctive word shared with an organisation "
    "(detail: the word)",
    ReasonCode.ROLE_CONFLICT: "the party is on the other side in the indexed matter, raised "
    "to at least REVIEW (detail: indexed role ~ role entered)",
    ReasonCode.ADVERSE_PARTY: "entered as an adverse party and indexed as no client: lowered "
    "from HIGH to REVIEW (detail: indexed role ~ role entered)",
    ReasonCode.PATRONYMIC_DIFFERS: "both names carry a patronymic and they differ: lowered "
    "from HIGH to REVIEW (detail: the two patronymics)",
}


@dataclass(frozen=True, slots=True)
class MatchConfig:
    """Every threshold of the conflict check, in one place (calibrated by the golden file).

    Scores are rapidfuzz's 0–100 scales; ``token_similarity`` is 0–1 for single words.
    """

    person_high: float = 92.0
    person_review: float = 85.0
    organisation_high: float = 95.0
    organisation_review: float = 85.0
    token_similarity: float = 0.92  # two words are "the same" (Aleksei ~ Aleksey, 0.94)
    near_similarity: float = 0.80  # every word this near for name_close (Smith ~ Smyth 0.89)
    jaro_length_gap: int = 2  # JaroWinkler only for words this close in length
    single_token_length: int = 8  # single-word names this short also get JaroWinkler
    trigram_similarity: float = 0.3  # pg_trgm's default, for the PostgreSQL prefilter
    client_roles: frozenset[str] = frozenset({"CLIENT"})
    adverse_roles: frozenset[str] = frozenset({"ADVERSE"})

    @property
    def prescreen_cutoff(self) -> float:
        return min(self.person_review, self.organisation_review)


DEFAULT_CONFIG: Final = MatchConfig()


# --------------------------------------------------------------------------------------
# Identifiers

_EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TAX_SEPARATORS: Final = re.compile(r"[\s\-./_]")


def normalise_email(raw: str | None) -> str | None:
    """Lowercase and trimmed; None for anything that is not an address."""
    if not raw:
        return None
    value = unicodedata.normalize("NFKC", raw).strip().lower()
    value = value.removeprefix("mailto:")
    return value if _EMAIL_RE.match(value) else None


def normalise_phone(raw: str | None, *, default_region: str = "PL") -> str | None:
    """E.164 via ``phonenumbers``; a number without "+" is read in ``default_region``.

    Possible (not necessarily assigned) numbers are kept: the same mistyped number on
    two records is still the same number.
    """
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


@dataclass(frozen=True, slots=True)
class TaxId:
    """A tax or registry number in ``python-stdnum``'s compact form.

    Numbers match on ``number`` alone, whatever scheme each side guessed or was told: a
    ten-digit string typed as NIP on one record and pasted bare on another is the same
    string, and two registries issuing the same digits to two parties is far rarer than
    a clerk choosing the wrong scheme.
    """

    scheme: str  # pl.pesel, pl.nip, pl.regon, pl.krs, us.ein, eu.vat, es.nif, ru.inn, unknown
    number: str
    valid: bool

    @property
    def key(self) -> str:
        return f"tax:{self.number}"


_SCHEME_ALIASES: Final = {
    "pesel": "pl.pesel",
    "nip": "pl.nip",
    "regon": "pl.regon",
    "krs": "pl.krs",
    "ein": "us.ein",
    "vat": "eu.vat",
    "nif": "es.nif",
    "dni": "es.nif",
    "nie": "es.nif",
    "cif": "es.nif",
    "inn": "ru.inn",
}
_STDNUM: Final[Mapping[str, Any]] = {
    "pl.pesel": pl_pesel,
    "pl.nip": pl_nip,
    "pl.regon": pl_regon,
    "us.ein": us_ein,
    "eu.vat": eu_vat,
    "es.nif": es_nif,
    "ru.inn": ru_inn,
}


def _stdnum_id(scheme: str, raw: str) -> TaxId:
    if scheme == "pl.krs":  # the court register number has no checksum: ten digits
        digits = re.sub(r"\D", "", raw)
        return TaxId("pl.krs", digits.zfill(10) if digits else "", len(digits) in range(1, 11))
    module = _STDNUM[scheme]
    try:
        number = str(module.compact(raw))
    except Exception:  # noqa: BLE001 - stdnum raises its own errors for unparseable input
        number = _TAX_SEPARATORS.sub("", raw).upper()
    return TaxId(scheme, number, bool(module.is_valid(raw)))


def normalise_tax_id(raw: str | None, *, scheme: str | None = None) -> tuple[TaxId, ...]:
    """Every reading of one tax or registry number (PESEL/NIP/REGON/KRS, EIN, EU VAT ...).

    With ``scheme`` ("nip", "pl.nip", "vat" ...) the number is read that way. Without,
    each scheme whose checksum fits is tried; a Polish VAT number also yields its NIP, so
    "PL 123-456-32-18" finds "1234563218". A number no scheme accepts is kept compact
    with scheme "unknown", so the same typo on two records still matches.
    """
    if not raw or not raw.strip():
        return ()
    if scheme:
        resolved = _SCHEME_ALIASES.get(scheme.lower(), scheme.lower())
        if resolved not in _STDNUM and resolved != "pl.krs":
            raise ValueError(f"unknown tax id scheme {scheme!r}")
        found = [_stdnum_id(resolved, raw)]
    else:
        compact = _TAX_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()
        found = []
        if compact.startswith("KRS"):
            found.append(_stdnum_id("pl.krs", compact[3:]))
        elif compact.isdigit():
            for candidate in ("pl.pesel", "pl.nip", "pl.regon", "us.ein", "ru.inn"):
                if _STDNUM[candidate].is_valid(compact):
                    found.append(_stdnum_id(candidate, compact))
        else:
            for candidate in ("eu.vat", "es.nif"):
                if _STDNUM[candidate].is_valid(compact):
                    found.append(_stdnum_id(candidate, compact))
                    break
        if not found and compact:
            found.append(TaxId("unknown", compact, False))
    extra = [
        _stdnum_id("pl.nip", t.number[2:])
        for t in found
        if t.scheme == "eu.vat" and t.number.startswith("PL")
    ]
    return tuple(_unique(found + extra))


_DATE_DOTTED: Final = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_BIRTH_YEARS: Final = range(1880, 2101)


def normalise_birth_date(value: dt.date | str | None) -> dt.date | None:
    """A date of birth from a date, ISO "1985-03-12" or European "12.03.1985"; None if absurd."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value if value.year in _BIRTH_YEARS else None
    text = value.strip()
    try:
        match = _DATE_DOTTED.match(text)
        parsed = (
            dt.date(int(match[3]), int(match[2]), int(match[1]))
            if match
            else dt.date.fromisoformat(text)
        )
    except ValueError:
        return None
    return parsed if parsed.year in _BIRTH_YEARS else None


_T = TypeVar("_T", bound=Hashable)


def _unique(items: Iterable[_T]) -> list[_T]:
    return list(dict.fromkeys(items))


@dataclass(frozen=True, slots=True)
class Identifiers:
    """Normalised identifiers of one index entry or query."""

    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    tax_ids: tuple[TaxId, ...] = ()
    birth_dates: tuple[dt.date, ...] = ()

    def keys(self) -> tuple[str, ...]:
        """Exact-match keys ("email:…", "phone:+48…", "tax:…"); store them for the DB."""
        return tuple(
            _unique(
                [f"email:{e}" for e in self.emails]
                + [f"phone:{p}" for p in self.phones]
                + [t.key for t in self.tax_ids]
            )
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "emails": list(self.emails),
            "phones": list(self.phones),
            "tax_ids": [[t.scheme, t.number, t.valid] for t in self.tax_ids],
            "birth_dates": [d.isoformat() for d in self.birth_dates],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Identifiers:
        return cls(
            emails=tuple(str(e) for e in data.get("emails", ())),
            phones=tuple(str(p) for p in data.get("phones", ())),
            tax_ids=tuple(TaxId(str(s), str(n), bool(v)) for s, n, v in data.get("tax_ids", ())),
            birth_dates=tuple(dt.date.fromisoformat(str(d)) for d in data.get("birth_dates", ())),
        )


TaxIdInput = str | tuple[str, str]  # "1234563218" or ("nip", "123-456-32-18")


def build_identifiers(
    *,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    tax_ids: Iterable[TaxIdInput] = (),
    birth_dates: Iterable[dt.date | str] = (),
    default_region: str = "PL",
) -> Identifiers:
    """Normalise raw identifiers; what cannot be read is dropped (it cannot match anyway).

    A valid PESEL also gives its date of birth, which the DOB-and-surname rule then uses.
    """
    taxes: list[TaxId] = []
    for item in tax_ids:
        if isinstance(item, tuple):
            taxes.extend(normalise_tax_id(item[1], scheme=item[0]))
        else:
            taxes.extend(normalise_tax_id(item))
    dates = [d for d in (normalise_birth_date(v) for v in birth_dates) if d]
    for tax in taxes:
        if tax.scheme == "pl.pesel" and tax.valid:
            dates.append(pl_pesel.get_birth_date(tax.number))
    return Identifiers(
        emails=tuple(_unique(e for e in (normalise_email(v) for v in emails) if e)),
        phones=tuple(
            _unique(
                p for p in (normalise_phone(v, default_region=default_region) for v in phones) if p
            )
        ),
        tax_ids=tuple(_unique(taxes)),
        birth_dates=tuple(_unique(dates)),
    )


# --------------------------------------------------------------------------------------
# What a ConflictIndexEntry row stores


@dataclass(frozen=True, slots=True)
class EntryKeys:
    """The keys of one index entry (or of a query), exactly what the scorer reads.

    Store ``to_json()["keys"]`` and ``["identifiers"]`` in the row's two JSON columns, and
    for PostgreSQL also ``ascii_key`` (a text column with a GIN trigram index) and
    ``exact_terms`` (the family keys, salient words and identifiers as one JSON list with
    a GIN index): those are what ``prefilter_terms`` matches against.
    """

    name: NameKeys
    identifiers: Identifiers = field(default_factory=Identifiers)

    @property
    def display_name(self) -> str:
        return self.name.display_name

    @property
    def kind(self) -> NameKind:
        return self.name.kind

    @property
    def ascii_key(self) -> str:
        return self.name.ascii_key

    @property
    def variant_keys(self) -> tuple[str, ...]:
        return self.name.variant_keys

    @property
    def family_keys(self) -> tuple[str, ...]:
        return self.name.family_keys

    @property
    def salient_tokens(self) -> tuple[str, ...]:
        """Every spelling of the surnames (or distinctive words of an organisation)."""
        return tuple(_unique(s for t in self.name.tokens if t.salient for s in t.spellings))

    @property
    def identifier_keys(self) -> tuple[str, ...]:
        return self.identifiers.keys()

    @property
    def exact_terms(self) -> tuple[str, ...]:
        """Every key an index row is found by exactly, as one list of prefixed strings.

        ``ConflictIndexEntry.terms`` stores it (a GIN-indexed JSON array on PostgreSQL);
        the prefilter asks for rows holding any of the query's own ``exact_terms``.
        """
        return exact_terms(
            self.family_keys,
            self.salient_tokens,
            self.identifier_keys,
            self.identifiers.birth_dates,
        )

    def to_json(self) -> dict[str, Any]:
        return {"keys": self.name.to_json(), "identifiers": self.identifiers.to_json()}

    @classmethod
    def from_json(
        cls, display_name: str, keys: Mapping[str, Any], identifiers: Mapping[str, Any]
    ) -> EntryKeys:
        """Rebuild from the stored columns; raises ``StaleKeysError`` on another version."""
        return cls(NameKeys.from_json(display_name, keys), Identifiers.from_json(identifiers))


def build_entry_keys(
    name: str,
    *,
    family_name: str | None = None,
    kind: NameKind | None = None,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    tax_ids: Iterable[TaxIdInput] = (),
    birth_dates: Iterable[dt.date | str] = (),
    default_region: str = "PL",
) -> EntryKeys:
    """The keys of one contact, alias, matter party, lead party or query.

    ``family_name`` is the surname when the record keeps it apart (``Contact.last_name``);
    ``kind`` forces person or organisation (``Contact.organisation_name`` rows pass
    ``NameKind.ORGANISATION``), otherwise a legal form decides.
    """
    return EntryKeys(
        name=normalise_name(name, family_name=family_name, kind=kind),
        identifiers=build_identifiers(
            emails=emails,
            phones=phones,
            tax_ids=tax_ids,
            birth_dates=birth_dates,
            default_region=default_region,
        ),
    )


# --------------------------------------------------------------------------------------
# Queries, candidates, hits


@dataclass(frozen=True, slots=True)
class Query:
    """One name being checked (the prospect, an alias, one of the parties) and its role."""

    keys: EntryKeys
    role: str | None = None  # the role it is being entered as: CLIENT, ADVERSE, ...


@dataclass(frozen=True, slots=True)
class Candidate(Generic[R]):
    """An index entry: ``ref`` is whatever the caller needs back (the row's id)."""

    ref: R
    keys: EntryKeys
    role: str | None = None  # its role where indexed; a client's CONTACT row says CLIENT


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    detail: str

    def __str__(self) -> str:
        return f"{self.code.value}: {self.detail}"


@dataclass(frozen=True, slots=True)
class Hit(Generic[R]):
    ref: R
    grade: Grade
    score: float  # best name score 0–100; 100 for an identifier match
    reasons: tuple[Reason, ...]  # the strongest evidence first, then role and caps
    display_name: str
    role: str | None

    @property
    def reason(self) -> str:
        return self.reasons[0].code.value

    @property
    def detail(self) -> str:
        return self.reasons[0].detail

    def summary(self) -> str:
        """One line for ``ConflictHit.reason``: "surname_family: kowalsk ~ kowalsk; …"."""
        return "; ".join(str(r) for r in self.reasons)


# --------------------------------------------------------------------------------------
# Scoring


class _Kind(IntEnum):
    INITIAL = 1
    NEAR = 2  # near_similarity <= similarity < token_similarity: a typo, or another name
    FUZZY = 3
    FAMILY = 4  # same family key; ``gender_differs`` tells a relative from a spelling
    EXACT = 5


@dataclass(frozen=True, slots=True)
class _Pair:
    i: int
    j: int
    kind: _Kind
    similarity: float
    detail: str
    left: str  # the spellings of the two words that matched best
    right: str
    gender_differs: bool = False

    @property
    def strong(self) -> bool:
        return self.kind in (_Kind.EXACT, _Kind.FUZZY) or (
            self.kind is _Kind.FAMILY and not self.gender_differs
        )


def _word_similarity(a: str, b: str, config: MatchConfig) -> float:
    """JaroWinkler for words of similar length, the indel ratio otherwise.

    JaroWinkler rewards a shared start, which is how transliterations differ (Aleksei ~
    Aleksey 0.94); its prefix bonus would also make Nowak look like Nowakowska (0.90), so
    words of clearly different length are compared by the plain indel ratio (0.67).
    """
    if a == b:
        return 1.0
    if abs(len(a) - len(b)) <= config.jaro_length_gap:
        return float(JaroWinkler.normalized_similarity(a, b))
    return float(fuzz.ratio(a, b)) / 100.0


def _compare_tokens(
    i: int, a: NameToken, j: int, b: NameToken, config: MatchConfig
) -> _Pair | None:
    if a.initial or b.initial:
        if {s[0] for s in a.spellings} & {s[0] for s in b.spellings}:
            return _Pair(i, j, _Kind.INITIAL, 0.5, f"{a.ascii} ~ {b.ascii}", a.ascii, b.ascii)
        return None
    common = set(a.spellings) & set(b.spellings)
    if common:
        word = next(s for s in a.spellings if s in common)
        return _Pair(i, j, _Kind.EXACT, 1.0, f"{word} ~ {word}", word, word)
    genders_a: dict[str, set[str]] = {}
    genders_b: dict[str, set[str]] = {}
    for family in a.families:
        genders_a.setdefault(family.stem, set()).add(family.gender)
    for family in b.families:
        genders_b.setdefault(family.stem, set()).add(family.gender)
    shared = genders_a.keys() & genders_b.keys()
    if shared:
        # A relative only when no shared stem agrees on the gender. The stem shown is the
        # one of the most plain spellings on both sides (dicts keep spelling order), so
        # the answer and its explanation are the same whichever side is the query.
        rank_a, rank_b = list(genders_a), list(genders_b)
        differs = all(not genders_a[s] & genders_b[s] for s in shared)
        stem = min(shared, key=lambda s: (rank_a.index(s) + rank_b.index(s), s))
        left = next((s for s in a.spellings if (f := family_key(s)) and f.stem == stem), a.ascii)
        right = next((s for s in b.spellings if (f := family_key(s)) and f.stem == stem), b.ascii)
        return _Pair(
            i, j, _Kind.FAMILY, 0.95, f"{stem} ~ {stem}", left, right, gender_differs=differs
        )
    best = 0.0
    left = right = ""
    for x in a.spellings:
        for y in b.spellings:
            similarity = _word_similarity(x, y, config)
            if similarity > best:
                best, left, right = similarity, x, y
    if best >= config.near_similarity:
        kind = _Kind.FUZZY if best >= config.token_similarity else _Kind.NEAR
        return _Pair(i, j, kind, best, f"{left} ~ {right}", left, right)
    return None


def _align(q: NameKeys, c: NameKeys, config: MatchConfig) -> list[_Pair]:
    """Pair the words one to one, strongest first (names are short: greedy is exact enough)."""
    pairs = [
        p
        for i, a in enumerate(q.tokens)
        for j, b in enumerate(c.tokens)
        if (p := _compare_tokens(i, a, j, b, config)) is not None
    ]
    # Ties are broken by the spellings themselves, so both directions pick the same pairs.
    pairs.sort(
        key=lambda p: (p.kind, p.similarity, min(p.left, p.right), max(p.left, p.right)),
        reverse=True,
    )
    used_i: set[int] = set()
    used_j: set[int] = set()
    chosen: list[_Pair] = []
    for pair in pairs:
        if pair.i not in used_i and pair.j not in used_j:
            chosen.append(pair)
            used_i.add(pair.i)
            used_j.add(pair.j)
    return chosen


def _whole_name_scores(q: NameKeys, c: NameKeys, config: MatchConfig) -> tuple[float, float, str]:
    """Best token_sort_ratio and token_set_ratio over every variant pair, and that pair.

    Never WRatio: it scores partial matches high and floods a report. Two single-word
    names also get JaroWinkler, which suits short words better than the indel ratio.
    """
    best_sort = best_set = 0.0
    detail = ""
    single = len(q.tokens) == 1 and len(c.tokens) == 1
    for a in q.variant_keys:
        for b in c.variant_keys:
            sort_score = float(fuzz.token_sort_ratio(a, b))
            if single and max(len(a), len(b)) <= config.single_token_length:
                sort_score = max(sort_score, 100.0 * _word_similarity(a, b, config))
            if sort_score > best_sort:
                best_sort, detail = sort_score, f"{a} ~ {b}"
            best_set = max(best_set, float(fuzz.token_set_ratio(a, b)))
    return best_sort, best_set, detail


@dataclass(slots=True)
class _Evidence:
    grade: Grade
    code: ReasonCode
    detail: str


def _salient_anchor(pairs: Sequence[_Pair], q: NameKeys, c: NameKeys) -> _Pair | None:
    """An exact or family match on a surname (or distinctive word) of both names."""
    for pair in pairs:
        if (
            pair.kind in (_Kind.EXACT, _Kind.FAMILY)
            and q.tokens[pair.i].salient
            and c.tokens[pair.j].salient
        ):
            return pair
    return None


def _aligned_score(pairs: Sequence[_Pair], q: NameKeys, c: NameKeys) -> float:
    """The indel ratio of the two names written in the order of their word pairing.

    Sorted variant keys can put the same words in a different order when one spelling
    starts with another letter (Iuliia Shevchenko sorts before, Yuliya after); pairing
    the words first removes that accident. Used only when every word has its pair.
    """
    left = " ".join(p.left for p in pairs)
    right = " ".join(p.right for p in pairs)
    return float(fuzz.ratio(left, right))


def _person_evidence(
    q: NameKeys, c: NameKeys, config: MatchConfig
) -> tuple[list[_Evidence], float]:
    sort_score, set_score, best = _whole_name_scores(q, c, config)
    pairs = _align(q, c, config)
    shorter = min(len(q.tokens), len(c.tokens))
    anchor = _salient_anchor(pairs, q, c)
    if anchor and len(pairs) == len(q.tokens) == len(c.tokens):
        aligned = _aligned_score(pairs, q, c)
        if aligned > sort_score:
            sort_score = aligned
            best = f"{' '.join(p.left for p in pairs)} ~ {' '.join(p.right for p in pairs)}"
    strong = [p for p in pairs if p.strong]
    gendered = [p for p in pairs if p.kind is _Kind.FAMILY and p.gender_differs]
    initials = [p for p in pairs if p.kind is _Kind.INITIAL]
    found: list[_Evidence] = []
    if shorter >= 2:
        if sort_score >= config.person_high and not gendered and len(strong) == shorter:
            found.append(_Evidence(Grade.HIGH, ReasonCode.NAME_FULL, best))
        elif gendered and len(strong) + len(initials) >= 1:
            found.append(_Evidence(Grade.REVIEW, ReasonCode.SURNAME_FAMILY, gendered[0].detail))
        elif sort_score >= config.person_review and len(pairs) == shorter:
            # Every word needs a near partner: "Jan Kowalski" and "Anna Kowalski" score
            # 88 on the string only because the shared surname is long.
            found.append(_Evidence(Grade.REVIEW, ReasonCode.NAME_CLOSE, best))
        elif anchor and len(pairs) == shorter and not gendered:
            if initials:
                found.append(_Evidence(Grade.REVIEW, ReasonCode.NAME_INITIAL, best))
            elif len(strong) == shorter or set_score >= config.person_high:
                found.append(_Evidence(Grade.REVIEW, ReasonCode.NAME_SUBSET, _subset_detail(q, c)))
    if not found and anchor:
        found.append(_Evidence(Grade.INFO, ReasonCode.SURNAME_ONLY, anchor.detail))
    return found, sort_score


def _subset_detail(q: NameKeys, c: NameKeys) -> str:
    return f"{q.ascii_key} ~ {c.ascii_key}"


def _organisation_evidence(
    q: NameKeys, c: NameKeys, config: MatchConfig
) -> tuple[list[_Evidence], float]:
    sort_score, set_score, best = _whole_name_scores(q, c, config)
    pairs = _align(q, c, config)
    anchor = _salient_anchor(pairs, q, c)
    shorter = min(len(q.tokens), len(c.tokens))
    strong = [p for p in pairs if p.strong]
    both_orgs = q.kind is NameKind.ORGANISATION and c.kind is NameKind.ORGANISATION
    found: list[_Evidence] = []
    if both_orgs and sort_score >= config.organisation_high:
        found.append(_Evidence(Grade.HIGH, ReasonCode.ORG_NAME, best))
    elif both_orgs and sort_score >= config.organisation_review:
        found.append(_Evidence(Grade.REVIEW, ReasonCode.ORG_NAME_CLOSE, best))
    elif anchor and shorter >= 2 and len(strong) == shorter:
        # A firm named after its owner ("Usługi Remontowe Jan Nowak") or a longer form
        # of the same firm's name: worth a look, not the same legal person.
        found.append(_Evidence(Grade.REVIEW, ReasonCode.NAME_SUBSET, _subset_detail(q, c)))
    elif anchor:
        found.append(_Evidence(Grade.INFO, ReasonCode.ORG_TOKEN_OVERLAP, anchor.detail))
    return found, sort_score


def _identifier_evidence(q: Identifiers, c: Identifiers) -> list[_Evidence]:
    found = [_Evidence(Grade.HIGH, ReasonCode.EMAIL_EXACT, e) for e in q.emails if e in c.emails]
    found += [_Evidence(Grade.HIGH, ReasonCode.PHONE_EXACT, p) for p in q.phones if p in c.phones]
    numbers = {t.number: t for t in c.tax_ids}
    seen: set[str] = set()
    for tax in q.tax_ids:
        if tax.number in numbers and tax.number not in seen:
            seen.add(tax.number)
            found.append(
                _Evidence(
                    Grade.HIGH,
                    ReasonCode.TAX_ID_EXACT,
                    f"{numbers[tax.number].scheme} {tax.number}",
                )
            )
    return found


def _dob_surname(q: EntryKeys, c: EntryKeys, config: MatchConfig) -> _Evidence | None:
    dates = set(q.identifiers.birth_dates) & set(c.identifiers.birth_dates)
    if not dates or q.kind is NameKind.ORGANISATION or c.kind is NameKind.ORGANISATION:
        return None
    for pair in _align(q.name, c.name, config):
        if pair.strong and (q.name.tokens[pair.i].salient or c.name.tokens[pair.j].salient):
            day = min(dates).isoformat()
            return _Evidence(
                Grade.HIGH, ReasonCode.DOB_SURNAME, f"{day} + {q.name.tokens[pair.i].ascii}"
            )
    return None


def _patronymics_differ(q: NameKeys, c: NameKeys, config: MatchConfig) -> str | None:
    if not q.patronymic or not c.patronymic:
        return None
    for a in q.patronymic:
        for b in c.patronymic:
            if _word_similarity(a, b, config) >= config.token_similarity:
                return None
    return f"{q.patronymic[0]} ~ {c.patronymic[0]}"


def score(
    query: Query, candidate: Candidate[R], *, config: MatchConfig = DEFAULT_CONFIG
) -> Hit[R] | None:
    """Grade one index entry against one query, or None when nothing connects them.

    After the evidence (table in the module docstring) the roles adjust the grade:

    * ``role_conflict``: one side is a client and the other an adverse party (a prospect
      who is the other side in a matter, or a prospect naming a client as their
      opponent). The hit is at least REVIEW; a HIGH stays HIGH and says why.
    * ``adverse_party``: the name is entered as an adverse party and the entry is not a
      client (the same opponent in another matter): a HIGH-looking match is REVIEW, so
      it never blocks a paid booking by itself (spec §4, REVIEW row).
    * ``patronymic_differs``: both names carry a patronymic and they differ: a name-only
      HIGH becomes REVIEW (Иван Петрович Иванов is not Иван Сергеевич Иванов).
    """
    q, c = query.keys, candidate.keys
    evidence = _identifier_evidence(q.identifiers, c.identifiers)
    if (dob := _dob_surname(q, c, config)) is not None:
        evidence.append(dob)
    name_score = 0.0
    if q.name.tokens and c.name.tokens:
        if q.kind is NameKind.PERSON and c.kind is NameKind.PERSON:
            found, name_score = _person_evidence(q.name, c.name, config)
        else:
            found, name_score = _organisation_evidence(q.name, c.name, config)
        evidence.extend(found)
    if not evidence:
        return None
    evidence.sort(key=lambda e: e.grade.rank, reverse=True)
    grade = evidence[0].grade
    modifiers: list[Reason] = []

    if (
        grade is Grade.HIGH
        and evidence[0].code is ReasonCode.NAME_FULL
        and (differs := _patronymics_differ(q.name, c.name, config))
    ):
        grade = Grade.REVIEW
        modifiers.append(Reason(ReasonCode.PATRONYMIC_DIFFERS, differs))

    q_role, c_role = query.role, candidate.role
    roles = f"{c_role or '-'} ~ {q_role or '-'}"
    if (q_role in config.client_roles and c_role in config.adverse_roles) or (
        q_role in config.adverse_roles and c_role in config.client_roles
    ):
        if grade is Grade.INFO:
            grade = Grade.REVIEW
        modifiers.append(Reason(ReasonCode.ROLE_CONFLICT, roles))
    elif q_role in config.adverse_roles and grade is Grade.HIGH:
        grade = Grade.REVIEW
        modifiers.append(Reason(ReasonCode.ADVERSE_PARTY, roles))

    identifier_match = any(
        e.code in (ReasonCode.EMAIL_EXACT, ReasonCode.PHONE_EXACT, ReasonCode.TAX_ID_EXACT)
        for e in evidence
    )
    return Hit(
        ref=candidate.ref,
        grade=grade,
        score=round(100.0 if identifier_match else name_score, 1),
        reasons=tuple(Reason(e.code, e.detail) for e in evidence) + tuple(modifiers),
        display_name=c.display_name,
        role=c_role,
    )


def _ordered(hits: Iterable[Hit[R]], min_grade: Grade) -> list[Hit[R]]:
    kept = [h for h in hits if h.grade.rank >= min_grade.rank]
    kept.sort(key=lambda h: (h.grade.rank, h.score), reverse=True)
    return kept


def score_all(
    query: Query,
    candidates: Iterable[Candidate[R]],
    *,
    config: MatchConfig = DEFAULT_CONFIG,
    min_grade: Grade = Grade.INFO,
) -> list[Hit[R]]:
    """Score every candidate: for the few hundred rows a database prefilter returned."""
    return _ordered((h for c in candidates if (h := score(query, c, config=config))), min_grade)


# --------------------------------------------------------------------------------------
# In-memory search (SQLite, and any index below ~20,000 entries)


class _KeysByLength:
    """Variant keys bucketed by length, each with the positions of the entries holding it.

    ``fuzz.ratio(a, b) >= c`` needs ``2 * min / (len(a) + len(b)) >= c / 100``, so a key
    of length L can only reach the cutoff against keys between ``L*c/(200-c)`` and
    ``L*(200-c)/c`` long: a search scans only those buckets, not every key.
    """

    def __init__(self) -> None:
        self._owners: dict[str, list[int]] = {}
        self._buckets: dict[int, list[str]] = {}

    def add(self, key: str, position: int) -> None:
        owners = self._owners.get(key)
        if owners is None:
            self._owners[key] = [position]
            self._buckets.setdefault(len(key), []).append(key)
        else:
            owners.append(position)

    def ratio_matches(self, key: str, cutoff: float) -> set[int]:
        found: set[int] = set()
        # One more on each side, so float rounding can never drop a boundary length.
        shortest = math.ceil(len(key) * cutoff / (200.0 - cutoff)) - 1
        longest = math.floor(len(key) * (200.0 - cutoff) / cutoff) + 1
        for length in range(shortest, longest + 1):
            bucket = self._buckets.get(length)
            if bucket:
                for choice, _score, _position in process.extract(
                    key, bucket, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
                ):
                    found.update(self._owners[choice])
        return found

    def jaro_matches(self, key: str, cutoff: float) -> set[int]:
        found: set[int] = set()
        for bucket in self._buckets.values():
            for choice, _score, _position in process.extract(
                key,
                bucket,
                scorer=JaroWinkler.normalized_similarity,
                score_cutoff=cutoff,
                limit=None,
            ):
                found.update(self._owners[choice])
        return found


class MemoryIndex(Generic[R]):
    """Entries held in memory with the lookups that make a search fast.

    A search scores only the entries that can reach a grade: those sharing an identifier,
    a date of birth, a surname family key or a salient word with the query, and those
    whose variant keys rapidfuzz finds within ``prescreen_cutoff`` (the lowest REVIEW
    threshold). Each grade rule needs one of these, so the result is the same as
    ``score_all`` over every entry (a test checks it); it is just not 50,000 times slower.
    """

    def __init__(self, candidates: Iterable[Candidate[R]]) -> None:
        self._candidates: list[Candidate[R]] = list(candidates)
        self._by_word: dict[str, list[int]] = {}
        self._by_family: dict[str, list[int]] = {}
        self._by_identifier: dict[str, list[int]] = {}
        self._by_birth_date: dict[dt.date, list[int]] = {}
        self._names = _KeysByLength()
        self._single_words = _KeysByLength()  # one-word names also meet by JaroWinkler
        for index, candidate in enumerate(self._candidates):
            keys = candidate.keys
            for word in keys.salient_tokens:
                self._by_word.setdefault(word, []).append(index)
            for stem in keys.family_keys:
                self._by_family.setdefault(stem, []).append(index)
            for key in keys.identifier_keys:
                self._by_identifier.setdefault(key, []).append(index)
            for day in keys.identifiers.birth_dates:
                self._by_birth_date.setdefault(day, []).append(index)
            target = self._single_words if len(keys.name.tokens) == 1 else self._names
            for variant in keys.variant_keys:
                target.add(variant, index)

    def __len__(self) -> int:
        return len(self._candidates)

    def candidate_indexes(self, query: Query, *, config: MatchConfig = DEFAULT_CONFIG) -> set[int]:
        """The prescreen: positions of every entry that may reach a grade."""
        keys = query.keys
        found: set[int] = set()
        for word in keys.salient_tokens:
            found.update(self._by_word.get(word, ()))
        for stem in keys.family_keys:
            found.update(self._by_family.get(stem, ()))
        for key in keys.identifier_keys:
            found.update(self._by_identifier.get(key, ()))
        for day in keys.identifiers.birth_dates:
            found.update(self._by_birth_date.get(day, ()))
        cutoff = config.prescreen_cutoff
        single = len(keys.name.tokens) == 1
        for variant in keys.variant_keys:
            found |= self._names.ratio_matches(variant, cutoff)
            found |= self._single_words.ratio_matches(variant, cutoff)
            if single and len(variant) <= config.single_token_length:
                found |= self._single_words.jaro_matches(variant, cutoff / 100.0)
        return found

    def search(
        self, query: Query, *, config: MatchConfig = DEFAULT_CONFIG, min_grade: Grade = Grade.INFO
    ) -> list[Hit[R]]:
        positions = sorted(self.candidate_indexes(query, config=config))
        return score_all(
            query, (self._candidates[p] for p in positions), config=config, min_grade=min_grade
        )


class Prescreen(Generic[R]):
    """``MemoryIndex``'s prescreen over the light columns the database prefilter returns.

    Each row is ``(ref, exact_terms, variant_keys, words)``: what ``EntryKeys`` stores as
    ``exact_terms``, ``variant_keys`` and the number of words of the name. ``refs`` gives
    the rows that may reach a grade for a query by the same rules as
    ``MemoryIndex.candidate_indexes`` (a shared exact term, or rapidfuzz within
    ``prescreen_cutoff`` on a variant pair, or JaroWinkler for one short word), so only
    those rows need their keys read and scored; a test checks both agree.
    """

    def __init__(self, rows: Iterable[tuple[R, Sequence[str], Sequence[str], int]]) -> None:
        self._refs: list[R] = []
        self._by_term: dict[str, list[int]] = {}
        self._names = _KeysByLength()
        self._single_words = _KeysByLength()
        for position, (ref, terms, variants, words) in enumerate(rows):
            self._refs.append(ref)
            for term in terms:
                self._by_term.setdefault(term, []).append(position)
            target = self._single_words if words == 1 else self._names
            for variant in variants:
                target.add(variant, position)

    def refs(self, query: Query, *, config: MatchConfig = DEFAULT_CONFIG) -> set[R]:
        keys = query.keys
        found: set[int] = set()
        for term in keys.exact_terms:
            found.update(self._by_term.get(term, ()))
        cutoff = config.prescreen_cutoff
        single = len(keys.name.tokens) == 1
        for variant in keys.variant_keys:
            found |= self._names.ratio_matches(variant, cutoff)
            found |= self._single_words.ratio_matches(variant, cutoff)
            if single and len(variant) <= config.single_token_length:
                found |= self._single_words.jaro_matches(variant, cutoff / 100.0)
        return {self._refs[p] for p in found}


def search(
    query: Query,
    candidates: Iterable[Candidate[R]],
    *,
    config: MatchConfig = DEFAULT_CONFIG,
    min_grade: Grade = Grade.INFO,
) -> list[Hit[R]]:
    """Search a list of entries in memory; build a ``MemoryIndex`` once to search it often."""
    return MemoryIndex(candidates).search(query, config=config, min_grade=min_grade)


# --------------------------------------------------------------------------------------
# The PostgreSQL seam


@dataclass(frozen=True, slots=True)
class PrefilterTerms:
    """What the database must match to hand ``score_all`` a superset of the hits.

    An entry is a candidate when any holds:

    * ``TrigramSimilarity("ascii_key", term) >= min_similarity`` for a term of
      ``trigram_terms`` (the query's variant keys, so a Cyrillic query meets a Latin row);
    * its ``family_keys`` overlap ``family_keys`` (Kowalska finds Kowalski);
    * its ``salient_tokens`` overlap ``salient_tokens`` (a shared surname, the INFO rows);
    * its identifier keys overlap ``identifier_keys``, or a date of birth is in
      ``birth_dates``.
    """

    trigram_terms: tuple[str, ...]
    min_similarity: float
    family_keys: tuple[str, ...]
    salient_tokens: tuple[str, ...]
    identifier_keys: tuple[str, ...]
    birth_dates: tuple[dt.date, ...]

    @property
    def exact_terms(self) -> tuple[str, ...]:
        """The overlaps above as the strings ``EntryKeys.exact_terms`` stores per row."""
        return exact_terms(
            self.family_keys, self.salient_tokens, self.identifier_keys, self.birth_dates
        )


def exact_terms(
    family_keys: Iterable[str],
    salient_tokens: Iterable[str],
    identifier_keys: Iterable[str],
    birth_dates: Iterable[dt.date],
) -> tuple[str, ...]:
    """The strings: family:kowalsk, word:nowak, email:…, phone:…, tax:…, dob:1980-01-02.

    The prefixes keep the kinds apart (a surname is never an identifier); identifier
    keys already carry theirs.
    """
    return tuple(
        _unique(
            [f"family:{k}" for k in family_keys]
            + [f"word:{w}" for w in salient_tokens]
            + list(identifier_keys)
            + [f"dob:{d.isoformat()}" for d in birth_dates]
        )
    )


def prefilter_terms(
    query: Query | EntryKeys, *, config: MatchConfig = DEFAULT_CONFIG
) -> PrefilterTerms:
    keys = query.keys if isinstance(query, Query) else query
    return PrefilterTerms(
        trigram_terms=keys.variant_keys,
        min_similarity=config.trigram_similarity,
        family_keys=keys.family_keys,
        salient_tokens=keys.salient_tokens,
        identifier_keys=keys.identifier_keys,
        birth_dates=keys.identifiers.birth_dates,
    )


_TRIGRAM_WORD: Final = re.compile(r"[^\W_]+")


def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's ``show_trgm()``: each word padded with two spaces before and one after."""
    grams: set[str] = set()
    for word in _TRIGRAM_WORD.findall(text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity()`` in Python: shared trigrams over all trigrams.

    The tests (and one against PostgreSQL itself) and the benchmark use it to tell what
    the database prefilter would return.
    """
    ga, gb = trigrams(a), trigrams(b)
    if not ga or not gb:
        return 0.0
    shared = len(ga & gb)
    return shared / (len(ga) + len(gb) - shared)


def prefilter_matches(terms: PrefilterTerms, keys: EntryKeys) -> bool:
    """Whether the PostgreSQL prefilter would return ``keys`` (the same rules, in Python:
    the stored ``exact_terms`` overlap, or a trigram similarity on the ascii key)."""
    if set(terms.exact_terms) & set(keys.exact_terms):
        return True
    return any(
        trigram_similarity(term, keys.ascii_key) >= terms.min_similarity
        for term in terms.trigram_terms
    )
