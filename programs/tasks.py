"""Celery tasks for programmes: thin wrappers, primitive ids in, one service call."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from programs.models import Cohort
from programs.services import cohort_generate_sessions
from programs.services.funding import donor_report_pdf_render


@shared_task(name="programs.generate_sessions")
def generate_sessions(cohort_id: int) -> dict:
    """Regenerate a cohort's sessions; safe to run twice (the service leaves existing sessions alone)."""
    cohort = Cohort.objects.select_related("facility__prison_service").get(pk=cohort_id)
    result = cohort_generate_sessions(cohort=cohort)
    return {"created": result.created, "deleted": result.deleted, "kept": result.kept}


@shared_task(
    name="programs.render_donor_report",
    acks_late=True,
    reject_on_worker_lost=True,
    # A database restart or a dropped connection is worth another try; anything else would fail the same way.
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=5,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    soft_time_limit=300,
    time_limit=330,
)
def render_donor_report(spec: dict, key: str) -> dict:
    """Render a donor report's PDF under its key; a re-run finds the file and does nothing."""
    name = donor_report_pdf_render(spec=spec, key=key)
    return {"key": key, "name": name}
