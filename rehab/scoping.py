"""Who may see what. Every view narrows its querysets through these helpers, so scope is decided once."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from rehab.models import Facility, Organisation, Role, RoleAssignment

User = AbstractBaseUser | AnonymousUser


def role_assignments(user: User) -> list[RoleAssignment]:
    """The user's role assignments, fetched once per user object."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_rehab_roles", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user).select_related("facility", "organisation"))
        user._rehab_roles = cached
    return cached


def roles_of(user: User) -> set[str]:
    roles = {assignment.role for assignment in role_assignments(user)}
    if getattr(user, "is_superuser", False):
        roles.add(Role.SYSTEM_ADMINISTRATOR)
    return roles


def has_role(user: User, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def facilities_for(user: User, *roles: str) -> QuerySet[Facility]:
    """Facilities the user's roles (all of them, or only those named) reach."""
    if Role.SYSTEM_ADMINISTRATOR in roles_of(user) and (not roles or Role.SYSTEM_ADMINISTRATOR in roles):
        return Facility.objects.all()
    condition = Q(pk__in=[])
    for assignment in role_assignments(user):
        if roles and assignment.role not in roles:
            continue
        if assignment.facility_id:
            condition |= Q(pk=assignment.facility_id)
        elif assignment.organisation_id and assignment.organisation.kind == Organisation.Kind.PRISON_SERVICE:
            condition |= Q(prison_service_id=assignment.organisation_id)
        elif assignment.country:
            condition |= Q(prison_service__country=assignment.country)
    return Facility.objects.filter(condition)


def reaches_facility(user: User, facility: Facility, *roles: str) -> bool:
    """Whether `facility` is among facilities_for(user, *roles), answered from the role assignments already read
    (no query; a country-wide role reads the facility's prison service, so select it with the facility)."""
    if Role.SYSTEM_ADMINISTRATOR in roles_of(user) and (not roles or Role.SYSTEM_ADMINISTRATOR in roles):
        return True
    for assignment in role_assignments(user):
        if roles and assignment.role not in roles:
            continue
        if assignment.facility_id:
            if assignment.facility_id == facility.pk:
                return True
        elif assignment.organisation_id and assignment.organisation.kind == Organisation.Kind.PRISON_SERVICE:
            if assignment.organisation_id == facility.prison_service_id:
                return True
        elif assignment.country and assignment.country == facility.country:
            return True
    return False


def sole_facility_id(user: User, *roles: str) -> int | None:
    """The facility, when the user's roles (all, or only those named) reach exactly one, each by a direct
    facility assignment; None for wider roles (an organisation, a country, the system) or several facilities.
    Answered from the role assignments already read (no query)."""
    if Role.SYSTEM_ADMINISTRATOR in roles_of(user) and (not roles or Role.SYSTEM_ADMINISTRATOR in roles):
        return None
    reached = {a.facility_id for a in role_assignments(user) if not roles or a.role in roles}
    return next(iter(reached)) if len(reached) == 1 and None not in reached else None


def organisations_for(user: User, *roles: str) -> QuerySet[Organisation]:
    """Organisations a user is assigned to directly (a training centre for a registrar, say)."""
    ids = [a.organisation_id for a in role_assignments(user) if a.organisation_id and (not roles or a.role in roles)]
    return Organisation.objects.filter(pk__in=ids)
