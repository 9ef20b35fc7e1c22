"""Staff forms of the intake pages: a form's name, one question of the builder, the
service tie and sending a form to a contact."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, PlainCharField, SaneDateField
from core.languages import CHOICES as LANGUAGE_CHOICES
from intake import schema, signature_image
from intake.models import EngagementTemplate, IntakeForm, ServiceIntake

TYPE_LABELS = {
    "text": _("Short text"),
    "textarea": _("Long text"),
    "email": _("Email"),
    "phone": _("Phone"),
    "date": _("Date"),
    "deadline": _("Deadline (date)"),
    "select": _("Choice (list)"),
    "radio": _("Choice (buttons)"),
    "multiselect": _("Several choices"),
    "yes_no": _("Yes or no"),
    "country": _("Country"),
    "party_list": _("Other people involved (repeated)"),
    "file": _("File upload (stage 2)"),
    "acknowledgement": _("Acknowledgement (tick box)"),
    "consent": _("Optional consent to marketing (tick box, stored as a consent)"),
    "heading": _("Heading"),
    "info": _("Information text"),
}
MAPS_TO_LABELS = {
    "": _("Nothing"),
    "contact.first_name": _("First name"),
    "contact.last_name": _("Last name"),
    "contact.email": _("Email"),
    "contact.phone": _("Phone"),
    "lead.practice_area": _("Practice area of the lead"),
    "lead.urgent_deadline": _("Deadline of the lead"),
    "party[]": _("Parties for the conflict check"),
}
OP_LABELS = {
    "eq": _("is"),
    "neq": _("is not"),
    "in": _("is one of (comma-separated)"),
    "not_in": _("is none of (comma-separated)"),
    "gt": _("is greater than"),
    "lt": _("is less than"),
    "answered": _("is answered"),
    "not_answered": _("is not answered"),
}


class IntakeFormMetaForm(forms.Form):
    name = PlainCharField(label=_("Name"), max_length=120)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=IntakeForm.Purpose.choices)
    practice_area = PlainCharField(label=_("Practice area"), max_length=80, required=False)


class FieldForm(forms.Form):
    """One question, with its label in every language and one optional condition."""

    type = forms.ChoiceField(label=_("Type"), choices=list(TYPE_LABELS.items()))
    key = forms.SlugField(
        label=_("Key"),
        max_length=40,
        help_text=_("Lowercase letters, digits and _; it never changes once answers exist."),
    )
    label_en = PlainCharField(label=_("Question (English)"), max_length=300)
    label_pl = PlainCharField(label=_("Question (Polish)"), max_length=300, required=False)
    label_es = PlainCharField(label=_("Question (Spanish)"), max_length=300, required=False)
    label_ru = PlainCharField(label=_("Question (Russian)"), max_length=300, required=False)
    help_en = PlainCharField(label=_("Help (English)"), max_length=500, required=False)
    help_pl = PlainCharField(label=_("Help (Polish)"), max_length=500, required=False)
    help_es = PlainCharField(label=_("Help (Spanish)"), max_length=500, required=False)
    help_ru = PlainCharField(label=_("Help (Russian)"), max_length=500, required=False)
    required = forms.BooleanField(label=_("Required (when shown)"), required=False)
    stage = forms.TypedChoiceField(
        label=_("Stage"),
        coerce=int,
        choices=[
            (1, _("1: before the conflict check")),
            (2, _("2: details, after the conflict check")),
        ],
        initial=1,
    )
    options = forms.CharField(
        label=_("Options"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: value | English | Polish | Spanish | Russian"),
    )
    condition_field = forms.ChoiceField(label=_("Show only if"), required=False, choices=[])
    condition_op = forms.ChoiceField(
        label=_("Condition"), required=False, choices=list(OP_LABELS.items())
    )
    condition_value = PlainCharField(label=_("Value"), max_length=200, required=False)
    maps_to = forms.ChoiceField(
        label=_("Fills in"), required=False, choices=list(MAPS_TO_LABELS.items())
    )
    sensitive = forms.BooleanField(label=_("Sensitive (special-category data)"), required=False)

    def __init__(self, *args: Any, earlier: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [("", _("Always shown"))]
        choices += [(k, k) for k in earlier or []]
        condition = self.fields["condition_field"]
        assert isinstance(condition, forms.ChoiceField)  # noqa: S101  # declared above
        condition.choices = choices

    def clean_options(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for line in str(self.cleaned_data.get("options") or "").splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            value = parts[0]
            if not schema.KEY_RE.match(value):
                raise forms.ValidationError(
                    _("Option values use lowercase letters, digits and _ (“%(value)s”).")
                    % {"value": value[:40]}
                )
            labels = {
                lang: text
                for lang, text in zip(schema.LANGUAGES, parts[1:5] or [value], strict=False)
                if text
            }
            rows.append({"value": value, "label": labels or {"en": value}})
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("type")
        if kind in schema.CHOICE_TYPES and not data.get("options"):
            self.add_error("options", _("Give at least one option."))
        return data

    def to_field(self) -> dict[str, Any]:
        data = self.cleaned_data
        field: dict[str, Any] = {
            "key": data["key"],
            "type": data["type"],
            "stage": data["stage"],
            "required": bool(data["required"]),
            "label": {
                lang: data[f"label_{lang}"] for lang in schema.LANGUAGES if data[f"label_{lang}"]
            },
        }
        helps = {lang: data[f"help_{lang}"] for lang in schema.LANGUAGES if data[f"help_{lang}"]}
        if helps:
            field["help"] = helps
        if data["type"] in schema.CHOICE_TYPES:
            field["options"] = data["options"]
        if data.get("condition_field"):
            op = data.get("condition_op") or "eq"
            value: Any = data.get("condition_value") or ""
            if op in ("in", "not_in"):
                value = [v.strip() for v in str(value).split(",") if v.strip()]
            clause: dict[str, Any] = {"field": data["condition_field"], "op": op}
            if op not in ("answered", "not_answered"):
                clause["value"] = value
            field["visible_if"] = {"all": [clause]}
        if data.get("maps_to"):
            field["maps_to"] = data["maps_to"]
        if data.get("sensitive"):
            field["sensitive"] = True
        if data["type"] == "consent":
            field["purpose"] = schema.CONSENT_PURPOSES[0]
            field["required"] = False
        return field

    @staticmethod
    def initial_from(field: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "type": field.get("type"),
            "key": field.get("key"),
            "required": field.get("required", False),
            "stage": field.get("stage", 1),
            "maps_to": field.get("maps_to", ""),
            "sensitive": field.get("sensitive", False),
        }
        for lang in schema.LANGUAGES:
            initial[f"label_{lang}"] = (field.get("label") or {}).get(lang, "")
            initial[f"help_{lang}"] = (field.get("help") or {}).get(lang, "")
        initial["options"] = "\n".join(
            " | ".join(
                [str(o.get("value"))]
                + [o.get("label", {}).get(lang, "") for lang in schema.LANGUAGES]
            ).rstrip(" |")
            for o in field.get("options") or []
        )
        clauses = (field.get("visible_if") or {}).get("all") or []
        if clauses:
            clause = clauses[0]
            initial["condition_field"] = clause.get("field", "")
            initial["condition_op"] = clause.get("op", "eq")
            value = clause.get("value", "")
            initial["condition_value"] = ", ".join(value) if isinstance(value, list) else value
        return initial


class SchemaJsonForm(forms.Form):
    body = forms.CharField(
        label=_("Questions as JSON"),
        max_length=64 * 1024,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
    )

    def clean_body(self) -> Any:
        try:
            value = json.loads(self.cleaned_data["body"])
        except ValueError:
            raise forms.ValidationError(_("This is not valid JSON.")) from None
        if not isinstance(value, dict) or not isinstance(value.get("fields"), list):
            raise forms.ValidationError(_("A form needs a list of questions."))
        return value


class ServiceLinkForm(forms.Form):
    service = forms.UUIDField()
    timing = forms.ChoiceField(
        choices=[("none", _("Not asked")), *ServiceIntake.Timing.choices], required=True
    )


class SendForm(forms.Form):
    contact = forms.UUIDField(label=_("Contact"))


class PrivacyNoticeForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    text = forms.CharField(
        label=_("Privacy notice"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "Plain text; a blank line starts a new paragraph. Publishing keeps every earlier "
            "version, which the consent records name."
        ),
    )


# ---------------------------------------------------------------------------- engagement letters

MAX_FEE = 10_000_000
MAX_DRAWING_POSTED = signature_image.MAX_POSTED


class EngagementTemplateForm(forms.Form):
    """A letter template (firm admins): its text with merge fields and its fee."""

    name = PlainCharField(label=_("Name"), max_length=120)
    language = forms.ChoiceField(label=_("Language"), choices=())
    practice_area = PlainCharField(label=_("Practice area"), max_length=80, required=False)
    body = PlainCharField(
        label=_("Letter text"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 14}),
        strip=False,
    )
    fee_model = forms.ChoiceField(label=_("Fee model"), choices=())
    fee_amount = forms.DecimalField(
        label=_("Fee"),
        required=False,
        min_value=0,
        max_value=MAX_FEE,
        max_digits=12,
        decimal_places=2,
    )
    currency = PlainCharField(label=_("Currency"), max_length=3, min_length=3, initial="PLN")
    retainer_amount = forms.DecimalField(
        label=_("Retainer paid before the work starts (optional)"),
        help_text=_(
            "After signing, the client is asked to pay it online; the lead is retained once "
            "it is paid. Leave empty when signing is enough."
        ),
        required=False,
        min_value=Decimal("0.01"),
        max_value=MAX_FEE - 1,
        max_digits=12,
        decimal_places=2,
    )
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["language"]).choices = LANGUAGE_CHOICES
        cast(
            forms.ChoiceField, self.fields["fee_model"]
        ).choices = EngagementTemplate.FeeModel.choices

    def clean_currency(self) -> str:
        value = str(self.cleaned_data["currency"]).upper()
        if not value.isalpha():
            raise forms.ValidationError(_("A currency is three letters, such as PLN or EUR."))
        return value


class EngagementLetterForm(forms.Form):
    """Prepare a letter for a lead: the template, the scope and the fee (the template's
    fee when left empty)."""

    template = forms.ChoiceField(label=_("Template"), choices=())
    scope = PlainCharField(
        label=_("Scope of the engagement"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    fee_amount = forms.DecimalField(
        label=_("Fee (leave empty for the template's fee)"),
        required=False,
        min_value=0,
        max_value=MAX_FEE,
        max_digits=12,
        decimal_places=2,
    )
    retainer_amount = forms.DecimalField(
        label=_("Retainer paid before the work starts (leave empty for the template's)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=MAX_FEE - 1,
        max_digits=12,
        decimal_places=2,
    )

    def __init__(self, *args: Any, templates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.templates = {str(t.pk): t for t in templates}
        cast(forms.ChoiceField, self.fields["template"]).choices = [
            (str(t.pk), f"{t.name} ({t.get_language_display()})") for t in templates
        ]


class EngagementSendForm(forms.Form):
    expires_days = forms.IntegerField(
        label=_("Days the client has to sign"), min_value=1, max_value=90, initial=14
    )
    without_consultation = forms.BooleanField(
        label=_("No consultation needed (the lead had none)"), required=False
    )


class RetainForm(forms.Form):
    """Retain a lead: the matter it opens, its lawyer and an optional retainer invoice."""

    reference = PlainCharField(label=_("Matter reference"), max_length=32)
    title = PlainCharField(label=_("Matter title"), max_length=200)
    responsible_lawyer = forms.ChoiceField(label=_("Responsible lawyer"), choices=())
    retainer_amount = forms.DecimalField(
        label=_("Retainer to invoice (optional)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=MAX_FEE - 1,
        max_digits=12,
        decimal_places=2,
    )
    retainer_due = SaneDateField(label=_("Retainer due date"), required=False, widget=DateInput())
    agreed_outside_note = PlainCharField(
        label=_("No letter signed here: how was the engagement agreed?"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, lawyers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["responsible_lawyer"]).choices = [
            (str(u.pk), u.get_full_name() or u.email) for u in lawyers
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("retainer_amount") is not None and data.get("retainer_due") is None:
            self.add_error("retainer_due", _("The retainer needs a due date."))
        return data


class SignForm(forms.Form):
    """The client's simple electronic signature: the tick, the typed name, and the hash of
    the letter they were shown (a hidden field the server compares)."""

    agreed = forms.BooleanField(required=False)
    typed_name = PlainCharField(label=_("Type your full name"), max_length=200, required=False)
    shown_sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    # The optional drawing, as the page's canvas posts it (checked in intake.signature_image).
    drawn_signature = forms.CharField(
        required=False, max_length=MAX_DRAWING_POSTED, widget=forms.HiddenInput
    )
    # A US firm's client accepts the ESIGN consumer disclosure (checked by the service).
    esign_accepted = forms.BooleanField(required=False)


class DeclineForm(forms.Form):
    """The client declines a letter, saying why if they wish (staff see it)."""

    reason = PlainCharField(
        label=_("Why not? (optional; the firm sees this)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
