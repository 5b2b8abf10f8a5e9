"""Requests, waitlists, enrolling (with suitability warnings) and withdrawing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Min, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from inmates.selectors import inmates_for
from programs.forms.enrolment import (
    AcknowledgeForm,
    CourseRequestForm,
    CourseRequestWithFacilityForm,
    EnrolForm,
    ReasonForm,
)
from programs.models import Cohort, Course, CourseRequest, Enrolment
from programs.selectors import enrolments_for
from programs.services.enrolment import (
    cohort_seats_taken,
    cohort_waitlist,
    course_request_cancel,
    course_waitlist,
    enrolment_check_capacity,
    enrolment_create,
    enrolment_enrol_from_waitlist,
    enrolment_request,
    enrolment_suitability,
    enrolment_withdraw,
)
from programs.views.cohorts import MANAGER_ROLES, managed_cohorts
from rehab.permissions import role_required
from rehab.scoping import facilities_for


def _managed_cohort(request: HttpRequest, pk: int) -> Cohort:
    return get_object_or_404(
        managed_cohorts(request.user).select_related("course", "facility", "room"), pk=pk
    )


def _cohort_inmates(request: HttpRequest, cohort: Cohort):
    return inmates_for(request.user).filter(current_facility=cohort.facility)


def _add_service_error(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


@role_required(*MANAGER_ROLES)
def waitlist(request: HttpRequest, pk: int) -> HttpResponse:
    """The people waiting for a place in this cohort, first asked first, with "enrol next" when a place is free."""
    cohort = _managed_cohort(request, pk)
    entries = cohort_waitlist(cohort=cohort)
    seats_free = max(cohort.seat_limit - cohort_seats_taken(cohort=cohort), 0)
    request_form = CourseRequestForm(course=cohort.course, inmates=_cohort_inmates(request, cohort))
    return render(
        request,
        "programs/enrolments/waitlist.html",
        {"cohort": cohort, "entries": entries, "seats_free": seats_free, "request_form": request_form},
    )


@role_required(*MANAGER_ROLES)
def waitlist_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a request for this cohort's course: the person joins the waitlist."""
    cohort = _managed_cohort(request, pk)
    form = CourseRequestForm(request.POST if request.method == "POST" else None, course=cohort.course, inmates=_cohort_inmates(request, cohort))
    if request.method == "POST" and form.is_valid():
        try:
            course_request = enrolment_request(
                course=cohort.course, facility=cohort.facility, note=form.cleaned_data["note"], by=request.user,
                **form.person_kwargs,
            )
        except ValidationError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(
                request, _("%(name)s is on the waitlist.") % {"name": course_request.participant_name}
            )
            return redirect("programs:waitlist", pk=cohort.pk)
    return render(request, "programs/enrolments/request_form.html", {"cohort": cohort, "course": cohort.course, "form": form})


@role_required(*MANAGER_ROLES)
def waitlist_enrol(request: HttpRequest, pk: int, kind: str, entry_pk: int) -> HttpResponse:
    """Enrol one person from the waitlist: suitability warnings first, then the user confirms."""
    cohort = _managed_cohort(request, pk)
    if kind == "request":
        source = get_object_or_404(
            CourseRequest.objects.select_related("inmate__current_facility", "staff_member"),
            pk=entry_pk, course_id=cohort.course_id, status=CourseRequest.Status.OPEN,
            facility__in=facilities_for(request.user, *MANAGER_ROLES),
        )
        service_kwargs = {"course_request": source}
    elif kind == "enrolment":
        source = get_object_or_404(
            Enrolment.objects.select_related("inmate__current_facility", "staff_member"),
            pk=entry_pk, cohort=cohort, status__in=(Enrolment.Status.REQUESTED, Enrolment.Status.WAITLISTED),
        )
        service_kwargs = {"enrolment": source}
    else:
        raise Http404
    warnings = enrolment_suitability(cohort=cohort, inmate=source.inmate, staff_member=source.staff_member)
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment_check_capacity(cohort=cohort)
            if warnings and not form.cleaned_data["acknowledge"]:
                form.add_error("acknowledge", _("Tick the box to confirm you have read the warnings."))
            else:
                enrolment = enrolment_enrol_from_waitlist(cohort=cohort, by=request.user, **service_kwargs)
                messages.success(request, _("%(name)s is enrolled.") % {"name": enrolment.participant_name})
                return redirect("programs:waitlist", pk=cohort.pk)
        except ValidationError as exc:
            _add_service_error(form, exc)
    return render(
        request,
        "programs/enrolments/waitlist_enrol.html",
        {"cohort": cohort, "person_name": source.participant_name, "warnings": warnings, "form": form},
    )


@role_required(*MANAGER_ROLES)
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol a person directly. A full cohort refuses at once; otherwise suitability warnings must be confirmed."""
    cohort = _managed_cohort(request, pk)
    form = EnrolForm(request.POST if request.method == "POST" else None, course=cohort.course, inmates=_cohort_inmates(request, cohort))
    warnings: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            enrolment_check_capacity(cohort=cohort)
            warnings = enrolment_suitability(cohort=cohort, **form.person_kwargs)
            if warnings and not form.cleaned_data["acknowledge"]:
                form.add_error("acknowledge", _("Tick the box to confirm you have read the warnings."))
            else:
                enrolment = enrolment_create(cohort=cohort, by=request.user, **form.person_kwargs)
                messages.success(request, _("%(name)s is enrolled.") % {"name": enrolment.participant_name})
                return redirect("programs:cohort_detail", pk=cohort.pk)
        except ValidationError as exc:
            warnings = []
            _add_service_error(form, exc)
    return render(request, "programs/enrolments/enrol.html", {"cohort": cohort, "form": form, "warnings": warnings})


@role_required(*MANAGER_ROLES)
def enrolment_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(
        enrolments_for(user=request.user)
        .filter(cohort__in=managed_cohorts(request.user))
        .select_related("cohort__room", "inmate", "staff_member"),
        pk=pk,
    )
    cohort = enrolment.cohort
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment_withdraw(enrolment=enrolment, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s was withdrawn.") % {"name": enrolment.participant_name})
            seats_free = cohort.seat_limit - cohort_seats_taken(cohort=cohort)
            if seats_free > 0 and cohort_waitlist(cohort=cohort):
                messages.info(request, _("A place is free: enrol the next person from the waitlist."))
                return redirect("programs:waitlist", pk=cohort.pk)
            return redirect("programs:cohort_detail", pk=cohort.pk)
    return render(request, "programs/enrolments/withdraw.html", {"enrolment": enrolment, "cohort": cohort, "form": form})


@role_required(*MANAGER_ROLES)
def course_waitlist_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Everyone waiting for a course in the user's facilities, whether or not a group exists yet."""
    course = get_object_or_404(Course, pk=pk)
    facilities = facilities_for(request.user, *MANAGER_ROLES)
    form = CourseRequestWithFacilityForm(
        request.POST if request.method == "POST" else None,
        course=course,
        inmates=inmates_for(request.user).filter(current_facility__in=facilities),
        facilities=facilities,
    )
    if request.method == "POST" and form.is_valid():
        try:
            course_request = enrolment_request(
                course=course, facility=form.cleaned_data["facility"], note=form.cleaned_data["note"],
                by=request.user, **form.person_kwargs,
            )
        except ValidationError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s is on the waitlist.") % {"name": course_request.participant_name})
            return redirect("programs:course_waitlist", pk=course.pk)
    requests = course_waitlist(course=course, facilities=facilities)
    cohorts = managed_cohorts(request.user).filter(course=course).select_related("facility").order_by("start_date")
    return render(
        request,
        "programs/enrolments/course_waitlist.html",
        {"course": course, "requests": requests, "form": form, "cohorts": cohorts},
    )


@role_required(*MANAGER_ROLES)
def course_requests_overview(request: HttpRequest) -> HttpResponse:
    """Every active course with how many people in the user's facilities wait for it: where to record
    "Arta asked for filigree" even when no filigree group exists."""
    facilities = facilities_for(request.user, *MANAGER_ROLES)
    courses = (
        Course.objects.filter(is_active=True)
        .annotate(
            waiting=Count(
                "requests",
                filter=Q(requests__status=CourseRequest.Status.OPEN, requests__facility__in=facilities),
            ),
            first_requested=Min(
                "requests__requested_at",
                filter=Q(requests__status=CourseRequest.Status.OPEN, requests__facility__in=facilities),
            ),
        )
        .order_by("-waiting", "title")
    )
    return render(request, "programs/enrolments/course_requests.html", {"courses": courses})


@role_required(*MANAGER_ROLES)
def course_request_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    course_request = get_object_or_404(
        CourseRequest.objects.select_related("course", "inmate", "staff_member").filter(
            facility__in=facilities_for(request.user, *MANAGER_ROLES), status=CourseRequest.Status.OPEN
        ),
        pk=pk,
    )
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            course_request_cancel(course_request=course_request, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(
                request, _("%(name)s is no longer waiting.") % {"name": course_request.participant_name}
            )
            return redirect("programs:course_waitlist", pk=course_request.course_id)
    return render(
        request, "programs/enrolments/request_cancel.html", {"course_request": course_request, "form": form}
    )


urlpatterns = [
    path("cohorts/<int:pk>/waitlist/", waitlist, name="waitlist"),
    path("cohorts/<int:pk>/waitlist/add/", waitlist_add, name="waitlist_add"),
    path(
        "cohorts/<int:pk>/waitlist/<str:kind>-<int:entry_pk>/enrol/", waitlist_enrol, name="waitlist_enrol"
    ),
    path("cohorts/<int:pk>/enrol/", enrol, name="enrol"),
    path("enrolments/<int:pk>/withdraw/", enrolment_withdraw_view, name="enrolment_withdraw"),
    path("requests/", course_requests_overview, name="course_requests"),
    path("courses/<int:pk>/waitlist/", course_waitlist_view, name="course_waitlist"),
    path("requests/<int:pk>/cancel/", course_request_cancel_view, name="course_request_cancel"),
]
