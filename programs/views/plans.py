"""Individual rehabilitation plans: the plan page, its goals, steps, interventions and reviews, and enrolling
from the plan. They live here, not in inmates, because interventions name courses and cohorts.

Every view that shows a plan writes a row to the sensitive-read log.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from inmates.casework_forms import (
    GoalEditForm,
    GoalForm,
    PlanEditForm,
    PlanForm,
    ReviewForm,
    StepEditForm,
    StepForm,
)
from inmates.casework_selectors import CASEWORK_ROLES, casework_facilities_for, casework_inmates_for
from inmates.models import (
    REFERRAL_KINDS,
    Inmate,
    PlanGoal,
    PlanIntervention,
    PlanStep,
    RehabilitationPlan,
)
from inmates.plans import (
    plan_create,
    plan_goal_add,
    plan_goal_update,
    plan_intervention_add,
    plan_intervention_drop,
    plan_review_add,
    plan_step_add,
    plan_step_update,
    plan_update,
)
from inmates.services import sensitive_read_record
from programs.forms.enrolment import AcknowledgeForm
from programs.forms.plans import InterventionForm
from programs.models import Cohort
from programs.selectors import cohorts_for
from programs.services.enrolment import enrolment_check_capacity, enrolment_suitability
from programs.services.plans import plan_intervention_enrol, plan_intervention_request, plan_interventions_sync
from programs.views.cohorts import can_manage
from rehab.models import Organisation, StaffMember
from rehab.permissions import role_required


def _add_errors(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


def _plan_item_form(request: HttpRequest, *, plan, form, save, done: str, title: str) -> HttpResponse:
    """The goal, step, intervention and review forms: on a valid POST call the service (`save`, given the cleaned
    data), then back to the plan; a refusal from the service is shown on the form and nothing is saved."""
    if request.method == "POST" and form.is_valid():
        try:
            save(**form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("programs:plan_detail", pk=plan.pk)
    return render(request, "inmates/plans/item_form.html", {"plan": plan, "form": form, "title": title})


def casework_plans_for(user) -> QuerySet[RehabilitationPlan]:
    return RehabilitationPlan.objects.filter(inmate__in=casework_inmates_for(user).values("pk"))


def _plan(request: HttpRequest, pk: int) -> RehabilitationPlan:
    """The plan, if the user may do casework on its person (404 otherwise); the read is logged."""
    plan = get_object_or_404(
        casework_plans_for(request.user).select_related("inmate__current_facility", "created_by"), pk=pk
    )
    _log_read(request, plan)
    return plan


def _log_read(request: HttpRequest, plan: RehabilitationPlan) -> None:
    sensitive_read_record(
        user=request.user, inmate=plan.inmate, record_type="plan", record_id=plan.pk, path=request.path
    )


def _scoped_inmate(request: HttpRequest, pk: int) -> Inmate:
    return get_object_or_404(casework_inmates_for(request.user).select_related("current_facility"), pk=pk)


def owner_choices(inmate: Inmate) -> QuerySet[StaffMember]:
    """Who can own a step or a task: staff of the person's prison service, of training centres, and of the
    organisations that support people after release."""
    return StaffMember.objects.filter(
        Q(organisation_id=inmate.prison_service_id)
        | Q(organisation__kind__in=(*REFERRAL_KINDS, Organisation.Kind.TRAINING_CENTRE))
    )


def _plan_cohorts(request: HttpRequest, plan: RehabilitationPlan) -> QuerySet[Cohort]:
    """Groups an intervention can name: not finished, in the person's (last) facility or the user's facilities."""
    facility_ids = {plan.inmate.current_facility_id} - {None}
    facilities = Q(facility__in=casework_facilities_for(request.user)) | Q(facility_id__in=facility_ids)
    return cohorts_for(user=request.user).filter(facilities, end_date__gte=timezone.localdate())


@role_required(*CASEWORK_ROLES)
def plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    inmate = _scoped_inmate(request, pk)
    form = PlanForm(request.POST or None, initial={"started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_create(inmate=inmate, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The plan is started: add its goals."))
            return redirect("programs:plan_detail", pk=plan.pk)
    return render(request, "inmates/plans/plan_form.html", {"inmate": inmate, "form": form, "plan": None})


@role_required(*CASEWORK_ROLES)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    plan_interventions_sync(plan=plan)
    goals = plan.goals.prefetch_related(
        Prefetch("steps", queryset=PlanStep.objects.select_related("owner").order_by("target_date", "pk"))
    ).order_by("order", "pk")
    interventions = list(
        plan.interventions.select_related(
            "goal", "course", "cohort__facility", "cohort__course", "enrolment__cohort"
        ).order_by("pk")
    )
    for intervention in interventions:
        intervention.can_enrol = bool(
            intervention.cohort_id
            and intervention.status == PlanIntervention.Status.PLANNED
            and plan.status == RehabilitationPlan.Status.ACTIVE
        )
    context = {
        "plan": plan,
        "inmate": plan.inmate,
        "goals": goals,
        "interventions": interventions,
        "reviews": plan.reviews.select_related("reviewer").order_by("-reviewed_on", "-pk"),
        "is_active": plan.status == RehabilitationPlan.Status.ACTIVE,
        "today": timezone.localdate(),
    }
    return render(request, "inmates/plans/detail.html", context)


@role_required(*CASEWORK_ROLES)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    initial = {"summary": plan.summary, "status": plan.status, "next_review_on": plan.next_review_on}
    form = PlanEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan_update(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The plan is saved."))
            return redirect("programs:plan_detail", pk=plan.pk)
    return render(request, "inmates/plans/plan_form.html", {"inmate": plan.inmate, "form": form, "plan": plan})


@role_required(*CASEWORK_ROLES)
def plan_goal_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = GoalForm(request.POST or None)
    return _plan_item_form(
        request, plan=plan, form=form, save=partial(plan_goal_add, plan=plan, by=request.user),
        done=_("The goal is added."), title=_("New goal"),
    )


@role_required(*CASEWORK_ROLES)
def plan_goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(PlanGoal.objects.filter(plan__in=casework_plans_for(request.user)), pk=pk)
    plan = _plan(request, goal.plan_id)
    initial = {"title": goal.title, "need_area": goal.need_area, "status": goal.status}
    form = GoalEditForm(request.POST or None, initial=initial)
    return _plan_item_form(
        request, plan=plan, form=form, save=partial(plan_goal_update, goal=goal, by=request.user),
        done=_("The goal is saved."), title=_("Edit goal"),
    )


@role_required(*CASEWORK_ROLES)
def plan_step_new(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(PlanGoal.objects.filter(plan__in=casework_plans_for(request.user)), pk=pk)
    plan = _plan(request, goal.plan_id)
    form = StepForm(request.POST or None, staff=owner_choices(plan.inmate))
    title = _("New step for “%(goal)s”") % {"goal": goal.title}
    return _plan_item_form(
        request, plan=plan, form=form, save=partial(plan_step_add, goal=goal, by=request.user),
        done=_("The step is added."), title=title,
    )


@role_required(*CASEWORK_ROLES)
def plan_step_edit(request: HttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(
        PlanStep.objects.filter(goal__plan__in=casework_plans_for(request.user)).select_related("goal"), pk=pk
    )
    plan = _plan(request, step.goal.plan_id)
    step.goal.plan = plan
    initial = {
        "description": step.description, "owner": step.owner_id, "target_date": step.target_date, "status": step.status,
    }
    form = StepEditForm(request.POST or None, initial=initial, staff=owner_choices(plan.inmate))
    return _plan_item_form(
        request, plan=plan, form=form, save=partial(plan_step_update, step=step, today=timezone.localdate(), by=request.user),
        done=_("The step is saved."), title=_("Edit step"),
    )


@role_required(*CASEWORK_ROLES)
def plan_intervention_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = InterventionForm(
        request.POST or None, goals=plan.goals.order_by("order", "pk"), cohorts=_plan_cohorts(request, plan)
    )
    return _plan_item_form(
        request, plan=plan, form=form, save=partial(plan_intervention_add, plan=plan, by=request.user),
        done=_("The intervention is added."), title=_("New intervention"),
    )


def _intervention(request: HttpRequest, pk: int) -> PlanIntervention:
    intervention = get_object_or_404(
        PlanIntervention.objects.filter(plan__in=casework_plans_for(request.user)).select_related(
            "cohort__course", "cohort__facility", "cohort__room", "course"
        ),
        pk=pk,
    )
    intervention.plan = _plan(request, intervention.plan_id)
    return intervention


@role_required(*CASEWORK_ROLES)
def plan_intervention_enrol_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol the person in the intervention's group, with the enrol page's capacity and suitability checks. Those
    who manage the group enrol; case managers ask for a place (the person joins the waitlist)."""
    intervention = _intervention(request, pk)
    plan, inmate, cohort = intervention.plan, intervention.plan.inmate, intervention.cohort
    if cohort is None or intervention.status != PlanIntervention.Status.PLANNED or intervention.enrolment_id:
        messages.error(request, _("This intervention has no group to enrol in, or is no longer planned."))
        return redirect("programs:plan_detail", pk=plan.pk)
    manager = can_manage(request.user, cohort)
    warnings = enrolment_suitability(cohort=cohort, inmate=inmate)
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if not manager:
                plan_intervention_request(intervention=intervention, by=request.user)
                messages.success(request, _("%(name)s is on the waitlist for this course.") % {"name": inmate.full_name})
                return redirect("programs:plan_detail", pk=plan.pk)
            enrolment_check_capacity(cohort=cohort)
            if warnings and not form.cleaned_data["acknowledge"]:
                form.add_error("acknowledge", _("Tick the box to confirm you have read the warnings."))
            else:
                plan_intervention_enrol(intervention=intervention, by=request.user)
                messages.success(request, _("%(name)s is enrolled.") % {"name": inmate.full_name})
                return redirect("programs:plan_detail", pk=plan.pk)
        except ValidationError as exc:
            _add_errors(form, exc)
    context = {
        "plan": plan,
        "inmate": inmate,
        "cohort": cohort,
        "intervention": intervention,
        "warnings": warnings,
        "form": form,
        "can_enrol": manager,
    }
    return render(request, "inmates/plans/enrol.html", context)


@role_required(*CASEWORK_ROLES)
def plan_intervention_drop_view(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = _intervention(request, pk)
    if request.method == "POST":
        try:
            plan_intervention_drop(intervention=intervention, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The intervention is dropped."))
    return redirect("programs:plan_detail", pk=intervention.plan_id)


@role_required(*CASEWORK_ROLES)
def plan_review_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = ReviewForm(request.POST or None, initial={"reviewed_on": timezone.localdate()})
    return _plan_item_form(
        request, plan=plan, form=form, save=partial(plan_review_add, plan=plan, by=request.user),
        done=_("The review is recorded."), title=_("New review"),
    )


urlpatterns = [
    path("casework/inmates/<int:pk>/plans/new/", plan_new, name="plan_create"),
    path("casework/plans/<int:pk>/", plan_detail, name="plan_detail"),
    path("casework/plans/<int:pk>/edit/", plan_edit, name="plan_edit"),
    path("casework/plans/<int:pk>/goals/new/", plan_goal_new, name="plan_goal_create"),
    path("casework/plans/<int:pk>/interventions/new/", plan_intervention_new, name="plan_intervention_create"),
    path("casework/plans/<int:pk>/reviews/new/", plan_review_new, name="plan_review_create"),
    path("casework/goals/<int:pk>/edit/", plan_goal_edit, name="plan_goal_edit"),
    path("casework/goals/<int:pk>/steps/new/", plan_step_new, name="plan_step_create"),
    path("casework/steps/<int:pk>/edit/", plan_step_edit, name="plan_step_edit"),
    path("casework/interventions/<int:pk>/enrol/", plan_intervention_enrol_view, name="plan_intervention_enrol"),
    path("casework/interventions/<int:pk>/drop/", plan_intervention_drop_view, name="plan_intervention_drop"),
]
