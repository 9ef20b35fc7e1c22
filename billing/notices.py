"""Billing's notices: "you have a new invoice" and "payment received". Content-free: the
firm, an amount or a document number and one link; never a matter title or a line.
Registered in BillingConfig.ready()."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice, Payment
from billing.money import format_money, format_money_sms
from billing.services.invoices import INVOICE_ISSUED
from billing.services.payments import PAYMENT_RECEIVED
from core.links import absolute_url
from notifications import registry
from notifications.channels import Channel, Outgoing
from notifications.compose import address_for, outgoing, postpone_sms_in_quiet_hours, render
from notifications.outbox import Suppress, key_id
from notifications.registry import COMMON_PLACEHOLDERS, Notice, SendContext, Text
from portal import selectors as portal_selectors

if TYPE_CHECKING:
    from decimal import Decimal

    from notifications.models import Notification


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
}
# Text messages name the currency by its code (format_money_sms), as the sample does.
SAMPLE = {"number": "FV/2026/0012", "amount": "350,00 PLN"}


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


def _amount(row: Notification, amount: Decimal, currency: str, language: str) -> str:
    if row.channel == Channel.SMS:
        return format_money_sms(amount, currency, language)
    return format_money(amount, currency, language)


def compose_invoice_issued(row: Notification, ctx: SendContext) -> Outgoing:
    values, to, language = _values(row, ctx)
    invoice = _by_key(Invoice, row.about, "invoice")
    if invoice is None or not invoice.is_issued:
        raise Suppress("no longer needed")
    values.update(
        number=invoice.number or "",
        amount=_amount(row, invoice.total, invoice.currency, language),
        link=absolute_url(reverse("billing:portal-invoice", args=[invoice.pk])),
    )
    subject, body = render(
        ctx, event=row.event, channel=row.channel, language=language, values=values
    )
    return outgoing(row, to=to, subject=subject, body=body)


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
    subject, body = render(
        ctx, event=row.event, channel=row.channel, language=language, values=values
    )
    return outgoing(row, to=to, subject=subject, body=body)


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
]


def register() -> None:
    for notice in NOTICES:
        registry.register(notice)
