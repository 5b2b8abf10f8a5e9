from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from inmates.models import (
    AnswerOption,
    AnswerScale,
    Assessment,
    AssessmentAnswer,
    AssessmentDomain,
    AssessmentInstrument,
    AssessmentItem,
    CustodyEvent,
    FollowUp,
    Inmate,
    PlanGoal,
    PlanIntervention,
    PlanReview,
    PlanStep,
    Referral,
    RehabilitationPlan,
    ReleaseTask,
    ScoringBand,
    SensitiveRead,
)
from inmates.support import follow_ups_reschedule

# Why follow-ups moved, in the audit log, when a release date was corrected in the administration.
ADMIN_CORRECTION = "release date corrected in the administration"


class CustodyEventInline(admin.TabularInline):
    model = CustodyEvent
    extra = 0
    fk_name = "inmate"
    raw_id_fields = ["recorded_by"]


@admin.register(Inmate)
class InmateAdmin(admin.ModelAdmin):
    list_display = [
        "registration_number", "last_name", "first_name", "gender", "current_facility", "status",
        "admission_date", "expected_release_date",
    ]
    list_filter = ["status", "gender", "prison_service", "current_facility"]
    search_fields = ["registration_number", "first_name", "last_name"]
    list_select_related = ["current_facility", "prison_service"]
    date_hierarchy = "admission_date"
    inlines = [CustodyEventInline]

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        # A corrected expected release date, or a release movement added, changed or deleted in the inline, moves
        # the follow-ups not yet done with it (in the admin's transaction, after the movements are saved). Other
        # edits leave them alone: a follow-up's date set by hand stays.
        super().save_related(request, form, formsets, change)
        if change and ("expected_release_date" in form.changed_data or _release_changed(formsets)):
            follow_ups_reschedule(inmate=form.instance, by=request.user, reason=ADMIN_CORRECTION)


def _release_changed(formsets) -> bool:
    release = CustodyEvent.Kind.RELEASE
    for formset in formsets:
        if formset.model is not CustodyEvent:
            continue
        for event_form in formset.forms:
            kinds = {event_form.initial.get("kind"), getattr(event_form.instance, "kind", None)}
            if release in kinds and (event_form.has_changed() or event_form in formset.deleted_forms):
                return True
    return False


@admin.register(CustodyEvent)
class CustodyEventAdmin(admin.ModelAdmin):
    list_display = ["inmate", "kind", "date", "from_facility", "to_facility"]
    list_filter = ["kind", "to_facility", "from_facility"]
    search_fields = ["inmate__registration_number", "inmate__last_name"]
    list_select_related = ["inmate", "from_facility", "to_facility"]
    raw_id_fields = ["inmate", "recorded_by"]
    date_hierarchy = "date"

    # A release movement added, corrected, turned into another kind, moved to another person or deleted here moves
    # the follow-ups not yet done of the people concerned.

    def save_model(self, request: HttpRequest, obj: CustodyEvent, form, change: bool) -> None:
        was_release = form.initial.get("kind") == CustodyEvent.Kind.RELEASE
        previous_inmate = form.initial.get("inmate")
        super().save_model(request, obj, form, change)
        if obj.kind == CustodyEvent.Kind.RELEASE or was_release:
            follow_ups_reschedule(inmate=obj.inmate, by=request.user, reason=ADMIN_CORRECTION)
            if was_release and previous_inmate and previous_inmate != obj.inmate_id:
                follow_ups_reschedule(inmate=Inmate.objects.get(pk=previous_inmate), by=request.user, reason=ADMIN_CORRECTION)

    def delete_model(self, request: HttpRequest, obj: CustodyEvent) -> None:
        self.delete_queryset(request, CustodyEvent.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        people = set(queryset.filter(kind=CustodyEvent.Kind.RELEASE).values_list("inmate_id", flat=True))
        super().delete_queryset(request, queryset)
        for inmate in Inmate.objects.filter(pk__in=people).order_by("pk"):
            follow_ups_reschedule(inmate=inmate, by=request.user, reason=ADMIN_CORRECTION)


# ------------------------------------------------------------------------------------------------ casework


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are evidence (assessments, the read log): viewable, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AnswerOptionInline(admin.TabularInline):
    model = AnswerOption
    extra = 0


@admin.register(AnswerScale)
class AnswerScaleAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    inlines = [AnswerOptionInline]


class ScoringBandFormSet(BaseInlineFormSet):
    """The instrument's total-score bands must cover every possible score exactly once."""

    def _construct_form(self, i: int, **kwargs: object) -> forms.ModelForm:
        form = super()._construct_form(i, **kwargs)
        form.instance.checked_with_siblings = True
        return form

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        bands = [
            (form.cleaned_data["min_score"], form.cleaned_data["max_score"])
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("domain") is None
            and form.cleaned_data.get("min_score") is not None
            and form.cleaned_data.get("max_score") is not None
        ]
        if problems := self.instance.band_problems(bands):
            raise ValidationError(problems)


class ScoringBandInline(admin.TabularInline):
    model = ScoringBand
    formset = ScoringBandFormSet
    extra = 0
    fk_name = "instrument"


class AssessmentDomainInline(admin.TabularInline):
    model = AssessmentDomain
    extra = 0
    show_change_link = True


@admin.register(AssessmentInstrument)
class AssessmentInstrumentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "version", "reassess_after_months", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    inlines = [AssessmentDomainInline, ScoringBandInline]


class AssessmentItemInline(admin.TabularInline):
    model = AssessmentItem
    extra = 0


@admin.register(AssessmentDomain)
class AssessmentDomainAdmin(admin.ModelAdmin):
    list_display = ["instrument", "order", "code", "name"]
    list_filter = ["instrument"]
    list_select_related = ["instrument"]
    inlines = [AssessmentItemInline]


class AssessmentAnswerInline(admin.TabularInline):
    model = AssessmentAnswer
    extra = 0
    can_delete = False
    fields = ["item", "option", "score"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["inmate", "instrument", "assessed_on", "total_score", "level", "reassessment_due", "assessor"]
    list_filter = ["instrument", "level"]
    list_select_related = ["inmate", "instrument", "assessor"]
    search_fields = ["inmate__registration_number", "inmate__last_name"]
    date_hierarchy = "assessed_on"
    inlines = [AssessmentAnswerInline]


@admin.register(SensitiveRead)
class SensitiveReadAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "inmate", "record_type", "record_id", "path"]
    list_filter = ["record_type"]
    list_select_related = ["user", "inmate"]
    search_fields = ["user__username", "inmate__registration_number", "inmate__last_name"]
    date_hierarchy = "at"


class PlanGoalInline(admin.TabularInline):
    model = PlanGoal
    extra = 0
    show_change_link = True


class PlanInterventionInline(admin.TabularInline):
    model = PlanIntervention
    extra = 0
    raw_id_fields = ["goal", "course", "cohort", "enrolment"]


class PlanReviewInline(admin.TabularInline):
    model = PlanReview
    extra = 0
    raw_id_fields = ["reviewer"]


@admin.register(RehabilitationPlan)
class RehabilitationPlanAdmin(admin.ModelAdmin):
    list_display = ["inmate", "status", "started_on", "next_review_on"]
    list_filter = ["status"]
    list_select_related = ["inmate"]
    search_fields = ["inmate__registration_number", "inmate__last_name"]
    raw_id_fields = ["inmate", "created_by"]
    inlines = [PlanGoalInline, PlanInterventionInline, PlanReviewInline]


class PlanStepInline(admin.TabularInline):
    model = PlanStep
    extra = 0
    raw_id_fields = ["owner"]


@admin.register(PlanGoal)
class PlanGoalAdmin(admin.ModelAdmin):
    list_display = ["plan", "order", "title", "need_area", "status"]
    list_filter = ["need_area", "status"]
    list_select_related = ["plan__inmate"]
    raw_id_fields = ["plan"]
    inlines = [PlanStepInline]


@admin.register(ReleaseTask)
class ReleaseTaskAdmin(admin.ModelAdmin):
    list_display = ["inmate", "kind", "owner", "due_date", "status", "completed_on"]
    list_filter = ["kind", "status"]
    list_select_related = ["inmate", "owner"]
    search_fields = ["inmate__registration_number", "inmate__last_name"]
    raw_id_fields = ["inmate", "owner"]


class FollowUpInline(admin.TabularInline):
    model = FollowUp
    extra = 0
    raw_id_fields = ["recorded_by"]


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["inmate", "organisation", "referred_on", "status"]
    list_filter = ["status", "organisation"]
    list_select_related = ["inmate", "organisation"]
    search_fields = ["inmate__registration_number", "inmate__last_name"]
    raw_id_fields = ["inmate", "referred_by"]
    inlines = [FollowUpInline]
