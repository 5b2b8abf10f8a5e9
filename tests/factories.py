"""Factories for tests: valid, minimal records; override what a test is about."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from inmates.models import Inmate
from programs.models import Cohort, Course, Enrolment, Session, WeeklySlot
from rehab.models import Country, Facility, Gender, Organisation, Role, RoleAssignment, Room, StaffMember

PASSWORD = "test-pass-1234"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.django.Password(PASSWORD)


class PrisonServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Prison Service {n}")
    kind = Organisation.Kind.PRISON_SERVICE
    country = Country.KOSOVO


class TrainingCentreFactory(PrisonServiceFactory):
    name = factory.Sequence(lambda n: f"Training Centre {n}")
    kind = Organisation.Kind.TRAINING_CENTRE
    city = "Prizren"


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    prison_service = factory.SubFactory(PrisonServiceFactory)
    name = factory.Sequence(lambda n: f"Facility {n}")
    code = factory.Sequence(lambda n: f"fac{n}")
    kind = Facility.Kind.CORRECTIONAL
    city = "Lipjan"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    facility = factory.SubFactory(FacilityFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 5


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    organisation = factory.SubFactory(TrainingCentreFactory)
    first_name = "Bashkim"
    last_name = factory.Sequence(lambda n: f"Trainer{n}")
    home_city = "Prizren"


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.DIRECTOR
    facility = factory.SubFactory(FacilityFactory)


class InmateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inmate

    current_facility = factory.SubFactory(FacilityFactory)
    prison_service = factory.SelfAttribute("current_facility.prison_service")
    registration_number = factory.Sequence(lambda n: f"KCS-{n:05d}")
    first_name = "Arta"
    last_name = factory.Sequence(lambda n: f"Krasniqi{n}")
    gender = Gender.FEMALE
    date_of_birth = dt.date(1990, 5, 17)
    admission_date = dt.date(2024, 1, 10)
    expected_release_date = dt.date(2028, 1, 10)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"course-{n}")
    title = factory.Sequence(lambda n: f"Filigree {n}")
    kind = Course.Kind.CRAFTS
    planned_hours = 300


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    course = factory.SubFactory(CourseFactory)
    facility = factory.SubFactory(FacilityFactory)
    room = factory.SubFactory(RoomFactory, facility=factory.SelfAttribute("..facility"))
    name = factory.Sequence(lambda n: f"Group {n}")
    start_date = dt.date(2026, 3, 2)
    end_date = dt.date(2026, 3, 31)


class WeeklySlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeeklySlot

    cohort = factory.SubFactory(CohortFactory)
    weekday = 0
    start_time = dt.time(9, 0)
    end_time = dt.time(12, 0)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    cohort = factory.SubFactory(CohortFactory)
    date = dt.date(2026, 3, 2)
    start_time = dt.time(9, 0)
    end_time = dt.time(12, 0)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    cohort = factory.SubFactory(CohortFactory)
    inmate = factory.SubFactory(InmateFactory, current_facility=factory.SelfAttribute("..cohort.facility"))
    status = Enrolment.Status.ENROLLED
