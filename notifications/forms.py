from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Text"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8, "data-template-body": ""}),
    )
