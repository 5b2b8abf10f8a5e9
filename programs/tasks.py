"""Celery tasks for programmes: thin wrappers, primitive ids in, one service call."""

from celery import shared_task

from programs.models import Cohort
from programs.services import cohort_generate_sessions


@shared_task(name="programs.generate_sessions")
def generate_sessions(cohort_id: int) -> dict:
    """Regenerate a cohort's sessions; safe to run twice (the service leaves existing sessions alone)."""
    cohort = Cohort.objects.select_related("facility__prison_service").get(pk=cohort_id)
    result = cohort_generate_sessions(cohort=cohort)
    return {"created": result.created, "deleted": result.deleted, "kept": result.kept}
