"""The facility dashboard's figures come from the cache for a minute, and a version bump recomputes them."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from programs.dashboard import dashboard_invalidate, facility_dashboard
from programs.models import Enrolment
from tests.factories import CohortFactory, EnrolmentFactory, FacilityFactory
from tests.factories_dashboard import director_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _running_cohort(facility):
    today = timezone.localdate()
    return CohortFactory(facility=facility, start_date=today - dt.timedelta(days=10), end_date=today + dt.timedelta(days=60))


def test_a_second_view_within_the_minute_reads_the_cache_and_says_when_the_figures_were_computed(
    client, django_assert_num_queries
):
    facility = FacilityFactory()
    cohort = _running_cohort(facility)
    EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WAITLISTED)
    client.force_login(director_of(facility))
    url = reverse("programs:dashboard", kwargs={"pk": facility.pk})
    first = client.get(url)

    # session, user, role assignments, facility: no figure is counted again
    with django_assert_num_queries(4):
        second = client.get(url)

    assert second.context["numbers"].waitlisted == first.context["numbers"].waitlisted == 1
    assert second.context["computed_at"] == first.context["computed_at"]
    assert 'data-testid="computed-at"' in second.content.decode()


def test_invalidating_a_facility_recomputes_its_figures_and_leaves_other_facilities_cached():
    now = timezone.now()
    today = timezone.localdate(now)
    facility, other = FacilityFactory(), FacilityFactory()
    cohort = _running_cohort(facility)
    facility_dashboard(facility=facility, today=today, now=now)
    facility_dashboard(facility=other, today=today, now=now)
    EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WAITLISTED)

    stale = facility_dashboard(facility=facility, today=today, now=now)
    dashboard_invalidate(facility_id=facility.pk)
    fresh = facility_dashboard(facility=facility, today=today, now=now)

    assert (stale.cached, stale.numbers.waitlisted) == (True, 0)
    assert (fresh.cached, fresh.numbers.waitlisted) == (False, 1)
    assert facility_dashboard(facility=other, today=today, now=now).cached is True
