"""Rehabilitation plans meet programmes: enrolling a person from their plan, and keeping interventions in step
with the enrolments they lead to."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inmates.models import PlanIntervention, RehabilitationPlan
from programs.models import CourseRequest, Enrolment
from programs.services.enrolment import enrolment_create, enrolment_request

# Enrolments that count as the intervention having happened (or happening); the others leave it planned.
_LINKABLE = (Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED)


def _check_enrollable(intervention: PlanIntervention) -> None:
    if intervention.plan.status != RehabilitationPlan.Status.ACTIVE:
        raise ValidationError(_("This plan is closed; reopen it to change it."), code="closed")
    if intervention.cohort_id is None:
        raise ValidationError(_("This intervention names no group to enrol in."), code="no_cohort")
    if intervention.enrolment_id is not None or intervention.status != PlanIntervention.Status.PLANNED:
        raise ValidationError(_("This intervention is no longer planned."), code="not_planned")


def plan_intervention_enrol(*, intervention: PlanIntervention, by: AbstractBaseUser | None = None) -> Enrolment:
    """Enrol the plan's person in the intervention's cohort (programs' rules: capacity under a lock, one
    enrolment per person) and link the enrolment to the intervention, in one transaction."""
    with transaction.atomic():
        current = (
            PlanIntervention.objects.select_for_update(of=("self",))
            .select_related("plan__inmate", "cohort")
            .get(pk=intervention.pk)
        )
        _check_enrollable(current)
        enrolment = enrolment_create(cohort=current.cohort, inmate=current.plan.inmate, by=by)
        current.enrolment = enrolment
        current.status = PlanIntervention.Status.ENROLLED
        current.save()
    return enrolment


def plan_intervention_request(*, intervention: PlanIntervention, by: AbstractBaseUser | None = None) -> CourseRequest:
    """Ask for a place in the intervention's cohort for the plan's person: they join the course's waitlist in the
    cohort's facility, and the intervention is linked once someone who manages the cohort enrols them."""
    _check_enrollable(intervention)
    cohort = intervention.cohort
    return enrolment_request(
        course=cohort.course,
        facility=cohort.facility,
        inmate=intervention.plan.inmate,
        note=_("From the rehabilitation plan"),
        by=by,
    )


def plan_interventions_sync(*, plan: RehabilitationPlan) -> int:
    """Link planned interventions to the enrolments made for them elsewhere (enrolled from the waitlist, say),
    and mark linked ones completed when the enrolment is. Idempotent; one query when nothing changes."""
    interventions = [
        i
        for i in plan.interventions.all()
        if i.status in (PlanIntervention.Status.PLANNED, PlanIntervention.Status.ENROLLED)
        and (i.cohort_id or i.course_id or i.enrolment_id)
    ]
    if not interventions:
        return 0
    enrolments = list(
        Enrolment.objects.filter(inmate_id=plan.inmate_id).select_related("cohort").order_by("-requested_at", "-pk")
    )
    taken = {i.enrolment_id for i in plan.interventions.all() if i.enrolment_id}
    changed = 0
    for intervention in interventions:
        enrolment = next((e for e in enrolments if e.pk == intervention.enrolment_id), None)
        if enrolment is None:
            enrolment = next(
                (
                    e
                    for e in enrolments
                    if e.pk not in taken
                    and e.status in _LINKABLE
                    and (
                        e.cohort_id == intervention.cohort_id
                        if intervention.cohort_id
                        else e.cohort.course_id == intervention.course_id
                    )
                ),
                None,
            )
        if enrolment is None:
            continue
        status = (
            PlanIntervention.Status.COMPLETED
            if enrolment.status == Enrolment.Status.COMPLETED
            else PlanIntervention.Status.ENROLLED
        )
        if intervention.enrolment_id != enrolment.pk or intervention.status != status:
            taken.add(enrolment.pk)
            intervention.enrolment = enrolment
            intervention.status = status
            intervention.save()
            changed += 1
    return changed
