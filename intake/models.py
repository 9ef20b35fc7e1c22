"""Intake forms and their versions, drafts, submissions, leads (spec intake.md §1).

Lower apps' models are named by string ("portal.Contact", "scheduling.Service"): intake
never imports them (the layer contracts), it reads them through their selectors.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.languages import CHOICES as LANGUAGE_CHOICES
from core.validators import validate_plain_text

DRAFT_DAYS = 30


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def draft_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=DRAFT_DAYS)


class IntakeForm(models.Model):
    class Purpose(models.TextChoices):
        BOOKING = "booking", _("Before or after a booking")
        GENERAL = "general", _("General inquiry")
        MATTER_TYPE = "matter_type", _("For a type of matter")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=120, validators=[validate_plain_text])
    slug = models.SlugField(_("link name"), max_length=80, unique=True)
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.BOOKING
    )
    practice_area = models.CharField(
        _("practice area"), max_length=80, blank=True, validators=[validate_plain_text]
    )
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("intake form")
        verbose_name_plural = _("intake forms")

    def __str__(self) -> str:
        return self.name


class IntakeFormVersion(models.Model):
    """One version of a form's questions. A published version is never changed: editing
    makes a new draft, and every submission keeps the version it was asked in."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "draft": ("published",),
        "published": ("retired",),
        "retired": (),
    }

    form = models.ForeignKey(IntakeForm, on_delete=models.CASCADE, related_name="versions")
    n = models.PositiveIntegerField()
    schema = models.JSONField(default=dict)
    schema_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["form", "-n"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["form", "n"], name="intake_version_unique_n"),
            # At most one draft and one published version per form at a time.
            models.UniqueConstraint(
                fields=["form"],
                condition=models.Q(status="draft"),
                name="intake_version_one_draft",
            ),
            models.UniqueConstraint(
                fields=["form"],
                condition=models.Q(status="published"),
                name="intake_version_one_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} v{self.n}"

    @property
    def fields(self) -> list[dict[str, Any]]:
        raw = self.schema.get("fields") if isinstance(self.schema, dict) else None
        return [f for f in raw if isinstance(f, dict)] if isinstance(raw, list) else []


class ServiceIntake(models.Model):
    """Which form a bookable service asks for, and when (spec §3 `intake_timing`).

    Kept in intake rather than as `Service.intake_form` (the spec's shape): scheduling sits
    below intake and may not point at intake's tables.
    """

    class Timing(models.TextChoices):
        BEFORE_BOOKING = "before", _("Before the booking is confirmed")
        AFTER_BOOKING = "after", _("After booking, by email with one link")

    service = models.OneToOneField(
        "scheduling.Service", on_delete=models.CASCADE, related_name="intake_link"
    )
    form = models.ForeignKey(IntakeForm, on_delete=models.PROTECT, related_name="service_links")
    timing = models.CharField(
        _("when"), max_length=10, choices=Timing.choices, default=Timing.BEFORE_BOOKING
    )

    def __str__(self) -> str:
        return f"{self.service_id} → {self.form_id}"


class Lead(models.Model):
    """A prospective client's inquiry, from the first form to retained (or not)."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONSULT_BOOKED = "consult_booked", _("Consultation booked")
        CONSULT_HELD = "consult_held", _("Consultation held")
        NO_SHOW = "no_show", _("Did not attend")
        ENGAGEMENT_SENT = "engagement_sent", _("Engagement letter sent")
        RETAINED = "retained", _("Retained")
        DECLINED = "declined", _("Declined")
        LOST = "lost", _("Lost")

    class Source(models.TextChoices):
        WEBSITE = "website", _("Website")
        REFERRAL = "referral", _("Referral")
        GOOGLE = "google", _("Google")
        DIRECTORY = "directory", _("Directory")
        SOCIAL = "social", _("Social media")
        RETURNING = "returning", _("Returning client")
        OTHER = "other", _("Other")

    TERMINAL: ClassVar[frozenset[str]] = frozenset({"retained", "declined", "lost"})
    # Moves staff make by hand (spec §5); the automatic ones are in services/pipeline.py.
    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        # → retained from new or consult_held only when the engagement was agreed outside
        # Atrium (a paper letter), said in the retain form; otherwise via engagement_sent.
        "new": ("consult_booked", "declined", "lost", "engagement_sent", "retained"),
        "consult_booked": ("consult_held", "no_show", "new", "declined", "lost"),
        "no_show": ("consult_booked", "lost"),
        "consult_held": ("consult_booked", "engagement_sent", "declined", "lost", "retained"),
        "engagement_sent": ("consult_held", "retained", "declined", "lost"),
        "retained": (),
        "declined": (),
        "lost": (),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contact = models.ForeignKey("portal.Contact", on_delete=models.PROTECT, related_name="leads")
    status = models.CharField(
        _("stage"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.OTHER
    )
    practice_area = models.CharField(_("practice area"), max_length=80, blank=True)
    interested_service = models.ForeignKey(
        "scheduling.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    urgent_deadline = models.DateField(_("deadline"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    matter = models.ForeignKey(
        "portal.Matter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consult_appointment = models.ForeignKey(
        "scheduling.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The state of its latest conflict check ("" before the first one), and when its
    # parties last changed: a check older than that is out of date.
    conflict_state = models.CharField(_("conflict check"), max_length=20, blank=True)
    parties_changed_at = models.DateTimeField(null=True, blank=True)
    declined_reason = models.CharField(max_length=40, blank=True)
    lost_reason = models.CharField(max_length=40, blank=True)
    # Retention once declined or lost (intake/retention.py): the answers, drafts and files
    # go on `retain_until`, sensitive answers earlier; the row stays as the conflict stub.
    closed_on = models.DateField(null=True, blank=True)
    retain_until = models.DateField(_("kept until"), null=True, blank=True, db_index=True)
    sensitive_purged_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self) -> str:
        return f"lead {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status not in self.TERMINAL


class IntakeDraft(models.Model):
    """Answers being typed, saved as the person types (resumable from its link)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Part of the signed link: rotating it revokes every link to the draft.
    nonce = models.CharField(max_length=64, default=new_nonce)
    form_version = models.ForeignKey(
        IntakeFormVersion, on_delete=models.PROTECT, related_name="drafts"
    )
    answers = models.JSONField(default=dict, blank=True)
    contact = models.ForeignKey(
        "portal.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The booking this form belongs to (its first appointment's booking_ref), if any.
    booking_ref = models.CharField(max_length=64, blank=True, db_index=True)
    service = models.ForeignKey(
        "scheduling.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=20, blank=True)
    # Stage 2 (details) is sent to a lead once its conflict check is clear.
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="drafts"
    )
    stage = models.PositiveSmallIntegerField(null=True, blank=True)
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default="en")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=draft_expiry)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # When the "still not filled in" reminder before the appointment was queued (once).
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"draft {self.pk}"


class IntakeSubmission(models.Model):
    """What a person sent: the visible answers only, with the version they were asked in."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="submissions")
    contact = models.ForeignKey(
        "portal.Contact", on_delete=models.PROTECT, related_name="intake_submissions"
    )
    matter = models.ForeignKey(
        "portal.Matter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    form_version = models.ForeignKey(
        IntakeFormVersion, on_delete=models.PROTECT, related_name="submissions"
    )
    draft = models.OneToOneField(
        IntakeDraft, null=True, blank=True, on_delete=models.SET_NULL, related_name="submission"
    )
    stage = models.PositiveSmallIntegerField(default=1)
    answers = models.JSONField(default=dict)
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default="en")
    booking_ref = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_prefix = models.CharField(max_length=50, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("intake submission")
        verbose_name_plural = _("intake submissions")

    def __str__(self) -> str:
        return f"submission {self.pk}"


def intake_file_key(instance: IntakeFile, filename: str) -> str:
    # Private storage only (no public media URL); the name says nothing about the person.
    return f"intake/files/{instance.draft_id}/{uuid.uuid4().hex}"


class IntakeFile(models.Model):
    """A file a prospect sent with the detailed (stage 2) questions: checked like portal
    uploads, kept in private storage, shown only to staff who may see the lead."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    draft = models.ForeignKey(IntakeDraft, on_delete=models.CASCADE, related_name="files")
    submission = models.ForeignKey(
        IntakeSubmission, null=True, blank=True, on_delete=models.SET_NULL, related_name="files"
    )
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    field_key = models.CharField(max_length=80)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    scan_status = models.CharField(max_length=20, blank=True)
    file = models.FileField(upload_to=intake_file_key, max_length=200)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "name"]
        verbose_name = _("intake file")
        verbose_name_plural = _("intake files")

    def __str__(self) -> str:
        return self.name


class PrivacyNotice(models.Model):
    """The firm's privacy notice (GDPR Art. 13) in one language, one version per change.

    Append-only: publishing makes a new version, so a consent record's `text_version`
    (`pl-3`) always names the words the person could read. Shown at /privacy/.
    """

    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES)
    version = models.PositiveIntegerField()
    text = models.TextField(_("notice"), max_length=20000)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["language", "-version"]
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["language", "version"], name="intake_privacy_notice_version"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.language}-{self.version}"


class LeadStageChange(models.Model):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="stage_changes")
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["lead", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


def engagement_pdf_key(instance: Engagement, filename: str) -> str:
    # Private storage only (no public media URL); the name says nothing about the client.
    return f"intake/engagements/{instance.pk}/{uuid.uuid4().hex}.pdf"


class EngagementTemplate(models.Model):
    """An engagement letter with merge fields, per language (spec intake.md §6).

    The body is a restricted Django template rendered over plain values only (see
    intake/engagement_render.py). Editing bumps `version`; a letter keeps the text it
    was made from, so editing a template never changes a letter already made.
    """

    class FeeModel(models.TextChoices):
        FLAT = "flat", _("Flat fee")
        HOURLY = "hourly", _("Hourly")
        CONTINGENCY = "contingency", _("Contingency")
        MIXED = "mixed", _("Mixed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=120, validators=[validate_plain_text])
    practice_area = models.CharField(
        _("practice area"), max_length=80, blank=True, validators=[validate_plain_text]
    )
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES)
    body = models.TextField(_("letter text"), max_length=20000)
    fee_model = models.CharField(
        _("fee model"), max_length=20, choices=FeeModel.choices, default=FeeModel.FLAT
    )
    fee_amount = models.DecimalField(
        _("fee"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="PLN")
    # A retainer the client pays before the work starts (spec §5: the lead is retained
    # once the letter is signed and this is paid); none: signing is enough.
    retainer_amount = models.DecimalField(
        _("retainer paid before work starts"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    version = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "language"]
        verbose_name = _("engagement letter template")
        verbose_name_plural = _("engagement letter templates")

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class Engagement(models.Model):
    """One engagement letter made for a lead, as a PDF with its SHA-256.

    The letter's text and PDF are fixed when it is made; signing adds the signed copy
    (the PDF plus a certificate page) and the evidence, after which nothing about the
    letter changes (on PostgreSQL a trigger refuses it, intake migration 0004).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        VIEWED = "viewed", _("Opened by the client")
        SIGNED = "signed", _("Signed")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Withdrawn")

    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "draft": ("sent", "revoked"),
        "sent": ("viewed", "declined", "expired", "revoked"),
        "viewed": ("signed", "declined", "expired", "revoked"),
        "signed": (),
        "declined": (),
        "expired": (),
        "revoked": (),
    }
    OPEN: ClassVar[tuple[str, ...]] = ("draft", "sent", "viewed")
    WITH_CLIENT: ClassVar[tuple[str, ...]] = ("sent", "viewed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="engagements")
    contact = models.ForeignKey("portal.Contact", on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(
        EngagementTemplate, on_delete=models.PROTECT, related_name="engagements"
    )
    template_version = models.PositiveIntegerField()
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES)
    title = models.CharField(max_length=200)
    body_text = models.TextField()
    scope = models.CharField(max_length=500, blank=True)
    fee_model = models.CharField(max_length=20, choices=EngagementTemplate.FeeModel.choices)
    fee_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    # The retainer the client pays after signing (in `currency`), and the payment
    # request billing issues for it at the signature; the lead is retained once it is paid.
    retainer_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    retainer_invoice = models.ForeignKey(
        "billing.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.FileField(upload_to=engagement_pdf_key, max_length=200)
    document_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    viewed_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    # What the client said when declining (optional; shown to staff on the lead page,
    # never put in a notice).
    declined_reason = models.TextField(blank=True, max_length=1000)
    expired_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    signed_pdf = models.FileField(upload_to=engagement_pdf_key, max_length=200, blank=True)
    signed_sha256 = models.CharField(max_length=64, blank=True)
    # Filled once the lead is retained: the matter, and the signed copy in its documents.
    matter = models.ForeignKey(
        "portal.Matter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document = models.ForeignKey(
        "portal.DocumentVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("engagement letter")
        verbose_name_plural = _("engagement letters")
        constraints: ClassVar = [
            # One letter in play per lead: a new one needs the old one withdrawn.
            models.UniqueConstraint(
                fields=["lead"],
                condition=models.Q(status__in=["draft", "sent", "viewed"]),
                name="engagement_one_open_per_lead",
            ),
            models.UniqueConstraint(
                fields=["lead"],
                condition=models.Q(status="signed"),
                name="engagement_one_signed_per_lead",
            ),
        ]

    def __str__(self) -> str:
        return f"engagement {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


class SignatureEvidence(models.Model):
    """What proves a simple electronic signature (spec §6): who, how they were signed
    in, the exact consent text they ticked, the typed name, where from, and the hash of
    the document they signed. Written once with the signature; never changed."""

    engagement = models.OneToOneField(Engagement, on_delete=models.PROTECT, related_name="evidence")
    signer = models.ForeignKey("portal.Contact", on_delete=models.PROTECT, related_name="+")
    signer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    auth_method = models.CharField(max_length=40)
    typed_name = models.CharField(max_length=200)
    consent = models.ForeignKey("portal.ConsentRecord", on_delete=models.PROTECT, related_name="+")
    # The optional drawn signature: a PNG checked and re-encoded by the server (spec §6).
    drawn_png = models.BinaryField(null=True, blank=True)
    drawn_sha256 = models.CharField(max_length=64, blank=True)
    # A US firm's consumer: the ESIGN disclosure accepted before signing (ConsentRecord
    # ESIGN_DISCLOSURE with the exact disclosure shown).
    esign_consent = models.ForeignKey(
        "portal.ConsentRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    signed_at = models.DateTimeField()
    document_sha256 = models.CharField(max_length=64)
    signed_sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"evidence {self.engagement_id}"


class ConflictIndexEntry(models.Model):
    """One searchable name: a contact, an alias, an organisation, a matter party or a
    lead's party. Denormalised; `manage.py conflict_index_rebuild` makes it from scratch."""

    class Source(models.TextChoices):
        CONTACT = "contact", _("Contact")
        ALIAS = "alias", _("Other name")
        ORGANISATION = "organisation", _("Organisation")
        MATTER_PARTY = "matter_party", _("Matter party")
        LEAD_PARTY = "lead_party", _("Party named in an inquiry")
        STUB = "stub", _("Kept after a purge")

    source = models.CharField(max_length=20, choices=Source.choices)
    contact = models.ForeignKey(
        "portal.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    matter = models.ForeignKey(
        "portal.Matter", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="index_entries"
    )
    role = models.CharField(max_length=20, blank=True)
    display_name = models.CharField(max_length=300)
    keys = models.JSONField(default=dict)
    identifiers = models.JSONField(default=dict)
    ascii_key = models.CharField(max_length=300, blank=True, db_index=True)
    # EntryKeys.exact_terms: "family:…", "word:…", "email:…", "phone:…", "tax:…", "dob:…".
    # On PostgreSQL a GIN index on it and a trigram GIN index on ascii_key make the
    # conflict check's prefilter (migration 0010; intake.services.conflicts).
    terms = models.JSONField(default=list, blank=True)
    matter_open = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["source", "contact"])]

    def __str__(self) -> str:
        return self.display_name


class ConflictCheck(models.Model):
    class Trigger(models.TextChoices):
        INTAKE = "intake", _("Inquiry")
        PARTY_ADDED = "party_added", _("Party added or changed")
        ROLE_CHANGED = "role_changed", _("Role changed")
        MANUAL = "manual", _("Run by staff")

    class Status(models.TextChoices):
        PENDING = "pending", _("Running")
        CLEAR = "clear", _("Clear")
        NEEDS_REVIEW = "needs_review", _("Needs review")
        CLEARED = "cleared", _("Cleared")
        WAIVED = "waived", _("Waived")
        CONFLICT = "conflict", _("Conflict")

    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "pending": ("clear", "needs_review"),
        "needs_review": ("cleared", "waived", "conflict"),
        "clear": (),
        "cleared": (),
        "waived": (),
        "conflict": (),
    }
    OK_STATES: ClassVar[frozenset[str]] = frozenset({"clear", "cleared", "waived"})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="conflict_checks"
    )
    matter = models.ForeignKey(
        "portal.Matter", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    query = models.JSONField(default=list)
    algorithm_version = models.CharField(max_length=20)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    index_size = models.PositiveIntegerField(default=0)
    run_at = models.DateTimeField(default=timezone.now)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-run_at"]
        verbose_name = _("conflict check")
        verbose_name_plural = _("conflict checks")
        permissions: ClassVar = [
            ("view_conflict_report", _("Can see conflict check hits")),
            ("waive_conflict", _("Can waive a conflict")),
        ]

    def __str__(self) -> str:
        return f"check {self.pk}"

    @property
    def is_decided(self) -> bool:
        return self.status in ("cleared", "waived", "conflict")


class ConflictHit(models.Model):
    """One match, frozen as it was found (the report never changes with the index)."""

    conflict_check = models.ForeignKey(ConflictCheck, on_delete=models.CASCADE, related_name="hits")
    entry = models.ForeignKey(
        ConflictIndexEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grade = models.CharField(max_length=10)
    score = models.FloatField(default=0)
    reason = models.CharField(max_length=500)
    reasons = models.JSONField(default=list)
    name = models.CharField(max_length=300)
    role = models.CharField(max_length=20, blank=True)
    source = models.CharField(max_length=20, blank=True)
    matter_reference = models.CharField(max_length=40, blank=True)
    matter_open = models.BooleanField(default=False)
    lawyer = models.CharField(max_length=200, blank=True)
    query_name = models.CharField(max_length=300, blank=True)
    query_role = models.CharField(max_length=20, blank=True)
    dismissed = models.BooleanField(default=False)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["conflict_check", "-score", "pk"]

    def __str__(self) -> str:
        return f"{self.grade} {self.name}"
