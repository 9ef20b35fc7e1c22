"""What a redirecting view tells the person when a form it received was refused."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest


def flash_form_errors(request: HttpRequest, form: forms.BaseForm) -> None:
    """Every field error as a message, for POST-only views that redirect back to a page."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
