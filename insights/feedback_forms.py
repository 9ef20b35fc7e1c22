"""Forms of the feedback page and of the outside-contact log.

(Beside insights/forms.py, which holds the metric pages' period and filter forms.)
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateTimeLocalInput, SaneDateTimeField
from insights.models import COMMENT_MAX_CHARS, OutsideContact
from insights.services.feedback import PUBLISH_CONSENT_TEXT


class FeedbackForm(forms.Form):
    """A score on the request's scale, an optional comment and the publishing consent."""

    score = forms.TypedChoiceField(
        label=_("Your answer"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a score."),
            "invalid_choice": _("Choose one of the scores shown."),
        },
    )
    comment = forms.CharField(
        label=_("Anything you would like to add? (optional)"),
        required=False,
        max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX_CHARS}),
    )
    publish = forms.BooleanField(label=PUBLISH_CONSENT_TEXT, required=False)

    def __init__(self, *args: Any, scale: range, labels: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["score"].choices = [  # type: ignore[attr-defined]  # a TypedChoiceField
            (str(n), f"{n} – {labels[n]}" if n in labels else str(n)) for n in reversed(scale)
        ]


class OutsideContactForm(forms.Form):
    """How the client reached us; from the client, now, unless staff say otherwise."""

    channel = forms.ChoiceField(
        label=_("How"),
        choices=OutsideContact.Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the client contacted you.")},
    )
    direction = forms.ChoiceField(
        label=_("Who started it"),
        choices=OutsideContact.Direction.choices,
        initial=OutsideContact.Direction.IN,
        widget=forms.RadioSelect,
    )
    at = SaneDateTimeField(
        label=_("When (empty: now)"),
        required=False,
        widget=DateTimeLocalInput(),
    )
    nudge = forms.BooleanField(
        label=_("Send the client our “please use the portal” text"), required=False
    )

    def __init__(
        self,
        *args: Any,
        contacts: list[tuple[str, str]] | None = None,
        matters: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # From a matter page: which of its clients; from a contact page: which matter.
        if contacts is not None:
            self.fields["contact"] = forms.ChoiceField(
                label=_("Client"),
                choices=contacts,
                initial=contacts[0][0] if contacts else None,
                widget=forms.RadioSelect if len(contacts) > 1 else forms.HiddenInput,
            )
        if matters:
            self.fields["matter"] = forms.ChoiceField(
                label=_("Matter"),
                choices=[("", _("No particular matter")), *matters],
                required=False,
                initial=matters[0][0] if len(matters) == 1 else "",
            )
