"""Custody movements: admission, transfer, release, re-admission; what they close in programmes; the register
and attendance rates afterwards; the movement form with its preview; the movements list."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from inmates.models import CustodyEvent, Inmate
from programs.models import Attendance, CourseRequest, Enrolment, EnrolmentStatusChange, Session
from programs.services.attendance import enrolment_attendance_rate, session_expected_enrolments
from programs.services.movements import (
    custody_admit,
    custody_readmit,
    custody_release,
    custody_transfer,
)
from rehab.models import Role
from tests.factories import (
    CohortFactory,
    CourseFactory,
    EnrolmentFactory,
    FacilityFactory,
    InmateFactory,
    PrisonServiceFactory,
    SessionFactory,
)
from tests.factories_trainer import AttendanceFactory, make_director, make_trainer, make_user_with_role

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 20)
MOVED_ON = dt.date(2026, 3, 12)


# ---------------------------------------------------------------- arrange


@pytest.fixture
def service():
    return PrisonServiceFactory(name="Kosovo Correctional Service")


@pytest.fixture
def lipjan(service):
    return FacilityFactory(prison_service=service, name="Lipjan")


@pytest.fixture
def dubrava(service):
    return FacilityFactory(prison_service=service, name="Dubrava")


@pytest.fixture
def inmate(lipjan):
    person = InmateFactory(current_facility=lipjan, first_name="Arta", last_name="Gashi", admission_date=dt.date(2024, 1, 10))
    CustodyEvent.objects.create(inmate=person, kind=CustodyEvent.Kind.ADMISSION, date=dt.date(2024, 1, 10), to_facility=lipjan)
    return person


def cohort_in(facility, name, course_title, **fields):
    return CohortFactory(facility=facility, name=name, course=CourseFactory(title=course_title), **fields)


def enrolled(cohort, inmate, status=Enrolment.Status.ENROLLED, **fields):
    fields.setdefault("enrolled_at", timezone.make_aware(dt.datetime.combine(cohort.start_date, dt.time(9))))
    return EnrolmentFactory(cohort=cohort, inmate=inmate, status=status, **fields)


def held(cohort, day):
    return SessionFactory(cohort=cohort, date=day, status=Session.Status.HELD)


def message(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


# ---------------------------------------------------------------- transfer


def test_a_transfer_moves_the_person_and_closes_their_open_enrolments_with_history(inmate, lipjan, dubrava):
    director = make_director(lipjan)
    filigree = enrolled(cohort_in(lipjan, "Filigree – group A", "Filigree"), inmate)
    waiting = enrolled(cohort_in(lipjan, "IT basics – group 2", "IT basics"), inmate, Enrolment.Status.WAITLISTED, enrolled_at=None)
    done = enrolled(cohort_in(lipjan, "Filigree – first group", "Filigree 0"), inmate, Enrolment.Status.COMPLETED)
    withdrawn = enrolled(cohort_in(lipjan, "Sewing", "Sewing"), inmate, Enrolment.Status.WITHDRAWN, status_reason="Moved to the kitchen")
    request = CourseRequest.objects.create(course=CourseFactory(title="Cooking"), facility=lipjan, inmate=inmate)

    event = custody_transfer(inmate=inmate, to_facility=dubrava, date=MOVED_ON, note="Court order", by=director, today=TODAY)

    assert (event.kind, event.date, event.from_facility, event.to_facility, event.note, event.recorded_by) == (
        "transfer", MOVED_ON, lipjan, dubrava, "Court order", director,
    )
    inmate.refresh_from_db()
    assert (inmate.status, inmate.current_facility, inmate.expected_release_date) == ("in_custody", dubrava, dt.date(2028, 1, 10))
    reason = "Transferred from Lipjan to Dubrava on March 12, 2026."
    for enrolment in (filigree, waiting):
        enrolment.refresh_from_db()
        assert (enrolment.status, enrolment.status_reason) == ("transferred", reason)
        assert timezone.localdate(enrolment.ended_at) == MOVED_ON
    assert list(EnrolmentStatusChange.objects.order_by("enrolment_id").values_list("enrolment_id", "from_status", "to_status", "reason", "changed_by")) == [
        (filigree.pk, "enrolled", "transferred", reason, director.pk),
        (waiting.pk, "waitlisted", "transferred", reason, director.pk),
    ]
    done.refresh_from_db()
    withdrawn.refresh_from_db()
    assert (done.status, done.status_reason) == ("completed", "")
    assert (withdrawn.status, withdrawn.status_reason) == ("withdrawn", "Moved to the kitchen")
    request.refresh_from_db()
    assert (request.status, request.status_reason) == ("cancelled", reason)


def test_a_transfer_back_to_the_first_facility_does_not_enrol_the_person_again(inmate, lipjan, dubrava):
    filigree = enrolled(cohort_in(lipjan, "Filigree – group A", "Filigree"), inmate)
    custody_transfer(inmate=inmate, to_facility=dubrava, date=MOVED_ON, today=TODAY)

    custody_transfer(inmate=inmate, to_facility=lipjan, date=dt.date(2026, 3, 16), today=TODAY)

    filigree.refresh_from_db()
    inmate.refresh_from_db()
    assert (inmate.current_facility, filigree.status) == (lipjan, "transferred")
    assert list(inmate.custody_events.values_list("kind", "from_facility", "to_facility")) == [
        ("admission", None, lipjan.pk), ("transfer", lipjan.pk, dubrava.pk), ("transfer", dubrava.pk, lipjan.pk),
    ]
    assert filigree.history.count() == 1


# ---------------------------------------------------------------- release, re-admission, admission


def test_a_release_ends_custody_and_closes_open_enrolments_as_released(inmate, lipjan):
    filigree = enrolled(cohort_in(lipjan, "Filigree – group A", "Filigree"), inmate)
    done = enrolled(cohort_in(lipjan, "Filigree – first group", "Filigree 0"), inmate, Enrolment.Status.COMPLETED)

    event = custody_release(inmate=inmate, date=MOVED_ON, note="End of sentence", today=TODAY)

    assert (event.kind, event.from_facility, event.to_facility) == ("release", lipjan, None)
    inmate.refresh_from_db()
    assert (inmate.status, inmate.current_facility, inmate.expected_release_date) == ("released", None, MOVED_ON)
    filigree.refresh_from_db()
    assert (filigree.status, filigree.status_reason) == ("released", "Released from Lipjan on March 12, 2026.")
    assert list(filigree.history.values_list("from_status", "to_status")) == [("enrolled", "released")]
    done.refresh_from_db()
    assert done.status == "completed"


def test_a_readmission_takes_the_person_back_without_reopening_old_enrolments(inmate, lipjan, dubrava):
    filigree = enrolled(cohort_in(lipjan, "Filigree – group A", "Filigree"), inmate)
    custody_release(inmate=inmate, date=dt.date(2026, 3, 2), today=TODAY)

    event = custody_readmit(
        inmate=inmate, facility=dubrava, date=MOVED_ON, expected_release_date=dt.date(2027, 6, 1), today=TODAY
    )

    assert (event.kind, event.from_facility, event.to_facility, event.date) == ("readmission", lipjan, dubrava, MOVED_ON)
    inmate.refresh_from_db()
    assert (inmate.status, inmate.current_facility, inmate.admission_date, inmate.expected_release_date) == (
        "in_custody", dubrava, MOVED_ON, dt.date(2027, 6, 1),
    )
    filigree.refresh_from_db()
    assert filigree.status == "released"
    assert list(inmate.custody_events.values_list("kind", flat=True)) == ["admission", "release", "readmission"]


def test_a_first_admission_records_the_event_and_the_facility(lipjan):
    person = InmateFactory(current_facility=lipjan, admission_date=dt.date(2026, 3, 1), expected_release_date=None)

    event = custody_admit(inmate=person, facility=lipjan, date=MOVED_ON, expected_release_date=dt.date(2027, 3, 12), today=TODAY)

    person.refresh_from_db()
    assert (event.kind, event.to_facility, event.from_facility) == ("admission", lipjan, None)
    assert (person.status, person.current_facility, person.admission_date, person.expected_release_date) == (
        "in_custody", lipjan, MOVED_ON, dt.date(2027, 3, 12),
    )


# ---------------------------------------------------------------- refusals


@pytest.fixture
def released(inmate):
    custody_release(inmate=inmate, date=dt.date(2026, 3, 10), today=TODAY)
    inmate.refresh_from_db()
    return inmate


def test_each_impossible_movement_is_refused_with_a_clear_message_and_nothing_saved(inmate, lipjan, dubrava):
    other_service = FacilityFactory(name="KPZ Niš")
    filigree = enrolled(cohort_in(lipjan, "Filigree – group A", "Filigree"), inmate)
    cases = [
        (lambda: custody_transfer(inmate=inmate, to_facility=lipjan, date=MOVED_ON, today=TODAY), "Arta Gashi is already held in Lipjan."),
        (
            lambda: custody_transfer(inmate=inmate, to_facility=other_service, date=MOVED_ON, today=TODAY),
            f"KPZ Niš belongs to another prison service; Arta Gashi can be moved only within {inmate.prison_service.name}.",
        ),
        (
            lambda: custody_transfer(inmate=inmate, to_facility=dubrava, date=dt.date(2026, 3, 21), today=TODAY),
            "A movement cannot be dated in the future (today is March 20, 2026).",
        ),
        (
            lambda: custody_transfer(inmate=inmate, to_facility=dubrava, date=dt.date(2024, 1, 9), today=TODAY),
            "Arta Gashi's last movement (admission) is dated Jan. 10, 2024; a later movement cannot be dated before it.",
        ),
        (lambda: custody_transfer(inmate=inmate, to_facility=None, date=MOVED_ON, today=TODAY), "Choose the facility."),
        (
            lambda: custody_readmit(inmate=inmate, facility=dubrava, date=MOVED_ON, today=TODAY),
            "Arta Gashi is in custody already; record a transfer to move them to another facility.",
        ),
        (
            lambda: custody_admit(inmate=inmate, facility=lipjan, date=MOVED_ON, today=TODAY),
            "Arta Gashi already has a custody history; record a re-admission after a release instead.",
        ),
    ]
    for act, expected in cases:
        with pytest.raises(ValidationError) as exc:
            act()
        assert message(exc) == expected

    inmate.refresh_from_db()
    filigree.refresh_from_db()
    assert (inmate.current_facility, inmate.status, filigree.status) == (lipjan, "in_custody", "enrolled")
    assert inmate.custody_events.count() == 1
    assert not EnrolmentStatusChange.objects.exists()


def test_a_released_person_can_be_neither_transferred_nor_released_again(released, dubrava):
    with pytest.raises(ValidationError) as transfer:
        custody_transfer(inmate=released, to_facility=dubrava, date=TODAY, today=TODAY)
    with pytest.raises(ValidationError) as release:
        custody_release(inmate=released, date=TODAY, today=TODAY)
    with pytest.raises(ValidationError) as early:
        custody_readmit(inmate=released, facility=dubrava, date=TODAY, expected_release_date=dt.date(2026, 3, 19), today=TODAY)

    assert message(transfer) == "Arta Gashi is not in custody (released); only a person in custody can be transferred."
    assert message(release) == "Arta Gashi is not in custody (released); there is nobody to release."
    assert message(early) == "The expected release date cannot be before the admission (March 20, 2026)."
    assert released.custody_events.count() == 2


# ---------------------------------------------------------------- registers and attendance rates


def test_a_backdated_transfer_removes_later_marks_and_keeps_earlier_ones(inmate, lipjan, dubrava):
    cohort = cohort_in(lipjan, "Filigree – group A", "Filigree")
    person = enrolled(cohort, inmate)
    before = held(cohort, dt.date(2026, 3, 9))
    AttendanceFactory(session=before, enrolment=person, status="absent")
    on_the_day = held(cohort, MOVED_ON)
    AttendanceFactory(session=on_the_day, enrolment=person, status="present")
    after = held(cohort, dt.date(2026, 3, 16))
    AttendanceFactory(session=after, enrolment=person, status="absent")
    other = enrolled(cohort, InmateFactory(current_facility=lipjan))
    AttendanceFactory(session=after, enrolment=other, status="present")

    custody_transfer(inmate=inmate, to_facility=dubrava, date=MOVED_ON, today=TODAY)

    assert sorted(Attendance.objects.values_list("session__date", "enrolment_id", "status")) == [
        (dt.date(2026, 3, 9), person.pk, "absent"),
        (MOVED_ON, person.pk, "present"),
        (dt.date(2026, 3, 16), other.pk, "present"),
    ]


def test_registers_expect_the_person_up_to_the_movement_day_only(inmate, lipjan, dubrava):
    cohort = cohort_in(lipjan, "Filigree – group A", "Filigree")
    person = enrolled(cohort, inmate)
    stays = enrolled(cohort, InmateFactory(current_facility=lipjan))
    on_the_day = SessionFactory(cohort=cohort, date=MOVED_ON)
    after = SessionFactory(cohort=cohort, date=dt.date(2026, 3, 16))

    custody_transfer(inmate=inmate, to_facility=dubrava, date=MOVED_ON, today=TODAY)

    assert set(session_expected_enrolments(session=on_the_day)) == {person, stays}
    assert set(session_expected_enrolments(session=after)) == {stays}


def test_the_attendance_rate_ignores_sessions_after_the_movement(inmate, lipjan, dubrava):
    cohort = cohort_in(lipjan, "Filigree – group A", "Filigree")
    person = enrolled(cohort, inmate)
    AttendanceFactory(session=held(cohort, dt.date(2026, 3, 2)), enrolment=person, status="present")
    AttendanceFactory(session=held(cohort, dt.date(2026, 3, 5)), enrolment=person, status="absent")
    AttendanceFactory(session=held(cohort, dt.date(2026, 3, 9)), enrolment=person, status="present")
    held(cohort, dt.date(2026, 3, 16))
    held(cohort, dt.date(2026, 3, 19))

    custody_transfer(inmate=inmate, to_facility=dubrava, date=MOVED_ON, today=TODAY)

    person.refresh_from_db()
    assert enrolment_attendance_rate(enrolment=person) == Decimal("66.67")


def test_a_mark_left_after_the_enrolment_ended_does_not_count(lipjan):
    cohort = cohort_in(lipjan, "Filigree – group A", "Filigree")
    person = enrolled(
        cohort, InmateFactory(current_facility=lipjan), Enrolment.Status.TRANSFERRED,
        ended_at=timezone.make_aware(dt.datetime.combine(MOVED_ON, dt.time(23, 59))),
    )
    AttendanceFactory(session=held(cohort, dt.date(2026, 3, 9)), enrolment=person, status="present")
    AttendanceFactory(session=held(cohort, dt.date(2026, 3, 16)), enrolment=person, status="absent")

    assert enrolment_attendance_rate(enrolment=person) == Decimal("100.00")


# ---------------------------------------------------------------- the trainer's register page


@pytest.fixture
def group(lipjan):
    today = timezone.localdate()
    return cohort_in(
        lipjan, "Filigree – group A", "Filigree", start_date=today - dt.timedelta(days=30), end_date=today + dt.timedelta(days=30)
    )


def test_the_register_after_a_transfer_lists_the_person_greyed_and_not_as_absent(client, group, inmate, dubrava):
    today = timezone.localdate()
    moved_on = today - dt.timedelta(days=3)
    trainer = make_trainer(group, username="coach")
    person = enrolled(group, inmate)
    stays = enrolled(group, InmateFactory(current_facility=group.facility, first_name="Besa", last_name="Hoxha"))
    session = SessionFactory(cohort=group, date=today)
    custody_transfer(inmate=inmate, to_facility=dubrava, date=moved_on, today=today)
    client.force_login(trainer)

    response = client.get(reverse("programs:register", args=[session.pk]))

    assert [row.enrolment for row in response.context["rows"]] == [stays]
    assert response.context["counts"] == {"present": 1, "late": 0, "absent": 0, "excused": 0}
    assert [(e, e.moved_on) for e in response.context["moved"]] == [(person, moved_on)]
    moved_row = f'data-testid="moved-{person.pk}"'
    assertContains(response, moved_row)
    assertContains(response, f"Transferred on {moved_on:%m/%d/%Y}")
    assertNotContains(response, f'name="status_{person.pk}"')

    saved = client.post(reverse("programs:register", args=[session.pk]), {f"status_{stays.pk}": "present", "topics_covered": ""})

    assert saved.status_code == 302
    assert list(Attendance.objects.values_list("enrolment_id", "status")) == [(stays.pk, "present")]


def test_a_register_from_before_the_release_still_expects_the_person(client, group, inmate):
    today = timezone.localdate()
    trainer = make_trainer(group, username="coach")
    person = enrolled(group, inmate)
    earlier = SessionFactory(cohort=group, date=today - dt.timedelta(days=5))
    custody_release(inmate=inmate, date=today - dt.timedelta(days=2), today=today)
    client.force_login(trainer)

    response = client.get(reverse("programs:register", args=[earlier.pk]))

    assert [row.enrolment for row in response.context["rows"]] == [person]
    assert response.context["moved"] == []
    assertContains(response, f'name="status_{person.pk}"')
    assertContains(response, "Released")


def test_someone_who_was_only_waiting_is_not_listed_on_later_registers(client, group, inmate, dubrava):
    today = timezone.localdate()
    trainer = make_trainer(group, username="coach")
    enrolled(group, inmate, Enrolment.Status.WAITLISTED, enrolled_at=None)
    session = SessionFactory(cohort=group, date=today)
    custody_transfer(inmate=inmate, to_facility=dubrava, date=today - dt.timedelta(days=1), today=today)
    client.force_login(trainer)

    response = client.get(reverse("programs:register", args=[session.pk]))

    assert (response.context["rows"], response.context["moved"]) == ([], [])


# ---------------------------------------------------------------- concurrency


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_transferring_the_same_person_at_once_leave_one_movement():
    service = PrisonServiceFactory()
    lipjan, dubrava = FacilityFactory(prison_service=service), FacilityFactory(prison_service=service)
    inmate = InmateFactory(current_facility=lipjan)
    enrolment = EnrolmentFactory(cohort=CohortFactory(facility=lipjan), inmate=inmate)
    today = timezone.localdate()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def transfer():
        try:
            barrier.wait()
            custody_transfer(inmate=Inmate.objects.get(pk=inmate.pk), to_facility=dubrava, date=today, today=today)
            result = "moved"
        except ValidationError as exc:
            result = exc.code
        except Exception as exc:  # noqa: BLE001 - any other error is what this test exists to catch
            result = f"error:{exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=transfer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["moved", "same_facility"]
    assert CustodyEvent.objects.filter(inmate=inmate, kind="transfer").count() == 1
    assert EnrolmentStatusChange.objects.filter(enrolment=enrolment).count() == 1


# ---------------------------------------------------------------- the movement form


def movement_url(inmate):
    return reverse("programs:inmate_movement", args=[inmate.pk])


def test_the_preview_says_what_will_be_closed_and_saves_nothing(client, inmate, lipjan, dubrava):
    enrolled(cohort_in(lipjan, "Filigree – group A", "Filigree"), inmate)
    enrolled(cohort_in(lipjan, "IT basics – group 2", "IT basics"), inmate, Enrolment.Status.WAITLISTED, enrolled_at=None)
    client.force_login(make_director(lipjan))
    today = timezone.localdate()

    response = client.post(
        movement_url(inmate), {"kind": "transfer", "date": today.isoformat(), "facility": dubrava.pk, "note": "", "preview": ""}
    )

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "programs/movements/confirm.html"
    assertContains(response, "2 open enrolments will be closed:")
    assertContains(response, "Filigree – group A, IT basics – group 2 (waitlisted).")
    inmate.refresh_from_db()
    assert (inmate.current_facility, inmate.custody_events.count()) == (lipjan, 1)
    assert not Enrolment.objects.exclude(status__in=["enrolled", "waitlisted"]).exists()


def test_confirming_records_the_movement_and_goes_to_the_list(client, inmate, lipjan, dubrava):
    filigree = enrolled(cohort_in(lipjan, "Filigree – group A", "Filigree"), inmate)
    director = make_director(lipjan)
    client.force_login(director)
    today = timezone.localdate()

    response = client.post(
        movement_url(inmate), {"kind": "transfer", "date": today.isoformat(), "facility": dubrava.pk, "note": "Order 12", "confirm": ""}
    )

    assert response.status_code == 302 and response["Location"] == reverse("programs:movement_list")
    event = inmate.custody_events.get(kind="transfer")
    assert (event.to_facility, event.note, event.recorded_by) == (dubrava, "Order 12", director)
    filigree.refresh_from_db()
    assert filigree.status == "transferred"


def test_the_form_shows_the_services_refusal(client, inmate, lipjan):
    client.force_login(make_director(lipjan))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = client.post(movement_url(inmate), {"kind": "release", "date": tomorrow.isoformat(), "preview": ""})

    assert [t.name for t in response.templates][0] == "programs/movements/form.html"
    assertContains(response, "A movement cannot be dated in the future")
    assert inmate.custody_events.count() == 1


def test_a_transfer_needs_a_destination(client, inmate, lipjan):
    client.force_login(make_director(lipjan))

    response = client.post(movement_url(inmate), {"kind": "transfer", "date": timezone.localdate().isoformat(), "preview": ""})

    assert response.context["form"].errors == {"facility": ["Choose the facility the person goes to."]}


def test_case_managers_of_the_facility_may_record_movements_and_others_may_not(client, inmate, lipjan, dubrava):
    case_manager = make_user_with_role(Role.CASE_MANAGER, facility=lipjan)
    elsewhere = make_director(dubrava)
    trainer = make_trainer()

    client.force_login(case_manager)
    assert client.get(movement_url(inmate)).status_code == 200
    client.force_login(elsewhere)
    assert client.get(movement_url(inmate)).status_code == 404
    client.force_login(trainer)
    assert client.get(movement_url(inmate)).status_code == 403


def test_a_released_person_is_readmitted_by_the_staff_of_their_last_facility(client, released, lipjan):
    client.force_login(make_director(lipjan))

    response = client.get(movement_url(released))

    assert [value for value, _label in response.context["form"].fields["kind"].choices] == ["readmission"]


def test_a_released_person_is_readmitted_through_the_form(client, released, lipjan, dubrava):
    client.force_login(make_director(lipjan))
    today = timezone.localdate()
    data = {"kind": "readmission", "date": today.isoformat(), "facility": dubrava.pk, "expected_release_date": "2030-01-01"}

    preview = client.post(movement_url(released), {**data, "preview": ""})
    saved = client.post(movement_url(released), {**data, "confirm": ""})

    assertContains(preview, "Earlier enrolments are not reopened")
    assert saved.status_code == 302
    released.refresh_from_db()
    assert (released.status, released.current_facility, released.admission_date, released.expected_release_date) == (
        "in_custody", dubrava, today, dt.date(2030, 1, 1),
    )


def test_a_person_without_custody_history_is_offered_the_admission(client, lipjan):
    person = InmateFactory(current_facility=lipjan)
    client.force_login(make_director(lipjan))

    response = client.get(movement_url(person))

    assert [value for value, _label in response.context["form"].fields["kind"].choices] == ["admission", "transfer", "release"]


# ---------------------------------------------------------------- the movements list


def test_the_list_shows_movements_in_and_out_of_the_users_facilities_filtered_by_kind(client, inmate, lipjan, dubrava):
    custody_transfer(inmate=inmate, to_facility=dubrava, date=MOVED_ON, today=TODAY)
    elsewhere = InmateFactory()
    CustodyEvent.objects.create(inmate=elsewhere, kind="admission", date=MOVED_ON, to_facility=elsewhere.current_facility)
    client.force_login(make_director(dubrava))

    everything = client.get(reverse("programs:movement_list"))
    transfers = client.get(reverse("programs:movement_list"), {"kind": "transfer"})
    admissions = client.get(reverse("programs:movement_list"), {"kind": "admission"})

    assert [(e.inmate, e.kind) for e in everything.context["page"]] == [(inmate, "transfer")]
    assert [e.kind for e in transfers.context["page"]] == ["transfer"]
    assert list(admissions.context["page"]) == []


def test_the_list_filters_by_date(client, inmate, lipjan, dubrava):
    custody_transfer(inmate=inmate, to_facility=dubrava, date=MOVED_ON, today=TODAY)
    client.force_login(make_director(lipjan))

    response = client.get(reverse("programs:movement_list"), {"date_after": "2026-03-01", "date_before": "2026-03-31"})

    assert [e.kind for e in response.context["page"]] == ["transfer"]


def test_the_list_filters_by_facility_in_either_direction(client, inmate, lipjan, dubrava, service):
    third = FacilityFactory(prison_service=service, name="High Security Prison")
    custody_transfer(inmate=inmate, to_facility=dubrava, date=MOVED_ON, today=TODAY)
    other = InmateFactory(current_facility=third)
    admin = make_user_with_role(Role.SYSTEM_ADMINISTRATOR)
    custody_admit(inmate=other, facility=third, date=MOVED_ON, today=TODAY)
    client.force_login(admin)

    into_dubrava = client.get(reverse("programs:movement_list"), {"facility": dubrava.pk})
    out_of_lipjan = client.get(reverse("programs:movement_list"), {"facility": lipjan.pk})

    assert [(e.inmate, e.kind) for e in into_dubrava.context["page"]] == [(inmate, "transfer")]
    assert [(e.inmate, e.kind) for e in out_of_lipjan.context["page"]] == [(inmate, "transfer"), (inmate, "admission")]


@pytest.mark.parametrize("count", [1, 3])
def test_the_movements_list_takes_a_constant_number_of_queries(client, django_assert_num_queries, lipjan, dubrava, count):
    director = make_director(lipjan)
    for _ in range(count):
        person = InmateFactory(current_facility=lipjan, admission_date=dt.date(2024, 1, 10))
        custody_transfer(inmate=person, to_facility=dubrava, date=MOVED_ON, by=director, today=TODAY)
    client.force_login(director)

    with django_assert_num_queries(8):
        response = client.get(reverse("programs:movement_list"))

    assert len(response.context["page"]) == count


# ---------------------------------------------------------------- audit trail


def test_a_movement_is_audited_with_who_why_and_before_and_after(inmate, lipjan, dubrava):
    from auditlog.models import LogEntry

    director = make_director(lipjan)
    cohort = cohort_in(lipjan, "Filigree – group A", "Filigree")
    person = enrolled(cohort, inmate)
    mark = AttendanceFactory(session=held(cohort, dt.date(2026, 3, 16)), enrolment=person, status="absent")
    LogEntry.objects.all().delete()

    custody_transfer(inmate=inmate, to_facility=dubrava, date=MOVED_ON, by=director, today=TODAY)

    entries = {(e.content_type.model, e.object_id): e for e in LogEntry.objects.select_related("content_type")}
    assert sorted((model, e.action) for (model, _pk), e in entries.items()) == [
        ("attendance", LogEntry.Action.DELETE),
        ("custodyevent", LogEntry.Action.CREATE),
        ("enrolment", LogEntry.Action.UPDATE),
        ("inmate", LogEntry.Action.UPDATE),
    ]
    assert {e.actor for e in entries.values()} == {director}
    assert entries["inmate", inmate.pk].changes_dict == {"current_facility": [str(lipjan.pk), str(dubrava.pk)]}
    assert entries["enrolment", person.pk].changes_dict["status"] == ["enrolled", "transferred"]
    assert entries["enrolment", person.pk].additional_data == {"reason": "Transferred from Lipjan to Dubrava on March 12, 2026."}
    assert entries["attendance", mark.pk].changes_dict["status"] == ["absent", "None"]
