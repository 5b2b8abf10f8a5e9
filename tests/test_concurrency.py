"""Capacity holds under concurrent requests: real threads, real PostgreSQL row locks."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from programs.models import Enrolment
from programs.services import enrolment_create
from tests.factories import CohortFactory, InmateFactory, RoomFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_threads_enrol_twenty_inmates_into_five_seats():
    cohort = CohortFactory(room=RoomFactory(capacity=30), capacity=5)
    inmates = [InmateFactory(current_facility=cohort.facility) for _ in range(20)]
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def enrol(inmate):
        try:
            barrier.wait()
            enrolment_create(cohort=cohort, inmate=inmate)
            result = "enrolled"
        except ValidationError as exc:
            result = f"refused:{exc.code}"
        except Exception as exc:  # noqa: BLE001 - any other error is what this test exists to catch
            result = f"error:{exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=enrol, args=(inmate,)) for inmate in inmates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["enrolled"] * 5 + ["refused:full"] * 15
    assert Enrolment.objects.filter(cohort=cohort, status="enrolled").count() == 5
    assert Enrolment.objects.filter(cohort=cohort).count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_person_enrolled_by_ten_threads_at_once_gets_one_enrolment():
    cohort = CohortFactory(capacity=5)
    inmate = InmateFactory(current_facility=cohort.facility)
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def enrol():
        try:
            barrier.wait()
            enrolment_create(cohort=cohort, inmate=inmate)
            outcomes.append("enrolled")
        except ValidationError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["duplicate"] * 9 + ["enrolled"]
    assert Enrolment.objects.filter(cohort=cohort, inmate=inmate).count() == 1
