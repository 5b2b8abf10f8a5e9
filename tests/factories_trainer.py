"""Factories and helpers for the trainer's screens: trainers, directors, attendance rows."""

import datetime as dt

import factory
from django.utils import timezone

from programs.models import Attendance
from rehab.models import Role
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    RoleAssignmentFactory,
    SessionFactory,
    StaffMemberFactory,
    UserFactory,
)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    enrolment = factory.SubFactory(EnrolmentFactory, cohort=factory.SelfAttribute("..session.cohort"))
    status = Attendance.Status.PRESENT


def make_trainer(*cohorts, **user_fields):
    """A user with the trainer role (scoped to their training centre) delivering `cohorts`."""
    user = UserFactory(**user_fields)
    staff = StaffMemberFactory(user=user, first_name=user.first_name, last_name=user.last_name)
    RoleAssignmentFactory(user=user, role=Role.TRAINER, facility=None, organisation=staff.organisation)
    for cohort in cohorts:
        cohort.trainers.add(staff)
    return user


def make_director(facility, **user_fields):
    return RoleAssignmentFactory(user=UserFactory(**user_fields), role=Role.DIRECTOR, facility=facility).user


def make_user_with_role(role, **scope):
    """A user with one role; scope defaults to a new organisation for organisation-scoped roles."""
    if role == Role.SYSTEM_ADMINISTRATOR:
        scope = {"facility": None}
    elif not scope:
        scope = {"facility": None, "organisation": StaffMemberFactory().organisation}
    return RoleAssignmentFactory(role=role, **scope).user


def running_cohort(today=None, **fields):
    """A cohort that started a month ago and ends in a month."""
    today = today or timezone.localdate()
    fields.setdefault("start_date", today - dt.timedelta(days=30))
    fields.setdefault("end_date", today + dt.timedelta(days=30))
    return CohortFactory(**fields)
