"""Certificates: issuers and signatories, versioned templates, issuance batches, certificates, print packs.

A certificate is a snapshot: the holder's name as written, the course title in both languages, hours, dates and
the issuer's name are copied when it is issued, so later edits to the enrolment or the course never change a
certificate that has been handed out. Revoked and superseded certificates keep their serial; rows are never
deleted.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from certificates.storage import private_storage
from programs.models import Cohort, Enrolment
from rehab.models import Organisation


def new_verification_token() -> str:
    """32 URL-safe characters from 192 random bits: unguessable, and short enough for a small QR code."""
    return secrets.token_urlsafe(24)


def _issuer_upload_to(instance: models.Model, filename: str) -> str:
    issuer_id = getattr(instance, "issuer_id", None) or instance.pk
    return f"issuers/{issuer_id}/{filename}"


class Issuer(models.Model):
    """A training centre's certificate profile: its serial prefix, logo and local name."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="certificate_issuer",
        limit_choices_to={"kind": Organisation.Kind.TRAINING_CENTRE},
        verbose_name=_("training centre"),
    )
    serial_prefix = models.CharField(
        _("serial prefix"),
        max_length=20,
        unique=True,
        help_text=_("Capital letters, digits and hyphens, e.g. VTC-PZ. Serials read VTC-PZ-2026-000123."),
    )
    # The issuer's name in other languages, keyed by language code, like course titles.
    name_translations = models.JSONField(_("name in other languages"), default=dict, blank=True)
    logo = models.ImageField(_("logo"), storage=private_storage, upload_to=_issuer_upload_to, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("issuer")
        verbose_name_plural = _("issuers")
        constraints = [
            models.CheckConstraint(
                condition=Q(serial_prefix__regex=r"^[A-Z0-9]+(-[A-Z0-9]+)*$"), name="issuer_serial_prefix_format"
            ),
        ]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name

    def name_in(self, language: str) -> str:
        return self.name_translations.get(language) or self.organisation.name

    def clean(self) -> None:
        if self.organisation_id and self.organisation.kind != Organisation.Kind.TRAINING_CENTRE:
            raise ValidationError({"organisation": _("Only a training centre can issue certificates.")})


class Signatory(models.Model):
    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("issuer"))
    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("title"), max_length=150)
    signature = models.ImageField(_("signature image"), storage=private_storage, upload_to=_issuer_upload_to, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("signs new certificates"), default=True)

    class Meta:
        ordering = ["issuer", "position", "id"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")

    def __str__(self) -> str:
        return f"{self.name}, {self.title}"


class CertificateTemplate(models.Model):
    """One version of an issuer's certificate layout (a Django template and its CSS). Versions are never edited:
    saving makes the next one, and every certificate records the version it was rendered with."""

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="templates", verbose_name=_("issuer"))
    version = models.PositiveIntegerField(_("version"))
    html = models.TextField(_("HTML"))
    css = models.TextField(_("CSS"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["issuer", "-version"]
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "version"], name="certificatetemplate_unique_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="certificatetemplate_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} v{self.version}"


class SerialCounter(models.Model):
    """The last serial number used per issuer and year; locked while certificates are numbered, so serials are
    gapless: a rolled-back issuance rolls the counter back with it."""

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="serial_counters")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["issuer", "year"]
        verbose_name = _("serial counter")
        verbose_name_plural = _("serial counters")
        constraints = [models.UniqueConstraint(fields=["issuer", "year"], name="serialcounter_unique_year")]

    def __str__(self) -> str:
        return f"{self.issuer} {self.year}: {self.last_number}"


class EligibilityOverride(models.Model):
    """A registrar's decision to certify an enrolment that does not meet the rules, with the reason."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="certificate_overrides", verbose_name=_("enrolment")
    )
    reason = models.CharField(_("reason"), max_length=500)
    unmet_rules = models.JSONField(_("rules not met"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["enrolment", "-created_at"]
        verbose_name = _("eligibility override")
        verbose_name_plural = _("eligibility overrides")
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="eligibilityoverride_has_reason")]

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.reason}"


class IssuanceBatch(models.Model):
    """Certificates numbered together in one transaction and rendered by the workers afterwards."""

    class Kind(models.TextChoices):
        ISSUE = "issue", _("Issue")
        REISSUE = "reissue", _("Reissue")

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="issuance_batches", verbose_name=_("cohort"))
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="batches", verbose_name=_("issuer"))
    template = models.ForeignKey(CertificateTemplate, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ISSUE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("issuance batch")
        verbose_name_plural = _("issuance batches")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} — {self.cohort}"


class RenderFailure(models.TextChoices):
    """Why a certificate could not be rendered, as a stable code. The sentence is translated when it is shown
    (`RenderFailure.message`), in the reader's language; the technical detail is kept beside it, in English."""

    TEMPLATE_ERROR = "template_error", _("The certificate template has an error.")
    IMAGE_UNREADABLE = "image_unreadable", _("The image %(name)s could not be read.")
    TEMPLATE_FILL = "template_fill", _("The certificate template could not be filled in.")
    LAYOUT = "layout", _("The certificate could not be laid out.")
    TOO_LONG = "too_long", _(
        "The certificate does not fit on one page; shorten the text or reduce the font sizes in the template."
    )
    STOPPED = "stopped", _("Rendering stopped on an unexpected error.")
    UNKNOWN = "unknown", _("Rendering failed")

    @classmethod
    def message(cls, code: str, params: dict | None = None) -> str:
        """The reason in the active language. A code or parameters this version does not know (a row written by
        a newer release) read as the generic reason rather than break the page."""
        try:
            return str(cls(code).label) % (params or {})
        except (ValueError, KeyError, TypeError):
            return str(cls.UNKNOWN.label)


class Certificate(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Being rendered")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Rendering failed")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded")

    # A live certificate stands for its enrolment; at most one per enrolment.
    LIVE = (Status.PENDING, Status.READY, Status.FAILED)

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("enrolment")
    )
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("issuer"))
    batch = models.ForeignKey(
        IssuanceBatch, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("batch")
    )
    template = models.ForeignKey(CertificateTemplate, on_delete=models.PROTECT, related_name="certificates")
    override = models.ForeignKey(
        EligibilityOverride, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )

    serial = models.CharField(_("serial"), max_length=40, unique=True)
    serial_year = models.PositiveSmallIntegerField(_("serial year"))
    serial_number = models.PositiveIntegerField(_("serial number"))
    verification_token = models.CharField(max_length=64, unique=True, default=new_verification_token, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)

    # The snapshot printed on the certificate and shown on its verification page.
    holder_name = models.CharField(_("holder's name"), max_length=200)
    holder_language = models.CharField(_("holder's language"), max_length=10, blank=True)
    language = models.CharField(_("language"), max_length=10)
    course_title = models.CharField(_("course title"), max_length=200)
    course_title_en = models.CharField(_("course title in English"), max_length=200)
    hours = models.PositiveIntegerField(_("hours"))
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    issued_on = models.DateField(_("issued on"))
    issuer_name = models.CharField(_("issuer"), max_length=200)
    issuer_name_local = models.CharField(_("issuer in the course language"), max_length=200)
    issuer_city = models.CharField(_("issuer's city"), max_length=100, blank=True)
    signatories = models.JSONField(_("signatories"), default=list, blank=True)

    pdf = models.FileField(_("PDF"), storage=private_storage, blank=True, max_length=255)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    render_attempts = models.PositiveSmallIntegerField(default=0)
    # When a rendering task for it was last handed to the broker; empty while the broker could not be reached,
    # so the sweeper (certificates_requeue_pending) knows what is still waiting to be queued.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    # Why rendering failed: a code and its parameters, worded in the reader's language when shown, and the
    # technical detail (the underlying error, in English) for administrators.
    failure_code = models.CharField(_("why rendering failed"), max_length=20, choices=RenderFailure.choices, blank=True)
    failure_params = models.JSONField(default=dict, blank=True)
    failure_reason = models.TextField(_("technical detail of the failure"), blank=True)

    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-serial_year", "-serial_number"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(status__in=["pending", "ready", "failed"]), name="certificate_one_live_per_enrolment"
            ),
            models.UniqueConstraint(
                fields=["issuer", "serial_year", "serial_number"], name="certificate_unique_number_per_issuer_year"
            ),
            models.CheckConstraint(condition=Q(serial_number__gte=1), name="certificate_serial_number_positive"),
            models.CheckConstraint(
                condition=~Q(status="revoked") | (Q(revoked_at__isnull=False) & ~Q(revocation_reason="")),
                name="certificate_revoked_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (Q(rendered_at__isnull=False) & ~Q(pdf="")),
                name="certificate_ready_has_pdf",
            ),
        ]
        indexes = [models.Index(fields=["batch", "status"])]

    def __str__(self) -> str:
        return f"{self.serial} — {self.holder_name}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    @property
    def bilingual(self) -> bool:
        return self.language != "en"

    @property
    def failure_message(self) -> str:
        """Why rendering failed, in the active language; empty unless it did."""
        if self.status != self.Status.FAILED:
            return ""
        return RenderFailure.message(self.failure_code or RenderFailure.UNKNOWN, self.failure_params)


class CertificateEvent(models.Model):
    """Who issued, revoked or reissued a certificate, when and why: the trail a registrar reads on the page.
    (django-auditlog keeps the field-level history of the same changes.)"""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REVOKED = "revoked", _("Revoked")
        REISSUED = "reissued", _("Reissued")
        SUPERSEDED = "superseded", _("Superseded")
        RENDER_RETRIED = "render_retried", _("Rendering retried")

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["certificate", "at", "id"]
        verbose_name = _("certificate event")
        verbose_name_plural = _("certificate events")

    def __str__(self) -> str:
        return f"{self.certificate.serial}: {self.get_kind_display()}"


class PrintPack(models.Model):
    """All of a cohort's ready certificates in one file for printing, built by a worker."""

    class Kind(models.TextChoices):
        PDF = "pdf", _("One merged PDF")
        ZIP = "zip", _("ZIP of PDFs")

    class Status(models.TextChoices):
        PENDING = "pending", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="print_packs", verbose_name=_("cohort"))
    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("file"), storage=private_storage, blank=True, max_length=255)
    certificate_count = models.PositiveIntegerField(_("certificates"), default=0)
    failure_reason = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("print pack")
        verbose_name_plural = _("print packs")

    def __str__(self) -> str:
        return f"{self.cohort} ({self.get_kind_display()})"
