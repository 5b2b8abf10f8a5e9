import pytest
from django.core.exceptions import ValidationError

from inmates.models import Inmate
from programs.models import Enrolment
from programs.services import enrolment_create
from tests.factories import CohortFactory, InmateFactory, RoomFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return CohortFactory(room=RoomFactory(capacity=2), capacity=None, name="Filigree A")


def inmate_in(cohort, **kwargs):
    return InmateFactory(current_facility=cohort.facility, **kwargs)


def test_enrolling_records_status_and_history(cohort):
    inmate = inmate_in(cohort)

    enrolment = enrolment_create(cohort=cohort, inmate=inmate)

    assert enrolment.status == Enrolment.Status.ENROLLED
    assert enrolment.enrolled_at is not None
    assert list(enrolment.history.values_list("from_status", "to_status")) == [("", "enrolled")]


def test_capacity_defaults_to_the_rooms_and_a_full_cohort_refuses_clearly(cohort):
    enrolment_create(cohort=cohort, inmate=inmate_in(cohort))
    enrolment_create(cohort=cohort, inmate=inmate_in(cohort))
    third = inmate_in(cohort)

    with pytest.raises(ValidationError) as excinfo:
        enrolment_create(cohort=cohort, inmate=third)

    assert excinfo.value.code == "full"
    assert excinfo.value.messages == ["Filigree A is full: all 2 places are taken."]
    assert not Enrolment.objects.filter(inmate=third).exists()


def test_the_cohorts_own_capacity_wins_over_the_rooms():
    cohort = CohortFactory(room=RoomFactory(capacity=5), capacity=1)
    enrolment_create(cohort=cohort, inmate=InmateFactory(current_facility=cohort.facility))

    with pytest.raises(ValidationError):
        enrolment_create(cohort=cohort, inmate=InmateFactory(current_facility=cohort.facility))


def test_a_full_cohort_waitlists_when_asked(cohort):
    enrolment_create(cohort=cohort, inmate=inmate_in(cohort))
    enrolment_create(cohort=cohort, inmate=inmate_in(cohort))

    waitlisted = enrolment_create(cohort=cohort, inmate=inmate_in(cohort), waitlist_if_full=True)

    assert waitlisted.status == Enrolment.Status.WAITLISTED
    assert waitlisted.enrolled_at is None
    assert cohort.enrolments.filter(status="enrolled").count() == 2


def test_a_person_is_enrolled_once_per_cohort(cohort):
    inmate = inmate_in(cohort)
    enrolment_create(cohort=cohort, inmate=inmate)

    with pytest.raises(ValidationError) as excinfo:
        enrolment_create(cohort=cohort, inmate=inmate, waitlist_if_full=True)

    assert excinfo.value.code == "duplicate"
    assert Enrolment.objects.filter(inmate=inmate).count() == 1


def test_staff_members_enrol_like_inmates(cohort):
    staff = StaffMemberFactory()

    enrolment = enrolment_create(cohort=cohort, staff_member=staff)

    assert (enrolment.inmate, enrolment.staff_member, enrolment.participant_name) == (None, staff, staff.full_name)


def test_exactly_one_person_is_required(cohort):
    with pytest.raises(ValidationError) as excinfo:
        enrolment_create(cohort=cohort, inmate=inmate_in(cohort), staff_member=StaffMemberFactory())
    assert excinfo.value.code == "person"
    with pytest.raises(ValidationError):
        enrolment_create(cohort=cohort)
    assert Enrolment.objects.count() == 0


def test_released_people_cannot_be_enrolled(cohort):
    released = inmate_in(cohort, status=Inmate.Status.RELEASED)

    with pytest.raises(ValidationError) as excinfo:
        enrolment_create(cohort=cohort, inmate=released)

    assert excinfo.value.code == "not_in_custody"
