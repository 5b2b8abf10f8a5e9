"""Writes that change a facility's dashboard figures forget the cached figures once they commit."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from programs.models import Enrolment
from programs.services.attendance import AttendanceEntry, session_save_register
from programs.services.enrolment import enrolment_withdraw
from tests.factories import CohortFactory, EnrolmentFactory, FacilityFactory, SessionFactory
from tests.factories_dashboard import director_of

pytestmark = pytest.mark.django_db

# A real cache: the figures must be served from it between two views unless a write forgot them.
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "perf-dashboard"}}


@pytest.fixture(autouse=True)
def _real_cache():
    with override_settings(CACHES=LOCMEM):
        cache.clear()
        yield
        cache.clear()


@pytest.fixture
def running():
    today = timezone.localdate()
    facility = FacilityFactory()
    cohort = CohortFactory(facility=facility, start_date=today - dt.timedelta(days=10), end_date=today + dt.timedelta(days=60))
    enrolment = EnrolmentFactory(cohort=cohort)
    session = SessionFactory(cohort=cohort, date=today, start_time=dt.time(0, 0), end_time=dt.time(0, 1))
    return facility, enrolment, session


def _numbers(client, facility):
    return client.get(reverse("programs:dashboard", kwargs={"pk": facility.pk})).context["numbers"]


def test_a_saved_register_shows_on_the_next_dashboard_view(client, running, django_capture_on_commit_callbacks):
    facility, enrolment, session = running
    director = director_of(facility)
    client.force_login(director)
    before = _numbers(client, facility)

    with django_capture_on_commit_callbacks(execute=True):
        session_save_register(session=session, entries={enrolment.pk: AttendanceEntry(status="present")}, by=director)
    after = _numbers(client, facility)

    assert (before.attendance_rows, before.attended_rows) == (0, 0)
    assert (after.attendance_rows, after.attended_rows) == (1, 1)


def test_a_withdrawal_shows_on_the_next_dashboard_view(client, running, django_capture_on_commit_callbacks):
    facility, enrolment, _session = running
    director = director_of(facility)
    client.force_login(director)
    before = _numbers(client, facility)

    with django_capture_on_commit_callbacks(execute=True):
        enrolment_withdraw(enrolment=enrolment, reason="Moved to another programme", by=director)
    after = _numbers(client, facility)

    assert (before.participating, after.participating) == (1, 0)


def test_a_refused_write_keeps_the_cached_figures(client, running, django_capture_on_commit_callbacks):
    facility, enrolment, _session = running
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.save(update_fields=["status"])
    director = director_of(facility)
    client.force_login(director)
    url = reverse("programs:dashboard", kwargs={"pk": facility.pk})
    first = client.get(url)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        enrolment_withdraw(enrolment=enrolment, reason="Too late", by=director)
    second = client.get(url)

    assert callbacks == []
    assert second.context["computed_at"] == first.context["computed_at"]
