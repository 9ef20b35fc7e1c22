"""Intake in the booking flow: the stage-1 form as a booking step (BEFORE_BOOKING), and
the one-link email after a booking (AFTER_BOOKING)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from intake import selectors
from intake.models import IntakeDraft, IntakeFormVersion, ServiceIntake
from intake.notice_texts import FORM_REMINDER
from intake.services.forms import form_send_to_contact
from notifications.outbox import object_key
from notifications.services import notice_queue
from portal import selectors as portal_selectors
from scheduling import selectors as scheduling_selectors
from scheduling.booking_flow import BookingContext
from scheduling.events import AppointmentBooked

AFTER_PREFIX = "after:"
REMINDER_BEFORE = dt.timedelta(hours=24)

STEP_KEY = "intake"


def booking_form_step_applies(context: BookingContext) -> bool:
    """A public or portal booking of a service whose form is asked before booking."""
    if context.origin == "staff":
        return False
    link = selectors.booking_form_for(
        service_ids=context.service_ids, timing=ServiceIntake.Timing.BEFORE_BOOKING
    )
    return (
        link is not None
        and link.form.versions.filter(status=IntakeFormVersion.Status.PUBLISHED).exists()
    )


def booking_form_step_url(context: BookingContext) -> str:
    return reverse("intake:booking-form", kwargs={"token": context.token})


def lead_form_after_booking(event: AppointmentBooked) -> None:
    """After a booking of a service with an AFTER_BOOKING form: email its one link, once
    per booking (a replayed event sends nothing more)."""
    link = selectors.booking_form_for(
        service_ids=[event.service_id], timing=ServiceIntake.Timing.AFTER_BOOKING
    )
    if link is None or not event.appointment_ids:
        return
    ref = f"{AFTER_PREFIX}{event.appointment_ids[0]}"
    if IntakeDraft.objects.filter(booking_ref=ref).exists():
        return
    contact = portal_selectors.contact_by_id(event.contact_id)
    if (
        contact is None
        or not link.form.versions.filter(status=IntakeFormVersion.Status.PUBLISHED).exists()
    ):
        return
    if not contact.email and not contact.phone:
        return
    form_send_to_contact(
        form=link.form, contact=contact, actor=None, booking_ref=ref, service_id=event.service_id
    )


def _appointment_id(booking_ref: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(booking_ref.removeprefix(AFTER_PREFIX))
    except ValueError:
        return None


def form_reminders_queue(*, now: dt.datetime | None = None) -> int:
    """The reminder 24 h before the appointment for each after-booking form not yet sent
    (spec §3): once per form, whatever the number or overlap of sweeps.

    Only for a form whose link went out before that moment (a booking made the evening
    before has just had its link), while the appointment (followed through reschedules)
    is still booked and ahead. The draft's `reminded_at` is claimed by a conditional
    UPDATE in the same transaction as the outbox row, so two sweeps queue one reminder.
    """
    now = now or timezone.now()
    drafts = list(
        IntakeDraft.objects.filter(
            booking_ref__startswith=AFTER_PREFIX,
            submitted_at__isnull=True,
            reminded_at__isnull=True,
            expires_at__gt=now,
            contact__isnull=False,
        ).select_related("contact")
    )
    ids = {d.pk: _appointment_id(d.booking_ref) for d in drafts}
    current = scheduling_selectors.appointments_current_by_ids(
        ids=[i for i in ids.values() if i is not None]
    )
    queued = 0
    for draft in drafts:
        appointment = current.get(ids[draft.pk])
        if appointment is None or appointment.status != appointment.Status.BOOKED:
            continue
        remind_at = appointment.start_at - REMINDER_BEFORE
        if not remind_at <= now < appointment.start_at or draft.created_at > remind_at:
            continue
        contact = draft.contact
        if contact is None or (not contact.email and not contact.phone):
            continue
        with transaction.atomic():
            claimed = IntakeDraft.objects.filter(
                pk=draft.pk, reminded_at__isnull=True, submitted_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            notice_queue(
                event=FORM_REMINDER,
                channels=["email"] if contact.email else ["sms"],
                about=object_key("intakedraft", draft.pk),
            )
        queued += 1
    return queued
