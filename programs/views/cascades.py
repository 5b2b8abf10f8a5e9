"""Training of trainers and cascades: the tree (training → cascade cohorts → people reached), qualifying those who
completed a training, and marking a cohort as a training or as a cascade of one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from programs.forms.staff_training import CascadeForm
from programs.models import Enrolment, StaffMember, TrainerQualification
from programs.services.cascades import (
    cascade_trees,
    cascade_warnings,
    cohort_set_cascade,
    training_of_trainers_complete,
    training_of_trainers_qualify,
)
from programs.views.cohorts import MANAGER_ROLES, managed_cohorts
from rehab.models import Organisation
from rehab.permissions import role_required


@role_required(*MANAGER_ROLES)
def cascade_list(request: HttpRequest) -> HttpResponse:
    cohorts = managed_cohorts(request.user)
    trees = cascade_trees(trainings=cohorts, cascades=cohorts)
    return render(request, "programs/cascades/list.html", {"trees": trees})


@role_required(*MANAGER_ROLES)
def cascade_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohorts = managed_cohorts(request.user)
    training = get_object_or_404(cohorts.filter(is_training_of_trainers=True), pk=pk)
    tree = cascade_trees(trainings=cohorts.filter(pk=training.pk), cascades=cohorts)[0]
    qualified = TrainerQualification.objects.filter(staff_member=OuterRef("staff_member_id"), course_id=training.course_id)
    trainees = (
        training.enrolments.filter(staff_member__isnull=False)
        .select_related("staff_member__organisation")
        .annotate(is_qualified=Exists(qualified))
        .order_by("staff_member__last_name", "staff_member__first_name")
    )
    branches = [(branch, cascade_warnings(cohort=branch.cohort)) for branch in tree.branches]
    context = {
        "tree": tree,
        "training": training,
        "trainees": trainees,
        "branches": branches,
        "open_enrolments": training.enrolments.filter(status=Enrolment.Status.ENROLLED).exists(),
    }
    return render(request, "programs/cascades/detail.html", context)


@require_POST
@role_required(*MANAGER_ROLES)
def cascade_qualify(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete the training (once it has ended) and qualify everyone who passed it to deliver the course."""
    training = get_object_or_404(
        managed_cohorts(request.user).filter(is_training_of_trainers=True).select_related("course"), pk=pk
    )
    try:
        if training.enrolments.filter(status=Enrolment.Status.ENROLLED).exists():
            _completed, qualified = training_of_trainers_complete(cohort=training, by=request.user)
        else:
            qualified = training_of_trainers_qualify(cohort=training, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d staff member is newly qualified to deliver the course.",
                "%(count)d staff members are newly qualified to deliver the course.",
                len(qualified),
            )
            % {"count": len(qualified)},
        )
    return redirect("programs:cascade_detail", pk=training.pk)


@role_required(*MANAGER_ROLES)
def cohort_cascade(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a cohort as a training of trainers, or as a cascade of one with a supervising mentor."""
    cohorts = managed_cohorts(request.user)
    cohort = get_object_or_404(
        cohorts.select_related("course", "facility__prison_service", "room", "cascade_of", "mentor")
        .prefetch_related(Prefetch("trainers", queryset=StaffMember.objects.select_related("organisation"))),
        pk=pk,
    )
    trainings = (
        cohorts.filter(is_training_of_trainers=True, course_id=cohort.course_id).exclude(pk=cohort.pk).order_by("-start_date")
    )
    staff = (
        StaffMember.objects.filter(organisation__country=cohort.facility.prison_service.country)
        .exclude(organisation__kind=Organisation.Kind.DONOR)
        .select_related("organisation")
        .order_by("last_name", "first_name")
    )
    initial = {
        "is_training_of_trainers": cohort.is_training_of_trainers,
        "cascade_of": cohort.cascade_of,
        "mentor": cohort.mentor,
    }
    form = CascadeForm(request.POST if request.method == "POST" else None, initial=initial, trainings=trainings, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            cohort_set_cascade(cohort=cohort, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Saved."))
            return redirect("programs:cohort_delivery", pk=cohort.pk)
    return render(
        request,
        "programs/cascades/cohort_form.html",
        {"cohort": cohort, "form": form, "warnings": cascade_warnings(cohort=cohort)},
    )


urlpatterns = [
    path("cascades/", cascade_list, name="cascade_list"),
    path("cascades/<int:pk>/", cascade_detail, name="cascade_detail"),
    path("cascades/<int:pk>/qualify/", cascade_qualify, name="cascade_qualify"),
    path("cohorts/<int:pk>/cascade/", cohort_cascade, name="cohort_cascade"),
]
