"""One status update posted to several matters at once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.contrib import messages as flash
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from core.decorators import staff_required
from core.errors import ServiceError
from core.forms import DateTimeLocalInput, SaneDateTimeField
from core.http import RequestMeta
from portal import selectors, services
from portal.models import Matter, TimelineEntry
from portal.types import Request


class StatusUpdateForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[
            (TimelineEntry.Kind.UPDATE, TimelineEntry.Kind.UPDATE.label),
            (TimelineEntry.Kind.EVENT, TimelineEntry.Kind.EVENT.label),
        ],
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    occurred_at = SaneDateTimeField(
        label=gettext_lazy("Date"),
        widget=DateTimeLocalInput(),
    )
    matters = forms.MultipleChoiceField(
        label=gettext_lazy("Matters"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, matters: Iterable[Matter] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.matter_objects = {str(m.pk): m for m in matters}
        field = cast(forms.MultipleChoiceField, self.fields["matters"])
        field.choices = [(pk, f"{m.reference} {m.title}") for pk, m in self.matter_objects.items()]


@staff_required
def status_update(request: Request) -> HttpResponse:
    user = request.user
    matters = selectors.matter_list_for_staff(user=user).exclude(stage="closed")[:200]
    form = StatusUpdateForm(
        request.POST or None, matters=matters, initial={"occurred_at": timezone.localtime()}
    )
    if request.method == "POST" and form.is_valid():
        chosen = [form.matter_objects[pk] for pk in form.cleaned_data["matters"]]
        try:
            entries = services.status_update_post_many(
                actor=user,
                meta=RequestMeta.from_request(request),
                matters=chosen,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                kind=form.cleaned_data["kind"],
                occurred_at=form.cleaned_data["occurred_at"],
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(
                request,
                ngettext("Posted to %(n)d matter.", "Posted to %(n)d matters.", len(entries))
                % {"n": len(entries)},
            )
            return redirect("staff:status-update")
    return render(request, "staff/status_update.html", {"form": form})
