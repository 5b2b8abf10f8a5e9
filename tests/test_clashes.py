"""Clashes shown before a schedule is saved: one test per kind, with the exact Clash objects."""

import datetime as dt

import pytest

from programs.models import Cohort, Enrolment, Session
from programs.services.clashes import Clash, cohort_schedule_clashes
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    FacilityFactory,
    InmateFactory,
    RoomFactory,
    SessionFactory,
    StaffMemberFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2030, 3, 4)
T = dt.time


@pytest.fixture
def lipjan():
    return FacilityFactory(name="Lipjan", city="Lipjan")


@pytest.fixture
def workshop(lipjan):
    return RoomFactory(facility=lipjan, name="Workshop")


@pytest.fixture
def coach():
    return StaffMemberFactory(first_name="Bashkim", last_name="Tejeci")


def new_cohort(facility, room, **kwargs):
    """The cohort being planned: not saved yet, like on the create form."""
    return Cohort(facility=facility, room=room, name="Group B", start_date=MONDAY, end_date=MONDAY, **kwargs)


def test_a_trainer_teaching_another_group_at_an_overlapping_time(lipjan, workshop, coach):
    other = CohortFactory(facility=lipjan, name="Group A", room=RoomFactory(facility=lipjan))
    other.trainers.add(coach, StaffMemberFactory())
    SessionFactory(cohort=other, date=MONDAY, start_time=T(9), end_time=T(12))

    clashes = cohort_schedule_clashes(
        cohort=new_cohort(lipjan, workshop), planned=[(MONDAY, T(11), T(13))], room=workshop, trainers=[coach]
    )

    assert clashes == [
        Clash(
            kind="trainer", date=MONDAY, start_time=T(9), end_time=T(12), other_cohort="Group A",
            subject="Bashkim Tejeci", message="Bashkim Tejeci also teaches Group A on March 4, 2030, 09:00–12:00.",
        )
    ]


def test_a_trainer_in_person_in_another_city_the_same_day(lipjan, workshop, coach):
    prizren = CohortFactory(facility=FacilityFactory(city="Prizren"), name="Group P")
    prizren.trainers.add(coach)
    # Different hours: no time overlap, but the coach cannot be in Prizren and Lipjan on one day.
    SessionFactory(cohort=prizren, date=MONDAY, start_time=T(15), end_time=T(17))
    online = CohortFactory(facility=FacilityFactory(city="Niš"), name="Online group", room=None, capacity=10,
                           delivery_mode=Cohort.DeliveryMode.ONLINE, meeting_link="https://meet.example.org/x")
    online.trainers.add(coach)
    SessionFactory(cohort=online, date=MONDAY, start_time=T(18), end_time=T(19))

    clashes = cohort_schedule_clashes(
        cohort=new_cohort(lipjan, workshop), planned=[(MONDAY, T(9), T(12))], room=workshop, trainers=[coach]
    )

    assert clashes == [
        Clash(
            kind="trainer_city", date=MONDAY, start_time=T(15), end_time=T(17), other_cohort="Group P",
            subject="Bashkim Tejeci",
            message="Bashkim Tejeci teaches Group P in person in Prizren on March 4, 2030 and cannot also be in Lipjan that day.",
        )
    ]


def test_an_online_cohort_has_no_city_clash(lipjan, coach):
    prizren = CohortFactory(facility=FacilityFactory(city="Prizren"))
    prizren.trainers.add(coach)
    SessionFactory(cohort=prizren, date=MONDAY, start_time=T(15), end_time=T(17))
    planned_online = new_cohort(lipjan, None, capacity=8, delivery_mode=Cohort.DeliveryMode.ONLINE)

    assert cohort_schedule_clashes(cohort=planned_online, planned=[(MONDAY, T(9), T(12))], room=None, trainers=[coach]) == []


def test_the_room_booked_by_another_group(lipjan, workshop):
    other = CohortFactory(facility=lipjan, room=workshop, name="Group A")
    SessionFactory(cohort=other, date=MONDAY, start_time=T(9), end_time=T(12))
    SessionFactory(cohort=other, date=MONDAY, start_time=T(12), end_time=T(13))  # starts when ours ends: no clash

    clashes = cohort_schedule_clashes(
        cohort=new_cohort(lipjan, workshop), planned=[(MONDAY, T(10), T(12))], room=workshop, trainers=[]
    )

    assert clashes == [
        Clash(
            kind="room", date=MONDAY, start_time=T(9), end_time=T(12), other_cohort="Group A", subject="Workshop",
            message="Workshop is booked for Group A on March 4, 2030, 09:00–12:00.",
        )
    ]


def test_a_participant_in_two_sessions_at_once(lipjan, workshop):
    cohort = CohortFactory(facility=lipjan, room=workshop, name="Group B")
    arta = InmateFactory(current_facility=lipjan, first_name="Arta", last_name="Berisha")
    staff = StaffMemberFactory(first_name="Vesna", last_name="Ilić")
    EnrolmentFactory(cohort=cohort, inmate=arta)
    EnrolmentFactory(cohort=cohort, inmate=None, staff_member=staff)
    EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WITHDRAWN)  # not a participant any more
    it_group = CohortFactory(facility=lipjan, name="IT A")
    EnrolmentFactory(cohort=it_group, inmate=arta)
    EnrolmentFactory(cohort=it_group)  # someone else, not in our cohort
    SessionFactory(cohort=it_group, date=MONDAY, start_time=T(11), end_time=T(14))
    staff_course = CohortFactory(facility=lipjan, name="Staff training")
    EnrolmentFactory(cohort=staff_course, inmate=None, staff_member=staff)
    SessionFactory(cohort=staff_course, date=MONDAY, start_time=T(8), end_time=T(10))

    clashes = cohort_schedule_clashes(cohort=cohort, planned=[(MONDAY, T(9), T(12))], room=None, trainers=[])

    assert clashes == [
        Clash(
            kind="participant", date=MONDAY, start_time=T(8), end_time=T(10), other_cohort="Staff training",
            subject="Vesna Ilić", message="Vesna Ilić is also in Staff training on March 4, 2030, 08:00–10:00.",
        ),
        Clash(
            kind="participant", date=MONDAY, start_time=T(11), end_time=T(14), other_cohort="IT A",
            subject="Arta Berisha", message="Arta Berisha is also in IT A on March 4, 2030, 11:00–14:00.",
        ),
    ]


def test_cancelled_sessions_and_the_cohorts_own_sessions_never_clash(lipjan, workshop, coach):
    cohort = CohortFactory(facility=lipjan, room=workshop)
    cohort.trainers.add(coach)
    SessionFactory(cohort=cohort, date=MONDAY, start_time=T(9), end_time=T(12))
    other = CohortFactory(facility=lipjan, room=workshop)
    other.trainers.add(coach)
    SessionFactory(cohort=other, date=MONDAY, start_time=T(9), end_time=T(12), status=Session.Status.CANCELLED,
                   cancellation_reason="Lockdown")

    assert cohort_schedule_clashes(cohort=cohort, planned=[(MONDAY, T(9), T(12))], room=workshop, trainers=[coach]) == []


@pytest.mark.parametrize("weeks", [1, 20])
def test_one_query_per_kind_whatever_the_number_of_sessions(django_assert_num_queries, lipjan, workshop, coach, weeks):
    cohort = CohortFactory(facility=lipjan, room=workshop)
    planned = [(MONDAY + dt.timedelta(weeks=n), T(9), T(12)) for n in range(weeks)]
    other = CohortFactory(facility=lipjan, room=workshop)
    other.trainers.add(coach)
    for day, start, end in planned:
        SessionFactory(cohort=other, date=day, start_time=start, end_time=end)

    with django_assert_num_queries(4):
        clashes = cohort_schedule_clashes(cohort=cohort, planned=planned, room=workshop, trainers=[coach])

    assert [c.kind for c in clashes] == ["trainer", "room"] * weeks
