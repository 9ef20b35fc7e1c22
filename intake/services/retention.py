"""The retention purge of prospects the firm did not act for (spec intake.md §7, §9).

Runs only from the daily beat task or `manage.py purge_prospects`, never from a web
request. Per lead, in one transaction: the names it put in the conflict index become the
conflict stub (source STUB: names, roles, identifiers, still found by every check), then
its submissions, drafts and files are deleted, and one AuditEvent says what went. The
lead row itself stays as the stub's date, decision and lawyer (status, reasons,
conflict state, assigned lawyer, stage changes), and so do the conflict checks, their
hits and the consent records, which are evidence.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_record
from intake import retention
from intake.audit_actions import IntakeAction
from intake.models import ConflictIndexEntry, IntakeDraft, IntakeFile, IntakeSubmission, Lead
from intake.selectors.retention import PurgeItem, purge_plan
from intake.services.conflicts import index_cache_clear
from portal import services as portal_services

logger = logging.getLogger(__name__)


@dataclass
class PurgeReport:
    today: dt.date
    dry_run: bool
    purged: list[PurgeItem] = field(default_factory=list)
    sensitive: list[PurgeItem] = field(default_factory=list)

    def lines(self) -> list[str]:
        verb = "would purge" if self.dry_run else "purged"
        out = [
            f"{verb} lead {i.lead.pk}: {i.submissions} submissions, {i.drafts} drafts, "
            f"{i.files} files; {i.stub_names} names kept as the conflict stub"
            + ("; contact reduced to the stub" if i.contact_reduced else "")
            for i in self.purged
        ]
        out += [
            f"{'would remove' if self.dry_run else 'removed'} sensitive answers of lead "
            f"{i.lead.pk}: {i.sensitive_answers} answers"
            for i in self.sensitive
        ]
        out.append(
            f"{len(self.purged)} leads purged, {len(self.sensitive)} sensitive removals"
            + (" (dry run, nothing changed)" if self.dry_run else "")
        )
        return out


def _sensitive_keys(submission: IntakeSubmission) -> set[str]:
    return {str(f.get("key")) for f in submission.form_version.fields if f.get("sensitive")}


def _purge_sensitive(lead_id: Any, today: dt.date, now: dt.datetime) -> int:
    with transaction.atomic():
        lead = (
            Lead.objects.select_for_update()
            .filter(
                pk=lead_id,
                status__in=retention.PURGEABLE,
                purged_at__isnull=True,
                sensitive_purged_at__isnull=True,
            )
            .first()
        )
        if lead is None or lead.closed_on is None:
            return -1
        if retention.sensitive_until_for(lead.closed_on) > today:
            return -1
        removed = 0
        for submission in IntakeSubmission.objects.filter(lead=lead).select_related("form_version"):
            keys = _sensitive_keys(submission) & set(submission.answers)
            if keys:
                kept = {k: v for k, v in submission.answers.items() if k not in keys}
                IntakeSubmission.objects.filter(pk=submission.pk).update(answers=kept)
                removed += len(keys)
        Lead.objects.filter(pk=lead.pk).update(sensitive_purged_at=now)
        audit_record(
            action=IntakeAction.PROSPECT_SENSITIVE_PURGED,
            obj=lead,
            data={"answers": removed, "closed_on": lead.closed_on.isoformat()},
        )
    return removed


def _storage_delete(names: list[str]) -> None:
    storage = IntakeFile._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("intake file %s could not be deleted from storage", name)


def _purge_lead(lead_id: Any, today: dt.date, now: dt.datetime) -> PurgeItem | None:
    with transaction.atomic():
        lead = (
            Lead.objects.select_for_update()
            .filter(
                pk=lead_id,
                status__in=retention.PURGEABLE,
                purged_at__isnull=True,
                retain_until__lte=today,
            )
            .first()
        )
        if lead is None:
            return None  # reopened, purged meanwhile, or its date moved
        stub = ConflictIndexEntry.objects.filter(
            lead=lead, source=ConflictIndexEntry.Source.LEAD_PARTY
        ).update(source=ConflictIndexEntry.Source.STUB, updated_at=now)
        submissions = IntakeSubmission.objects.filter(lead=lead)
        draft_ids = set(IntakeDraft.objects.filter(lead=lead).values_list("pk", flat=True))
        draft_ids |= {d for d in submissions.values_list("draft_id", flat=True) if d}
        file_rows = IntakeFile.objects.filter(
            Q(lead=lead) | Q(submission__lead=lead) | Q(draft__in=draft_ids)
        )
        stored = [name for name in file_rows.values_list("file", flat=True) if name]
        files, _by_model = file_rows.delete()
        submission_count = submissions.count()
        submissions.delete()
        drafts, _by_model = IntakeDraft.objects.filter(pk__in=draft_ids).delete()
        Lead.objects.filter(pk=lead.pk).update(
            purged_at=now, sensitive_purged_at=lead.sensitive_purged_at or now, urgent_deadline=None
        )
        # The person's own record goes down to the stub too, unless the firm acts for them
        # elsewhere (a client, a party on a matter) or another inquiry is still open.
        contact_reduced = False
        if (
            not Lead.objects.filter(contact_id=lead.contact_id)
            .exclude(pk=lead.pk)
            .exclude(status__in=retention.PURGEABLE, purged_at__isnull=False)
            .exclude(status__in=retention.PURGEABLE, retain_until__lte=today)
            .exists()
        ):
            contact_reduced = portal_services.contact_reduce_to_stub(
                contact_id=lead.contact_id, reason="prospect retention"
            )
        # Files leave storage only once the rows are gone for good.
        transaction.on_commit(lambda: _storage_delete(stored))
        item = PurgeItem(
            lead=lead,
            due=lead.retain_until or today,
            submissions=submission_count,
            drafts=drafts,
            files=files,
            stub_names=stub,
            contact_reduced=contact_reduced,
        )
        audit_record(
            action=IntakeAction.PROSPECT_PURGED,
            obj=lead,
            data={
                "status": lead.status,
                "retain_until": lead.retain_until.isoformat() if lead.retain_until else "",
                "submissions": submission_count,
                "drafts": drafts,
                "files": files,
                "stub_names": stub,
                "contact_reduced": contact_reduced,
            },
        )
    return item


def prospects_purge(*, today: dt.date | None = None, dry_run: bool = False) -> PurgeReport:
    """Purge every declined or lost lead past its retention date, and the sensitive
    answers of those past the shorter period. Safe to repeat (each step is conditional)."""
    today = today or timezone.localdate()
    now = timezone.now()
    plan = purge_plan(today=today, ahead_days=0)
    report = PurgeReport(today=today, dry_run=dry_run)
    if dry_run:
        report.purged = [i for i in plan if i.kind == "full"]
        report.sensitive = [i for i in plan if i.kind == "sensitive"]
        return report
    for item in plan:
        if item.kind == "sensitive":
            removed = _purge_sensitive(item.lead.pk, today, now)
            if removed >= 0:
                item.sensitive_answers = removed
                report.sensitive.append(item)
        else:
            done = _purge_lead(item.lead.pk, today, now)
            if done is not None:
                report.purged.append(done)
    if report.purged:
        index_cache_clear()
    return report
