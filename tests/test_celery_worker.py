"""A real Celery worker process on the local Redis runs a task queued after commit."""

import datetime as dt

import pytest
from django.db import transaction

from programs.tasks import generate_sessions
from tests.factories import CohortFactory, WeeklySlotFactory


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_generates_sessions_queued_after_commit(celery_worker_process):
    today = dt.date.today()
    monday = today + dt.timedelta(days=7 - today.weekday())
    with transaction.atomic():
        cohort = CohortFactory(start_date=monday, end_date=monday + dt.timedelta(days=20))
        WeeklySlotFactory(cohort=cohort, weekday=0)
        WeeklySlotFactory(cohort=cohort, weekday=2)
        result_holder = []
        transaction.on_commit(lambda: result_holder.append(generate_sessions.delay(cohort.pk)))
        # Nothing is sent before the transaction commits.
        assert result_holder == []

    result = result_holder[0].get(timeout=60)

    # Three Mondays and three Wednesdays fall within the three weeks.

    assert result == {"created": 6, "deleted": 0, "kept": 0}
    assert cohort.sessions.count() == 6

    # Running the task again changes nothing.
    assert generate_sessions.delay(cohort.pk).get(timeout=60) == {"created": 0, "deleted": 0, "kept": 6}
