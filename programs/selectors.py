"""Reads for programme screens, already narrowed to what a user may see."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from programs.models import Cohort, Enrolment, Session
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


def cohorts_delivered_between(*, user: User, start: dt.date, end: dt.date, recent_days: int = 0) -> QuerySet[Cohort]:
    """The user's cohorts that run between `start` and `end` or ended up to `recent_days` before `start`, and
    any other of theirs with a session in those days (a session kept outside its group's dates), with their
    course, facility and room.

    A trainer's week is read as these cohorts and then their sessions by cohort key: one query that joined
    sessions to the trainer and to the course, facility and room took PostgreSQL longer to plan than to run."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    running = Q(start_date__lte=end, end_date__gte=start - dt.timedelta(days=recent_days))
    # The staff record is one per user and a trainer is on a cohort once: the join repeats no cohort.
    return (
        Cohort.objects.filter(trainers__user=user)
        .filter(running | Exists(Session.objects.filter(cohort_id=OuterRef("pk"), date__range=(start, end))))
        .select_related("course", "facility", "room")
    )


def sessions_delivered_by(*, user: User, start: dt.date, end: dt.date) -> QuerySet[Session]:
    return (
        Session.objects.filter(cohort__in=cohorts_delivered_by(user=user), date__range=(start, end))
        .select_related("cohort__course", "cohort__facility", "cohort__room")
        .order_by("date", "start_time")
    )
