"""Extra factories and helpers for the dashboard, list, export and inmate tests."""

import datetime as dt

import factory
from django.utils import timezone

from inmates.models import CustodyEvent
from programs.models import Attendance, Session
from rehab.models import Role
from tests.factories import EnrolmentFactory, RoleAssignmentFactory, SessionFactory, StaffMemberFactory, UserFactory


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory, status=Session.Status.HELD)
    enrolment = factory.SubFactory(EnrolmentFactory, cohort=factory.SelfAttribute("..session.cohort"))
    status = Attendance.Status.PRESENT


class CustodyEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustodyEvent

    kind = CustodyEvent.Kind.ADMISSION
    date = dt.date(2024, 1, 10)
    to_facility = factory.SelfAttribute("inmate.current_facility")


def user_with_role(role: str, **scope):
    """A user holding `role` in `scope` (facility=…, organisation=… or country=…)."""
    if role == Role.SYSTEM_ADMINISTRATOR:
        scope = {"facility": None}
    return RoleAssignmentFactory(role=role, **scope).user


def director_of(facility):
    return user_with_role(Role.DIRECTOR, facility=facility)


def trainer_of(cohort):
    user = UserFactory()
    staff = StaffMemberFactory(user=user)
    cohort.trainers.add(staff)
    RoleAssignmentFactory(user=user, role=Role.TRAINER, facility=None, organisation=staff.organisation)
    return user


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def moment(day: dt.date, hour: int = 12) -> dt.datetime:
    """An aware datetime at `hour` o'clock local time on `day`."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
