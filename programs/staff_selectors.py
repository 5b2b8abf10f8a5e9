"""Reads for the staff-training screens: which staff members a user may see, and whom they may enrol."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from programs.models import Cohort
from rehab.models import Organisation, Role, StaffMember
from rehab.scoping import roles_of

User = AbstractBaseUser | AnonymousUser


def staff_in_cohorts(*, cohorts: QuerySet[Cohort]) -> QuerySet[StaffMember]:
    """Staff who take part in, deliver or mentor any of `cohorts`."""
    ids = cohorts.values("pk")
    return StaffMember.objects.filter(
        pk__in=StaffMember.objects.filter(
            Q(enrolments__cohort__in=ids) | Q(cohorts_delivered__in=ids) | Q(cohorts_mentored__in=ids)
        ).values("pk")
    )


def staff_for(*, user: User, cohorts: QuerySet[Cohort]) -> QuerySet[StaffMember]:
    """Staff members whose training record the user may open: everyone for an administrator, otherwise those
    seen in the cohorts the user manages."""
    if not user.is_authenticated:
        return StaffMember.objects.none()
    if Role.SYSTEM_ADMINISTRATOR in roles_of(user):
        return StaffMember.objects.all()
    return staff_in_cohorts(cohorts=cohorts)


def staff_enrol_candidates(*, cohort: Cohort) -> QuerySet[StaffMember]:
    """Staff who may join the cohort: from any organisation of the facility's country except donors (prison
    service, health, probation, forensic psychiatry, training centres, NGOs), not already in it and not
    delivering it."""
    return (
        StaffMember.objects.filter(organisation__country=cohort.facility.prison_service.country)
        .exclude(organisation__kind=Organisation.Kind.DONOR)
        .exclude(enrolments__cohort=cohort)
        .exclude(cohorts_delivered=cohort)
        .select_related("organisation")
        .order_by("organisation__name", "last_name", "first_name")
    )
