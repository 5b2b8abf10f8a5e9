"""Reads of people in custody, narrowed to a user's scope."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from inmates.casework_selectors import casework_inmates_for
from inmates.models import Assessment, Inmate
from rehab.models import Role
from rehab.scoping import facilities_for

# Roles that may open a person's record. Trainers, registrars and donors never do: they see names on
# registers and certificates only.
INMATE_RECORD_ROLES = (Role.DIRECTOR, Role.CASE_MANAGER, Role.PROGRAMME_OFFICER, Role.SYSTEM_ADMINISTRATOR)
# "Assessments due" also lists reassessments coming up within this many days, so they can be planned.
DUE_WITHIN_DAYS = 30


def inmates_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Inmate]:
    """People currently (or last) held in a facility the user's record-reading roles reach."""
    return Inmate.objects.filter(current_facility__in=facilities_for(user, *INMATE_RECORD_ROLES))


# ------------------------------------------------------------------------------------------------ assessments
# Casework scope (directors and case managers of the person's facility, administrators) is decided once, in
# inmates.casework_selectors.casework_inmates_for; assessments follow it.


def assessments_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Assessment]:
    """Assessments of the people the user does casework on."""
    return Assessment.objects.filter(inmate__in=casework_inmates_for(user).values("pk"))


def latest_assessments(queryset: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """The most recent assessment of each person with each instrument: reassessment is due on that one."""
    newer = Assessment.objects.filter(inmate=OuterRef("inmate"), instrument=OuterRef("instrument")).filter(
        Q(assessed_on__gt=OuterRef("assessed_on")) | Q(assessed_on=OuterRef("assessed_on"), pk__gt=OuterRef("pk"))
    )
    return queryset.exclude(Exists(newer))


def assessments_due(
    user: AbstractBaseUser | AnonymousUser, *, today: dt.date, within_days: int = DUE_WITHIN_DAYS
) -> QuerySet[Assessment]:
    """Latest assessments of people in custody in the user's casework facilities whose reassessment is due
    within `within_days` of today or overdue, soonest first."""
    return (
        latest_assessments(assessments_for(user))
        .filter(
            inmate__status=Inmate.Status.IN_CUSTODY,
            instrument__is_active=True,
            reassessment_due__lte=today + dt.timedelta(days=within_days),
        )
        .select_related("inmate__current_facility", "instrument")
        .order_by("reassessment_due", "inmate__last_name", "inmate__first_name", "pk")
    )


def inmates_never_assessed(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Inmate]:
    """People in custody in the user's casework facilities with no assessment at all yet."""
    return (
        casework_inmates_for(user)
        .filter(status=Inmate.Status.IN_CUSTODY)
        .exclude(Exists(Assessment.objects.filter(inmate=OuterRef("pk"))))
        .select_related("current_facility")
        .order_by("admission_date", "last_name", "first_name", "pk")
    )
