from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateTemplate,
    EligibilityOverride,
    IssuanceBatch,
    Issuer,
    PrintPack,
    SerialCounter,
    Signatory,
)


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0


@admin.register(Issuer)
class IssuerAdmin(admin.ModelAdmin):
    list_display = ["organisation", "serial_prefix"]
    search_fields = ["organisation__name", "serial_prefix"]
    list_select_related = ["organisation"]
    inlines = [SignatoryInline]


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(admin.ModelAdmin):
    list_display = ["issuer", "version", "note", "created_by", "created_at"]
    list_filter = ["issuer"]
    list_select_related = ["issuer__organisation", "created_by"]
    # Versions are immutable: a change is a new version, made on the registrar's template page.
    readonly_fields = ["issuer", "version", "html", "css", "note", "created_by", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False


class CertificateEventInline(admin.TabularInline):
    model = CertificateEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "reason", "by", "at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["serial", "holder_name", "course_title_en", "status", "issued_on", "issuer"]
    list_filter = ["status", "issuer", "serial_year"]
    search_fields = ["serial", "holder_name", "course_title", "course_title_en"]
    list_select_related = ["issuer__organisation"]
    date_hierarchy = "issued_on"
    inlines = [CertificateEventInline]
    # Issued certificates change only through the services (revoke, reissue), which keep the trail.
    readonly_fields = [f.name for f in Certificate._meta.fields] + ["failure_message"]

    @admin.display(description=_("Reason"))
    def failure_message(self, obj: Certificate) -> str:
        # The reason as registrars read it; the code and the technical detail are shown as fields.
        return obj.failure_message

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IssuanceBatch)
class IssuanceBatchAdmin(admin.ModelAdmin):
    list_display = ["pk", "cohort", "issuer", "kind", "created_by", "created_at"]
    list_filter = ["kind", "issuer"]
    list_select_related = ["cohort", "issuer__organisation", "created_by"]
    readonly_fields = ["cohort", "issuer", "template", "kind", "created_by", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SerialCounter)
class SerialCounterAdmin(admin.ModelAdmin):
    list_display = ["issuer", "year", "last_number"]
    readonly_fields = ["issuer", "year", "last_number"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EligibilityOverride)
class EligibilityOverrideAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "reason", "created_by", "created_at"]
    readonly_fields = ["enrolment", "reason", "unmet_rules", "created_by", "created_at"]
    list_select_related = ["enrolment__cohort", "created_by"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(PrintPack)
class PrintPackAdmin(admin.ModelAdmin):
    list_display = ["cohort", "kind", "status", "certificate_count", "requested_by", "requested_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["cohort", "requested_by"]
    readonly_fields = ["cohort", "kind", "status", "file", "certificate_count", "failure_reason", "requested_by", "requested_at", "finished_at"]
