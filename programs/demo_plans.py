"""Demo rehabilitation plan for `manage.py seed_demo`: one Lipjan woman of the filigree group A with goals, steps
owned by the case manager, her filigree enrolment as an intervention, IT basics planned, and one review. Then the
post-release support demo of inmates.demo_support. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from inmates.demo_support import demo_support_seed
from inmates.models import NeedArea, PlanGoal, PlanIntervention, PlanReview, PlanStep, RehabilitationPlan
from programs.models import Cohort, Enrolment
from rehab.models import StaffMember

PLAN_PERSON_COHORT = "Filigree – group A"
PLANNED_COHORT = "IT basics – group 2"


def _plan(today: dt.date) -> None:
    enrolment = (
        Enrolment.objects.filter(
            cohort__name=PLAN_PERSON_COHORT, inmate__isnull=False, status=Enrolment.Status.ENROLLED
        )
        .select_related("inmate", "cohort")
        .order_by("inmate__registration_number")
        .first()
    )
    if enrolment is None or RehabilitationPlan.objects.filter(inmate=enrolment.inmate).exists():
        return
    owner = StaffMember.objects.filter(user__username="casemanager").first()
    plan = RehabilitationPlan.objects.create(
        inmate=enrolment.inmate,
        started_on=today - dt.timedelta(days=60),
        summary="Learn a trade she can live from after release and rebuild contact with her family.",
        next_review_on=today + dt.timedelta(days=30),
    )
    work = PlanGoal.objects.create(plan=plan, order=1, title="A job or an income after release",
                                   need_area=NeedArea.EMPLOYMENT)
    family = PlanGoal.objects.create(plan=plan, order=2, title="Regular contact with her children",
                                     need_area=NeedArea.FAMILY)
    PlanStep.objects.create(goal=work, description="Complete the filigree course", owner=owner,
                            target_date=enrolment.cohort.end_date)
    PlanStep.objects.create(goal=work, description="Contact two workshops in Prizren about work after release",
                            owner=owner, target_date=today + dt.timedelta(days=90))
    PlanStep.objects.create(goal=family, description="Arrange monthly visits with the social worker", owner=owner,
                            target_date=today - dt.timedelta(days=20), status=PlanStep.Status.DONE,
                            done_on=today - dt.timedelta(days=25))
    PlanIntervention.objects.create(plan=plan, goal=work, course_id=enrolment.cohort.course_id,
                                    cohort=enrolment.cohort, enrolment=enrolment,
                                    status=PlanIntervention.Status.ENROLLED)
    planned = Cohort.objects.filter(name=PLANNED_COHORT).first()
    if planned is not None:
        PlanIntervention.objects.create(plan=plan, goal=work, course_id=planned.course_id, cohort=planned,
                                        description="Basic computer skills for job applications")
    PlanReview.objects.create(plan=plan, reviewed_on=today - dt.timedelta(days=30),
                              outcome=PlanReview.Outcome.ON_TRACK, notes="Attends every filigree session.",
                              next_review_on=today + dt.timedelta(days=30))


def demo_casework_seed(*, today: dt.date) -> dict[str, int]:
    with transaction.atomic():
        _plan(today)
        counts = demo_support_seed(today=today)
    return {"Rehabilitation plans": RehabilitationPlan.objects.count(), **counts}
