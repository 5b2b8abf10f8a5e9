"""Reads for programme screens, already narrowed to what a user may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet

from programs.models import Attendance, Cohort, Enrolment, Session
from programs.services.attendance import ATTENDED
from rehab import refdata
from rehab.models import Role
from rehab.scoping import facilities_for, organisations_for, roles_of

User = AbstractBaseUser | AnonymousUser

# Roles that manage programmes across the facilities of their scope.
FACILITY_PROGRAMME_ROLES = (Role.DIRECTOR, Role.PROGRAMME_OFFICER, Role.CASE_MANAGER, Role.SYSTEM_ADMINISTRATOR)


def cohorts_delivered_by(*, user: User) -> QuerySet[Cohort]:
    """Cohorts where the user's staff record is among the trainers."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    return Cohort.objects.filter(trainers__user=user).select_related("course", "facility").distinct()


def cohorts_for(*, user: User) -> QuerySet[Cohort]:
    """Every cohort the user may see: their facilities' cohorts, the ones they deliver, and, for a
    registrar, the cohorts of courses their training centre certifies."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    condition = Q(facility__in=facilities_for(user, *FACILITY_PROGRAMME_ROLES)) | Q(trainers__user=user)
    if Role.REGISTRAR in roles_of(user):
        condition |= Q(course__issuer__in=organisations_for(user, Role.REGISTRAR))
    return Cohort.objects.filter(pk__in=Cohort.objects.filter(condition).values("pk"))


def sessions_for(*, user: User) -> QuerySet[Session]:
    return Session.objects.filter(cohort__in=cohorts_for(user=user))


def enrolments_for(*, user: User) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(cohort__in=cohorts_for(user=user))


def cohort_ids_delivered_by(*, user: User) -> list[int]:
    """Keys of every cohort the user trains, read from the trainers' table alone."""
    if not user.is_authenticated:
        return []
    return list(Cohort.trainers.through.objects.filter(staffmember__user=user).values_list("cohort_id", flat=True))


def cohorts_running_between(
    *, ids: Collection[int], start: dt.date, end: dt.date, recent_days: int = 0, also: Collection[int] = ()
) -> list[Cohort]:
    """Of the cohorts `ids`, those that run between `start` and `end` or ended up to `recent_days` before `start`,
    and those of `also` (the groups of a trainer's sessions in those days: a session may be kept outside its
    group's dates), with their course, facility and room.

    A trainer's week is read as the keys of their cohorts, the sessions of those in the week, then these cohorts:
    joined to the trainer, or testing for a session in the week, the cohorts' query took PostgreSQL longer to plan
    than the page's other queries took to run."""
    running = Q(start_date__lte=end, end_date__gte=start - dt.timedelta(days=recent_days))
    cohorts = list(Cohort.objects.filter(running | Q(pk__in=list(also)), pk__in=list(ids)))
    refdata.attach(cohorts, "course", "facility", "room")
    return cohorts


def register_counts(session_ids: Collection[int]) -> dict[int, tuple[int, int]]:
    """For each session, how many people its register marks and how many of them attended (one grouped query
    on the attendance rows; sessions with no row are left out)."""
    rows = (
        Attendance.objects.filter(session_id__in=list(session_ids))
        .order_by()
        .values("session_id")
        .annotate(marked=Count("pk"), attended=Count("pk", filter=Q(status__in=ATTENDED)))
        .values_list("session_id", "marked", "attended")
    )
    return {session_id: (marked, attended) for session_id, marked, attended in rows}


def sessions_delivered_by(*, user: User, start: dt.date, end: dt.date) -> QuerySet[Session]:
    return (
        Session.objects.filter(cohort__in=cohorts_delivered_by(user=user), date__range=(start, end))
        .select_related("cohort__course", "cohort__facility", "cohort__room")
        .order_by("date", "start_time")
    )
