"""Intake in the booking flow: the stage-1 form as a booking step (BEFORE_BOOKING), and
the one-link email after a booking (AFTER_BOOKING)."""

from __future__ import annotations

from django.urls import reverse

from intake import selectors
from intake.models import IntakeDraft, IntakeFormVersion, ServiceIntake
from intake.services.forms import form_send_to_contact
from portal import selectors as portal_selectors
from scheduling.booking_flow import BookingContext
from scheduling.events import AppointmentBooked

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
    ref = f"after:{event.appointment_ids[0]}"
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
