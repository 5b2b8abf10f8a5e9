"""Individual rehabilitation plans: goals, steps with owners and target dates, interventions and reviews.

Interventions reach programmes (courses, cohorts, enrolments) only through their ids here; enrolling from a plan
needs the programmes app and lives in programs/services/plans.py.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from inmates.models import Inmate, PlanGoal, PlanIntervention, PlanReview, PlanStep, RehabilitationPlan
from rehab.models import StaffMember


def _user(by: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return by if by is not None and by.is_authenticated else None


def plan_create(
    *,
    inmate: Inmate,
    started_on: dt.date,
    summary: str = "",
    next_review_on: dt.date | None = None,
    by: AbstractBaseUser | None = None,
) -> RehabilitationPlan:
    """Start a person's plan; a person has at most one active plan at a time."""
    if next_review_on is not None and next_review_on < started_on:
        raise ValidationError(_("The next review cannot be before the plan starts."), code="review_date")
    with transaction.atomic():
        # Lock the person so two case managers cannot start two active plans at once.
        Inmate.objects.select_for_update().filter(pk=inmate.pk).first()
        if RehabilitationPlan.objects.filter(inmate=inmate, status=RehabilitationPlan.Status.ACTIVE).exists():
            raise ValidationError(
                _("%(name)s already has an active plan; close it before starting another.") % {"name": inmate.full_name},
                code="active_plan",
            )
        return RehabilitationPlan.objects.create(
            inmate=inmate,
            started_on=started_on,
            summary=summary.strip(),
            next_review_on=next_review_on,
            created_by=_user(by),
        )


def plan_update(
    *,
    plan: RehabilitationPlan,
    summary: str,
    status: str,
    next_review_on: dt.date | None,
    by: AbstractBaseUser | None = None,
) -> RehabilitationPlan:
    if status not in RehabilitationPlan.Status.values:
        raise ValidationError(_("Choose a valid status."), code="status")
    with transaction.atomic():
        current = RehabilitationPlan.objects.select_for_update().get(pk=plan.pk)
        if (
            status == RehabilitationPlan.Status.ACTIVE
            and current.status != RehabilitationPlan.Status.ACTIVE
            and RehabilitationPlan.objects.filter(inmate_id=current.inmate_id, status=RehabilitationPlan.Status.ACTIVE)
            .exclude(pk=current.pk)
            .exists()
        ):
            raise ValidationError(_("This person already has another active plan."), code="active_plan")
        current.summary = summary.strip()
        current.status = status
        current.next_review_on = next_review_on
        current.save()
    return current


def _require_active(plan: RehabilitationPlan) -> None:
    if plan.status != RehabilitationPlan.Status.ACTIVE:
        raise ValidationError(_("This plan is closed; reopen it to change it."), code="closed")


def plan_goal_add(
    *, plan: RehabilitationPlan, title: str, need_area: str = "", by: AbstractBaseUser | None = None
) -> PlanGoal:
    _require_active(plan)
    title = title.strip()
    if not title:
        raise ValidationError(_("Give the goal a title."), code="title")
    with transaction.atomic():
        RehabilitationPlan.objects.select_for_update().filter(pk=plan.pk).first()
        last = plan.goals.aggregate(last=Max("order"))["last"] or 0
        return PlanGoal.objects.create(plan=plan, order=last + 1, title=title, need_area=need_area)


def plan_goal_update(
    *, goal: PlanGoal, title: str, need_area: str, status: str, by: AbstractBaseUser | None = None
) -> PlanGoal:
    _require_active(goal.plan)
    if status not in PlanGoal.Status.values:
        raise ValidationError(_("Choose a valid status."), code="status")
    if not title.strip():
        raise ValidationError(_("Give the goal a title."), code="title")
    with transaction.atomic():
        current = PlanGoal.objects.select_for_update().get(pk=goal.pk)
        current.title = title.strip()
        current.need_area = need_area
        current.status = status
        current.save()
    return current


def plan_step_add(
    *,
    goal: PlanGoal,
    description: str,
    owner: StaffMember | None,
    target_date: dt.date | None,
    by: AbstractBaseUser | None = None,
) -> PlanStep:
    _require_active(goal.plan)
    if not description.strip():
        raise ValidationError(_("Describe the step."), code="description")
    with transaction.atomic():
        return PlanStep.objects.create(goal=goal, description=description.strip(), owner=owner, target_date=target_date)


def plan_step_update(
    *,
    step: PlanStep,
    description: str,
    owner: StaffMember | None,
    target_date: dt.date | None,
    status: str,
    today: dt.date,
    by: AbstractBaseUser | None = None,
) -> PlanStep:
    """Change a step; marking it done records the day, reopening it clears that day."""
    _require_active(step.goal.plan)
    if status not in PlanStep.Status.values:
        raise ValidationError(_("Choose a valid status."), code="status")
    if not description.strip():
        raise ValidationError(_("Describe the step."), code="description")
    with transaction.atomic():
        current = PlanStep.objects.select_for_update().get(pk=step.pk)
        current.description = description.strip()
        current.owner = owner
        current.target_date = target_date
        if status == PlanStep.Status.DONE and current.status != PlanStep.Status.DONE:
            current.done_on = today
        elif status != PlanStep.Status.DONE:
            current.done_on = None
        current.status = status
        current.save()
    return current


def plan_intervention_add(
    *,
    plan: RehabilitationPlan,
    goal: PlanGoal | None = None,
    course=None,
    cohort=None,
    description: str = "",
    by: AbstractBaseUser | None = None,
) -> PlanIntervention:
    """Add an intervention: a course (any of its groups), a particular cohort, or something described in words.
    A cohort implies its course."""
    _require_active(plan)
    if goal is not None and goal.plan_id != plan.pk:
        raise ValidationError(_("This goal belongs to another plan."), code="goal")
    if course is not None and cohort is not None and cohort.course_id != course.pk:
        raise ValidationError(_("The group is not a group of this course."), code="course")
    if course is None and cohort is None and not description.strip():
        raise ValidationError(_("Choose a course or a group, or describe the intervention."), code="empty")
    with transaction.atomic():
        return PlanIntervention.objects.create(
            plan=plan,
            goal=goal,
            course_id=cohort.course_id if cohort is not None else getattr(course, "pk", None),
            cohort=cohort,
            description=description.strip(),
        )


def plan_intervention_drop(*, intervention: PlanIntervention, by: AbstractBaseUser | None = None) -> PlanIntervention:
    _require_active(intervention.plan)
    with transaction.atomic():
        current = PlanIntervention.objects.select_for_update().get(pk=intervention.pk)
        current.status = PlanIntervention.Status.DROPPED
        current.save()
    return current


def plan_review_add(
    *,
    plan: RehabilitationPlan,
    reviewed_on: dt.date,
    outcome: str,
    notes: str = "",
    next_review_on: dt.date | None = None,
    by: AbstractBaseUser | None = None,
) -> PlanReview:
    """Record a review; its next review date becomes the plan's."""
    _require_active(plan)
    if outcome not in PlanReview.Outcome.values:
        raise ValidationError(_("Choose an outcome."), code="outcome")
    if next_review_on is not None and next_review_on <= reviewed_on:
        raise ValidationError(_("The next review must come after this one."), code="review_date")
    with transaction.atomic():
        review = PlanReview.objects.create(
            plan=plan,
            reviewed_on=reviewed_on,
            reviewer=_user(by),
            outcome=outcome,
            notes=notes.strip(),
            next_review_on=next_review_on,
        )
        current = RehabilitationPlan.objects.select_for_update().get(pk=plan.pk)
        current.next_review_on = next_review_on
        current.save()
    return review
