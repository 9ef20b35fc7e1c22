"""Billing: settings, tax rates, number series, invoices (and payment requests), credit
notes, payments with their allocations and receipts, the operating-credit ledger, and the
Stripe rail (payment attempts, received events, refunds). Spec: shared/specs/billing.md.

Money is a ``Decimal(12, 2)`` beside the document's ISO 4217 code; amounts of different
currencies are never added. Issued documents never change (``save()`` refuses, and the
services only ever update the cached settlement columns through ``QuerySet.update``).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.validators import validate_plain_text
from notifications.outbox import Delivery

ZERO = Decimal("0.00")
REMINDERS_PER_ITEM = 6
REMINDER_REPEAT_DAYS = 14


def _money(verbose: Any, **kwargs: Any) -> models.DecimalField[Any, Any]:
    return models.DecimalField(verbose, max_digits=12, decimal_places=2, default=ZERO, **kwargs)


class ImmutableError(Exception):
    """An issued document, a payment or a ledger entry cannot be changed."""


# ---------------------------------------------------------------------------
# Settings, tax rates, number series
# ---------------------------------------------------------------------------


class BillingSettings(models.Model):
    """The firm's billing settings (one row, pk=1 like ``Firm``)."""

    class Jurisdiction(models.TextChoices):
        PL = "PL", _("Poland")
        ES = "ES", _("Spain")
        GENERIC_EU = "GENERIC_EU", _("Other EU country")
        UK_SRA = "UK_SRA", _("England and Wales (SRA)")
        US_IOLTA = "US_IOLTA", _("United States (IOLTA)")
        GENERIC = "GENERIC", _("Other")

    class LegalInvoiceMode(models.TextChoices):
        EXTERNAL = "EXTERNAL", _("Payment requests; the legal invoice comes from accounting")
        INTERNAL = "INTERNAL", _("Atrium's invoice is the legal invoice")

    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=12, choices=Jurisdiction.choices, default=Jurisdiction.PL
    )
    legal_invoice_mode = models.CharField(
        _("documents"),
        max_length=10,
        choices=LegalInvoiceMode.choices,
        default=LegalInvoiceMode.EXTERNAL,
    )
    default_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), default=14, validators=[MaxValueValidator(365)]
    )
    tax_rounding = models.CharField(
        _("tax rounding"),
        max_length=16,
        choices=[("PER_RATE_GROUP", _("Per tax rate")), ("PER_LINE", _("Per line"))],
        default="PER_RATE_GROUP",
    )
    reminder_cadence = models.CharField(
        _("payment reminders (days from the due date)"), max_length=60, default="-3,0,3,7,14"
    )
    refund_second_approval_above = models.DecimalField(
        _("refunds above this need a second approval"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("1000.00"),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("In the firm's currency; refunds in other currencies always need one."),
    )
    partial_payment_minimum = models.DecimalField(
        _("smallest part-payment clients may make online"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("50.00"),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Empty: clients pay the whole balance of an invoice online, never a part."),
    )
    seller_name = models.CharField(
        _("seller name on documents"), max_length=200, blank=True, validators=[validate_plain_text]
    )
    seller_address = models.TextField(
        _("seller address"), max_length=500, blank=True, validators=[validate_plain_text]
    )
    seller_tax_id = models.CharField(_("seller tax id"), max_length=32, blank=True)
    bank_iban = models.CharField(_("bank account (IBAN)"), max_length=42, blank=True)
    bank_bic = models.CharField(_("BIC"), max_length=11, blank=True)
    # When the payment-reminder planner last ran (a late digest waits for today's plan).
    reminders_planned_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("billing settings")
        verbose_name_plural = _("billing settings")
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(pk=1), name="billing_settings_singleton"),
        ]

    def __str__(self) -> str:
        return str(_("Billing settings"))

    @property
    def issues_payment_requests(self) -> bool:
        return self.legal_invoice_mode == self.LegalInvoiceMode.EXTERNAL

    def cadence(self) -> list[int]:
        steps = []
        for part in self.reminder_cadence.split(","):
            part = part.strip()
            if part.lstrip("-").isdigit():
                steps.append(int(part))
        return sorted(set(steps))

    def reminder_steps(self) -> list[int]:
        """Days from the due date an item is reminded on: the cadence, then every
        ``REMINDER_REPEAT_DAYS`` after its last step, at most ``REMINDERS_PER_ITEM`` in all."""
        steps = self.cadence()[:REMINDERS_PER_ITEM]
        while steps and len(steps) < REMINDERS_PER_ITEM:
            steps.append(steps[-1] + REMINDER_REPEAT_DAYS)
        return steps


class TaxRate(models.Model):
    """A tax rate staff pick per line. A rate that has been used is never edited: lines
    keep a snapshot of the code and percentage, and a change is a new row."""

    name = models.CharField(_("name"), max_length=60, validators=[validate_plain_text])
    code = models.CharField(_("code"), max_length=8)
    rate = models.DecimalField(
        _("rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("99.99"))],
    )
    inclusive = models.BooleanField(_("prices include the tax"), default=False)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "-rate"]
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")

    def __str__(self) -> str:
        return self.name


class NumberSeries(models.Model):
    """A gapless numbering series: the number is taken in the issuing transaction under
    ``select_for_update()`` on this row; the documents' unique numbers back it up."""

    class Kind(models.TextChoices):
        INVOICE = "INVOICE", _("Invoices")
        PAYMENT_REQUEST = "PAYMENT_REQUEST", _("Payment requests")
        CREDIT_NOTE = "CREDIT_NOTE", _("Credit notes")
        RECEIPT = "RECEIPT", _("Receipts")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, unique=True)
    pattern = models.CharField(_("pattern"), max_length=40)
    reset = models.CharField(
        _("start again"),
        max_length=8,
        choices=[("YEARLY", _("every year")), ("MONTHLY", _("every month")), ("NEVER", _("never"))],
        default="YEARLY",
    )
    period_key = models.CharField(max_length=7, blank=True)
    next_value = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pattern}"


# ---------------------------------------------------------------------------
# Invoices and credit notes
# ---------------------------------------------------------------------------


class Invoice(models.Model):
    """An invoice, or in EXTERNAL mode a payment request (pro forma) that says it is not
    a VAT invoice. A draft has no number; issuing numbers it and freezes it."""

    class Document(models.TextChoices):
        INVOICE = "INVOICE", _("Invoice")
        PAYMENT_REQUEST = "PAYMENT_REQUEST", _("Payment request")

    class Lifecycle(models.TextChoices):
        DRAFT = "DRAFT", _("Draft")
        ISSUED = "ISSUED", _("Issued")
        DISCARDED = "DISCARDED", _("Discarded")
        # Cancelled before it was sent (INTERNAL mode where the profile allows it): the
        # number stays used in the series and the document is stamped "VOID".
        VOID = "VOID", pgettext_lazy("invoice", "Void")

    class Settlement(models.TextChoices):
        UNPAID = "UNPAID", _("Unpaid")
        PARTIAL = "PARTIAL", _("Partly paid")
        PAID = "PAID", _("Paid")
        CREDITED = "CREDITED", _("Credited")

    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        Lifecycle.DRAFT: (Lifecycle.ISSUED, Lifecycle.DISCARDED),
        Lifecycle.ISSUED: (Lifecycle.VOID,),
        Lifecycle.DISCARDED: (),
        Lifecycle.VOID: (),
    }
    # An appointment has at most one document in these states (a discarded draft frees it).
    BILLED_LIFECYCLES: ClassVar[tuple[str, ...]] = (Lifecycle.DRAFT, Lifecycle.ISSUED)
    # Columns that may still change on an issued invoice: what payments, credits and the
    # legal-invoice attachment move. Everything printed on it is frozen.
    MUTABLE_WHEN_ISSUED: ClassVar[frozenset[str]] = frozenset(
        {
            "settlement",
            "allocated_total",
            "credited_total",
            "refunded_total",
            "balance",
            "external_number",
            "external_pdf",
            "first_viewed_at",
            "last_reminder_step",
            "reminders_sent",
        }
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.CharField(max_length=16, choices=Document.choices, default=Document.INVOICE)
    # NULL until issued: drafts share no number, issued ones are unique per document kind.
    number = models.CharField(_("number"), max_length=64, null=True, blank=True)  # noqa: DJ001
    lifecycle = models.CharField(
        _("status"), max_length=10, choices=Lifecycle.choices, default=Lifecycle.DRAFT
    )
    settlement = models.CharField(
        _("payment"), max_length=10, choices=Settlement.choices, default=Settlement.UNPAID
    )
    contact = models.ForeignKey("portal.Contact", on_delete=models.PROTECT, related_name="invoices")
    matter = models.ForeignKey(
        "portal.Matter", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
    )
    currency = models.CharField(_("currency"), max_length=3)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    due_date = models.DateField(_("due date"))
    language = models.CharField(_("language"), max_length=5)
    seller_snapshot = models.JSONField(default=dict, blank=True)
    buyer_snapshot = models.JSONField(default=dict, blank=True)
    tax_rounding = models.CharField(max_length=16, default="PER_RATE_GROUP")
    subtotal = _money(_("net"))
    tax_total = _money(_("tax"))
    total = _money(_("total"))
    allocated_total = _money(_("paid"))
    credited_total = _money(_("credited"))
    # Refunds of payments allocated to this invoice (each comes with its credit note).
    refunded_total = _money(_("refunded"))
    balance = _money(_("balance"))
    client_note = models.TextField(
        _("note to the client"), max_length=1000, blank=True, validators=[validate_plain_text]
    )
    internal_note = models.TextField(
        _("internal note"), max_length=1000, blank=True, validators=[validate_plain_text]
    )
    content_sha256 = models.CharField(max_length=64, blank=True)
    pdf = models.FileField(upload_to="billing/", blank=True)
    external_number = models.CharField(
        _("legal invoice number"), max_length=64, blank=True, validators=[validate_plain_text]
    )
    external_pdf = models.FileField(upload_to="billing/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    first_viewed_at = models.DateTimeField(null=True, blank=True)
    last_reminder_step = models.CharField(max_length=10, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    void_reason = models.CharField(
        _("reason for voiding"), max_length=300, blank=True, validators=[validate_plain_text]
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        permissions: ClassVar = [
            ("issue_invoice", "Can issue invoices"),
            ("record_payment", "Can record bank transfers and cash"),
            ("refund", "Can refund payments"),
            ("void_invoice", "Can void issued invoices"),
            ("waive_fee", "Can waive late cancellation fees"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["contact", "due_date"]),
            models.Index(fields=["lifecycle", "settlement", "due_date"]),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["document", "number"],
                condition=models.Q(number__isnull=False),
                name="invoice_number_unique",
            ),
            models.CheckConstraint(
                # A discarded draft never had a number.
                condition=models.Q(lifecycle__in=("DRAFT", "DISCARDED"))
                | models.Q(number__isnull=False),
                name="invoice_issued_has_number",
            ),
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="invoice_balance_not_negative"
            ),
            models.UniqueConstraint(
                fields=["appointment"],
                condition=models.Q(lifecycle__in=("DRAFT", "ISSUED")),
                name="invoice_one_per_appointment",
            ),
        ]

    def __str__(self) -> str:
        return self.number or str(_("Draft"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values_list("lifecycle", flat=True)
            previous = stored.first()
            if previous is not None and previous != self.Lifecycle.DRAFT:
                fields = kwargs.get("update_fields")
                if fields is None or not set(fields) <= self.MUTABLE_WHEN_ISSUED:
                    raise ImmutableError("an issued invoice never changes; issue a credit note")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.lifecycle != self.Lifecycle.DRAFT:
            raise ImmutableError("an issued invoice is never deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.lifecycle == self.Lifecycle.DRAFT

    @property
    def is_issued(self) -> bool:
        return self.lifecycle == self.Lifecycle.ISSUED

    @property
    def is_void(self) -> bool:
        return self.lifecycle == self.Lifecycle.VOID

    @property
    def is_payment_request(self) -> bool:
        return self.document == self.Document.PAYMENT_REQUEST

    @property
    def is_open(self) -> bool:
        return self.is_issued and self.balance > 0

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()

    @property
    def title(self) -> str:
        return str(self.get_document_display())


class InvoiceLine(models.Model):
    class Kind(models.TextChoices):
        FEE = "FEE", _("Fee")
        EXPENSE = "EXPENSE", _("Expense")
        DISBURSEMENT = "DISBURSEMENT", _("Disbursement")
        DISCOUNT = "DISCOUNT", _("Discount")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.FEE)
    description = models.CharField(
        _("description"), max_length=200, validators=[validate_plain_text]
    )
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, blank=True, validators=[validate_plain_text])
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    tax_rate = models.ForeignKey(
        TaxRate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tax_rate_snapshot = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    tax_code_snapshot = models.CharField(max_length=8, blank=True)
    tax_inclusive_snapshot = models.BooleanField(default=False)
    net = _money(_("net"))
    tax = _money(_("tax"))
    gross = _money(_("gross"))

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self) -> str:
        return self.description


class CreditNote(models.Model):
    """A correction of an issued invoice: never more than is still creditable."""

    class Reason(models.TextChoices):
        CORRECTION = "CORRECTION", _("Correction")
        DISCOUNT = "DISCOUNT", _("Discount")
        WRITE_OFF = "WRITE_OFF", _("Write-off")
        REFUND = "REFUND", _("Refund")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(_("number"), max_length=64, unique=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True, validators=[validate_plain_text])
    issue_date = models.DateField(_("issue date"))
    currency = models.CharField(max_length=3)
    subtotal = _money(_("net"))
    tax_total = _money(_("tax"))
    total = _money(_("total"))
    content_sha256 = models.CharField(max_length=64, blank=True)
    pdf = models.FileField(upload_to="billing/", blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["issued_at"]
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(total__gt=0), name="credit_note_positive"),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and kwargs.get("update_fields") != ["pdf"]:
            raise ImmutableError("an issued credit note never changes")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError("an issued credit note is never deleted")


class CreditNoteLine(models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    invoice_line = models.ForeignKey(InvoiceLine, on_delete=models.PROTECT, related_name="credits")
    quantity = models.DecimalField(max_digits=10, decimal_places=3)
    net = _money(_("net"))
    tax = _money(_("tax"))
    gross = _money(_("gross"))

    class Meta:
        ordering = ["invoice_line__position", "pk"]

    def __str__(self) -> str:
        return f"{self.credit_note_id} {self.invoice_line_id}"


# ---------------------------------------------------------------------------
# Payments
# ---------------------------------------------------------------------------


class PaymentRequest(models.Model):
    """What a client is asked to pay online: an invoice's balance, a consultation fee.
    Amount and currency always come from this row, never from a form."""

    class Kind(models.TextChoices):
        INVOICE_BALANCE = "INVOICE_BALANCE", _("Invoice")
        CONSULTATION_FEE = "CONSULTATION_FEE", _("Consultation fee")
        CANCELLATION_FEE = "CANCELLATION_FEE", _("Late cancellation fee")
        # Staff ask for an amount of its own (an advance on court fees, say).
        OTHER = "OTHER", _("Payment request")

    class Status(models.TextChoices):
        OPEN = "OPEN", pgettext_lazy("status", "Open")
        PAID = "PAID", _("Paid")
        CANCELLED = "CANCELLED", _("Cancelled")
        EXPIRED = "EXPIRED", _("Expired")

    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        Status.OPEN: (Status.PAID, Status.CANCELLED, Status.EXPIRED),
        Status.PAID: (),
        Status.CANCELLED: (),
        # Money facts win: a payment that lands after a consultation hold lapsed.
        Status.EXPIRED: (Status.PAID,),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    contact = models.ForeignKey(
        "portal.Contact", on_delete=models.PROTECT, related_name="payment_requests"
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payment_requests",
    )
    amount = _money(_("amount"))
    currency = models.CharField(max_length=3)
    # A client may pay part of it (invoices, when the firm allows it; never fees), at
    # least min_amount; the invoice's balance stays the source of truth.
    allow_partial = models.BooleanField(default=False)
    min_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    expires_at = models.DateTimeField(null=True, blank=True)
    # A request on its own (a late-cancellation fee) is due by this date; payment
    # reminders follow it as they follow an invoice's (none without one).
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # What a staff-made request (OTHER) is for: shown behind its pay link, never in a notice.
    description = models.CharField(
        _("what it is for"), max_length=200, blank=True, validators=[validate_plain_text]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Staff may turn a request's payment reminders off (they follow its due date).
    reminders = models.BooleanField(_("send payment reminders"), default=True)
    last_reminder_step = models.CharField(max_length=10, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    # A fee staff waived (CANCELLED, with who, when and why): its pay link says so.
    waived_at = models.DateTimeField(null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waive_reason = models.CharField(
        _("reason for waiving"), max_length=300, blank=True, validators=[validate_plain_text]
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="request_positive"),
            models.CheckConstraint(
                condition=models.Q(waived_at__isnull=True) | models.Q(status="CANCELLED"),
                name="request_waived_is_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"

    @property
    def is_waived(self) -> bool:
        return self.waived_at is not None

    @property
    def is_fee(self) -> bool:
        """A late-cancellation fee (its pages speak of a fee; a staff-made request of a
        payment request, withdrawn rather than waived)."""
        return self.kind == self.Kind.CANCELLATION_FEE


# Requests of their own (no invoice): a pay link, the portal list, reminders by due date.
STANDALONE_KINDS = (PaymentRequest.Kind.CANCELLATION_FEE, PaymentRequest.Kind.OTHER)


class PaymentAttempt(models.Model):
    """One try to pay a request through Stripe Checkout (one session)."""

    class Status(models.TextChoices):
        CREATED = "CREATED", _("Created")
        OPEN = "OPEN", _("Waiting for the client")
        PROCESSING = "PROCESSING", _("Being confirmed")
        SUCCEEDED = "SUCCEEDED", _("Paid")
        FAILED = "FAILED", _("Failed")
        EXPIRED = "EXPIRED", _("Expired")
        CANCELED = "CANCELED", _("Replaced")

    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        Status.CREATED: (Status.OPEN, Status.FAILED),
        Status.OPEN: (
            Status.PROCESSING,
            Status.SUCCEEDED,
            Status.FAILED,
            Status.EXPIRED,
            Status.CANCELED,
        ),
        Status.PROCESSING: (Status.SUCCEEDED, Status.FAILED),
        Status.SUCCEEDED: (),
        # Money facts win: a re-fetched succeeded PaymentIntent still settles.
        Status.FAILED: (Status.SUCCEEDED,),
        Status.EXPIRED: (Status.SUCCEEDED,),
        Status.CANCELED: (Status.SUCCEEDED,),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(PaymentRequest, on_delete=models.PROTECT, related_name="attempts")
    provider = models.CharField(max_length=10, default="stripe")
    amount = _money(_("amount"))
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CREATED)
    checkout_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    expires_at = models.DateTimeField()
    failure_code = models.CharField(max_length=60, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.id)


class Payment(models.Model):
    """Money received: from a verified Stripe object, or recorded by staff."""

    class Method(models.TextChoices):
        CARD = "CARD", _("Card")
        BLIK = "BLIK", _("BLIK")
        P24 = "P24", _("Przelewy24")
        BANK_TRANSFER = "BANK_TRANSFER", _("Bank transfer")
        CASH = "CASH", _("Cash")
        OTHER = "OTHER", _("Other")

    class Status(models.TextChoices):
        SUCCEEDED = "SUCCEEDED", _("Received")
        DISPUTED = "DISPUTED", _("Disputed")
        REVERSED = "REVERSED", _("Reversed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contact = models.ForeignKey("portal.Contact", on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("method"), max_length=14, choices=Method.choices)
    amount = _money(_("amount"))
    currency = models.CharField(max_length=3)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUCCEEDED)
    attempt = models.ForeignKey(
        PaymentAttempt, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    provider_payment_intent = models.CharField(max_length=255, unique=True, null=True, blank=True)
    provider_charge = models.CharField(max_length=255, unique=True, null=True, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    bank_reference = models.CharField(
        _("bank reference"), max_length=100, blank=True, validators=[validate_plain_text]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    receipt_number = models.CharField(max_length=64, unique=True, null=True, blank=True)
    receipt_pdf = models.FileField(upload_to="billing/", blank=True)
    refunded_total = _money(_("refunded"))
    # The card network's dispute (chargeback), when there is one; a lost one reverses it.
    provider_dispute = models.CharField(max_length=255, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive"),
            models.CheckConstraint(
                condition=models.Q(refunded_total__lte=models.F("amount")),
                name="payment_refunds_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_number or str(self.id)

    @property
    def refundable(self) -> Decimal:
        return Decimal(self.amount) - Decimal(self.refunded_total)


class Allocation(models.Model):
    """Part of a payment applied to an invoice (both checked under row locks)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = _money(_("amount"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.invoice_id}"


class LedgerEntry(models.Model):
    """Append-only money the firm holds for a contact (overpayments as operating credit)."""

    class Book(models.TextChoices):
        OPERATING_CREDIT = "OPERATING_CREDIT", _("Credit")

    class Kind(models.TextChoices):
        DEPOSIT = "DEPOSIT", _("Overpayment")
        APPLY_TO_INVOICE = "APPLY_TO_INVOICE", _("Applied to an invoice")
        REFUND = "REFUND", _("Refunded")

    book = models.CharField(max_length=20, choices=Book.choices, default=Book.OPERATING_CREDIT)
    contact = models.ForeignKey("portal.Contact", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT)
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError("ledger entries are append-only")


class Refund(models.Model):
    class Status(models.TextChoices):
        # Above the firm's threshold: waits for a second staff member's approval.
        REQUESTED = "REQUESTED", _("Waiting for approval")
        PENDING = "PENDING", _("Pending")
        SUCCEEDED = "SUCCEEDED", _("Refunded")
        FAILED = "FAILED", _("Failed")
        REJECTED = "REJECTED", _("Rejected")
        CANCELLED = "CANCELLED", _("Cancelled")

    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        Status.REQUESTED: (Status.PENDING, Status.REJECTED, Status.CANCELLED),
        Status.PENDING: (Status.SUCCEEDED, Status.FAILED),
        Status.SUCCEEDED: (),
        Status.FAILED: (),
        Status.REJECTED: (),
        Status.CANCELLED: (),
    }
    # What still counts against what is left of the payment.
    RESERVING: ClassVar[tuple[str, ...]] = (Status.REQUESTED, Status.PENDING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = _money(_("amount"))
    reason = models.CharField(_("reason"), max_length=300, validators=[validate_plain_text])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    provider_refund_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    bank_reference = models.CharField(max_length=100, blank=True)
    failure_reason = models.CharField(max_length=100, blank=True)
    credit_note = models.ForeignKey(
        CreditNote, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_positive"),
        ]

    def __str__(self) -> str:
        return str(self.id)


class StripeEvent(models.Model):
    """A verified webhook event, stored in the receiving transaction (unique id: the same
    event twice is processed once)."""

    class Status(models.TextChoices):
        RECEIVED = "RECEIVED", _("Received")
        PROCESSING = "PROCESSING", _("Processing")
        PROCESSED = "PROCESSED", _("Processed")
        IGNORED = "IGNORED", _("Ignored")
        FAILED = "FAILED", _("Failed")

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    object_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    attempts = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-received_at"]
        indexes: ClassVar = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return self.event_id


class DemoCheckoutSession(models.Model):
    """The local stand-in for Stripe when no STRIPE_SECRET_KEY is set (``make run``).
    ``billing.demo`` answers the gateway's calls from these rows; the demo checkout page
    completes them and sends the outcome as a signed event through the webhook path."""

    id = models.CharField(primary_key=True, max_length=64)
    attempt_id = models.UUIDField()
    request_id = models.UUIDField()
    kind = models.CharField(max_length=40)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    methods = models.JSONField(default=list)
    status = models.CharField(max_length=10, default="open")
    payment_status = models.CharField(max_length=10, default="unpaid")
    payment_intent_id = models.CharField(max_length=64, blank=True)
    method = models.CharField(max_length=10, blank=True)
    refunded_minor = models.BigIntegerField(default=0)
    success_url = models.URLField(max_length=2000)
    cancel_url = models.URLField(max_length=2000)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.id


class PaymentReminder(Delivery):
    """One payment-reminder digest for a contact on one channel: every open document whose
    reminder step fell due, with its amount and one "view and pay" link (spec §6 F9).

    ``step_key`` is the firm-local date the digest is for, and (contact, step_key,
    channel) is unique: at most one digest a day per channel, however often the planner
    runs. The documents it covers are listed by id in ``context``; the composer re-reads
    them at send time and leaves out what was paid, is being confirmed or is disputed.
    """

    SWEEP_SELECT_RELATED: ClassVar[tuple[str, ...]] = ("contact", "contact__user")
    NOTICE_EVENT = "payment_reminder"

    contact = models.ForeignKey(
        "portal.Contact", on_delete=models.CASCADE, related_name="payment_reminders"
    )
    step_key = models.CharField(max_length=10)
    context = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-due_at", "channel"]
        indexes: ClassVar = [
            models.Index(fields=["state", "next_attempt_at"], name="payment_reminder_due_idx"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["contact", "step_key", "channel"],
                name="payment_reminder_one_per_contact_day_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step_key} {self.channel} {self.state}"

    def notice_event(self) -> str:
        return self.NOTICE_EVENT

    @property
    def invoice_ids(self) -> list[str]:
        return [str(pk) for pk in self.context.get("invoices", [])]

    @property
    def request_ids(self) -> list[str]:
        """Requests of their own (a late-cancellation fee) in the same digest."""
        return [str(pk) for pk in self.context.get("requests", [])]
