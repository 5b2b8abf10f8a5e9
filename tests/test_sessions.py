import datetime as dt

import pytest

from programs.models import Attendance, Session
from programs.services import cohort_generate_sessions
from rehab.models import PublicHoliday
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory, WeeklySlotFactory

pytestmark = pytest.mark.django_db

MON, THU = 0, 3


@pytest.fixture
def cohort():
    # March 2026: Mondays 2, 9, 16, 23, 30 and Thursdays 5, 12, 19, 26.
    cohort = CohortFactory(start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 3, 31))
    WeeklySlotFactory(cohort=cohort, weekday=MON, start_time=dt.time(9), end_time=dt.time(12))
    WeeklySlotFactory(cohort=cohort, weekday=THU, start_time=dt.time(13), end_time=dt.time(16))
    return cohort


def dates(cohort):
    return list(cohort.sessions.order_by("date").values_list("date", flat=True))


def test_sessions_follow_weekly_slots_between_the_cohorts_dates(cohort):
    result = cohort_generate_sessions(cohort=cohort, today=dt.date(2026, 2, 1))

    assert (result.created, result.deleted, result.kept) == (9, 0, 0)
    assert [d.day for d in dates(cohort)] == [2, 5, 9, 12, 16, 19, 23, 26, 30]
    thursday = cohort.sessions.get(date=dt.date(2026, 3, 5))
    assert (thursday.start_time, thursday.end_time, thursday.status) == (dt.time(13), dt.time(16), "scheduled")


def test_public_holidays_of_the_facilitys_country_are_skipped(cohort):
    PublicHoliday.objects.create(country="XK", date=dt.date(2026, 3, 16), name="Test holiday")
    PublicHoliday.objects.create(country="RS", date=dt.date(2026, 3, 19), name="Another country's holiday")

    cohort_generate_sessions(cohort=cohort, today=dt.date(2026, 2, 1))

    assert [d.day for d in dates(cohort)] == [2, 5, 9, 12, 19, 23, 26, 30]


def test_regenerating_twice_changes_nothing(cohort):
    cohort_generate_sessions(cohort=cohort, today=dt.date(2026, 2, 1))
    ids = set(cohort.sessions.values_list("pk", flat=True))

    again = cohort_generate_sessions(cohort=cohort, today=dt.date(2026, 2, 1))

    assert (again.created, again.deleted, again.kept) == (0, 0, 9)
    assert set(cohort.sessions.values_list("pk", flat=True)) == ids


def test_a_schedule_change_never_touches_past_sessions_or_sessions_with_a_register(cohort):
    cohort_generate_sessions(cohort=cohort, today=dt.date(2026, 2, 1))
    with_register = cohort.sessions.get(date=dt.date(2026, 3, 23))
    Attendance.objects.create(session=with_register, enrolment=EnrolmentFactory(cohort=cohort), status="present")
    # The Thursday slot moves to Friday on 16 March.
    cohort.weekly_slots.filter(weekday=THU).update(weekday=4)
    cohort.weekly_slots.filter(weekday=MON).delete()

    result = cohort_generate_sessions(cohort=cohort, today=dt.date(2026, 3, 16))

    # Before the 16th: 2, 5, 9, 12 stay. After: Monday 23 has a register and stays; Mon 16, Thu 19/26, Mon 30 go.
    # New Fridays: 20 and 27.
    assert (result.created, result.deleted) == (2, 4)
    assert [(d.day, d.weekday()) for d in dates(cohort)] == [
        (2, 0), (5, 3), (9, 0), (12, 3), (20, 4), (23, 0), (27, 4),
    ]
    with_register.refresh_from_db()
    assert with_register.attendance.count() == 1


def test_a_session_that_was_held_is_kept_when_the_slot_disappears(cohort):
    SessionFactory(cohort=cohort, date=dt.date(2026, 3, 30), status=Session.Status.HELD)

    result = cohort_generate_sessions(cohort=cohort, today=dt.date(2026, 3, 1))

    assert result.kept == 1
    assert cohort.sessions.filter(date=dt.date(2026, 3, 30)).count() == 1
    assert cohort.sessions.count() == 9
