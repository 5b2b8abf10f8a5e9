"""Factories and helpers for cohort, schedule and enrolment tests (on top of tests.factories)."""

import datetime as dt

import factory
from django.utils import timezone

from programs.models import CourseRequest
from rehab.models import Role
from tests.factories import (
    CohortFactory,
    CourseFactory,
    FacilityFactory,
    InmateFactory,
    RoleAssignmentFactory,
    StaffMemberFactory,
    UserFactory,
)


class CourseRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseRequest

    course = factory.SubFactory(CourseFactory)
    facility = factory.SubFactory(FacilityFactory)
    inmate = factory.SubFactory(InmateFactory, current_facility=factory.SelfAttribute("..facility"))
    requested_at = factory.Sequence(lambda n: timezone.make_aware(dt.datetime(2026, 1, 1, 9)) + dt.timedelta(hours=n))


def director_of(facility, **user_kwargs):
    return RoleAssignmentFactory(role=Role.DIRECTOR, facility=facility, user=UserFactory(**user_kwargs)).user


def trainer_user(**staff_kwargs):
    """A staff member with a login and the trainer role at their organisation."""
    coach = StaffMemberFactory(user=UserFactory(), **staff_kwargs)
    RoleAssignmentFactory(user=coach.user, role=Role.TRAINER, facility=None, organisation=coach.organisation)
    return coach


def trainer_of(cohort):
    coach = trainer_user()
    cohort.trainers.add(coach)
    return coach.user


def future_cohort(**kwargs):
    """A cohort starting next Monday-ish, so views that look at 'today' see it as upcoming."""
    today = timezone.localdate()
    start = today + dt.timedelta(days=7 - today.weekday())  # next Monday
    kwargs.setdefault("start_date", start)
    kwargs.setdefault("end_date", start + dt.timedelta(days=27))
    return CohortFactory(**kwargs)
