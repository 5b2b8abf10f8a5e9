"""Cohort screens: the detail page, and creating or editing a cohort with a preview of its schedule."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone

from inmates.models import Inmate
from programs.models import Attendance, Cohort, CourseRequest, Enrolment, Session
from programs.selectors import cohorts_delivered_by, cohorts_for
from rehab.models import Role, StaffMember
from rehab.permissions import role_required
from rehab.scoping import facilities_for, has_role

# Who plans cohorts: directors and programme officers of the cohort's facility; administrators everywhere.
MANAGER_ROLES = (Role.DIRECTOR, Role.PROGRAMME_OFFICER, Role.SYSTEM_ADMINISTRATOR)


def managed_cohorts(user) -> QuerySet[Cohort]:
    """Cohorts the user may edit, enrol into and withdraw from."""
    return cohorts_for(user=user).filter(facility__in=facilities_for(user, *MANAGER_ROLES))


def viewable_cohorts(user) -> QuerySet[Cohort]:
    """Cohorts whose detail page the user may open: the managed ones and those they deliver."""
    return cohorts_for(user=user).filter(
        Q(facility__in=facilities_for(user, *MANAGER_ROLES)) | Q(pk__in=cohorts_delivered_by(user=user).values("pk"))
    )


def can_manage(user, cohort: Cohort) -> bool:
    return has_role(user, *MANAGER_ROLES) and facilities_for(user, *MANAGER_ROLES).filter(pk=cohort.facility_id).exists()


@role_required(*MANAGER_ROLES, Role.TRAINER)
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _detail_cohort(request, pk)
    today = timezone.localdate()
    enrolments = list(cohort.enrolments.all())
    seated = [e for e in enrolments if e.status in Enrolment.SEATED]
    waiting_enrolments = sum(1 for e in enrolments if e.status in (Enrolment.Status.REQUESTED, Enrolment.Status.WAITLISTED))
    sessions = list(cohort.sessions.all())
    manager = can_manage(request.user, cohort)
    context = {
        "cohort": cohort,
        "trainers": list(cohort.trainers.all()),
        "slots": list(cohort.weekly_slots.all()),
        "roster": [e for e in enrolments if e.status not in (Enrolment.Status.REQUESTED, Enrolment.Status.WAITLISTED)],
        "seats_taken": len(seated),
        "seats_free": max(cohort.seat_limit - len(seated), 0),
        "waitlist_count": waiting_enrolments + cohort.open_requests,
        "past_sessions": [s for s in sessions if s.date < today],
        "future_sessions": [s for s in sessions if s.date >= today],
        "today": today,
        "can_manage": manager,
        # Trainers see names on the roster but never open a person's record.
        "show_inmate_links": manager,
    }
    return render(request, "programs/cohorts/detail.html", context)


def _detail_cohort(request: HttpRequest, pk: int) -> Cohort:
    open_requests = (
        CourseRequest.objects.filter(course_id=OuterRef("course_id"), status=CourseRequest.Status.OPEN)
        .filter(
            Q(inmate__current_facility_id=OuterRef("facility_id"), inmate__status=Inmate.Status.IN_CUSTODY)
            | Q(staff_member__isnull=False, facility_id=OuterRef("facility_id"))
        )
        .exclude(inmate__enrolments__cohort_id=OuterRef("pk"))
        .exclude(staff_member__enrolments__cohort_id=OuterRef("pk"))
        .order_by()
        .values("course_id")
    )
    counted = open_requests.annotate(n=Count("pk")).values("n")
    return get_object_or_404(
        viewable_cohorts(request.user)
        .select_related("course", "facility__prison_service", "room")
        .annotate(open_requests=Coalesce(Subquery(counted), 0))
        .prefetch_related(
            Prefetch("trainers", queryset=StaffMember.objects.select_related("organisation")),
            "weekly_slots",
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.select_related("inmate", "staff_member").order_by(
                    "inmate__last_name", "inmate__first_name", "staff_member__last_name", "id"
                ),
            ),
            Prefetch(
                "sessions",
                queryset=Session.objects.annotate(
                    has_register=Exists(Attendance.objects.filter(session=OuterRef("pk")))
                ).order_by("date", "start_time"),
            ),
        ),
        pk=pk,
    )


urlpatterns = [
    path("cohorts/<int:pk>/", cohort_detail, name="cohort_detail"),
]
