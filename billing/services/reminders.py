"""Payment reminders: the planner that writes one digest per contact and day (spec §6 F9).

Each open document is reminded at the steps of the firm's cadence around its due date
(``BillingSettings.reminder_steps``: ``-3, 0, 3, 7, 14`` days, then every 14 days, at
most six). The planner runs every hour and is idempotent:

- a document goes into a digest once per step: the step is recorded on the document with
  a conditional UPDATE on the step it had, so two planners never take it twice;
- a contact gets at most one digest a day per channel (``PaymentReminder`` is unique on
  contact, firm-local date and channel); a step that falls due after today's digest was
  sent waits for tomorrow's;
- after an outage only each document's latest due step goes out; the earlier ones are
  skipped, and a digest that never went out is folded into the new one ("merged into a
  later notice"), so the client gets one message, never a burst;
- nothing is planned for a document that is paid, being confirmed by the bank or has a
  disputed payment (it is looked at again on the next run), and the composer checks the
  same again at send time.

Requests of their own (a late-cancellation fee: no invoice) with a due date are reminded
the same way, in the same digest, while they are open and staff left their reminders on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from billing.models import Invoice, Payment, PaymentAttempt, PaymentReminder, PaymentRequest
from billing.selectors import billing_settings_get
from core.time import zone
from notifications.outbox import State
from portal import selectors as portal_selectors

# A digest goes out at this firm-local hour on its day (or at once when planned later).
SEND_HOUR = 9
MERGED = "merged into a later notice"


def firm_today(now: dt.datetime | None = None) -> dt.date:
    firm = portal_selectors.firm_get()
    return timezone.localtime(now or timezone.now(), zone(firm.time_zone)).date()


def reminder_blocked_invoices(ids: list[Any] | None = None) -> dict[str, set[Any]]:
    """Invoices a reminder must leave out: a payment being confirmed, or a disputed one."""
    processing = PaymentAttempt.objects.filter(
        status=PaymentAttempt.Status.PROCESSING, request__invoice__isnull=False
    )
    disputed = Payment.objects.filter(status=Payment.Status.DISPUTED)
    if ids is not None:
        processing = processing.filter(request__invoice_id__in=ids)
        disputed = disputed.filter(allocations__invoice_id__in=ids)
    return {
        "processing": set(processing.values_list("request__invoice_id", flat=True)),
        "disputed": set(disputed.values_list("allocations__invoice_id", flat=True)),
    }


def reminder_blocked_requests(ids: list[Any]) -> set[Any]:
    """Requests of their own a reminder must leave out: a payment being confirmed."""
    return set(
        PaymentAttempt.objects.filter(
            status=PaymentAttempt.Status.PROCESSING, request_id__in=ids
        ).values_list("request_id", flat=True)
    )


def remindable_requests() -> QuerySet[PaymentRequest]:
    """Open requests without an invoice, with a due date and reminders on, of a contact
    with an active portal account."""
    return PaymentRequest.objects.filter(
        invoice__isnull=True,
        status=PaymentRequest.Status.OPEN,
        due_date__isnull=False,
        reminders=True,
        contact__user__isnull=False,
        contact__user__is_active=True,
    )


def _remindable() -> QuerySet[Invoice]:
    return Invoice.objects.filter(
        lifecycle=Invoice.Lifecycle.ISSUED,
        balance__gt=0,
        contact__user__isnull=False,
        contact__user__is_active=True,
    )


Remindable = Invoice | PaymentRequest


def _step_due(item: Remindable, steps: list[int], today: dt.date) -> tuple[int | None, list[int]]:
    """The latest step of this document due by today and not yet reminded, and the
    earlier ones that were missed (skipped, never sent late)."""
    last = int(item.last_reminder_step) if item.last_reminder_step else None
    due_date = item.due_date
    if due_date is None:
        return None, []
    due = [
        s for s in steps if due_date + dt.timedelta(days=s) <= today and (last is None or s > last)
    ]
    if not due:
        return None, []
    return due[-1], due[:-1]


def _send_at(today: dt.date, now: dt.datetime) -> dt.datetime:
    firm = portal_selectors.firm_get()
    at = dt.datetime.combine(today, dt.time(SEND_HOUR), tzinfo=zone(firm.time_zone))
    return max(at, now)


def payment_reminders_plan(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Write today's digests. Returns counts (digests, documents, skipped steps)."""
    now = now or timezone.now()
    settings = billing_settings_get()
    steps = settings.reminder_steps()
    today = firm_today(now)
    done = {"digests": 0, "invoices": 0, "skipped_steps": 0}
    if steps:
        candidates = list(
            _remindable()
            .filter(due_date__lte=today - dt.timedelta(days=steps[0]))
            .select_related("contact", "contact__user")
            .order_by("contact_id", "due_date")
        )
        blocked = reminder_blocked_invoices([i.pk for i in candidates])
        left_out = blocked["processing"] | blocked["disputed"]
        by_contact: dict[Any, list[tuple[Remindable, int, int]]] = defaultdict(list)
        for invoice in candidates:
            if invoice.pk in left_out:
                continue
            step, skipped = _step_due(invoice, steps, today)
            if step is not None:
                by_contact[invoice.contact_id].append((invoice, step, len(skipped)))
        requests = list(
            remindable_requests()
            .filter(due_date__lte=today - dt.timedelta(days=steps[0]))
            .select_related("contact", "contact__user")
            .order_by("contact_id", "due_date")
        )
        confirming = reminder_blocked_requests([r.pk for r in requests])
        for request in requests:
            if request.pk in confirming:
                continue
            step, skipped = _step_due(request, steps, today)
            if step is not None:
                by_contact[request.contact_id].append((request, step, len(skipped)))
        for items in by_contact.values():
            made, taken, missed = _plan_contact(items, today=today, now=now)
            done["digests"] += made
            done["invoices"] += taken
            done["skipped_steps"] += missed
    type(settings).objects.filter(pk=settings.pk).update(reminders_planned_at=now)
    return done


@transaction.atomic
def _plan_contact(
    items: list[tuple[Remindable, int, int]], *, today: dt.date, now: dt.datetime
) -> tuple[int, int, int]:
    contact = items[0][0].contact
    key = today.isoformat()
    channels = portal_selectors.contact_recipient(contact).reminder_channels()
    existing = {
        r.channel: r
        for r in PaymentReminder.objects.select_for_update().filter(contact=contact, step_key=key)
    }
    if any(r.state != State.SCHEDULED for r in existing.values()):
        # Today's digest went out already: these steps wait for tomorrow's.
        return 0, 0, 0
    taken: dict[str, list[str]] = {"invoices": [], "requests": []}
    skipped = 0
    for item, step, missed in items:
        # The conditional UPDATE is the exactly-once guard: a parallel planner that took
        # this step first leaves nothing to update here.
        model = type(item)
        if model._default_manager.filter(
            pk=item.pk, last_reminder_step=item.last_reminder_step
        ).update(last_reminder_step=str(step), reminders_sent=F("reminders_sent") + 1):
            taken["invoices" if model is Invoice else "requests"].append(str(item.pk))
            skipped += missed
    count = len(taken["invoices"]) + len(taken["requests"])
    if not count:
        return 0, 0, 0
    made = 0
    for channel in channels:
        context = {name: list(ids) for name, ids in taken.items()}
        # Older digests that never went out are folded into this one: one message.
        for old in PaymentReminder.objects.select_for_update().filter(
            contact=contact, channel=channel, state=State.SCHEDULED, step_key__lt=key
        ):
            _fold(context, old)
            PaymentReminder.objects.filter(pk=old.pk, state=State.SCHEDULED).update(
                state=State.SUPPRESSED, reason=MERGED, updated_at=now
            )
        row = existing.get(channel)
        if row is not None:
            _fold(context, row)
            PaymentReminder.objects.filter(pk=row.pk).update(context=context, updated_at=now)
            continue
        at = _send_at(today, now)
        try:
            with transaction.atomic():
                PaymentReminder.objects.create(
                    contact=contact,
                    step_key=key,
                    channel=channel,
                    context=context,
                    due_at=at,
                    next_attempt_at=at,
                )
        except IntegrityError:
            # A parallel planner wrote today's row a moment ago: add ours to it.
            row = PaymentReminder.objects.select_for_update().get(
                contact=contact, step_key=key, channel=channel
            )
            _fold(context, row)
            PaymentReminder.objects.filter(pk=row.pk).update(context=context)
            continue
        made += 1
    return made, count, skipped


def _fold(context: dict[str, list[str]], row: PaymentReminder) -> None:
    """Add the documents another digest lists to this one (each once)."""
    for name, ids in (("invoices", row.invoice_ids), ("requests", row.request_ids)):
        context[name] += [i for i in ids if i not in context[name]]
