"""Lists for directors and programme officers: cohorts, sessions, enrolments and the waitlist.

Each list is filtered (django-filter), paginated, narrowed to the facilities of the user's scope, and read in
a constant number of queries (related rows joined, counts annotated).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Case, QuerySet, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from programs.dashboard import ATTENDED, WAITING, overdue_register_q
from programs.filters import CohortFilter, EnrolmentFilter, SessionFilter, WaitlistFilter
from programs.models import Attendance, Cohort, Enrolment, Session
from programs.selectors import FACILITY_PROGRAMME_ROLES
from programs.views.cohorts import MANAGER_ROLES  # who may open a cohort's own pages (detail, waitlist)
from rehab.db import count_of
from rehab.permissions import role_required
from rehab.scoping import facilities_for, has_role

PAGE_SIZE = 50


def _render_list(request: HttpRequest, template: str, filterset: type, queryset: QuerySet, **context) -> HttpResponse:
    listing = filterset(request.GET, queryset=queryset, request=request)
    page = Paginator(listing.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": listing, "page": page, "can_manage": has_role(request.user, *MANAGER_ROLES), **context}
    return render(request, template, context)


def _in_scope(request: HttpRequest):
    return facilities_for(request.user, *FACILITY_PROGRAMME_ROLES)


@role_required(*FACILITY_PROGRAMME_ROLES)
def cohort_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    cohorts = (
        Cohort.objects.filter(facility__in=_in_scope(request))
        .select_related("course", "facility")
        .annotate(
            seats=Coalesce("capacity", "room__capacity"),
            enrolled=count_of(Enrolment, "cohort", status__in=Enrolment.SEATED),
            waitlisted=count_of(Enrolment, "cohort", status__in=WAITING),
        )
        .order_by("-start_date", "name", "pk")
    )
    return _render_list(request, "programs/lists/cohorts.html", CohortFilter, cohorts, today=today)


@role_required(*FACILITY_PROGRAMME_ROLES)
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = (
        Session.objects.filter(cohort__facility__in=_in_scope(request))
        .select_related("cohort__course", "cohort__facility")
        .annotate(
            marked=count_of(Attendance, "session"),
            attended=count_of(Attendance, "session", status__in=ATTENDED),
            overdue=Case(When(overdue_register_q(now=timezone.now()), then=True), default=False),
        )
        .order_by("-date", "-start_time", "pk")
    )
    return _render_list(request, "programs/lists/sessions.html", SessionFilter, sessions)


@role_required(*FACILITY_PROGRAMME_ROLES)
def enrolment_list(request: HttpRequest) -> HttpResponse:
    enrolments = (
        Enrolment.objects.filter(cohort__facility__in=_in_scope(request))
        .select_related("inmate", "staff_member", "cohort__course", "cohort__facility")
        .annotate(
            recorded=count_of(Attendance, "enrolment", session__status=Session.Status.HELD),
            attended=count_of(Attendance, "enrolment", session__status=Session.Status.HELD, status__in=ATTENDED),
        )
        .order_by("-cohort__start_date", "cohort__name", "inmate__last_name", "staff_member__last_name", "pk")
    )
    return _render_list(request, "programs/lists/enrolments.html", EnrolmentFilter, enrolments)


@role_required(*FACILITY_PROGRAMME_ROLES)
def waitlist_list(request: HttpRequest) -> HttpResponse:
    waiting = (
        Enrolment.objects.filter(cohort__facility__in=_in_scope(request), status__in=WAITING)
        .select_related("inmate", "staff_member", "cohort__course", "cohort__facility")
        .order_by("requested_at", "pk")
    )
    return _render_list(request, "programs/lists/waitlist.html", WaitlistFilter, waiting)


urlpatterns = [
    path("cohorts/", cohort_list, name="cohort_list"),
    path("sessions/", session_list, name="session_list"),
    path("enrolments/", enrolment_list, name="enrolment_list"),
    path("waitlist/", waitlist_list, name="waitlist_list"),
]
