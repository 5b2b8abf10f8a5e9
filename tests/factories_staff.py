"""Factories for the staff-training tests: staff of several organisations, modules, trainings of trainers and
their cascades, equipment, peer educators."""

from __future__ import annotations

import datetime as dt

import factory

from programs.models import (
    Attendance,
    Cohort,
    Course,
    CourseModule,
    Enrolment,
    EquipmentItem,
    Session,
)
from rehab.models import Organisation, Role
from tests.factories import (
    CohortFactory,
    CourseFactory,
    EnrolmentFactory,
    PrisonServiceFactory,
    RoleAssignmentFactory,
    SessionFactory,
    StaffMemberFactory,
    UserFactory,
)


class OrganisationFactory(PrisonServiceFactory):
    name = factory.Sequence(lambda n: f"Organisation {n}")


class CourseModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseModule

    course = factory.SubFactory(CourseFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Module {n}")
    planned_hours = 4


class EquipmentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EquipmentItem

    facility = factory.SubFactory("tests.factories.FacilityFactory")
    kind = EquipmentItem.Kind.TABLET
    name = "Tablet"
    quantity = 1
    condition = EquipmentItem.Condition.GOOD
    received_on = dt.date(2026, 1, 10)


def staff_of(kind: str, **fields):
    """A staff member of a new organisation of `kind` (prison service, health, probation…) in Kosovo."""
    return StaffMemberFactory(organisation=OrganisationFactory(kind=kind), **fields)


def officer(country: str = "XK"):
    return RoleAssignmentFactory(role=Role.PROGRAMME_OFFICER, facility=None, country=country, user=UserFactory()).user


def mixed_cohort(**fields) -> Cohort:
    fields.setdefault("course", CourseFactory(audience=Course.Audience.MIXED, kind=Course.Kind.PSYCHOSOCIAL))
    fields.setdefault("capacity", 12)
    return CohortFactory(**fields)


def held(cohort: Cohort, count: int, *, module: CourseModule | None = None, start: int = 0) -> list[Session]:
    return [
        SessionFactory(
            cohort=cohort, date=cohort.start_date + dt.timedelta(days=start + i), status=Session.Status.HELD, module=module
        )
        for i in range(count)
    ]


def attend(enrolment: Enrolment, sessions: list[Session], status: str = Attendance.Status.PRESENT) -> None:
    for session in sessions:
        Attendance.objects.create(session=session, enrolment=enrolment, status=status)


def staff_enrolment(cohort: Cohort, staff=None, **fields) -> Enrolment:
    return EnrolmentFactory(cohort=cohort, inmate=None, staff_member=staff or staff_of(Organisation.Kind.HEALTH), **fields)


def training_of_trainers(**fields) -> Cohort:
    fields.setdefault("course", CourseFactory(audience=Course.Audience.STAFF, kind=Course.Kind.STAFF_TRAINING))
    fields.setdefault("capacity", 12)
    return CohortFactory(is_training_of_trainers=True, **fields)
