"""Billing forms. Amounts and quantities are typed in the person's own locale
("1 200,50" in Polish) and parsed by ``billing.money``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from billing.models import BillingSettings, CreditNote, InvoiceLine, Payment, TaxRate
from billing.money import MoneyError, parse_amount, parse_quantity
from billing.qr import BankDetailsError, validate_bic, validate_iban
from billing.services import DraftInput, LineInput
from core.forms import DateInput, SaneDateField
from core.languages import CHOICES as LANGUAGE_CHOICES

LINE_ROWS = 6
CURRENCIES = (("PLN", "PLN"), ("EUR", "EUR"), ("USD", "USD"), ("GBP", "GBP"))


def _locale() -> str:
    return translation.get_language() or "en"


class LineForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InvoiceLine.Kind.choices, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    quantity = forms.CharField(label=_("Quantity"), max_length=20, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    unit_price = forms.CharField(label=_("Unit price"), max_length=30, required=False)
    tax_rate = forms.ModelChoiceField(
        label=_("Tax"), queryset=TaxRate.objects.none(), required=False, empty_label=_("No tax")
    )

    def __init__(self, *args: Any, currency: str = "PLN", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["tax_rate"].queryset = TaxRate.objects.filter(is_active=True)  # type: ignore[attr-defined]  # Field has no queryset in stubs

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(k) for k in ("description", "quantity", "unit_price"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(k) for k in ("description", "quantity", "unit_price")):
            return data
        if len(data.get("description") or "") > 200:
            self.add_error("description", _("At most 200 characters."))
        try:
            data["quantity_value"] = parse_quantity(data.get("quantity") or "", _locale())
        except MoneyError as exc:
            self.add_error("quantity", str(exc))
        try:
            data["price_value"] = parse_amount(
                data.get("unit_price") or "", self.currency, _locale(), allow_zero=True
            )
        except MoneyError as exc:
            self.add_error("unit_price", str(exc))
        return data


class BaseLineFormSet(forms.BaseFormSet):  # type: ignore[type-arg]  # generic only in stubs
    def __init__(self, *args: Any, currency: str = "PLN", **kwargs: Any) -> None:
        self.currency = currency
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "currency": self.currency}

    def line_inputs(self) -> list[LineInput]:
        lines = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or form.is_blank():
                continue
            rate = data.get("tax_rate")
            lines.append(
                LineInput(
                    description=data.get("description") or "",
                    quantity=data["quantity_value"],
                    unit_price=data["price_value"],
                    kind=data.get("kind") or InvoiceLine.Kind.FEE,
                    unit=data.get("unit") or "",
                    tax_rate_id=rate.pk if rate else None,
                )
            )
        return lines


LineFormSet = forms.formset_factory(
    LineForm, formset=BaseLineFormSet, extra=LINE_ROWS, max_num=100, absolute_max=100
)


class InvoiceForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    language = forms.ChoiceField(label=_("Language of the document"), choices=LANGUAGE_CHOICES)
    due_date = SaneDateField(label=_("Due date"), widget=DateInput())
    matter = forms.ChoiceField(label=_("Matter"), required=False)
    client_note = forms.CharField(
        label=_("Note to the client"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    internal_note = forms.CharField(
        label=_("Internal note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, matters: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = [("", _("No matter")), *(matters or [])]  # type: ignore[attr-defined]  # a ChoiceField

    def draft_input(self, *, contact_id: Any, lines: list[LineInput]) -> DraftInput:
        data = self.cleaned_data
        return DraftInput(
            contact_id=contact_id,
            due_date=data["due_date"],
            lines=lines,
            currency=data["currency"],
            language=data["language"],
            matter_id=data.get("matter") or None,
            client_note=data.get("client_note") or "",
            internal_note=data.get("internal_note") or "",
        )


def default_due_date(settings: BillingSettings) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=settings.default_terms_days)


class CreditNoteForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[c for c in CreditNote.Reason.choices if c[0] != CreditNote.Reason.REFUND],
    )
    amount = forms.CharField(
        label=_("Amount to credit"),
        max_length=30,
        required=False,
        help_text=_("Leave empty to credit everything still open."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, currency: str = "PLN", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean_amount(self) -> Decimal | None:
        text = self.cleaned_data.get("amount") or ""
        if not text.strip():
            return None
        try:
            return parse_amount(text, self.currency, _locale())
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from None


class PaymentForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[
            (Payment.Method.BANK_TRANSFER, Payment.Method.BANK_TRANSFER.label),
            (Payment.Method.CASH, Payment.Method.CASH.label),
            (Payment.Method.OTHER, Payment.Method.OTHER.label),
        ],
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    amount = forms.CharField(label=_("Amount"), max_length=30)
    received_on = SaneDateField(label=_("Received on"), widget=DateInput())
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=100, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("currency") and data.get("amount"):
            try:
                data["amount_value"] = parse_amount(data["amount"], data["currency"], _locale())
            except MoneyError as exc:
                self.add_error("amount", str(exc))
        return data


class ExternalInvoiceForm(forms.Form):
    external_number = forms.CharField(label=_("Legal invoice number"), max_length=64)
    external_pdf = forms.FileField(label=_("Legal invoice (PDF)"), required=False)


class BillingSettingsForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in stubs
    class Meta:
        model = BillingSettings
        fields = [
            "jurisdiction",
            "legal_invoice_mode",
            "default_terms_days",
            "tax_rounding",
            "reminder_cadence",
            "refund_second_approval_above",
            "partial_payment_minimum",
            "seller_name",
            "seller_address",
            "seller_tax_id",
            "bank_iban",
            "bank_bic",
        ]

    def clean_bank_iban(self) -> str:
        value = (self.cleaned_data.get("bank_iban") or "").strip()
        if not value:
            return ""
        try:
            return validate_iban(value)
        except BankDetailsError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_bank_bic(self) -> str:
        value = (self.cleaned_data.get("bank_bic") or "").strip()
        if not value:
            return ""
        try:
            return validate_bic(value)
        except BankDetailsError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_reminder_cadence(self) -> str:
        value = self.cleaned_data.get("reminder_cadence") or ""
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not parts or any(not p.lstrip("-").isdigit() or abs(int(p)) > 365 for p in parts):
            raise forms.ValidationError(
                _("Enter days from the due date separated by commas, for example -3,0,3,7,14.")
            )
        return ",".join(parts)


class RefundForm(forms.Form):
    amount = forms.CharField(label=_("Amount to refund"), max_length=30)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    bank_reference = forms.CharField(
        label=_("Bank reference of the transfer back"),
        max_length=100,
        required=False,
        help_text=_("Only for payments that did not come through online payment."),
    )

    def __init__(self, *args: Any, currency: str = "PLN", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean_amount(self) -> Decimal:
        try:
            return parse_amount(self.cleaned_data.get("amount") or "", self.currency, _locale())
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from None


class RequestTermsForm(forms.Form):
    """A request of its own (a late-cancellation fee): its due date and whether payment
    reminders follow it."""

    due_date = SaneDateField(label=_("Due date"), widget=DateInput())
    reminders = forms.BooleanField(label=_("Send payment reminders"), required=False)


class PaymentRequestForm(forms.Form):
    """Staff ask a contact for an amount of its own (not an invoice)."""

    description = forms.CharField(
        label=_("What it is for"),
        max_length=200,
        help_text=_("The client sees it on the pay page; notices never include it."),
    )
    amount = forms.CharField(label=_("Amount"), max_length=30)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    due_date = SaneDateField(label=_("Due date"), widget=DateInput())
    reminders = forms.BooleanField(label=_("Send payment reminders"), required=False, initial=True)

    def clean_amount(self) -> Decimal:
        currency = self.data.get("currency") or "PLN"
        try:
            return parse_amount(self.cleaned_data.get("amount") or "", str(currency), _locale())
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from None
