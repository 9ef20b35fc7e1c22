from __future__ import annotations

from typing import ClassVar

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from notifications.admin import DeliveryAdmin
from scheduling.models import AvailabilityRule, ExternalCalendar, PackageStep, Reminder, Service


class PackageStepInline(admin.TabularInline):
    model = PackageStep
    fk_name = "package"
    extra = 0


@admin.register(Service)
class ServiceAdmin(TranslationAdmin):
    """Staff define services here: duration, price, location, buffers, notice, policy."""

    list_display = (
        "name",
        "slug",
        "duration_minutes",
        "price",
        "location_kind",
        "audience",
        "is_active",
    )
    prepopulated_fields: ClassVar = {"slug": ("name",)}
    filter_horizontal = ("staff",)
    inlines: ClassVar = [PackageStepInline]


@admin.register(AvailabilityRule)
class AvailabilityRuleAdmin(admin.ModelAdmin):
    list_display = ("staff", "weekday", "date", "start", "end", "is_off")
    list_filter = ("staff",)


@admin.register(ExternalCalendar)
class ExternalCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "staff", "last_success_at", "last_error")
    exclude = ("url",)  # the secret address is only ever entered by its owner
    readonly_fields = ("last_attempt_at", "last_success_at", "last_error")


@admin.register(Reminder)
class ReminderAdmin(DeliveryAdmin):
    list_display = (
        "appointment",
        "kind",
        "channel",
        "state",
        "reason",
        "due_at",
        "sent_at",
        "attempts",
    )
    raw_id_fields = ("appointment",)
    list_filter = ("state", "channel", "kind")
