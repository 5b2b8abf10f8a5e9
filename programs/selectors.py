"""Reads for programme screens, already narrowed to what a user may see."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

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


def sessions_delivered_by(*, user: User, start: dt.date, end: dt.date) -> QuerySet[Session]:
    return (
        Session.objects.filter(cohort__in=cohorts_delivered_by(user=user), date__range=(start, end))
        .select_related("cohort__course", "cohort__facility", "cohort__room")
        .order_by("date", "start_time")
    )
