import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from programs.models import Attendance, Enrolment, Session
from programs.services import AttendanceEntry, session_record_register
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def session():
    cohort = CohortFactory()
    session = SessionFactory(cohort=cohort, date=DAY)
    session.people = [EnrolmentFactory(cohort=cohort) for _ in range(3)]
    return session


def register(session, overrides=None):
    entries = {e.pk: AttendanceEntry(status="present") for e in session.people}
    entries.update(overrides or {})
    return entries


def test_the_whole_register_is_saved_in_one_call(session):
    trainer = UserFactory()
    a, b, c = session.people
    entries = register(session)
    entries[b.pk] = AttendanceEntry(status="late")
    entries[c.pk] = AttendanceEntry(status="excused", reason="court")

    rows = session_record_register(session=session, entries=entries, topics_covered=" Soldering ", by=trainer, today=DAY)

    assert [(r.enrolment_id, r.status, r.reason, r.recorded_by_id) for r in rows] == [
        (a.pk, "present", "", trainer.pk),
        (b.pk, "late", "", trainer.pk),
        (c.pk, "excused", "court", trainer.pk),
    ]
    session.refresh_from_db()
    assert (session.status, session.topics_covered, session.register_taken_by) == ("held", "Soldering", trainer)


def test_submitting_the_same_register_twice_changes_nothing(session):
    entries = register(session)
    session_record_register(session=session, entries=entries, today=DAY)
    first = list(Attendance.objects.order_by("pk").values_list("pk", "enrolment_id", "status"))

    session_record_register(session=session, entries=entries, today=DAY)

    assert list(Attendance.objects.order_by("pk").values_list("pk", "enrolment_id", "status")) == first
    assert Attendance.objects.count() == 3


def test_a_correction_updates_the_existing_row(session):
    a = session.people[0]
    session_record_register(session=session, entries=register(session), today=DAY)

    session_record_register(
        session=session, entries=register(session, {a.pk: AttendanceEntry(status="absent", reason="sick")}), today=DAY
    )

    assert Attendance.objects.get(enrolment=a).status == "absent"
    assert Attendance.objects.count() == 3


def test_bad_entries_are_refused_and_nothing_is_saved(session):
    a, b, _ = session.people
    entries = register(session)
    entries[a.pk] = AttendanceEntry(status="excused")
    entries[b.pk] = AttendanceEntry(status="absent", reason="other", note=" ")

    with pytest.raises(ValidationError) as excinfo:
        session_record_register(session=session, entries=entries, today=DAY)

    assert excinfo.value.message_dict == {
        str(a.pk): ["An excused absence needs a reason."],
        str(b.pk): ["Describe the reason when choosing “Other”."],
    }
    assert Attendance.objects.count() == 0
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED


def test_everyone_enrolled_must_be_marked_and_strangers_are_refused(session):
    entries = register(session)
    del entries[session.people[0].pk]
    with pytest.raises(ValidationError) as excinfo:
        session_record_register(session=session, entries=entries, today=DAY)
    assert excinfo.value.messages == ["Mark every participant: 1 are missing."]

    stranger = EnrolmentFactory()
    with pytest.raises(ValidationError) as excinfo:
        session_record_register(session=session, entries=register(session, {stranger.pk: AttendanceEntry("present")}), today=DAY)
    assert excinfo.value.code == "unknown"
    assert Attendance.objects.count() == 0


def test_withdrawn_people_are_not_expected_on_a_new_register(session):
    withdrawn = session.people[2]
    Enrolment.objects.filter(pk=withdrawn.pk).update(status=Enrolment.Status.WITHDRAWN)
    entries = register(session)
    del entries[withdrawn.pk]

    rows = session_record_register(session=session, entries=entries, today=DAY)

    assert len(rows) == 2


def test_no_register_for_a_cancelled_or_future_session(session):
    with pytest.raises(ValidationError) as excinfo:
        session_record_register(session=session, entries=register(session), today=DAY - dt.timedelta(days=1))
    assert excinfo.value.code == "future"

    session.status, session.cancellation_reason = Session.Status.CANCELLED, "Lockdown"
    session.save()
    with pytest.raises(ValidationError) as excinfo:
        session_record_register(session=session, entries=register(session), today=DAY)
    assert excinfo.value.code == "cancelled"
    assert Attendance.objects.count() == 0
