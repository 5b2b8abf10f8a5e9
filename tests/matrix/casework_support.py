"""Rows for plans, release preparation, post-release support and the outcomes report (issue 5, casework-B).

In scope: the demo plan of a Lipjan woman, Lipjan's people and the released Lipjan women (one referred to the
Kosovo Probation Service, one to the NGO Help). Out of every Kosovo scope: a Niš person's plan, tasks and
referral. The probation officer sees the KPS referral and gets 404 on the NGO's and on Niš's.
"""

import datetime as dt

from inmates.models import PlanIntervention, PlanStep, Referral, RehabilitationPlan, ReleaseTask
from inmates.plans import plan_create, plan_goal_add, plan_intervention_add, plan_step_add
from inmates.support import referral_create
from programs.demo_plans import demo_casework_seed
from rehab.models import Organisation
from tests.matrix import ADMIN, DIRECTOR, MANAGERS, PROBATION, Row, _s

CW = _s(ADMIN, DIRECTOR, "casemanager")
CASEMANAGER = "casemanager"
NOT_HERE = _s(DIRECTOR, CASEMANAGER)
SUPPORT = CW | {PROBATION}


def _plan_with_records(inmate, today):
    plan = RehabilitationPlan.objects.filter(inmate=inmate, status="active").first() or plan_create(
        inmate=inmate, started_on=today
    )
    goal = plan.goals.first() or plan_goal_add(plan=plan, title="Work after release")
    step = PlanStep.objects.filter(goal__plan=plan).first() or plan_step_add(
        goal=goal, description="Contact employers", owner=None, target_date=today
    )
    return plan, goal, step


def demo_extras(demo) -> dict:
    today = demo.today
    demo_casework_seed(today=today)  # a no-op when seed_demo already ran it
    # The demo plan (seed_demo): the active Lipjan plan with IT basics planned.
    lipjan_plan = RehabilitationPlan.objects.filter(
        inmate__current_facility__code="lipjan", status="active", interventions__cohort__name="IT basics – group 2"
    ).distinct().get()
    lipjan_plan, lipjan_goal, lipjan_step = _plan_with_records(lipjan_plan.inmate, today)
    nis_plan, nis_goal, nis_step = _plan_with_records(demo.nis_inmate, today)
    nis_intervention = plan_intervention_add(plan=nis_plan, cohort=demo.nis)
    for inmate in (demo.lipjan_inmate, demo.nis_inmate):
        if inmate.expected_release_date is None:
            inmate.expected_release_date = today + dt.timedelta(days=90)
            inmate.save(update_fields=["expected_release_date"])
    helper_ngo = Organisation.objects.get(name="Centre for Human Rights Niš")
    nis_referral = referral_create(inmate=demo.nis_inmate, organisation=helper_ngo, referred_on=today)
    kps_referral = Referral.objects.get(organisation__name="Kosovo Probation Service")
    help_referral = Referral.objects.get(organisation__name="Help – Hilfe zur Selbsthilfe")
    return {
        "lipjan_plan": lipjan_plan,
        "lipjan_goal": lipjan_goal,
        "lipjan_step": lipjan_step,
        "lipjan_intervention": lipjan_plan.interventions.filter(
            status=PlanIntervention.Status.PLANNED, cohort__isnull=False
        ).first(),
        "lipjan_droppable": plan_intervention_add(plan=lipjan_plan, description="Peer support group"),
        "nis_plan": nis_plan,
        "nis_goal": nis_goal,
        "nis_step": nis_step,
        "nis_intervention": nis_intervention,
        "nis_droppable": plan_intervention_add(plan=nis_plan, description="Peer support group"),
        "lipjan_task": ReleaseTask.objects.get_or_create(
            inmate=demo.lipjan_inmate, kind=ReleaseTask.Kind.IDENTITY_DOCUMENTS, defaults={"due_date": today}
        )[0],
        "nis_task": ReleaseTask.objects.get_or_create(
            inmate=demo.nis_inmate, kind=ReleaseTask.Kind.IDENTITY_DOCUMENTS, defaults={"due_date": today}
        )[0],
        "kps_referral": kps_referral,
        "help_referral": help_referral,
        "nis_referral": nis_referral,
    }


def _pk(attribute: str):
    def kwargs(demo) -> dict:
        return {"pk": getattr(demo, attribute).pk}

    return kwargs


def _person(attribute: str):
    def kwargs(demo) -> dict:
        return {"pk": getattr(demo, attribute).inmate_id}

    return kwargs


def _follow_up(attribute: str, month: int):
    def kwargs(demo) -> dict:
        return {"pk": getattr(demo, attribute).follow_ups.get(month=month).pk}

    return kwargs


def _casework_pair(name: str, attribute: str, *, method: str = "get", status: int = 200) -> list[Row]:
    """The Lipjan record (the Lipjan director and case manager, admin) and the Niš one (admin only)."""
    if status == 200:
        return [
            Row(name, _pk(f"lipjan_{attribute}"), ok=CW, method=method),
            Row(name, _pk(f"nis_{attribute}"), ok=_s(ADMIN), hidden=NOT_HERE, method=method),
        ]
    return [
        Row(name, _pk(f"lipjan_{attribute}"), method=method, statuses={role: status for role in CW}),
        Row(name, _pk(f"nis_{attribute}"), method=method, statuses={ADMIN: status}, hidden=NOT_HERE),
    ]


ROWS: list[Row] = [
    # Plans
    Row("programs:plan_create", _pk("lipjan_inmate"), ok=CW),
    Row("programs:plan_create", _pk("nis_inmate"), ok=_s(ADMIN), hidden=NOT_HERE),
    *_casework_pair("programs:plan_detail", "plan"),
    *_casework_pair("programs:plan_edit", "plan"),
    *_casework_pair("programs:plan_goal_create", "plan"),
    *_casework_pair("programs:plan_intervention_create", "plan"),
    *_casework_pair("programs:plan_review_create", "plan"),
    *_casework_pair("programs:plan_goal_edit", "goal"),
    *_casework_pair("programs:plan_step_create", "goal"),
    *_casework_pair("programs:plan_step_edit", "step"),
    *_casework_pair("programs:plan_intervention_enrol", "intervention"),
    *_casework_pair("programs:plan_intervention_drop", "droppable", method="post", status=302),
    # Release preparation
    Row("programs:upcoming_releases", ok=CW),
    Row("programs:release_checklist", _pk("lipjan_inmate"), ok=CW),
    Row("programs:release_checklist", _pk("nis_inmate"), ok=_s(ADMIN), hidden=NOT_HERE),
    *_casework_pair("programs:release_task_edit", "task"),
    # Post-release support: probation sees the referral to its organisation only.
    Row("programs:my_referrals", ok=_s(ADMIN, PROBATION)),
    Row("programs:referral_create", _pk("lipjan_inmate"), ok=CW),
    Row("programs:referral_create", _pk("nis_inmate"), ok=_s(ADMIN), hidden=NOT_HERE),
    Row("programs:support_detail", _person("kps_referral"), ok=SUPPORT),
    Row("programs:support_detail", _person("help_referral"), ok=CW, hidden=_s(PROBATION)),
    Row("programs:support_detail", _person("nis_referral"), ok=_s(ADMIN), hidden=NOT_HERE | {PROBATION}),
    Row("programs:referral_status", _pk("kps_referral"), ok=SUPPORT),
    Row("programs:referral_status", _pk("help_referral"), ok=CW, hidden=_s(PROBATION)),
    Row("programs:referral_status", _pk("nis_referral"), ok=_s(ADMIN), hidden=NOT_HERE | {PROBATION}),
    Row("programs:follow_up_record", _follow_up("kps_referral", 3), ok=SUPPORT),
    Row("programs:follow_up_record", _follow_up("help_referral", 6), ok=CW, hidden=_s(PROBATION)),
    Row("programs:follow_up_record", _follow_up("nis_referral", 1), ok=_s(ADMIN), hidden=NOT_HERE | {PROBATION}),
    # Outcomes by programme completed
    Row("programs:outcomes_report", ok=MANAGERS),
]
