"""Reads of people in custody, narrowed to a user's scope."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from inmates.models import Inmate
from rehab.models import Role
from rehab.scoping import facilities_for

# Roles that may open a person's record. Trainers, registrars and donors never do: they see names on
# registers and certificates only.
INMATE_RECORD_ROLES = (Role.DIRECTOR, Role.CASE_MANAGER, Role.PROGRAMME_OFFICER, Role.SYSTEM_ADMINISTRATOR)


def inmates_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Inmate]:
    """People currently (or last) held in a facility the user's record-reading roles reach."""
    return Inmate.objects.filter(current_facility__in=facilities_for(user, *INMATE_RECORD_ROLES))
