from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from guardian.admin import GuardedModelAdmin
from modeltranslation.admin import TranslationAdmin

from core.forms import per_language
from portal.forms import spoken_language_choices
from portal.models import (
    CoCounselGrant,
    ConsentRecord,
    Contact,
    Firm,
    Invitation,
    Matter,
    PracticeArea,
    StaffProfile,
    Tag,
    TimelineEntry,
    User,
)
from portal.photos import photo_checked


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("first_name", "last_name", "role", "language", "time_zone")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),
    )


@admin.register(Firm)
class FirmAdmin(TranslationAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Firm.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "category"]
    list_filter = ["category"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "phone", "kind", "preferred_channel"]
    list_filter = ["kind", "preferred_channel", "language", "tags"]
    search_fields = ["first_name", "last_name", "email"]
    raw_id_fields = ["user"]


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    extra = 0
    fields = ["kind", "title", "occurred_at", "shared_with_client"]


@admin.register(Matter)
class MatterAdmin(GuardedModelAdmin):
    list_display = [
        "reference",
        "title",
        "practice_area",
        "stage",
        "priority",
        "responsible_lawyer",
    ]
    list_filter = ["stage", "practice_area", "priority", "tags"]
    search_fields = ["reference", "title"]
    filter_horizontal = ["team", "clients", "tags"]
    inlines = [TimelineInline]
    # Stage moves go through the staff pages, which enforce the allowed transitions.
    readonly_fields = ["stage", "stage_changed_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Matters are closed, never deleted: their audit trail names them by id, and their
        # documents and messages are the firm's record.
        return False


@admin.register(CoCounselGrant)
class CoCounselGrantAdmin(admin.ModelAdmin):
    list_display = ["matter", "user", "expires_at", "revoked_at"]
    readonly_fields = ["matter", "user", "granted_by", "created_at", "revoked_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "created_at", "expires_at", "sent_at", "accepted_at"]
    exclude = ["token_hash"]
    readonly_fields = [
        "email",
        "role",
        "contact",
        "grant",
        "created_by",
        "created_at",
        "expires_at",
        "sent_at",
        "accepted_at",
        "accepted_user",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    """Read-only: consents are evidence (append-only; withdrawals go through the service)."""

    list_display = ["given_at", "contact", "context_key", "purpose", "channel", "withdrawn_at"]
    list_filter = ["purpose", "channel", "lawful_basis", "language"]
    search_fields = ["context_key", "contact__last_name", "contact__email", "text_sha256"]
    date_hierarchy = "given_at"
    list_select_related = ["contact"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StaffProfileAdminForm(forms.ModelForm):
    """The photo is checked and re-encoded as on the staff pages (portal/photos.py)."""

    practice_areas = forms.MultipleChoiceField(
        choices=PracticeArea.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        choices=spoken_language_choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = StaffProfile
        fields = ["user", "photo", "practice_areas", "languages", *per_language("profile")]

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            return photo_checked(photo)
        return photo


@admin.register(StaffProfile)
class StaffProfileAdmin(TranslationAdmin):
    form = StaffProfileAdminForm
    list_display = ["user", "updated_at"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    raw_id_fields = ["user"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        old = None
        if change and "photo" in form.changed_data:
            old = StaffProfile.objects.filter(pk=obj.pk).values_list("photo", flat=True).first()
        super().save_model(request, obj, form, change)
        if old and old != obj.photo.name:
            obj.photo.storage.delete(old)
