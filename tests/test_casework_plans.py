"""Rehabilitation plans: scope, the read log on every view, goals/steps/reviews, enrolling from the plan."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from inmates.models import PlanIntervention, PlanStep, RehabilitationPlan, SensitiveRead
from programs.models import CourseRequest, Enrolment, EnrolmentStatusChange
from programs.services.enrolment import enrolment_create
from rehab.models import Role
from tests.factories import CohortFactory, EnrolmentFactory, FacilityFactory, InmateFactory, RoomFactory
from tests.factories_casework import (
    PlanGoalFactory,
    PlanInterventionFactory,
    PlanReviewFactory,
    PlanStepFactory,
    RehabilitationPlanFactory,
)
from tests.factories_dashboard import CustodyEventFactory, director_of, user_with_role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def facility():
    return FacilityFactory(name="Lipjan")


@pytest.fixture
def casemanager(facility):
    return user_with_role(Role.CASE_MANAGER, facility=facility)


@pytest.fixture
def plan(facility):
    return RehabilitationPlanFactory(inmate=InmateFactory(current_facility=facility), started_on=TODAY())


def _cohort(facility, **kwargs):
    values = {
        "facility": facility,
        "room": RoomFactory(facility=facility, capacity=5),
        "start_date": TODAY() + dt.timedelta(days=7),
        "end_date": TODAY() + dt.timedelta(days=60),
        "capacity": 5,
    }
    values.update(kwargs)
    return CohortFactory(**values)


# ---------------------------------------------------------------- scope and read log


def test_the_case_manager_of_the_facility_reads_the_plan_and_the_read_is_logged(client, plan, casemanager):
    client.force_login(casemanager)

    response = client.get(reverse("programs:plan_detail", args=[plan.pk]))

    assert response.status_code == 200
    read = SensitiveRead.objects.get()
    assert (read.user, read.inmate, read.record_type, read.record_id, read.path) == (
        casemanager, plan.inmate, "plan", plan.pk, f"/programs/casework/plans/{plan.pk}/"
    )


@pytest.mark.parametrize(
    "name", ["plan_detail", "plan_edit", "plan_goal_create", "plan_intervention_create", "plan_review_create"]
)
def test_every_view_of_a_plan_writes_one_read_log_row(client, plan, casemanager, name):
    client.force_login(casemanager)

    response = client.get(reverse(f"programs:{name}", args=[plan.pk]))

    assert response.status_code == 200
    assert list(SensitiveRead.objects.values_list("record_type", "record_id")) == [("plan", plan.pk)]


def test_a_case_manager_of_another_facility_gets_404_and_nothing_is_logged(client, plan):
    client.force_login(user_with_role(Role.CASE_MANAGER, facility=FacilityFactory()))

    response = client.get(reverse("programs:plan_detail", args=[plan.pk]))

    assert response.status_code == 404
    assert SensitiveRead.objects.count() == 0


@pytest.mark.parametrize("role", [Role.TRAINER, Role.PROGRAMME_OFFICER, Role.PROBATION_OFFICER, Role.DONOR])
def test_roles_without_casework_get_403(client, plan, facility, role):
    scope = {"facility": facility} if role == Role.PROGRAMME_OFFICER else {"facility": None, "country": "XK"}
    client.force_login(user_with_role(role, **scope))

    response = client.get(reverse("programs:plan_detail", args=[plan.pk]))

    assert response.status_code == 403


def test_a_released_person_stays_with_the_facility_of_their_last_custody_movement(client, facility, casemanager):
    other = FacilityFactory()
    inmate = InmateFactory(current_facility=facility)
    CustodyEventFactory(inmate=inmate, kind="admission", date=dt.date(2024, 1, 10), to_facility=facility)
    CustodyEventFactory(inmate=inmate, kind="release", date=dt.date(2026, 1, 10), from_facility=facility,
                        to_facility=None)
    inmate.status, inmate.current_facility = "released", None
    inmate.save()
    plan = RehabilitationPlanFactory(inmate=inmate)

    client.force_login(casemanager)
    mine = client.get(reverse("programs:plan_detail", args=[plan.pk]))
    client.force_login(user_with_role(Role.CASE_MANAGER, facility=other))
    theirs = client.get(reverse("programs:plan_detail", args=[plan.pk]))

    assert (mine.status_code, theirs.status_code) == (200, 404)


# ---------------------------------------------------------------- editing


def test_starting_a_plan_and_refusing_a_second_active_one(client, facility, casemanager):
    inmate = InmateFactory(current_facility=facility)
    client.force_login(casemanager)
    url = reverse("programs:plan_create", args=[inmate.pk])
    data = {"started_on": "2026-11-02", "summary": "Work and family", "next_review_on": "2027-01-04"}

    first = client.post(url, data)
    second = client.post(url, data)

    plan = RehabilitationPlan.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("programs:plan_detail", args=[plan.pk])
    assert (plan.inmate, plan.started_on, plan.next_review_on, plan.created_by) == (
        inmate, dt.date(2026, 11, 2), dt.date(2027, 1, 4), casemanager
    )
    assert second.status_code == 200
    assert "already has an active plan" in second.content.decode()
    assert RehabilitationPlan.objects.count() == 1


def test_goals_steps_with_owner_and_a_step_marked_done(client, plan, casemanager):
    client.force_login(casemanager)
    owner = PlanStepFactory().owner

    client.post(reverse("programs:plan_goal_create", args=[plan.pk]), {"title": "Work after release",
                                                                       "need_area": "employment"})
    goal = plan.goals.get()
    client.post(reverse("programs:plan_step_create", args=[goal.pk]),
                {"description": "Write a CV", "owner": owner.pk, "target_date": "2027-01-15"})
    step = goal.steps.get()
    client.post(reverse("programs:plan_step_edit", args=[step.pk]),
                {"description": "Write a CV", "owner": owner.pk, "target_date": "2027-01-15", "status": "done"})

    step.refresh_from_db()
    assert (goal.title, goal.need_area, goal.order) == ("Work after release", "employment", 1)
    assert (step.owner, step.target_date, step.status, step.done_on) == (
        owner, dt.date(2027, 1, 15), PlanStep.Status.DONE, TODAY()
    )


def test_a_review_records_the_outcome_and_moves_the_next_review(client, plan, casemanager):
    client.force_login(casemanager)

    client.post(reverse("programs:plan_review_create", args=[plan.pk]),
                {"reviewed_on": "2026-11-20", "outcome": "partly", "notes": "Missed two sessions",
                 "next_review_on": "2027-02-20"})

    review = plan.reviews.get()
    plan.refresh_from_db()
    assert (review.outcome, review.reviewer, review.notes) == ("partly", casemanager, "Missed two sessions")
    assert plan.next_review_on == dt.date(2027, 2, 20)


def test_a_closed_plan_cannot_get_new_goals(client, plan, casemanager):
    plan.status = RehabilitationPlan.Status.CLOSED
    plan.save()
    client.force_login(casemanager)

    response = client.post(reverse("programs:plan_goal_create", args=[plan.pk]), {"title": "More"})

    assert response.status_code == 200
    assert "This plan is closed" in response.content.decode()
    assert plan.goals.count() == 0


# ---------------------------------------------------------------- enrol from the plan


def test_the_director_enrols_from_the_plan_and_the_enrolment_is_linked(client, facility, plan):
    cohort = _cohort(facility)
    intervention = PlanInterventionFactory(plan=plan, course=cohort.course, cohort=cohort)
    director = director_of(facility)
    client.force_login(director)

    response = client.post(reverse("programs:plan_intervention_enrol", args=[intervention.pk]), {})

    enrolment = Enrolment.objects.get()
    intervention.refresh_from_db()
    assert response.status_code == 302
    assert (enrolment.cohort, enrolment.inmate, enrolment.status) == (cohort, plan.inmate, Enrolment.Status.ENROLLED)
    assert (intervention.enrolment, intervention.status) == (enrolment, PlanIntervention.Status.ENROLLED)
    assert EnrolmentStatusChange.objects.get(enrolment=enrolment).changed_by == director


def test_enrolling_from_the_plan_shows_suitability_warnings_and_needs_them_acknowledged(client, facility, plan):
    cohort = _cohort(facility)
    plan.inmate.expected_release_date = cohort.end_date - dt.timedelta(days=10)
    plan.inmate.save()
    intervention = PlanInterventionFactory(plan=plan, course=cohort.course, cohort=cohort)
    client.force_login(director_of(facility))
    url = reverse("programs:plan_intervention_enrol", args=[intervention.pk])

    page = client.get(url)
    refused = client.post(url, {})
    accepted = client.post(url, {"acknowledge": "on"})

    assert len(page.context["warnings"]) == 1 and "expected to be released" in page.context["warnings"][0]
    assert refused.status_code == 200 and "Tick the box" in refused.content.decode()
    assert accepted.status_code == 302
    assert Enrolment.objects.filter(inmate=plan.inmate, cohort=cohort).count() == 1


def test_a_full_cohort_refuses_and_nothing_is_linked(client, facility, plan):
    cohort = _cohort(facility, capacity=1)
    EnrolmentFactory(cohort=cohort)
    intervention = PlanInterventionFactory(plan=plan, course=cohort.course, cohort=cohort)
    client.force_login(director_of(facility))

    response = client.post(reverse("programs:plan_intervention_enrol", args=[intervention.pk]), {"acknowledge": "on"})

    intervention.refresh_from_db()
    assert response.status_code == 200
    assert "is full" in response.content.decode()
    assert (intervention.enrolment, intervention.status) == (None, PlanIntervention.Status.PLANNED)
    assert not Enrolment.objects.filter(inmate=plan.inmate).exists()


def test_a_case_manager_asks_for_a_place_and_the_plan_links_the_enrolment_once_made(
    client, facility, plan, casemanager
):
    cohort = _cohort(facility)
    intervention = PlanInterventionFactory(plan=plan, course=cohort.course, cohort=cohort)
    client.force_login(casemanager)

    client.post(reverse("programs:plan_intervention_enrol", args=[intervention.pk]), {})
    request = CourseRequest.objects.get()
    enrolment = enrolment_create(cohort=cohort, inmate=plan.inmate)  # the director enrols from the waitlist
    client.get(reverse("programs:plan_detail", args=[plan.pk]))

    intervention.refresh_from_db()
    request.refresh_from_db()
    assert (request.course, request.facility, request.inmate) == (cohort.course, facility, plan.inmate)
    assert request.status == CourseRequest.Status.PLACED
    assert (intervention.enrolment, intervention.status) == (enrolment, PlanIntervention.Status.ENROLLED)


def test_a_completed_enrolment_completes_the_intervention(client, facility, plan, casemanager):
    cohort = _cohort(facility)
    enrolment = EnrolmentFactory(cohort=cohort, inmate=plan.inmate, status=Enrolment.Status.COMPLETED)
    intervention = PlanInterventionFactory(plan=plan, course=cohort.course, cohort=cohort, enrolment=enrolment,
                                           status=PlanIntervention.Status.ENROLLED)
    client.force_login(casemanager)

    client.get(reverse("programs:plan_detail", args=[plan.pk]))

    intervention.refresh_from_db()
    assert intervention.status == PlanIntervention.Status.COMPLETED


# ---------------------------------------------------------------- profile section and query counts


def test_the_profile_shows_the_plan_section_to_casework_only(client, facility, plan, casemanager):
    officer = user_with_role(Role.PROGRAMME_OFFICER, facility=facility)
    client.force_login(casemanager)
    mine = client.get(reverse("inmates:detail", args=[plan.inmate_id])).content.decode()
    client.force_login(officer)
    theirs = client.get(reverse("inmates:detail", args=[plan.inmate_id])).content.decode()

    assert 'data-testid="plans-section"' in mine and reverse("programs:plan_detail", args=[plan.pk]) in mine
    assert 'data-testid="plans-section"' not in theirs


@pytest.mark.parametrize("count", [1, 3])
def test_the_plan_page_takes_a_constant_number_of_queries(client, facility, plan, casemanager, count,
                                                          django_assert_num_queries):
    cohort = _cohort(facility)
    for _ in range(count):
        goal = PlanGoalFactory(plan=plan)
        PlanStepFactory.create_batch(count, goal=goal)
        PlanInterventionFactory(plan=plan, goal=goal, course=cohort.course, cohort=cohort)
        PlanReviewFactory(plan=plan)
    client.force_login(casemanager)

    with django_assert_num_queries(12):
        response = client.get(reverse("programs:plan_detail", args=[plan.pk]))

    assert len(response.context["interventions"]) == count


def test_an_intervention_naming_a_group_takes_its_course_and_can_be_dropped(client, facility, plan, casemanager):
    cohort = _cohort(facility)
    goal = PlanGoalFactory(plan=plan)
    client.force_login(casemanager)

    client.post(reverse("programs:plan_intervention_create", args=[plan.pk]),
                {"goal": goal.pk, "cohort": cohort.pk, "description": "Jewellery skills"})
    intervention = plan.interventions.get()
    client.post(reverse("programs:plan_intervention_drop", args=[intervention.pk]))

    intervention.refresh_from_db()
    assert (intervention.goal, intervention.cohort, intervention.course, intervention.description) == (
        goal, cohort, cohort.course, "Jewellery skills"
    )
    assert intervention.status == PlanIntervention.Status.DROPPED


def test_an_empty_intervention_is_refused(client, plan, casemanager):
    client.force_login(casemanager)

    response = client.post(reverse("programs:plan_intervention_create", args=[plan.pk]), {"description": " "})

    assert response.status_code == 200
    assert "Choose a course or a group, or describe the intervention." in response.content.decode()
    assert plan.interventions.count() == 0
