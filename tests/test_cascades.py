"""Training of trainers and cascades: qualification on completion, the tree's exact counts, the list's query count."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programs.models import Attendance, Enrolment, TrainerQualification
from programs.services.cascades import (
    cascade_trees,
    cascade_warnings,
    cohort_set_cascade,
    training_of_trainers_complete,
    training_of_trainers_qualify,
)
from rehab.models import Organisation
from tests.factories import CohortFactory, EnrolmentFactory, FacilityFactory
from tests.factories_staff import attend, held, officer, staff_enrolment, staff_of, training_of_trainers

pytestmark = pytest.mark.django_db
ENDED = dt.date(2026, 4, 1)


def _training_with(passed: int, failed: int = 0):
    training = training_of_trainers()
    sessions = held(training, 2)
    people = []
    for _ in range(passed):
        enrolment = staff_enrolment(training)
        attend(enrolment, sessions)
        people.append(enrolment)
    for _ in range(failed):
        enrolment = staff_enrolment(training)
        attend(enrolment, sessions[:1])
        attend(enrolment, sessions[1:], Attendance.Status.ABSENT)
    return training, people


def test_completing_a_training_of_trainers_qualifies_those_with_enough_attendance():
    training, passed = _training_with(passed=2, failed=1)

    completed, qualified = training_of_trainers_complete(cohort=training, by=None, today=ENDED)

    assert len(completed) == 3
    assert sorted(q.staff_member_id for q in qualified) == sorted(e.staff_member_id for e in passed)
    assert {q.qualified_on for q in qualified} == {training.end_date}
    assert training_of_trainers_qualify(cohort=training) == []
    assert TrainerQualification.objects.count() == 2


def test_an_ordinary_cohort_qualifies_nobody():
    with pytest.raises(ValidationError):
        training_of_trainers_qualify(cohort=CohortFactory())


def _cascade(training, facilitators, *, inmates=0, staff=0, sessions=0, cancelled=0, facility=None):
    cascade = CohortFactory(course=training.course, facility=facility or training.facility, capacity=30, cascade_of=training)
    cascade.trainers.add(*facilitators)
    held(cascade, sessions)
    for i in range(cancelled):
        from tests.factories import SessionFactory

        SessionFactory(cohort=cascade, date=cascade.start_date + dt.timedelta(days=20 + i), status="cancelled",
                       cancellation_reason="Lockdown")
    for _ in range(inmates):
        EnrolmentFactory(cohort=cascade)
    for _ in range(staff):
        staff_enrolment(cascade)
    return cascade


def test_the_tree_counts_cascades_sessions_and_people_reached_exactly():
    training, passed = _training_with(passed=2, failed=1)
    training_of_trainers_complete(cohort=training, by=None, today=ENDED)
    facilitators = [e.staff_member for e in passed]
    first = _cascade(training, facilitators, inmates=3, staff=2, sessions=4, cancelled=1)
    second = _cascade(training, facilitators, inmates=0, staff=5, sessions=2)
    # Someone reached twice counts once in the tree; a withdrawn person is not reached.
    twice = first.enrolments.filter(staff_member__isnull=False).first().staff_member
    staff_enrolment(second, twice)
    EnrolmentFactory(cohort=first, status=Enrolment.Status.WITHDRAWN)
    scope = CohortFactory._meta.model.objects.all()

    (tree,) = cascade_trees(trainings=scope, cascades=scope)

    assert (tree.trainees, tree.qualified, len(tree.branches)) == (3, 2, 2)
    assert [(b.cohort, b.sessions_held, b.sessions_planned, b.inmates_reached, b.staff_reached) for b in tree.branches] == [
        (first, 4, 4, 3, 2),
        (second, 2, 2, 0, 6),
    ]
    assert (tree.sessions_held, tree.inmates_reached, tree.staff_reached, tree.people_reached) == (6, 3, 7, 10)


def test_a_cascade_cohort_warns_about_unqualified_facilitators_and_a_missing_mentor():
    training, passed = _training_with(passed=1)
    training_of_trainers_complete(cohort=training, by=None, today=ENDED)
    newcomer = staff_of(Organisation.Kind.PRISON_SERVICE, first_name="Driton", last_name="Krasniqi")
    cascade = _cascade(training, [passed[0].staff_member, newcomer])

    assert cascade_warnings(cohort=cascade) == [
        "Driton Krasniqi is not qualified to deliver this course (no completed training of trainers).",
        "No supervising mentor is recorded.",
    ]


def test_a_cascade_must_come_from_a_training_of_the_same_course():
    training = training_of_trainers()
    other = CohortFactory(facility=training.facility)

    with pytest.raises(ValidationError):
        cohort_set_cascade(cohort=other, is_training_of_trainers=False, cascade_of=training, mentor=None)
    with pytest.raises(ValidationError):
        cohort_set_cascade(cohort=training, is_training_of_trainers=True, cascade_of=training, mentor=None)


def test_the_officer_qualifies_from_the_cascade_page(client):
    training, passed = _training_with(passed=2)
    client.force_login(officer())

    response = client.post(reverse("programs:cascade_qualify", args=[training.pk]), follow=True)

    assert response.status_code == 200
    assert TrainerQualification.objects.count() == 2
    assert response.context["tree"].qualified == 2


@pytest.mark.parametrize("items", [1, 3])
def test_the_cascade_list_makes_a_constant_number_of_queries(client, django_assert_num_queries, items):
    facility = FacilityFactory()
    for _ in range(items):
        training = training_of_trainers(facility=facility)
        staff_enrolment(training)
        _cascade(training, [staff_of(Organisation.Kind.HEALTH)], inmates=1, staff=1, sessions=1)
    client.force_login(officer())

    with django_assert_num_queries(8):
        response = client.get(reverse("programs:cascade_list"))

    assert response.status_code == 200
    assert len(response.context["trees"]) == items


def test_completing_a_training_of_trainers_from_the_final_assessment_page_qualifies_its_staff(client):
    from tests.factories_cohorts import director_of

    training, passed = _training_with(passed=2, failed=1)
    client.force_login(director_of(training.facility))

    response = client.post(reverse("programs:cohort_complete", args=[training.pk]), follow=True)

    assert response.status_code == 200
    assert Enrolment.objects.filter(cohort=training, status=Enrolment.Status.COMPLETED).count() == 3
    assert sorted(TrainerQualification.objects.values_list("staff_member_id", flat=True)) == sorted(
        e.staff_member_id for e in passed
    )
    assert [str(m) for m in response.context["messages"]] == [
        "3 participants marked as completed.",
        "2 staff members are now qualified to deliver this course.",
    ]
