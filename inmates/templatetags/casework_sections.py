"""Data for the casework sections of a person's profile (plans, release preparation), shown only to those who
may do casework on the person. The profile view stays unaware of casework: the section templates ask here."""

from __future__ import annotations

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from inmates.casework_selectors import casework_inmates_for, referrals_for
from inmates.models import Inmate, PlanGoal, RehabilitationPlan
from inmates.release import FINISHED, release_checklist_open, release_checklist_start

register = template.Library()


def _allowed(context, inmate: Inmate) -> bool:
    request = context.get("request")
    if request is None:
        return False
    # Both sections ask; one query answers them (each include renders with its own render context).
    cache = request.__dict__.setdefault("_casework_allowed", {})
    if inmate.pk not in cache:
        cache[inmate.pk] = casework_inmates_for(request.user).filter(pk=inmate.pk).exists()
    return cache[inmate.pk]


@register.simple_tag(takes_context=True)
def casework_plans(context, inmate: Inmate) -> dict | None:
    """The person's plans (newest first) with their goal counts, or None when the user may not see them. Only
    dates and statuses: the plan's content is on the plan page, whose every view is logged."""
    if not _allowed(context, inmate):
        return None
    plans = list(
        inmate.plans.annotate(
            goal_count=Count("goals", distinct=True),
            open_goals=Count("goals", filter=Q(goals__status=PlanGoal.Status.OPEN), distinct=True),
        ).order_by("-started_on", "-pk")
    )
    return {
        "plans": plans,
        "has_active": any(plan.status == RehabilitationPlan.Status.ACTIVE for plan in plans),
    }


@register.simple_tag(takes_context=True)
def casework_release(context, inmate: Inmate) -> dict | None:
    """The release checklist's readiness and the person's referrals, or None when the user may not see them."""
    if not _allowed(context, inmate):
        return None
    today = timezone.localdate()
    release_checklist_open(inmate=inmate, today=today)
    counts = inmate.release_tasks.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status__in=FINISHED)),
        overdue=Count("pk", filter=Q(due_date__lt=today) & ~Q(status__in=FINISHED)),
    )
    return {
        "starts_on": release_checklist_start(inmate=inmate),
        "tasks": counts,
        "referrals": list(
            referrals_for(context["request"].user).filter(inmate=inmate).select_related("organisation")
        ),
    }
