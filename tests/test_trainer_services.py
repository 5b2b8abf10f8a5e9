"""Rules behind the trainer's screens: who may save a register, attendance rates, final assessment, completion."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programs.models import Attendance, Enrolment, EnrolmentStatusChange, Session
from programs.services.attendance import (
    AttendanceEntry,
    FinalAssessment,
    cohort_complete,
    cohort_record_final_assessments,
    enrolment_attendance_rate,
    session_record_register,
    session_register_refusal,
    session_save_register,
)
from rehab.models import Role
from tests.factories import CohortFactory, EnrolmentFactory, FacilityFactory, SessionFactory, UserFactory
from tests.factories_trainer import AttendanceFactory, make_director, make_trainer, make_user_with_role

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)  # a Monday; CohortFactory runs 2 to 31 March 2026
ENROLLED_AT = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def cohort():
    return CohortFactory()


@pytest.fixture
def session(cohort):
    session = SessionFactory(cohort=cohort, date=DAY)
    session.people = [EnrolmentFactory(cohort=cohort) for _ in range(2)]
    return session


def everyone_present(session):
    return {p.pk: AttendanceEntry(status="present") for p in session.people}


# ---------------------------------------------------------------- who may save a register


def test_a_trainer_may_save_until_seven_days_after_the_session(session):
    trainer = make_trainer(session.cohort)

    assert session_register_refusal(session=session, user=trainer, today=DAY) is None
    assert session_register_refusal(session=session, user=trainer, today=DAY + dt.timedelta(days=7)) is None
    assert session_register_refusal(session=session, user=trainer, today=DAY + dt.timedelta(days=8)) == (
        "Trainers can change a register for 7 days after the session (until March 9, 2026). "
        "Ask the facility director to change it."
    )


def test_the_facility_director_and_an_administrator_may_save_at_any_time(session):
    later = DAY + dt.timedelta(days=200)

    assert session_register_refusal(session=session, user=make_director(session.cohort.facility), today=later) is None
    assert session_register_refusal(session=session, user=make_user_with_role(Role.SYSTEM_ADMINISTRATOR), today=later) is None


def test_others_may_not_save_and_nobody_may_before_the_day_or_after_a_cancellation(session):
    assert session_register_refusal(session=session, user=make_director(FacilityFactory()), today=DAY) == (
        "Only the group's trainers and the facility director can take this register."
    )
    director = make_director(session.cohort.facility)
    assert session_register_refusal(session=session, user=director, today=DAY - dt.timedelta(days=1)) == (
        "The register opens on the day of the session (March 2, 2026)."
    )
    session.status, session.cancellation_reason = Session.Status.CANCELLED, "Lockdown"
    assert session_register_refusal(session=session, user=director, today=DAY) == "This session was cancelled; it has no register."


def test_saving_on_day_eight_as_the_trainer_is_refused_and_saves_nothing(session):
    trainer = make_trainer(session.cohort)

    with pytest.raises(ValidationError) as excinfo:
        session_save_register(session=session, entries=everyone_present(session), by=trainer, today=DAY + dt.timedelta(days=8))

    assert excinfo.value.code == "not_allowed"
    assert Attendance.objects.count() == 0


def test_a_correction_rewrites_only_the_changed_row_so_each_keeps_who_and_when(session):
    trainer, director = make_trainer(session.cohort), make_director(session.cohort.facility)
    a, b = session.people
    session_record_register(session=session, entries=everyone_present(session), by=trainer, today=DAY)
    before = dict(Attendance.objects.values_list("enrolment_id", "recorded_at"))

    session_record_register(
        session=session,
        entries={a.pk: AttendanceEntry("present"), b.pk: AttendanceEntry("absent", reason="court")},
        by=director,
        today=DAY,
    )

    rows = {r.enrolment_id: r for r in Attendance.objects.all()}
    assert (rows[a.pk].recorded_by, rows[a.pk].recorded_at) == (trainer, before[a.pk])
    assert (rows[b.pk].status, rows[b.pk].recorded_by) == ("absent", director)
    assert rows[b.pk].recorded_at > before[b.pk]
    session.refresh_from_db()
    assert (session.register_taken_by, session.register_taken_at) == (trainer, max(before.values()))


# ---------------------------------------------------------------- attendance rate


def held(cohort, day, **marks):
    session = SessionFactory(cohort=cohort, date=day, status=Session.Status.HELD)
    for enrolment, status in marks.items():
        AttendanceFactory(session=session, enrolment=enrolment, status=status)
    return session


def test_the_rate_counts_present_and_late_over_held_sessions_only(cohort):
    person = EnrolmentFactory(cohort=cohort, enrolled_at=ENROLLED_AT)
    for day, status in [(2, "present"), (5, "late"), (9, "absent")]:
        AttendanceFactory(session=SessionFactory(cohort=cohort, date=dt.date(2026, 3, day), status="held"), enrolment=person, status=status)
    SessionFactory(cohort=cohort, date=dt.date(2026, 3, 12), status=Session.Status.CANCELLED, cancellation_reason="Lockdown")
    SessionFactory(cohort=cohort, date=dt.date(2026, 3, 16))  # not held (yet)
    SessionFactory(cohort=CohortFactory(), date=dt.date(2026, 3, 16), status="held")  # another group

    assert enrolment_attendance_rate(enrolment=person) == Decimal("66.67")


def test_sessions_before_the_enrolment_and_after_it_ended_do_not_count(cohort):
    person = EnrolmentFactory(
        cohort=cohort,
        enrolled_at=dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC),
        ended_at=dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC),
        status=Enrolment.Status.WITHDRAWN,
    )
    SessionFactory(cohort=cohort, date=dt.date(2026, 3, 2), status="held")
    AttendanceFactory(session=SessionFactory(cohort=cohort, date=dt.date(2026, 3, 5), status="held"), enrolment=person, status="present")
    AttendanceFactory(session=SessionFactory(cohort=cohort, date=dt.date(2026, 3, 9), status="held"), enrolment=person, status="excused", reason="court")
    SessionFactory(cohort=cohort, date=dt.date(2026, 3, 12), status="held")
    SessionFactory(cohort=cohort, date=dt.date(2026, 3, 23), status="held")

    assert enrolment_attendance_rate(enrolment=person) == Decimal("33.33")


def test_a_session_on_which_the_person_was_marked_counts_even_before_their_enrolment_date(cohort):
    person = EnrolmentFactory(cohort=cohort, enrolled_at=dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC))
    AttendanceFactory(session=SessionFactory(cohort=cohort, date=dt.date(2026, 3, 9), status="held"), enrolment=person, status="present")
    AttendanceFactory(session=SessionFactory(cohort=cohort, date=dt.date(2026, 3, 12), status="held"), enrolment=person, status="present")

    assert enrolment_attendance_rate(enrolment=person) == Decimal("100.00")


def test_no_rate_before_any_session_is_held(cohort):
    person = EnrolmentFactory(cohort=cohort, enrolled_at=ENROLLED_AT)
    SessionFactory(cohort=cohort, date=dt.date(2026, 3, 2), status=Session.Status.CANCELLED, cancellation_reason="Lockdown")
    SessionFactory(cohort=cohort, date=dt.date(2026, 3, 5))

    assert enrolment_attendance_rate(enrolment=person) is None


# ---------------------------------------------------------------- final assessment


@pytest.fixture
def participants(cohort):
    return [EnrolmentFactory(cohort=cohort) for _ in range(3)]


def test_final_assessments_for_everyone_are_saved_in_one_call(cohort, participants):
    a, b, c = participants

    changed = cohort_record_final_assessments(
        cohort=cohort,
        results={
            a.pk: FinalAssessment(result="passed", score=Decimal("87.5"), note=" Neat work "),
            b.pk: FinalAssessment(result="not_passed", score=Decimal("41")),
            c.pk: FinalAssessment(),
        },
        by=UserFactory(),
    )

    assert [e.pk for e in changed] == [a.pk, b.pk]
    assert list(Enrolment.objects.order_by("pk").values_list("final_result", "final_score", "final_note")) == [
        ("passed", Decimal("87.50"), "Neat work"),
        ("not_passed", Decimal("41.00"), ""),
        ("", None, ""),
    ]


def test_recording_the_same_assessment_again_changes_nothing(cohort, participants):
    results = {p.pk: FinalAssessment(result="passed", score=Decimal("90")) for p in participants}
    cohort_record_final_assessments(cohort=cohort, results=results, by=None)

    assert cohort_record_final_assessments(cohort=cohort, results=results, by=None) == []


def test_bad_assessments_are_refused_per_person_and_nothing_is_saved(cohort, participants):
    a, b, c = participants

    with pytest.raises(ValidationError) as excinfo:
        cohort_record_final_assessments(
            cohort=cohort,
            results={
                a.pk: FinalAssessment(result="passed", score=Decimal("100.5")),
                b.pk: FinalAssessment(score=Decimal("50")),
                c.pk: FinalAssessment(result="passed"),
            },
            by=None,
        )

    assert excinfo.value.message_dict == {
        str(a.pk): ["The score must be between 0 and 100."],
        str(b.pk): ["Choose passed or not passed to record a score."],
    }
    assert Enrolment.objects.exclude(final_result="").count() == 0


def test_people_who_left_the_group_are_not_assessed(cohort, participants):
    left = EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WITHDRAWN)

    with pytest.raises(ValidationError) as excinfo:
        cohort_record_final_assessments(cohort=cohort, results={left.pk: FinalAssessment(result="passed")}, by=None)

    assert excinfo.value.code == "unknown"


# ---------------------------------------------------------------- completion


def test_participants_cannot_be_completed_before_the_group_has_ended(cohort, participants):
    with pytest.raises(ValidationError) as excinfo:
        cohort_complete(cohort=cohort, by=None, today=dt.date(2026, 3, 31))

    assert excinfo.value.messages == ["Participants can be marked as completed only after the group ends on March 31, 2026."]
    assert Enrolment.objects.filter(status=Enrolment.Status.COMPLETED).count() == 0


def test_completion_marks_everyone_enrolled_completed_with_history_once(cohort, participants):
    director = UserFactory()
    left = EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WITHDRAWN)
    waiting = EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WAITLISTED)

    completed = cohort_complete(cohort=cohort, by=director, today=dt.date(2026, 4, 1))
    again = cohort_complete(cohort=cohort, by=director, today=dt.date(2026, 4, 2))

    assert sorted(e.pk for e in completed) == sorted(p.pk for p in participants)
    assert again == []
    assert dict(Enrolment.objects.values_list("pk", "status")) == {
        **{p.pk: "completed" for p in participants},
        left.pk: "withdrawn",
        waiting.pk: "waitlisted",
    }
    assert Enrolment.objects.filter(status="completed", ended_at__isnull=True).count() == 0
    assert list(EnrolmentStatusChange.objects.order_by("enrolment_id").values_list("enrolment_id", "from_status", "to_status", "changed_by")) == [
        (p.pk, "enrolled", "completed", director.pk) for p in participants
    ]
