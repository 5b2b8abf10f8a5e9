"""Staff as participants: enrolling staff members (from several organisations) in staff and mixed cohorts, the
list of staff in training, and one staff member's training record. Inmate screens never show staff."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import ngettext

from programs.forms.staff_training import StaffEnrolForm, StaffFilterForm
from programs.models import Course, Enrolment, TrainerQualification
from programs.services.enrolment import cohort_seats_taken, enrolment_create_staff
from programs.staff_selectors import staff_enrol_candidates, staff_for
from programs.views.cohorts import MANAGER_ROLES, managed_cohorts
from rehab.models import Organisation
from rehab.permissions import role_required


@role_required(*MANAGER_ROLES)
def cohort_staff(request: HttpRequest, pk: int) -> HttpResponse:
    """The staff members of a staff or mixed cohort, by organisation, and enrolling several at once."""
    cohort = get_object_or_404(
        managed_cohorts(request.user).select_related("course", "facility__prison_service", "room"), pk=pk
    )
    takes_staff = cohort.course.audience != Course.Audience.INMATES
    form = None
    if takes_staff:
        form = StaffEnrolForm(
            request.POST if request.method == "POST" else None, candidates=staff_enrol_candidates(cohort=cohort)
        )
        if request.method == "POST" and form.is_valid():
            try:
                enrolled = enrolment_create_staff(
                    cohort=cohort, staff_members=list(form.cleaned_data["staff_members"]), by=request.user
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    ngettext("%(count)d staff member enrolled.", "%(count)d staff members enrolled.", len(enrolled))
                    % {"count": len(enrolled)},
                )
                return redirect("programs:cohort_staff", pk=cohort.pk)
    enrolments = list(
        cohort.enrolments.filter(staff_member__isnull=False)
        .select_related("staff_member__organisation")
        .order_by("staff_member__organisation__name", "staff_member__last_name", "staff_member__first_name")
    )
    seats_taken = cohort_seats_taken(cohort=cohort)
    context = {
        "cohort": cohort,
        "form": form,
        "takes_staff": takes_staff,
        "enrolments": enrolments,
        "seats_taken": seats_taken,
        "seats_free": max(cohort.seat_limit - seats_taken, 0),
    }
    return render(request, "programs/staff/cohort_staff.html", context)


@role_required(*MANAGER_ROLES)
def staff_list(request: HttpRequest) -> HttpResponse:
    """Staff members in training in the user's cohorts, with what they took part in and are qualified for."""
    cohorts = managed_cohorts(request.user)
    people = staff_for(user=request.user, cohorts=cohorts)
    organisations = Organisation.objects.filter(staff__in=people).distinct().order_by("name")
    filter_form = StaffFilterForm(request.GET or None, organisations=organisations)
    if filter_form.is_valid() and filter_form.cleaned_data["organisation"]:
        people = people.filter(organisation=filter_form.cleaned_data["organisation"])
    in_scope = Q(enrolments__cohort__in=cohorts.values("pk"))
    people = (
        people.select_related("organisation")
        .annotate(
            n_cohorts=Count("enrolments", filter=in_scope & Q(enrolments__status__in=Enrolment.SEATED), distinct=True),
            n_completed=Count(
                "enrolments", filter=in_scope & Q(enrolments__status=Enrolment.Status.COMPLETED), distinct=True
            ),
            n_qualifications=Count("qualifications", distinct=True),
        )
        .order_by("organisation__name", "last_name", "first_name", "pk")
    )
    return render(request, "programs/staff/list.html", {"people": people, "filter_form": filter_form})


@role_required(*MANAGER_ROLES)
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One staff member's training record: cohorts attended, delivered, mentored, and qualifications."""
    cohorts = managed_cohorts(request.user)
    person = get_object_or_404(staff_for(user=request.user, cohorts=cohorts).select_related("organisation"), pk=pk)
    scope = cohorts.values("pk")
    enrolments = (
        person.enrolments.filter(cohort__in=scope)
        .select_related("cohort__course", "cohort__facility")
        .order_by("-cohort__start_date")
    )
    delivered = person.cohorts_delivered.filter(pk__in=scope).select_related("course", "facility").order_by("-start_date")
    mentored = person.cohorts_mentored.filter(pk__in=scope).select_related("course", "facility").order_by("-start_date")
    qualifications = TrainerQualification.objects.filter(staff_member=person).select_related(
        "course", "source_enrolment__cohort"
    )
    context = {
        "person": person,
        "enrolments": enrolments,
        "delivered": delivered,
        "mentored": mentored,
        "qualifications": qualifications,
    }
    return render(request, "programs/staff/detail.html", context)


urlpatterns = [
    path("cohorts/<int:pk>/staff/", cohort_staff, name="cohort_staff"),
    path("staff/", staff_list, name="staff_list"),
    path("staff/<int:pk>/", staff_detail, name="staff_detail"),
]

