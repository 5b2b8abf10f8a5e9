"""Reads for funding actions, donations, inventories and donor reports, narrowed to what a user may see.

Who sees what:
- funding actions: programme officers those covering their countries (and may create and edit them), donors
  their own organisation's (read only), administrators all;
- donations and inventories: directors their facilities, programme officers the facilities of their country,
  administrators all; donors see the donations of their organisation or made under its actions;
- donor reports: donors on the cohorts their actions fund, directors on their facilities' cohorts, programme
  officers on their country's, administrators on all. Reports hold counts only.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from programs.models import Cohort, Donation, EquipmentItem, FundingAction
from programs.reports import ReportScope
from rehab.models import Country, Facility, Role
from rehab.scoping import facilities_for, organisations_for, role_assignments, roles_of

User = AbstractBaseUser | AnonymousUser

FUNDING_ROLES = (Role.PROGRAMME_OFFICER, Role.DONOR, Role.SYSTEM_ADMINISTRATOR)
FUNDING_EDIT_ROLES = (Role.PROGRAMME_OFFICER, Role.SYSTEM_ADMINISTRATOR)
INVENTORY_ROLES = (Role.DIRECTOR, Role.PROGRAMME_OFFICER, Role.SYSTEM_ADMINISTRATOR)
DONATION_VIEW_ROLES = (*INVENTORY_ROLES, Role.DONOR)
REPORT_ROLES = (Role.DONOR, Role.PROGRAMME_OFFICER, Role.DIRECTOR, Role.SYSTEM_ADMINISTRATOR)


def is_admin(user: User) -> bool:
    return Role.SYSTEM_ADMINISTRATOR in roles_of(user)


def officer_countries(user: User) -> set[str]:
    """Countries a programme officer works in: assigned directly, or through an organisation or facility."""
    countries = set()
    for assignment in role_assignments(user):
        if assignment.role != Role.PROGRAMME_OFFICER:
            continue
        if assignment.country:
            countries.add(assignment.country)
        elif assignment.organisation_id:
            countries.add(assignment.organisation.country)
    facility_ids = [a.facility_id for a in role_assignments(user) if a.role == Role.PROGRAMME_OFFICER and a.facility_id]
    if facility_ids:
        countries |= set(
            Facility.objects.filter(pk__in=facility_ids).values_list("prison_service__country", flat=True)
        )
    return countries


def donor_organisation_ids(user: User) -> list[int]:
    return list(organisations_for(user, Role.DONOR).values_list("pk", flat=True))


# ---------------------------------------------------------------- funding actions


def funding_actions_for(*, user: User) -> QuerySet[FundingAction]:
    if not user.is_authenticated:
        return FundingAction.objects.none()
    if is_admin(user):
        return FundingAction.objects.all()
    condition = Q(donor_id__in=donor_organisation_ids(user)) | Q(countries__country__in=officer_countries(user))
    return FundingAction.objects.filter(pk__in=FundingAction.objects.filter(condition).values("pk"))


def editable_funding_actions(*, user: User) -> QuerySet[FundingAction]:
    """Actions a user may edit: every one for administrators, those of their countries for programme officers."""
    if not user.is_authenticated:
        return FundingAction.objects.none()
    if is_admin(user):
        return FundingAction.objects.all()
    countries = officer_countries(user)
    return FundingAction.objects.filter(
        pk__in=FundingAction.objects.filter(countries__country__in=countries).values("pk")
    )


def countries_for_funding(*, user: User) -> list[tuple[str, str]]:
    """The countries a user may give an action: all for administrators, their own for programme officers."""
    allowed = set(Country.values) if is_admin(user) else officer_countries(user)
    return [(code, label) for code, label in Country.choices if code in allowed]


def linkable_cohorts(*, user: User, action: FundingAction) -> QuerySet[Cohort]:
    """Cohorts a user may link to an action: in the action's countries and in the user's facilities."""
    countries = list(action.countries.values_list("country", flat=True))
    return (
        Cohort.objects.filter(
            facility__in=facilities_for(user, Role.PROGRAMME_OFFICER, Role.SYSTEM_ADMINISTRATOR),
            facility__prison_service__country__in=countries,
        )
        .filter(Q(funding_action__isnull=True) | Q(funding_action=action))
        .select_related("course", "facility")
        .order_by("-start_date", "name")
    )


# ---------------------------------------------------------------- donations and inventory


def inventory_facilities(*, user: User) -> QuerySet[Facility]:
    """Facilities whose inventory a user keeps: directors', programme officers' (their country), all for admins."""
    return facilities_for(user, *INVENTORY_ROLES)


def donations_for(*, user: User) -> QuerySet[Donation]:
    if not user.is_authenticated:
        return Donation.objects.none()
    if is_admin(user):
        return Donation.objects.all()
    donors = donor_organisation_ids(user)
    condition = (
        Q(facility__in=inventory_facilities(user=user)) | Q(donor_id__in=donors) | Q(funding_action__donor_id__in=donors)
    )
    return Donation.objects.filter(pk__in=Donation.objects.filter(condition).values("pk"))


def managed_donations(*, user: User) -> QuerySet[Donation]:
    """Donations whose records a user may change: those to the facilities whose inventory they keep."""
    return Donation.objects.filter(facility__in=inventory_facilities(user=user))


def equipment_for(*, user: User) -> QuerySet[EquipmentItem]:
    return EquipmentItem.objects.filter(facility__in=inventory_facilities(user=user))


def funding_actions_for_donation(*, user: User, facility: Facility) -> QuerySet[FundingAction]:
    """Actions a donation to `facility` can be recorded under: those covering the facility's country."""
    return FundingAction.objects.filter(countries__country=facility.prison_service.country).order_by("title")


# ---------------------------------------------------------------- donor reports


def report_scope(*, user: User) -> ReportScope:
    """The cohorts a user may report on, as primitives (a Celery task rebuilds the same report from them)."""
    if is_admin(user):
        return ReportScope(everything=True)
    facility_ids = tuple(facilities_for(user, Role.DIRECTOR, Role.PROGRAMME_OFFICER).values_list("pk", flat=True))
    return ReportScope(facility_ids=facility_ids, donor_ids=tuple(donor_organisation_ids(user)))


def report_actions(*, user: User, scope: ReportScope) -> QuerySet[FundingAction]:
    """Actions a report may be filtered by: the user's funding actions, and those funding cohorts in scope."""
    in_scope = scope.cohorts().filter(funding_action__isnull=False).values("funding_action_id")
    return FundingAction.objects.filter(
        Q(pk__in=funding_actions_for(user=user).values("pk")) | Q(pk__in=in_scope)
    ).order_by("-start_date", "title")


def report_facilities(*, scope: ReportScope) -> QuerySet[Facility]:
    if scope.everything:
        return Facility.objects.order_by("name")
    cohort_facilities = scope.cohorts().values("facility_id")
    return Facility.objects.filter(Q(pk__in=scope.facility_ids) | Q(pk__in=cohort_facilities)).order_by("name")
