"""The conflict check (spec intake.md §4): the index, the run, the decision.

The index (ConflictIndexEntry) is kept in sync by the writes of each source: intake
indexes a lead's parties when an inquiry comes in; portal publishes ContactNamesChanged
and MatterPartiesChanged, which intake handles here (re-index, and re-check the matter).
A run finds its candidates and grades them through intake/conflicts_engine.py: on
PostgreSQL one query with the trigram prefilter (``prefilter_candidates``), on SQLite an
in-memory index of every entry (``_index``); either way the same hits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Func, IntegerField, Max, QuerySet
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import AtriumUser, RequestMeta
from intake import conflicts_engine as engine
from intake import retention
from intake.audit_actions import IntakeAction
from intake.models import (
    ConflictCheck,
    ConflictHit,
    ConflictIndexEntry,
    IntakeSubmission,
    Lead,
    LeadStageChange,
)
from intake.names import NameKind, StaleKeysError
from portal import selectors as portal_selectors
from portal.events import ContactNamesChanged, MatterPartiesChanged

Source = ConflictIndexEntry.Source
# The roles a prospect gives the people in their party list, as the engine reads them.
PARTY_ROLES = {
    "adverse": "ADVERSE",
    "opposing_counsel": "OPPOSING_COUNSEL",
    "spouse": "RELATED",
    "company": "RELATED",
    "related": "RELATED",
    "other": "OTHER",
}
CONTACT_ROLES = {"client": "CLIENT", "prospect": "PROSPECT", "other_party": "OTHER"}


@dataclass(frozen=True)
class Name:
    """One name being checked: what the prospect typed, with the role it is entered as."""

    name: str
    role: str = ""
    family_name: str | None = None
    organisation: bool = False
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    tax_ids: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "emails": list(self.emails),
            "phones": list(self.phones),
        }

    def keys(self) -> engine.EntryKeys:
        return engine.build_entry_keys(
            self.name,
            family_name=self.family_name,
            kind=NameKind.ORGANISATION if self.organisation else None,
            emails=self.emails,
            phones=self.phones,
            tax_ids=self.tax_ids,
            birth_dates=self.birth_dates,
        )


def index_row(
    *,
    source: str,
    keys: engine.EntryKeys,
    role: str,
    contact_id: Any = None,
    matter: Any = None,
    lead_id: Any = None,
) -> ConflictIndexEntry:
    """An unsaved index row for these keys (the caller bulk-creates it)."""
    data = keys.to_json()
    return ConflictIndexEntry(
        source=source,
        contact_id=contact_id,
        matter_id=matter.pk if matter is not None else None,
        lead_id=lead_id,
        role=role,
        display_name=keys.display_name[:300],
        keys=data["keys"],
        identifiers=data["identifiers"],
        ascii_key=keys.ascii_key[:300],
        terms=list(keys.exact_terms),
        matter_open=matter is not None and matter.stage != "closed",
    )


def _contact_names(contact: Any) -> list[tuple[str, engine.EntryKeys]]:
    """(source, keys) for a contact: their name, organisation and every alias."""
    identifiers: dict[str, Any] = {
        "emails": [contact.email] if contact.email else [],
        "phones": [str(contact.phone)] if contact.phone else [],
        "tax_ids": [contact.tax_id] if getattr(contact, "tax_id", "") else [],
        "birth_dates": [contact.date_of_birth] if getattr(contact, "date_of_birth", None) else [],
    }
    rows: list[tuple[str, engine.EntryKeys]] = []
    if contact.full_name.strip():
        rows.append(
            (
                Source.CONTACT,
                engine.build_entry_keys(
                    contact.full_name, family_name=contact.last_name or None, **identifiers
                ),
            )
        )
    organisation = getattr(contact, "organisation_name", "")
    if organisation and organisation.strip().casefold() != contact.full_name.strip().casefold():
        rows.append(
            (
                Source.ORGANISATION,
                engine.build_entry_keys(contact.organisation_name, kind=NameKind.ORGANISATION),
            )
        )
    for alias in contact.aliases.all():
        rows.append((Source.ALIAS, engine.build_entry_keys(alias.name)))
    return rows


def index_contacts(contact_ids: Iterable[Any] | None = None) -> int:
    """(Re)build the CONTACT, ORGANISATION and ALIAS rows of these contacts (all: None)."""
    ids = None if contact_ids is None else list(contact_ids)
    contacts = portal_selectors.contacts_for_index(ids=ids)
    rows: list[ConflictIndexEntry] = []
    for contact in contacts:
        role = CONTACT_ROLES.get(contact.kind, "OTHER")
        for source, keys in _contact_names(contact):
            rows.append(index_row(source=source, keys=keys, role=role, contact_id=contact.pk))
    with transaction.atomic():
        stale = ConflictIndexEntry.objects.filter(
            source__in=(Source.CONTACT, Source.ORGANISATION, Source.ALIAS)
        )
        if ids is not None:
            stale = stale.filter(contact_id__in=ids)
        stale.delete()
        ConflictIndexEntry.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def index_matter_parties(*, matter_id: Any = None, contact_id: Any = None) -> int:
    """(Re)build the MATTER_PARTY rows of one matter, one contact's, or all of them."""
    parties = portal_selectors.matter_parties_for_index(matter_id=matter_id, contact_id=contact_id)
    rows = [
        index_row(
            source=Source.MATTER_PARTY,
            keys=keys,
            role=party.role,
            contact_id=party.contact_id,
            matter=party.matter,
        )
        for party in parties  # ended ones too: a former opponent is still one
        for _source, keys in _contact_names(party.contact)
    ]
    with transaction.atomic():
        stale = ConflictIndexEntry.objects.filter(source=Source.MATTER_PARTY)
        if matter_id is not None:
            stale = stale.filter(matter_id=matter_id)
        if contact_id is not None:
            stale = stale.filter(contact_id=contact_id)
        stale.delete()
        ConflictIndexEntry.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def lead_parties(lead: Lead) -> list[Name]:
    """The parties a prospect named in their stage-1 answers (every submission)."""
    names: list[Name] = []
    seen: set[tuple[str, str]] = set()
    submissions = IntakeSubmission.objects.filter(lead=lead).select_related("form_version")
    for submission in submissions:
        for f in submission.form_version.fields:
            if f.get("type") != "party_list":
                continue
            for row in submission.answers.get(str(f.get("key")), []) or []:
                role = PARTY_ROLES.get(str(row.get("role")), "OTHER")
                for text, org in ((row.get("name"), False), (row.get("organisation"), True)):
                    text = str(text or "").strip()
                    if text and (text.casefold(), role) not in seen:
                        seen.add((text.casefold(), role))
                        names.append(Name(name=text, role=role, organisation=org))
    return names


def index_lead(lead: Lead) -> int:
    rows = [
        index_row(source=Source.LEAD_PARTY, keys=name.keys(), role=name.role, lead_id=lead.pk)
        for name in lead_parties(lead)
    ]
    with transaction.atomic():
        ConflictIndexEntry.objects.filter(source=Source.LEAD_PARTY, lead=lead).delete()
        ConflictIndexEntry.objects.bulk_create(rows)
    return len(rows)


def conflict_index_rebuild() -> dict[str, int]:
    """The whole index from scratch (a management command; stubs are kept)."""
    with transaction.atomic():
        counts = {
            "contacts": index_contacts(),
            "matter_parties": index_matter_parties(),
            "lead_parties": sum(index_lead(lead) for lead in Lead.objects.all()),
        }
    counts["total"] = ConflictIndexEntry.objects.count()
    return counts


# ---------------------------------------------------------------------------- search


@dataclass(frozen=True)
class Found:
    hit: engine.Hit[int]
    query: Name
    entry: ConflictIndexEntry


# The in-memory index of this process, rebuilt when the table changed. Every write to the
# index deletes and inserts rows, so (row count, highest id) changes with each of them
# (ids are never reused outside a rolled-back transaction; tests clear the cache).
_CACHE: dict[str, Any] = {}


def index_cache_clear() -> None:
    _CACHE.clear()


def _index() -> tuple[engine.MemoryIndex[int], dict[int, ConflictIndexEntry], int]:
    stamp = ConflictIndexEntry.objects.aggregate(n=Count("pk"), top=Max("pk"))
    key = (stamp["n"], stamp["top"])
    cached = _CACHE.get("index")
    if cached is not None and cached[0] == key:
        return cached[1], cached[2], cached[3]
    by_id: dict[int, ConflictIndexEntry] = {}
    candidates: list[engine.Candidate[int]] = []
    for entry in ConflictIndexEntry.objects.all().iterator(chunk_size=2000):
        try:
            keys = engine.EntryKeys.from_json(entry.display_name, entry.keys, entry.identifiers)
        except StaleKeysError:
            continue  # written by another algorithm version: rebuild the index
        by_id[entry.pk] = entry
        candidates.append(engine.Candidate(ref=entry.pk, keys=keys, role=entry.role or None))
    index = engine.MemoryIndex(candidates)
    _CACHE["index"] = (key, index, by_id, len(candidates))
    return index, by_id, len(candidates)


def uses_prefilter() -> bool:
    """PostgreSQL searches through pg_trgm and GIN indexes; SQLite in memory."""
    return connection.vendor == "postgresql"


def prefilter_queryset(queries: Sequence[engine.Query]) -> QuerySet[ConflictIndexEntry]:
    """The rows that may reach a grade for any of these queries (spec §4 "Candidates").

    A row is a candidate when its ascii key is trigram-similar (``%``, at the threshold
    ``prefilter_candidates`` sets) to one of a query's variant keys, or its ``terms``
    hold one of the query's exact terms (surname family, salient word, email, phone, tax
    id, date of birth). It is a superset of the hits: ``score`` grades it in Python.

    Each condition is its own arm of a UNION: alone, each is one bitmap scan of its GIN
    index. ORed in one WHERE, the planner prices a similarity like an equality and reads
    the whole table instead, computing every similarity for every row (a second at
    50,000 entries).
    """
    trigram: set[str] = set()
    exact: set[str] = set()
    for query in queries:
        terms = engine.prefilter_terms(query)
        trigram.update(t for t in terms.trigram_terms if t)
        exact.update(terms.exact_terms)
    rows = ConflictIndexEntry.objects.order_by()
    arms = [rows.filter(ascii_key__trigram_similar=term).values("pk") for term in sorted(trigram)]
    if exact:
        arms.append(rows.filter(terms__has_any_keys=sorted(exact)).values("pk"))
    if not arms:
        return ConflictIndexEntry.objects.none()
    ids = arms[0].union(*arms[1:]) if len(arms) > 1 else arms[0]
    return ConflictIndexEntry.objects.filter(pk__in=ids).order_by("pk")


def prefilter_candidates(
    queries: Sequence[engine.Query],
) -> tuple[dict[int, ConflictIndexEntry], list[engine.Candidate[int]]]:
    """The rows that may reach a grade for any of the queries, by id and as candidates.

    Two queries: the prefilter returns each row's light columns only (its exact terms,
    variant keys and word count); ``engine.Prescreen`` keeps the rows that can reach a
    grade (most trigram neighbours merely share a given name); only those are read whole.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        # ``%`` compares with this setting (pg_trgm's default is 0.3); local to the
        # transaction.
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
            [str(engine.DEFAULT_CONFIG.trigram_similarity)],
        )
        light = prefilter_queryset(queries).values_list(
            "pk",
            "terms",
            KeyTransform("variants", "keys"),
            Func(
                KeyTransform("tokens", "keys"),
                function="jsonb_array_length",
                output_field=IntegerField(),
            ),
        )
        prescreen = engine.Prescreen(
            (pk, terms or (), variants or (), words or 0) for pk, terms, variants, words in light
        )
    wanted: set[int] = set()
    for query in queries:
        wanted |= prescreen.refs(query)
    by_id: dict[int, ConflictIndexEntry] = {}
    candidates: list[engine.Candidate[int]] = []
    if not wanted:
        return by_id, candidates
    rows = ConflictIndexEntry.objects.filter(pk__in=sorted(wanted)).order_by("pk")
    for entry in rows.defer("terms", "ascii_key", "updated_at"):
        try:
            keys = engine.EntryKeys.from_json(entry.display_name, entry.keys, entry.identifiers)
        except StaleKeysError:
            continue
        by_id[entry.pk] = entry
        candidates.append(engine.Candidate(ref=entry.pk, keys=keys, role=entry.role or None))
    return by_id, candidates


def _hits(names: Sequence[Name]) -> tuple[list[tuple[Name, engine.Hit[int]]], dict[int, Any], int]:
    """Each name's hits, the rows they point at and the number of entries searched."""
    queries = [engine.Query(keys=name.keys(), role=name.role or None) for name in names]
    if uses_prefilter():
        # Every row, stale ones included (a rebuild rewrites those; the count stays cheap).
        size = ConflictIndexEntry.objects.count()
        by_id, candidates = prefilter_candidates(queries)
        # The candidates of every name, held like the in-memory index: each name is
        # graded only against the rows that can reach a grade for it.
        index = engine.MemoryIndex(candidates)
    else:
        index, by_id, size = _index()
    return (
        [
            (name, hit)
            for name, query in zip(names, queries, strict=True)
            for hit in index.search(query)
        ],
        by_id,
        size,
    )


def conflict_search(
    names: Sequence[Name],
    *,
    exclude_contacts: Sequence[Any] = (),
    exclude_lead: Any = None,
    exclude_matter: Any = None,
) -> tuple[list[Found], int]:
    """Every hit for these names, strongest first (one per entry and name), and the
    number of entries searched."""
    hits, by_id, size = _hits(names)
    skip_contacts = {str(c) for c in exclude_contacts}

    def excluded(entry: ConflictIndexEntry) -> bool:
        return (
            (entry.contact_id is not None and str(entry.contact_id) in skip_contacts)
            or (exclude_lead is not None and str(entry.lead_id) == str(exclude_lead))
            or (exclude_matter is not None and str(entry.matter_id) == str(exclude_matter))
        )

    found: list[Found] = []
    for name, hit in hits:
        entry = by_id[hit.ref]
        if not excluded(entry):
            found.append(Found(hit=hit, query=name, entry=entry))
    found.sort(key=lambda f: (f.hit.grade.rank, f.hit.score), reverse=True)
    # One hit per person and place: a contact's name, organisation and aliases all point
    # at the same person, so keep the strongest of them (per name searched).
    unique: list[Found] = []
    seen: set[tuple[Any, ...]] = set()
    for f in found:
        who = f.entry.contact_id or f"entry:{f.entry.pk}"
        key = (
            who,
            f.entry.source == Source.MATTER_PARTY,
            f.entry.matter_id,
            f.entry.lead_id,
            f.query.name,
            f.query.role,
        )
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, size


def _matters(found: Sequence[Found]) -> dict[Any, Any]:
    ids = {f.entry.matter_id for f in found if f.entry.matter_id}
    return portal_selectors.matters_by_id(ids=list(ids)) if ids else {}


def _store(check: ConflictCheck, found: Sequence[Found]) -> None:
    matters = _matters(found)
    hits = []
    for f in found:
        matter = matters.get(f.entry.matter_id)
        lawyer = matter.responsible_lawyer if matter is not None else None
        hits.append(
            ConflictHit(
                conflict_check=check,
                entry=f.entry,
                grade=f.hit.grade.value,
                score=f.hit.score,
                reason=f.hit.summary()[:500],
                reasons=[{"code": r.code.value, "detail": r.detail} for r in f.hit.reasons],
                name=f.entry.display_name,
                role=f.entry.role,
                source=f.entry.source,
                matter_reference=matter.reference if matter is not None else "",
                matter_open=f.entry.matter_open,
                lawyer=(lawyer.get_full_name() or str(lawyer))[:200] if lawyer else "",
                query_name=f.query.name[:300],
                query_role=f.query.role,
            )
        )
    ConflictHit.objects.bulk_create(hits)


def _status(found: Sequence[Found]) -> str:
    serious = any(f.hit.grade in (engine.Grade.HIGH, engine.Grade.REVIEW) for f in found)
    return ConflictCheck.Status.NEEDS_REVIEW if serious else ConflictCheck.Status.CLEAR


def lead_names(lead: Lead) -> list[Name]:
    """The prospect (entered as a client) and the parties they named."""
    contact = lead.contact
    me = Name(
        name=contact.full_name,
        role="CLIENT",
        family_name=contact.last_name or None,
        emails=(contact.email,) if contact.email else (),
        phones=(str(contact.phone),) if contact.phone else (),
        tax_ids=(contact.tax_id,) if contact.tax_id else (),
        birth_dates=(contact.date_of_birth.isoformat(),) if contact.date_of_birth else (),
    )
    return [me, *lead_parties(lead)]


def conflict_check_lead(
    *,
    lead: Lead,
    trigger: str = ConflictCheck.Trigger.INTAKE,
    actor: AtriumUser | None = None,
    meta: RequestMeta | None = None,
) -> ConflictCheck:
    """Run the check for a lead (synchronously: milliseconds at small-firm sizes)."""
    names = lead_names(lead)
    with transaction.atomic():
        found, size = conflict_search(
            names, exclude_contacts=[lead.contact_id], exclude_lead=lead.pk
        )
        previous = lead.conflict_checks.order_by("-run_at").first()
        check = ConflictCheck.objects.create(
            lead=lead,
            trigger=trigger,
            query=[n.to_json() for n in names],
            algorithm_version=engine.ALGORITHM_VERSION,
            status=_status(found),
            previous=previous,
            index_size=size,
            run_by_id=actor.pk if actor is not None else None,
        )
        _store(check, found)
        Lead.objects.filter(pk=lead.pk).update(conflict_state=check.status)
        lead.conflict_state = check.status
        audit_record(
            action=IntakeAction.CONFLICT_RUN,
            actor=actor,
            meta=meta,
            obj=check,
            data={"lead": str(lead.pk), "status": check.status, "hits": len(found)},
        )
    return check


def conflict_check_matter(
    *, matter_id: Any, trigger: str, actor: AtriumUser | None = None
) -> ConflictCheck | None:
    """Re-check a matter's parties against everything outside the matter."""
    parties = [
        p
        for p in portal_selectors.matter_parties_for_index(matter_id=matter_id)
        if p.ended_at is None
    ]
    if not parties:
        return None
    names = [
        Name(
            name=p.contact.full_name,
            role=p.role,
            family_name=p.contact.last_name or None,
            emails=(p.contact.email,) if p.contact.email else (),
            phones=(str(p.contact.phone),) if p.contact.phone else (),
        )
        for p in parties
    ]
    with transaction.atomic():
        found, size = conflict_search(
            names,
            exclude_matter=matter_id,
            exclude_contacts=[p.contact_id for p in parties],
        )
        previous = ConflictCheck.objects.filter(matter_id=matter_id).order_by("-run_at").first()
        check = ConflictCheck.objects.create(
            matter_id=matter_id,
            trigger=trigger,
            query=[n.to_json() for n in names],
            algorithm_version=engine.ALGORITHM_VERSION,
            status=_status(found),
            previous=previous,
            index_size=size,
            run_by_id=actor.pk if actor is not None else None,
        )
        _store(check, found)
        audit_record(
            action=IntakeAction.CONFLICT_RUN,
            actor=actor,
            obj=check,
            matter_id=matter_id,
            data={"status": check.status, "hits": len(found)},
        )
    return check


def conflict_check_adhoc(
    *,
    names: Sequence[Name],
    actor: AtriumUser | None,
    meta: RequestMeta | None = None,
    actor_label: str = "",
) -> ConflictCheck:
    """A check staff (or an operator) run by hand, stored with its hits and audited."""
    with transaction.atomic():
        found, size = conflict_search(names)
        check = ConflictCheck.objects.create(
            trigger=ConflictCheck.Trigger.MANUAL,
            query=[n.to_json() for n in names],
            algorithm_version=engine.ALGORITHM_VERSION,
            status=_status(found),
            index_size=size,
            run_by_id=actor.pk if actor is not None else None,
        )
        _store(check, found)
        audit_record(
            action=IntakeAction.CONFLICT_RUN,
            actor=actor,
            meta=meta,
            obj=check,
            actor_label=actor_label,
            data={"status": check.status, "hits": len(found), "manual": True},
        )
    return check


def lead_move(
    *, lead: Lead, to: str, by: AtriumUser | None, reason: str = "", allowed_from: Iterable[str]
) -> bool:
    """A conditional move (idempotent): only from the given stages; writes the change."""
    with transaction.atomic():
        changes: dict[str, Any] = {"status": to}
        if to in retention.PURGEABLE:
            today = timezone.localdate()
            changes.update(closed_on=today, retain_until=retention.retain_until_for(today))
        moved = Lead.objects.filter(pk=lead.pk, status__in=list(allowed_from)).update(**changes)
        if moved:
            LeadStageChange.objects.create(
                lead=lead,
                from_status=lead.status,
                to_status=to,
                by_id=by.pk if by else None,
                reason=reason[:200],
            )
            lead.status = to
    return bool(moved)


def conflict_check_decide(
    *,
    check: ConflictCheck,
    decision: str,
    note: str,
    actor: AtriumUser,
    meta: RequestMeta | None = None,
) -> ConflictCheck:
    """NEEDS_REVIEW → CLEARED, WAIVED or CONFLICT, once; the decision is audited. A
    CONFLICT declines the lead (the reason is never shown to the prospect)."""
    if not actor.has_perm("intake.view_conflict_report"):  # type: ignore[attr-defined]  # a User
        raise ServiceError(_("You may not decide conflict checks."))
    if decision == ConflictCheck.Status.WAIVED and not actor.has_perm(  # type: ignore[attr-defined]  # a User
        "intake.waive_conflict"
    ):
        raise ServiceError(_("Waiving a conflict needs the waiver permission."))
    if decision not in ConflictCheck.TRANSITIONS["needs_review"]:
        raise ServiceError(_("Choose cleared, waived or conflict."))
    note = note.strip()
    if decision == ConflictCheck.Status.WAIVED and len(note) < 10:
        raise ServiceError(
            _("Describe the informed consent the waiver rests on (who, when, which document).")
        )
    with transaction.atomic():
        now = timezone.now()
        updated = ConflictCheck.objects.filter(
            pk=check.pk, status=ConflictCheck.Status.NEEDS_REVIEW
        ).update(status=decision, decided_at=now, decided_by_id=actor.pk, decision_note=note[:2000])
        if not updated:
            raise ServiceError(_("This check was already decided; run it again to change it."))
        check.refresh_from_db()
        lead = check.lead
        if lead is not None:
            latest = lead.conflict_checks.order_by("-run_at").first()
            if latest is not None and latest.pk == check.pk:
                Lead.objects.filter(pk=lead.pk).update(conflict_state=decision)
            if decision == ConflictCheck.Status.CONFLICT:
                Lead.objects.filter(pk=lead.pk).update(declined_reason="conflict")
                lead_move(
                    lead=lead,
                    to=Lead.Status.DECLINED,
                    by=actor,
                    reason="conflict",
                    allowed_from=("new", "consult_booked", "consult_held", "engagement_sent"),
                )
        audit_record(
            action=IntakeAction.CONFLICT_DECIDED,
            actor=actor,
            meta=meta,
            obj=check,
            data={"decision": decision},
        )
    return check


def conflict_hit_dismiss(
    *, hit: ConflictHit, note: str, actor: AtriumUser, meta: RequestMeta | None = None
) -> None:
    if hit.conflict_check.is_decided:
        raise ServiceError(_("This check was already decided; run it again to change it."))
    ConflictHit.objects.filter(pk=hit.pk).update(
        dismissed=True, dismissed_by_id=actor.pk, note=note.strip()[:300]
    )
    audit_record(
        action=IntakeAction.CONFLICT_HIT_DISMISSED, actor=actor, meta=meta, obj=hit.conflict_check
    )


def lead_check_is_current(lead: Lead) -> bool:
    latest = lead.conflict_checks.order_by("-run_at").first()
    if latest is None:
        return False
    return lead.parties_changed_at is None or latest.run_at >= lead.parties_changed_at


# ---------------------------------------------------------------------------- events


def on_contact_names_changed(event: ContactNamesChanged) -> None:
    index_contacts([event.contact_id])
    index_matter_parties(contact_id=event.contact_id)
    stamp = timezone.now() + dt.timedelta(microseconds=1)
    Lead.objects.filter(contact_id=event.contact_id).exclude(status__in=Lead.TERMINAL).update(
        parties_changed_at=stamp
    )


def on_matter_parties_changed(event: MatterPartiesChanged) -> None:
    index_matter_parties(matter_id=event.matter_id)
    conflict_check_matter(matter_id=event.matter_id, trigger=ConflictCheck.Trigger.PARTY_ADDED)


def conflict_report_viewed(
    *, check: ConflictCheck, actor: AtriumUser, meta: RequestMeta | None = None
) -> None:
    """Every view of a report is audited: it reveals other clients' identities."""
    audit_record(action=IntakeAction.CONFLICT_VIEWED, actor=actor, meta=meta, obj=check)
