"""The sweep: claim due rows, send them outside the lock, record the outcome.

Exactly once, by design (README, "Reminders: the exact guarantee"):
1. Claim: in one short transaction, SELECT ... FOR UPDATE SKIP LOCKED the due rows and mark
   them `sending` with a fresh claim token and a lease. Two sweeps never claim the same row.
2. Per row, a conditional UPDATE stamps send_started_at (only if the row still carries our
   token and has not been started). Only then is the provider called, outside any lock.
3. The outcome is written with a conditional UPDATE on (token, state=sending).
4. A row whose lease expired and which was never started goes back to `scheduled` (nothing
   can have gone out: none lost). A row whose lease expired after it was started (its worker
   died around the provider call) also goes back, keeping `send_started_at`, and the sweep
   that takes it reconciles instead of guessing: an SMS is looked up in the provider's
   message list and sent only if it is not there; an email is sent again with the row's
   stable Message-ID, which mail clients show once. The reason records the path taken.
5. Claims are small (NOTIFICATIONS_SWEEP_BATCH) and the lease (NOTIFICATIONS_LEASE_SECONDS)
   is renewed while the batch is being sent, so the rows of a dead sweep come back within
   one lease, and a live slow sweep never loses its rows to another.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from notifications import channels, registry, tasks
from notifications.models import Notification, NotificationTemplate, SweepHeartbeat
from notifications.outbox import (
    RECONCILED_EMAIL,
    RECONCILED_FOUND,
    RECONCILED_SENT,
    Delivery,
    Postpone,
    State,
    Suppress,
)
from notifications.registry import SendContext

logger = logging.getLogger(__name__)

DeliveryModel = type[Delivery]


@dataclass
class SweepResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    suppressed: int = 0
    postponed: int = 0
    reclaimed: int = 0
    interrupted: int = 0


def delivery_models() -> list[DeliveryModel]:
    """Every outbox the sweep serves: Notification and the tables apps registered."""
    return registry.outbox_models()


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS)


def _retry_delay(attempts: int) -> dt.timedelta:
    delays = settings.NOTIFICATIONS_RETRY_DELAYS
    return dt.timedelta(seconds=delays[min(attempts, len(delays)) - 1])


def reconcile_expired_leases(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Rows a dead worker left in `sending` go back to the queue.

    Unstarted ones are plain retries; started ones keep `send_started_at`, which tells the
    sweep that takes them to reconcile with the provider before sending (see _send_row).
    Returns (unstarted, interrupted).
    """
    now = now or timezone.now()
    reclaimed = interrupted = 0
    for model in delivery_models():
        expired = model._default_manager.filter(state=State.SENDING, lease_until__lt=now)
        reclaimed += expired.filter(send_started_at__isnull=True).update(
            state=State.SCHEDULED, claim_token=None, lease_until=None, updated_at=now
        )
        interrupted += expired.filter(send_started_at__isnull=False).update(
            state=State.SCHEDULED, claim_token=None, lease_until=None, updated_at=now
        )
    if reclaimed or interrupted:
        logger.warning(
            "reminder sweep reconciled leases: %s back to queue, %s interrupted",
            reclaimed,
            interrupted,
        )
    return reclaimed, interrupted


def claim(
    *, model: DeliveryModel, now: dt.datetime, limit: int, pks: list[Any] | None = None
) -> tuple[uuid.UUID, list[Any]]:
    """Mark up to `limit` due rows as ours; returns the claim token and the claimed pks."""
    token = uuid.uuid4()
    with transaction.atomic():
        due = model._default_manager.filter(state=State.SCHEDULED, next_attempt_at__lte=now)
        if pks is not None:
            due = due.filter(pk__in=pks)
        # skip_locked: a second sweep walks past the rows the first one is claiming
        # instead of waiting for them, then finds them already `sending`.
        ids = list(
            due.select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return token, []
        real_now = timezone.now()
        model._default_manager.filter(pk__in=ids, state=State.SCHEDULED).update(
            state=State.SENDING,
            claim_token=token,
            lease_until=real_now + _lease(),
            updated_at=real_now,
        )
    return token, ids


def _finish(model: DeliveryModel, pk: Any, token: uuid.UUID, **fields: Any) -> int:
    fields.setdefault("updated_at", timezone.now())
    return model._default_manager.filter(pk=pk, claim_token=token, state=State.SENDING).update(
        **fields
    )


def _requeue(
    model: DeliveryModel,
    pk: Any,
    token: uuid.UUID,
    *,
    interrupted_at: dt.datetime | None = None,
    **fields: Any,
) -> None:
    """Back to `scheduled` for a later try; if a newer pending row took its batch slot
    meanwhile (a batched notice), this one is folded into that one instead. A row still
    unreconciled keeps its `interrupted_at` so the next try reconciles too."""
    try:
        with transaction.atomic():
            _finish(
                model,
                pk,
                token,
                state=State.SCHEDULED,
                claim_token=None,
                send_started_at=interrupted_at,
                **fields,
            )
    except IntegrityError:
        _finish(model, pk, token, state=State.SUPPRESSED, reason="merged into a later notice")


def send_claimed(
    *,
    model: DeliveryModel,
    token: uuid.UUID,
    ctx: SendContext,
    result: SweepResult,
    email_conn: object | None = None,
) -> None:
    rows = model._default_manager.filter(claim_token=token, state=State.SENDING)
    related = model.SWEEP_SELECT_RELATED
    if model is Notification:
        related = (*related, *registry.notification_select_related())
    if related:
        rows = rows.select_related(*related)
    renewed = time.monotonic()
    for row in rows.order_by("next_attempt_at"):
        _send_row(model=model, row=row, token=token, ctx=ctx, result=result, email_conn=email_conn)
        if time.monotonic() - renewed > settings.NOTIFICATIONS_LEASE_SECONDS / 3:
            # A slow provider: keep the rest of the batch ours (a dead sweep stops renewing).
            renewed = time.monotonic()
            model._default_manager.filter(claim_token=token, state=State.SENDING).update(
                lease_until=timezone.now() + _lease()
            )


def _send_row(
    *,
    model: DeliveryModel,
    row: Any,
    token: uuid.UUID,
    ctx: SendContext,
    result: SweepResult,
    email_conn: object | None,
) -> None:
    # Set when an earlier attempt died after "send started": reconcile before sending.
    interrupted_at: dt.datetime | None = row.send_started_at
    started_at = timezone.now()
    started = model._default_manager.filter(
        pk=row.pk,
        claim_token=token,
        state=State.SENDING,
        send_started_at=interrupted_at,
    ).update(send_started_at=interrupted_at or started_at, lease_until=started_at + _lease())
    if not started:
        return  # a reconciler took it back after our lease ran out; someone else sends it
    try:
        message = registry.notice(row.notice_event()).compose(row, ctx)
    except Suppress as exc:
        _finish(model, row.pk, token, state=State.SUPPRESSED, reason=exc.reason[:200])
        result.suppressed += 1
        return
    except Postpone as exc:
        _requeue(
            model,
            row.pk,
            token,
            interrupted_at=interrupted_at,
            next_attempt_at=exc.until,
            reason=exc.reason[:200],
        )
        result.postponed += 1
        return
    except Exception as exc:
        # A bug or a vanished row must not stall the sweep for the other rows.
        logger.exception("composing %s %s failed", model.__name__, row.pk)
        _fail_or_retry(
            model,
            row,
            token,
            channels.ChannelError(
                f"could not prepare the message ({type(exc).__name__})", retry=False
            ),
            result,
        )
        return
    message.reference = str(row.pk)
    reason = ""
    if interrupted_at is not None:
        if message.channel == channels.Channel.SMS:
            try:
                found = channels.sms_find(message, since=interrupted_at)
            except channels.ChannelError as exc:
                # The provider cannot say: never send blind, ask again on the next try.
                _fail_or_retry(
                    model, row, token, exc, result, to_address=message.to, keep=interrupted_at
                )
                return
            if found is not None:
                _record_sent(model, row, token, found, message.to, RECONCILED_FOUND)
                result.sent += 1
                logger.warning("%s %s reconciled: the provider had it", model.__name__, row.pk)
                return
            reason = RECONCILED_SENT
        else:
            reason = RECONCILED_EMAIL  # the same Message-ID: one message for the client
        logger.warning("%s %s reconciled: %s", model.__name__, row.pk, reason)
    try:
        provider_id = channels.send(message, email_conn=email_conn)
    except channels.ChannelError as exc:
        _fail_or_retry(model, row, token, exc, result, to_address=message.to)
        return
    _record_sent(model, row, token, provider_id, message.to, reason)
    result.sent += 1


def _record_sent(
    model: DeliveryModel, row: Any, token: uuid.UUID, provider_id: str, to: str, reason: str
) -> None:
    sent_at = timezone.now()
    updated = _finish(
        model,
        row.pk,
        token,
        state=State.SENT,
        sent_at=sent_at,
        provider_id=provider_id[:64],
        to_address=to[:254],
        reason=reason,
        attempts=F("attempts") + 1,
    )
    if not updated:
        # A delivery callback got here first (sending -> delivered): keep its state.
        model._default_manager.filter(pk=row.pk, sent_at__isnull=True).update(
            sent_at=sent_at,
            provider_id=provider_id[:64],
            to_address=to[:254],
            attempts=F("attempts") + 1,
        )


def _fail_or_retry(
    model: DeliveryModel,
    row: Any,
    token: uuid.UUID,
    exc: channels.ChannelError,
    result: SweepResult,
    to_address: str = "",
    keep: dt.datetime | None = None,
) -> None:
    attempts = row.attempts + 1
    now = timezone.now()
    retry_at = now + _retry_delay(attempts)
    deadline = row.retry_deadline
    can_retry = (
        exc.retry
        and attempts < settings.NOTIFICATIONS_MAX_ATTEMPTS
        and (deadline is None or retry_at < deadline)
    )
    # The reason is the channel's own safe text: no credentials, no message body.
    logger.warning("%s %s attempt %s failed: %s", model.__name__, row.pk, attempts, exc.reason)
    if can_retry:
        _requeue(
            model,
            row.pk,
            token,
            interrupted_at=keep,
            attempts=attempts,
            next_attempt_at=retry_at,
            reason=exc.reason,
            to_address=to_address[:254],
        )
        result.retried += 1
    else:
        _finish(
            model,
            row.pk,
            token,
            state=State.FAILED,
            attempts=attempts,
            reason=exc.reason,
            to_address=to_address[:254],
        )
        result.failed += 1


def _templates() -> dict[tuple[str, str, str], Any]:
    return {(t.event, t.channel, t.language): t for t in NotificationTemplate.objects.all()}


def deliveries_sweep(
    *, now: dt.datetime | None = None, batch_size: int | None = None, max_batches: int | None = None
) -> SweepResult:
    """One sweep over every outbox: what `send_due_reminders` and the beat task run."""
    now = now or timezone.now()
    batch_size = batch_size or settings.NOTIFICATIONS_SWEEP_BATCH
    result = SweepResult()
    result.reclaimed, result.interrupted = reconcile_expired_leases(now=timezone.now())
    ctx = SendContext(now=now, templates=_templates())
    email_conn = channels.email_connection()
    try:
        for model in delivery_models():
            batches = 0
            while max_batches is None or batches < max_batches:
                token, ids = claim(model=model, now=now, limit=batch_size)
                if not ids:
                    break
                result.claimed += len(ids)
                send_claimed(
                    model=model, token=token, ctx=ctx, result=result, email_conn=email_conn
                )
                batches += 1
                if len(ids) < batch_size:
                    break
    finally:
        close = getattr(email_conn, "close", None)
        if close is not None:
            try:
                close()
            except Exception:  # noqa: S110 - a broken SMTP socket at close changes nothing
                pass
    heartbeat_record(claimed=result.claimed)
    return result


def delivery_send_now(*, model: DeliveryModel, pk: Any) -> SweepResult:
    """Send one row right away (after a booking) through the same claim; the sweep is the net."""
    result = SweepResult()
    now = timezone.now()
    token, ids = claim(model=model, now=now, limit=1, pks=[pk])
    if ids:
        result.claimed = 1
        send_claimed(
            model=model,
            token=token,
            ctx=SendContext(now=now, templates=_templates()),
            result=result,
        )
    return result


def heartbeat_record(*, claimed: int = 0) -> None:
    now = timezone.now()
    updated = SweepHeartbeat.objects.filter(pk=1).update(last_run_at=now, last_claimed=claimed)
    if not updated:
        SweepHeartbeat.objects.get_or_create(
            pk=1, defaults={"last_run_at": now, "last_claimed": claimed}
        )


def enqueue_on_commit(*, model: DeliveryModel, pks: list[Any]) -> None:
    """After commit, ask a worker to send these now; if the broker is down the sweep will."""
    if not pks:
        return
    label = model._meta.label

    def _enqueue() -> None:
        for pk in pks:
            try:
                tasks.delivery_send.delay(label, str(pk))
            except Exception as exc:
                logger.warning(
                    "broker unavailable (%s); the sweep sends it within a minute",
                    type(exc).__name__,
                )
                return

    transaction.on_commit(_enqueue)
