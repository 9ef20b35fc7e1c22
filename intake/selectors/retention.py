"""What the retention purge will remove, and when (the staff preview and the job)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from intake import retention
from intake.models import ConflictIndexEntry, IntakeDraft, IntakeFile, IntakeSubmission, Lead


@dataclass
class PurgeItem:
    lead: Lead
    due: dt.date
    kind: str = "full"  # "full" or "sensitive"
    submissions: int = 0
    drafts: int = 0
    files: int = 0
    stub_names: int = 0
    sensitive_answers: int = 0
    contact_reduced: bool = False


def _counts(item: PurgeItem) -> PurgeItem:
    lead = item.lead
    submissions = IntakeSubmission.objects.filter(lead=lead)
    item.submissions = submissions.count()
    item.drafts = (
        IntakeDraft.objects.filter(Q(lead=lead) | Q(submission__lead=lead)).distinct().count()
    )
    item.files = (
        IntakeFile.objects.filter(Q(lead=lead) | Q(submission__lead=lead) | Q(draft__lead=lead))
        .distinct()
        .count()
    )
    item.stub_names = ConflictIndexEntry.objects.filter(
        lead=lead, source=ConflictIndexEntry.Source.LEAD_PARTY
    ).count()
    if item.kind == "sensitive":
        total = 0
        for submission in submissions.select_related("form_version"):
            keys = {str(f.get("key")) for f in submission.form_version.fields if f.get("sensitive")}
            total += len(keys & set(submission.answers))
        item.sensitive_answers = total
    return item


def purge_plan(*, today: dt.date, ahead_days: int = retention.PREVIEW_DAYS) -> list[PurgeItem]:
    """Every purge due by `today + ahead_days`, soonest first: whole leads past their
    `retain_until`, and sensitive answers past the shorter period."""
    until = today + dt.timedelta(days=ahead_days)
    closed = Lead.objects.filter(
        status__in=retention.PURGEABLE, purged_at__isnull=True
    ).select_related("contact", "assigned_to")
    items = [
        PurgeItem(lead=lead, due=lead.retain_until)
        for lead in closed.filter(retain_until__lte=until)
        if lead.retain_until is not None
    ]
    full = {i.lead.pk for i in items}
    for lead in closed.filter(sensitive_purged_at__isnull=True, closed_on__isnull=False):
        if lead.pk in full or lead.closed_on is None:
            continue
        due = retention.sensitive_until_for(lead.closed_on)
        if due <= until:
            items.append(PurgeItem(lead=lead, due=due, kind="sensitive"))
    items = [_counts(i) for i in items]
    return sorted(
        [i for i in items if i.kind == "full" or i.sensitive_answers],
        key=lambda i: (i.due, str(i.lead.pk)),
    )


def leads_purged_recently(*, limit: int = 50) -> list[Lead]:
    return list(
        Lead.objects.filter(purged_at__isnull=False)
        .select_related("contact", "assigned_to")
        .annotate(stub=Count("index_entries"))
        .order_by("-purged_at")[:limit]
    )
