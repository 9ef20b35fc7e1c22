"""Billing's notices: "you have a new invoice", "payment received" and the payment
reminder digest. Content-free: the firm, an amount or a document number and one link;
never a matter title or a line. Registered in BillingConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice, Payment, PaymentReminder, PaymentRequest
from billing.money import format_money, format_money_sms
from billing.selectors import billing_settings_get
from billing.services.bookings import (
    FEE_NOTICE,
    REQUEST_NOTICE,
    SLOT_LOST_NOTICE,
    SLOT_LOST_STAFF_NOTICE,
    fee_link,
)
from billing.services.invoices import INVOICE_ISSUED
from billing.services.online import PAYMENT_DISPUTED
from billing.services.payments import PAYMENT_RECEIVED
from billing.services.reminders import (
    firm_today,
    remindable_requests,
    reminder_blocked_invoices,
    reminder_blocked_requests,
)
from core.links import absolute_url
from core.time import format_long_date
from notifications import registry
from notifications.channels import Channel, Outgoing
from notifications.compose import address_for, outgoing, postpone_sms_in_quiet_hours, render
from notifications.outbox import Postpone, Suppress, key_id, register_reasons
from notifications.registry import COMMON_PLACEHOLDERS, Notice, SendContext, Text
from portal import selectors as portal_selectors
from scheduling import selectors as scheduling_selectors

if TYPE_CHECKING:
    from notifications.models import Notification
    from portal.models import Contact


M = TypeVar("M", bound=models.Model)

EMAIL: dict[str, dict[str, Text]] = {
    INVOICE_ISSUED: {
        "en": Text(
            "You have a new invoice from {firm}",
            "Hello {name},\n\nyou have a new invoice from {firm}: {number}, {amount}.\n"
            "View and pay: {link}\n\n{firm}",
        ),
        "pl": Text(
            "Masz nowy dokument do zapłaty od {firm}",
            "Dzień dobry {name},\n\nmasz nowy dokument do zapłaty od {firm}: {number}, "
            "{amount}.\nZobacz i zapłać: {link}\n\n{firm}",
        ),
        "es": Text(
            "Tiene una nueva factura de {firm}",
            "Hola, {name}:\n\ntiene una nueva factura de {firm}: {number}, {amount}.\n"
            "Véala y páguela: {link}\n\n{firm}",
        ),
        "ru": Text(
            "У вас новый счёт от {firm}",
            "Здравствуйте, {name}!\n\nу вас новый счёт от {firm}: {number}, {amount}.\n"
            "Посмотреть и оплатить: {link}\n\n{firm}",
        ),
    },
    PAYMENT_RECEIVED: {
        "en": Text(
            "Payment received",
            "Hello {name},\n\nwe received your payment of {amount}. Receipt no. {number} "
            "is in your portal: {link}\n\n{firm}",
        ),
        "pl": Text(
            "Płatność otrzymana",
            "Dzień dobry {name},\n\notrzymaliśmy Twoją płatność {amount}. Potwierdzenie nr "
            "{number} jest w portalu: {link}\n\n{firm}",
        ),
        "es": Text(
            "Pago recibido",
            "Hola, {name}:\n\nhemos recibido su pago de {amount}. El recibo n.º {number} "
            "está en su portal: {link}\n\n{firm}",
        ),
        "ru": Text(
            "Платёж получен",
            "Здравствуйте, {name}!\n\nмы получили ваш платёж на сумму {amount}. Квитанция "
            "№ {number} в вашем кабинете: {link}\n\n{firm}",
        ),
    },
    PAYMENT_DISPUTED: {
        "en": Text(
            "A payment was disputed",
            "Hello {name},\n\nthe card holder disputed a payment of {amount} (receipt {number})."
            "\nReminders for the documents it paid are paused. Gather the evidence (the "
            "engagement terms, the invoice, proof the work was done, your messages with the "
            "client) and answer in the Stripe dashboard before the deadline it shows.\n"
            "The client's billing: {link}\n\n{firm}",
        ),
        "pl": Text(
            "Płatność została zakwestionowana",
            "Dzień dobry {name},\n\nposiadacz karty zakwestionował płatność {amount} "
            "(potwierdzenie {number}).\nPrzypomnienia o opłaconych nią dokumentach są "
            "wstrzymane. Zbierz dowody (warunki zlecenia, fakturę, dowód wykonania pracy, "
            "korespondencję z klientem) i odpowiedz w panelu Stripe przed podanym tam "
            "terminem.\nRozliczenia klienta: {link}\n\n{firm}",
        ),
        "es": Text(
            "Se ha disputado un pago",
            "Hola, {name}:\n\nel titular de la tarjeta ha disputado un pago de {amount} "
            "(recibo {number}).\nLos recordatorios de los documentos que pagó están en "
            "pausa. Reúna las pruebas (las condiciones del encargo, la factura, la prueba del "
            "trabajo hecho, sus mensajes con el cliente) y responda en el panel de Stripe "
            "antes del plazo que indica.\nFacturación del cliente: {link}\n\n{firm}",
        ),
        "ru": Text(
            "Платёж оспорен",
            "Здравствуйте, {name}!\n\nдержатель карты оспорил платёж на сумму {amount} "
            "(квитанция {number}).\nНапоминания по оплаченным им документам приостановлены. "
            "Соберите доказательства (условия поручения, счёт, подтверждение выполненной "
            "работы, переписку с клиентом) и ответьте в панели Stripe до указанного там "
            "срока.\nРасчёты клиента: {link}\n\n{firm}",
        ),
    },
    FEE_NOTICE: {
        "en": Text(
            "A cancellation fee from {firm}",
            "Hello {name},\n\nunder the terms you accepted when booking, {firm} asks for a "
            "late cancellation fee of {amount}.\nView and pay: {link}\n\n{firm}",
        ),
        "pl": Text(
            "Opłata za późne odwołanie od {firm}",
            "Dzień dobry {name},\n\nzgodnie z warunkami przyjętymi przy rezerwacji {firm} "
            "prosi o opłatę za późne odwołanie wizyty: {amount}.\nZobacz i zapłać: {link}"
            "\n\n{firm}",
        ),
        "es": Text(
            "Una tarifa de cancelación de {firm}",
            "Hola, {name}:\n\nsegún las condiciones que aceptó al reservar, {firm} le pide "
            "una tarifa por cancelación tardía de {amount}.\nVer y pagar: {link}\n\n{firm}",
        ),
        "ru": Text(
            "Плата за позднюю отмену от {firm}",
            "Здравствуйте, {name}!\n\nпо условиям, принятым вами при записи, {firm} просит "
            "оплатить позднюю отмену: {amount}.\nПосмотреть и оплатить: {link}\n\n{firm}",
        ),
    },
    REQUEST_NOTICE: {
        "en": Text(
            "A payment request from {firm}",
            "Hello {name},\n\n{firm} asks you to pay {amount}.\nView and pay: {link}\n\n{firm}",
        ),
        "pl": Text(
            "Prośba o płatność od {firm}",
            "Dzień dobry {name},\n\n{firm} prosi o zapłatę {amount}.\nZobacz i zapłać: {link}"
            "\n\n{firm}",
        ),
        "es": Text(
            "Una solicitud de pago de {firm}",
            "Hola, {name}:\n\n{firm} le pide que pague {amount}.\nVer y pagar: {link}\n\n{firm}",
        ),
        "ru": Text(
            "Запрос на оплату от {firm}",
            "Здравствуйте, {name}!\n\n{firm} просит вас оплатить {amount}.\n"
            "Посмотреть и оплатить: {link}\n\n{firm}",
        ),
    },
    SLOT_LOST_NOTICE: {
        "en": Text(
            "We couldn't keep the time you picked",
            "Hello {name},\n\nwe couldn't keep the time you picked: your payment of "
            "{amount} arrived after it was released. Your payment is being refunded in full."
            "\nPick a new time: {link}\n\n{firm}",
        ),
        "pl": Text(
            "Nie mogliśmy zachować wybranego terminu",
            "Dzień dobry {name},\n\nnie mogliśmy zachować wybranego terminu: płatność "
            "{amount} dotarła po jego zwolnieniu. Zwracamy całą kwotę.\nWybierz nowy termin:"
            " {link}\n\n{firm}",
        ),
        "es": Text(
            "No pudimos mantener la hora que eligió",
            "Hola, {name}:\n\nno pudimos mantener la hora que eligió: su pago de {amount} "
            "llegó después de que se liberara. Le devolvemos el importe completo.\nElija una "
            "nueva hora: {link}\n\n{firm}",
        ),
        "ru": Text(
            "Мы не смогли сохранить выбранное время",
            "Здравствуйте, {name}!\n\nмы не смогли сохранить выбранное вами время: платёж "
            "на сумму {amount} пришёл после того, как оно освободилось. Мы возвращаем всю "
            "сумму.\nВыберите новое время: {link}\n\n{firm}",
        ),
    },
    SLOT_LOST_STAFF_NOTICE: {
        "en": Text(
            "A late booking payment is being refunded",
            "Hello {name},\n\na payment of {amount} for a booking arrived after its held "
            "time had gone to another booking. It is being refunded in full automatically and "
            "the client was asked to pick a new time.\nThe client's billing: {link}\n\n{firm}",
        ),
        "pl": Text(
            "Spóźniona płatność za rezerwację jest zwracana",
            "Dzień dobry {name},\n\npłatność {amount} za rezerwację dotarła, gdy "
            "zatrzymany termin był już zajęty przez inną rezerwację. Kwota jest zwracana "
            "automatycznie w całości, a klient został poproszony o wybór nowego terminu.\n"
            "Rozliczenia klienta: {link}\n\n{firm}",
        ),
        "es": Text(
            "Se está devolviendo un pago de reserva tardío",
            "Hola, {name}:\n\nun pago de {amount} por una reserva llegó cuando la hora "
            "retenida ya era de otra reserva. Se devuelve completo automáticamente y se ha "
            "pedido al cliente que elija una nueva hora.\nFacturación del cliente: {link}"
            "\n\n{firm}",
        ),
        "ru": Text(
            "Поздний платёж за запись возвращается",
            "Здравствуйте, {name}!\n\nплатёж на сумму {amount} за запись пришёл, когда "
            "удерживаемое время уже заняла другая запись. Он автоматически возвращается "
            "полностью, а клиента попросили выбрать новое время.\nРасчёты клиента: {link}"
            "\n\n{firm}",
        ),
    },
    PaymentReminder.NOTICE_EVENT: {
        "en": Text(
            "Payment reminder from {firm}",
            "Hello {name},\n\na reminder from {firm}: {amount} to pay (documents: {count}; "
            "the earliest due on {due}).\nView and pay: {link}\n\nIf you have paid already, "
            "thank you, and please ignore this message.\n\n{firm}",
        ),
        "pl": Text(
            "Przypomnienie o płatności od {firm}",
            "Dzień dobry {name},\n\nprzypominamy: {amount} do zapłaty (dokumenty: {count}; "
            "najwcześniejszy termin {due}).\nZobacz i zapłać: {link}\n\nJeśli płatność "
            "została już wykonana, dziękujemy i prosimy zignorować tę wiadomość.\n\n{firm}",
        ),
        "es": Text(
            "Recordatorio de pago de {firm}",
            "Hola, {name}:\n\nle recordamos que tiene {amount} pendiente de pago "
            "(documentos: {count}; el primer vencimiento es el {due}).\nVer y pagar: {link}"
            "\n\nSi ya ha pagado, gracias, y no tenga en cuenta este mensaje.\n\n{firm}",
        ),
        "ru": Text(
            "Напоминание об оплате от {firm}",
            "Здравствуйте, {name}!\n\nнапоминаем: к оплате {amount} (документов: {count}; "
            "ближайший срок {due}).\nПосмотреть и оплатить: {link}\n\nЕсли вы уже оплатили, "
            "спасибо, и не обращайте внимания на это письмо.\n\n{firm}",
        ),
    },
}
SMS: dict[str, dict[str, str]] = {
    INVOICE_ISSUED: {
        "en": "{firm}: you have a new invoice ({amount}). View and pay: {link}",
        "pl": "{firm}: nowy dokument do zapłaty ({amount}). Zobacz i zapłać: {link}",
        "es": "{firm}: tiene una nueva factura ({amount}). Para verla y pagarla: {link}",
        "ru": "{firm}: новый счёт ({amount}). Посмотреть и оплатить: {link}",
    },
    PAYMENT_RECEIVED: {
        "en": "{firm}: payment of {amount} received. Receipt: {link}",
        "pl": "{firm}: otrzymaliśmy płatność {amount}. Potwierdzenie: {link}",
        "es": "{firm}: pago de {amount} recibido. Recibo: {link}",
        "ru": "{firm}: платёж {amount} получен. Квитанция: {link}",
    },
    PAYMENT_DISPUTED: {
        "en": "{firm}: a payment of {amount} was disputed. {link}",
        "pl": "{firm}: zakwestionowano płatność {amount}. {link}",
        "es": "{firm}: se ha disputado un pago de {amount}. {link}",
        "ru": "{firm}: оспорен платёж {amount}. {link}",
    },
    FEE_NOTICE: {
        "en": "{firm}: late cancellation fee, {amount}. View and pay: {link}",
        "pl": "{firm}: opłata za późne odwołanie, {amount}. Zobacz i zapłać: {link}",
        "es": "{firm}: tarifa por cancelar tarde, {amount}. Ver y pagar: {link}",
        "ru": "{firm}: плата за позднюю отмену, {amount}. Оплатить: {link}",
    },
    REQUEST_NOTICE: {
        "en": "{firm}: payment request, {amount}. View and pay: {link}",
        "pl": "{firm}: prośba o płatność, {amount}. Zobacz i zapłać: {link}",
        "es": "{firm}: solicitud de pago, {amount}. Ver y pagar: {link}",
        "ru": "{firm}: запрос на оплату, {amount}. Оплатить: {link}",
    },
    SLOT_LOST_NOTICE: {
        "en": "{firm}: we couldn't keep your time; {amount} is being refunded. New time: {link}",
        "pl": "{firm}: termin zajęty; zwracamy {amount}. Wybierz nowy termin: {link}",
        "es": "{firm}: la hora ya no esta libre; devolvemos {amount}. Nueva hora: {link}",
        "ru": "{firm}: время занято; {amount} возвращается. Новое время: {link}",
    },
    SLOT_LOST_STAFF_NOTICE: {
        "en": "{firm}: a late booking payment of {amount} is being refunded. {link}",
        "pl": "{firm}: spóźniona płatność {amount} za rezerwację jest zwracana. {link}",
        "es": "{firm}: se devuelve un pago tardio de reserva de {amount}. {link}",
        "ru": "{firm}: поздний платёж {amount} за запись возвращается. {link}",
    },
    PaymentReminder.NOTICE_EVENT: {
        "en": "{firm}: reminder, {amount} to pay. View and pay: {link}",
        "pl": "{firm}: przypomnienie, {amount} do zapłaty. Zobacz i zapłać: {link}",
        "es": "{firm}: recordatorio, {amount} pendiente de pago. Ver y pagar: {link}",
        "ru": "{firm}: напоминание, к оплате {amount}. Посмотреть и оплатить: {link}",
    },
}
# Text messages name the currency by its code (format_money_sms), as the sample does.
SAMPLE = {"number": "FV/2026/0012", "amount": "350,00 PLN"}
REMINDER_SAMPLE = {"amount": "350,00 PLN", "count": "1", "due": "3 March 2026"}
REMINDER_REASONS = {
    "paid": _("paid"),
    "payment processing": _("payment processing"),
    "dispute open": _("dispute open"),
    "waiting for today's plan": _("waiting for today's reminder plan"),
    "no portal account": _("no portal account"),
}
# A digest from an earlier day waits this long for today's planner run (which would fold
# it into today's digest) before it goes out anyway.
LATE_WAIT = dt.timedelta(minutes=15)
PLANNER_GRACE = dt.timedelta(hours=2)


def _by_key(model: type[M], about: str, kind: str) -> M | None:
    pk = key_id(about, kind)
    if pk is None:
        return None
    return model._default_manager.filter(pk=pk).first()


def _values(row: Notification, ctx: SendContext) -> tuple[dict[str, str], str, str]:
    user = row.recipient
    if user is None or not user.is_active:
        raise Suppress("account disabled")
    recipient = portal_selectors.user_recipient(user)
    to = address_for(recipient, row.channel)
    postpone_sms_in_quiet_hours(recipient, row.channel, ctx.now)
    firm = ctx.remember("firm", portal_selectors.firm_get)
    return {"firm": firm.name, "name": recipient.name}, to, recipient.language


def _amount(
    row: Notification | PaymentReminder, amount: Decimal, currency: str, language: str
) -> str:
    if row.channel == Channel.SMS:
        return format_money_sms(amount, currency, language)
    return format_money(amount, currency, language)


def _send(
    row: Notification | PaymentReminder,
    ctx: SendContext,
    *,
    event: str,
    to: str,
    language: str,
    values: dict[str, str],
) -> Outgoing:
    subject, body = render(ctx, event=event, channel=row.channel, language=language, values=values)
    return outgoing(row, to=to, subject=subject, body=body)


def compose_invoice_issued(row: Notification, ctx: SendContext) -> Outgoing:
    values, to, language = _values(row, ctx)
    invoice = _by_key(Invoice, row.about, "invoice")
    if invoice is None or not invoice.is_issued:
        raise Suppress("no longer needed")
    values.update(
        number=invoice.number or "",
        amount=_amount(row, invoice.balance or invoice.total, invoice.currency, language),
        link=absolute_url(reverse("billing:portal-invoice", args=[invoice.pk])),
    )
    return _send(row, ctx, event=row.event, to=to, language=language, values=values)


def compose_payment_received(row: Notification, ctx: SendContext) -> Outgoing:
    values, to, language = _values(row, ctx)
    payment = _by_key(Payment, row.about, "payment")
    if payment is None:
        raise Suppress("no longer needed")
    values.update(
        number=payment.receipt_number or "",
        amount=_amount(row, payment.amount, payment.currency, language),
        link=absolute_url(reverse("billing:portal-invoices")),
    )
    return _send(row, ctx, event=row.event, to=to, language=language, values=values)


def compose_payment_disputed(row: Notification, ctx: SendContext) -> Outgoing:
    """The staff alert of a dispute, while the payment is still disputed."""
    values, to, language = _values(row, ctx)
    payment = _by_key(Payment, row.about, "payment")
    if payment is None or payment.status != Payment.Status.DISPUTED:
        raise Suppress("no longer needed")
    values.update(
        number=payment.receipt_number or "",
        amount=_amount(row, payment.amount, payment.currency, language),
        link=absolute_url(reverse("billing:staff-contact-billing", args=[payment.contact_id])),
    )
    return _send(row, ctx, event=row.event, to=to, language=language, values=values)


def _contact_values(
    row: Notification, ctx: SendContext, contact: Contact
) -> tuple[dict[str, str], str, str]:
    """A notice to a contact who may have no login (a booker): their addresses."""
    recipient = portal_selectors.contact_recipient(contact)
    to = address_for(recipient, row.channel)
    postpone_sms_in_quiet_hours(recipient, row.channel, ctx.now)
    firm = ctx.remember("firm", portal_selectors.firm_get)
    return {"firm": firm.name, "name": recipient.name}, to, recipient.language


def compose_cancellation_fee(row: Notification, ctx: SendContext) -> Outgoing:
    """A fee's (or a staff request's) notice: the firm, the amount and the pay link;
    nothing once it is paid or cancelled."""
    request = _by_key(PaymentRequest, row.about, "request")
    if request is None or request.status != PaymentRequest.Status.OPEN:
        raise Suppress("no longer needed")
    values, to, language = _contact_values(row, ctx, request.contact)
    values.update(
        amount=_amount(row, request.amount, request.currency, language),
        link=absolute_url(fee_link(request)),
    )
    return _send(row, ctx, event=row.event, to=to, language=language, values=values)


def _slot_lost_payment(row: Notification) -> Payment:
    payment = _by_key(Payment, row.about, "payment")
    if payment is None:
        raise Suppress("no longer needed")
    return payment


def compose_slot_lost(row: Notification, ctx: SendContext) -> Outgoing:
    """To the booker whose late payment found the time taken: refunded, pick again."""
    payment = _slot_lost_payment(row)
    values, to, language = _contact_values(row, ctx, payment.contact)
    rows = scheduling_selectors.appointments_by_ids(ids=[row.context.get("appointment")])
    values.update(
        amount=_amount(row, payment.amount, payment.currency, language),
        link=(
            scheduling_selectors.appointment_rebook_link(appointment=rows[0])
            if rows
            else absolute_url("/")
        ),
    )
    return _send(row, ctx, event=row.event, to=to, language=language, values=values)


def compose_slot_lost_staff(row: Notification, ctx: SendContext) -> Outgoing:
    """The firm admins' alert of the same."""
    payment = _slot_lost_payment(row)
    values, to, language = _values(row, ctx)
    values.update(
        amount=_amount(row, payment.amount, payment.currency, language),
        link=absolute_url(reverse("billing:staff-contact-billing", args=[payment.contact_id])),
    )
    return _send(row, ctx, event=row.event, to=to, language=language, values=values)


def compose_payment_reminder(row: PaymentReminder, ctx: SendContext) -> Outgoing:
    """The digest: the total still open per currency over the documents it lists, as they
    are now; nothing when all of them are paid, being confirmed or disputed."""
    contact = row.contact
    user = contact.user
    if user is None or not user.is_active:
        raise Suppress("no portal account")
    today = firm_today(ctx.now)
    if row.step_key < today.isoformat():
        # A digest left from an earlier day: today's plan may fold it into a newer one.
        planned = ctx.remember("billing_reminders_planned", _planned_at)
        planned_today = planned is not None and firm_today(planned) == today
        if not planned_today and ctx.now - row.due_at < PLANNER_GRACE + dt.timedelta(days=1):
            raise Postpone(ctx.now + LATE_WAIT, "waiting for today's plan")
    invoices = list(
        Invoice.objects.filter(
            pk__in=row.invoice_ids,
            contact_id=contact.pk,
            lifecycle=Invoice.Lifecycle.ISSUED,
            balance__gt=0,
        ).order_by("due_date")
    )
    blocked = reminder_blocked_invoices([i.pk for i in invoices])
    requests = list(remindable_requests().filter(pk__in=row.request_ids, contact_id=contact.pk))
    confirming = reminder_blocked_requests([r.pk for r in requests])
    open_: list[Invoice | PaymentRequest] = [
        i for i in invoices if i.pk not in blocked["processing"] and i.pk not in blocked["disputed"]
    ]
    open_ += [r for r in requests if r.pk not in confirming]
    if not open_:
        if blocked["disputed"]:
            raise Suppress("dispute open")
        if blocked["processing"] or confirming:
            raise Suppress("payment processing")
        raise Suppress("paid")
    open_.sort(key=lambda item: item.due_date or today)
    recipient = portal_selectors.contact_recipient(contact)
    to = address_for(recipient, row.channel)
    postpone_sms_in_quiet_hours(recipient, row.channel, ctx.now)
    language = recipient.language
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for item in open_:
        # per currency, never across; a request is due in full (no part-payments)
        totals[item.currency] += item.balance if isinstance(item, Invoice) else item.amount
    firm = ctx.remember("firm", portal_selectors.firm_get)
    values = {
        "firm": firm.name,
        "name": recipient.name,
        "amount": "; ".join(
            _amount(row, amount, currency, language) for currency, amount in sorted(totals.items())
        ),
        "count": str(len(open_)),
        "due": format_long_date(open_[0].due_date or today, language=language),
        "link": absolute_url(reverse("billing:portal-invoices")),
    }
    return _send(row, ctx, event=row.NOTICE_EVENT, to=to, language=language, values=values)


def _planned_at() -> dt.datetime | None:
    return billing_settings_get().reminders_planned_at


NOTICES = [
    Notice(
        event=INVOICE_ISSUED,
        label=_("New invoice"),
        compose=compose_invoice_issued,
        placeholders=(*COMMON_PLACEHOLDERS, "number", "amount"),
        email=EMAIL[INVOICE_ISSUED],
        sms=SMS[INVOICE_ISSUED],
        sample=SAMPLE,
        select_related=("recipient__contact",),
    ),
    Notice(
        event=PAYMENT_RECEIVED,
        label=_("Payment received"),
        compose=compose_payment_received,
        placeholders=(*COMMON_PLACEHOLDERS, "number", "amount"),
        email=EMAIL[PAYMENT_RECEIVED],
        sms=SMS[PAYMENT_RECEIVED],
        sample=SAMPLE,
        select_related=("recipient__contact",),
    ),
    Notice(
        event=PAYMENT_DISPUTED,
        label=_("Payment disputed (staff)"),
        compose=compose_payment_disputed,
        placeholders=(*COMMON_PLACEHOLDERS, "number", "amount"),
        email=EMAIL[PAYMENT_DISPUTED],
        sms=SMS[PAYMENT_DISPUTED],
        sample=SAMPLE,
        select_related=("recipient__contact",),
    ),
    Notice(
        event=FEE_NOTICE,
        label=_("Late cancellation fee"),
        compose=compose_cancellation_fee,
        placeholders=(*COMMON_PLACEHOLDERS, "amount"),
        email=EMAIL[FEE_NOTICE],
        sms=SMS[FEE_NOTICE],
        sample=SAMPLE,
    ),
    Notice(
        event=REQUEST_NOTICE,
        label=_("Payment request"),
        compose=compose_cancellation_fee,
        placeholders=(*COMMON_PLACEHOLDERS, "amount"),
        email=EMAIL[REQUEST_NOTICE],
        sms=SMS[REQUEST_NOTICE],
        sample=SAMPLE,
    ),
    Notice(
        event=SLOT_LOST_NOTICE,
        label=_("Time lost, payment refunded"),
        compose=compose_slot_lost,
        placeholders=(*COMMON_PLACEHOLDERS, "amount"),
        email=EMAIL[SLOT_LOST_NOTICE],
        sms=SMS[SLOT_LOST_NOTICE],
        sample=SAMPLE,
    ),
    Notice(
        event=SLOT_LOST_STAFF_NOTICE,
        label=_("Late booking payment refunded (staff)"),
        compose=compose_slot_lost_staff,
        placeholders=(*COMMON_PLACEHOLDERS, "amount"),
        email=EMAIL[SLOT_LOST_STAFF_NOTICE],
        sms=SMS[SLOT_LOST_STAFF_NOTICE],
        sample=SAMPLE,
        select_related=("recipient__contact",),
    ),
    Notice(
        event=PaymentReminder.NOTICE_EVENT,
        label=_("Payment reminder"),
        compose=compose_payment_reminder,
        placeholders=(*COMMON_PLACEHOLDERS, "amount", "count", "due"),
        email=EMAIL[PaymentReminder.NOTICE_EVENT],
        sms=SMS[PaymentReminder.NOTICE_EVENT],
        sample=REMINDER_SAMPLE,
    ),
]


def register() -> None:
    for notice in NOTICES:
        registry.register(notice)
    registry.register_outbox(PaymentReminder)
    register_reasons(REMINDER_REASONS)
