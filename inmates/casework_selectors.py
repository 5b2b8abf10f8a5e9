"""Who may do casework on whom: plans, release preparation and post-release support, narrowed to a user's scope.

Casework follows the person's facility: the one they are held in now or, once released or transferred out of the
service, the facility of their last custody movement. Probation officers see only people referred to their own
organisation, and only the support side of the record.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from inmates.models import REFERRAL_KINDS, CustodyEvent, FollowUp, Inmate, Referral, ReleaseTask
from rehab.models import Facility, Organisation, Role
from rehab.scoping import facilities_for, has_role, organisations_for, roles_of

User = AbstractBaseUser | AnonymousUser

# Plans and release preparation: the person's facility's directors and case managers, and administrators.
CASEWORK_ROLES = (Role.DIRECTOR, Role.CASE_MANAGER, Role.SYSTEM_ADMINISTRATOR)
# The post-release support page: casework roles, and probation officers for people referred to them.
SUPPORT_ROLES = (*CASEWORK_ROLES, Role.PROBATION_OFFICER)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` months later (or earlier, when negative); the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def _is_admin(user: User) -> bool:
    return Role.SYSTEM_ADMINISTRATOR in roles_of(user)


def with_casework_facility(queryset: QuerySet[Inmate]) -> QuerySet[Inmate]:
    """Annotate `casework_facility_id`: the current facility, else the facility of the last custody movement."""
    last_event_facility = Subquery(
        CustodyEvent.objects.filter(inmate=OuterRef("pk"))
        .order_by("-date", "-pk")
        .annotate(facility=Coalesce(F("to_facility_id"), F("from_facility_id")))
        .values("facility")[:1]
    )
    return queryset.annotate(casework_facility_id=Coalesce(F("current_facility_id"), last_event_facility))


def casework_facilities_for(user: User) -> QuerySet[Facility]:
    return facilities_for(user, *CASEWORK_ROLES)


def casework_inmates_for(user: User) -> QuerySet[Inmate]:
    """People the user may do casework on (plans, release checklist, referrals): held now, or last held, in a
    facility where the user is director or case manager; everyone for an administrator."""
    if not user.is_authenticated or not has_role(user, *CASEWORK_ROLES):
        return Inmate.objects.none()
    queryset = with_casework_facility(Inmate.objects.all())
    if _is_admin(user):
        return queryset
    return queryset.filter(casework_facility_id__in=casework_facilities_for(user).values("pk"))


def probation_organisations_for(user: User) -> QuerySet[Organisation]:
    """The organisations whose referrals a probation officer works on."""
    return organisations_for(user, Role.PROBATION_OFFICER).filter(kind__in=REFERRAL_KINDS)


def referrals_for(user: User) -> QuerySet[Referral]:
    """Referrals the user may read: to their own organisation (probation), of their casework people, or all
    (administrator)."""
    if not user.is_authenticated:
        return Referral.objects.none()
    if _is_admin(user):
        return Referral.objects.all()
    condition = Q(pk__in=[])
    if has_role(user, Role.PROBATION_OFFICER):
        condition |= Q(organisation__in=probation_organisations_for(user))
    if has_role(user, *CASEWORK_ROLES):
        condition |= Q(inmate__in=casework_inmates_for(user).values("pk"))
    return Referral.objects.filter(condition)


def support_inmates_for(user: User) -> QuerySet[Inmate]:
    """People whose support page the user may open: their casework people, and people referred to their
    organisation for a probation officer."""
    if not user.is_authenticated:
        return Inmate.objects.none()
    if _is_admin(user):
        return with_casework_facility(Inmate.objects.all())
    condition = Q(pk__in=[])
    if has_role(user, Role.PROBATION_OFFICER):
        referred = Referral.objects.filter(organisation__in=probation_organisations_for(user))
        condition |= Q(pk__in=referred.values("inmate_id"))
    if has_role(user, *CASEWORK_ROLES):
        condition |= Q(pk__in=casework_inmates_for(user).values("pk"))
    return with_casework_facility(Inmate.objects.filter(condition))


def follow_ups_for(user: User) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(referral__in=referrals_for(user).values("pk"))


def release_tasks_for(user: User) -> QuerySet[ReleaseTask]:
    return ReleaseTask.objects.filter(inmate__in=casework_inmates_for(user).values("pk"))


def upcoming_releases(*, user: User, today: dt.date, months: int) -> QuerySet[Inmate]:
    """People in custody in the user's casework facilities expected out within `months` months of today."""
    return (
        casework_inmates_for(user)
        .filter(
            status=Inmate.Status.IN_CUSTODY,
            expected_release_date__gte=today,
            expected_release_date__lte=add_months(today, months),
        )
    )
