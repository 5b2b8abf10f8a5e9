"""The "Group" dropdown of the session, enrolment and waitlist lists offers current groups, not every group ever run."""

import datetime as dt

import pytest
from django.urls import reverse

from rehab.models import Role
from tests.factories import CohortFactory, EnrolmentFactory, FacilityFactory
from tests.factories_dashboard import days_ago, director_of, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups():
    facility = FacilityFactory(name="Lipjan")
    today = days_ago(0)
    made = {
        "running": CohortFactory(facility=facility, name="Running", start_date=days_ago(30), end_date=today + dt.timedelta(days=30)),
        "planned": CohortFactory(facility=facility, name="Planned", start_date=today + dt.timedelta(days=400), end_date=today + dt.timedelta(days=700)),
        "recent": CohortFactory(facility=facility, name="Recent", start_date=days_ago(700), end_date=days_ago(364)),
        "old": CohortFactory(facility=facility, name="Old", start_date=days_ago(800), end_date=days_ago(366)),
        "elsewhere": CohortFactory(facility=FacilityFactory(name="Niš"), name="Elsewhere", start_date=days_ago(30), end_date=today + dt.timedelta(days=30)),
    }
    return facility, made


def _offered(client, name: str, **params) -> list[str]:
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return [cohort.name for cohort in response.context["filter"].form.fields["cohort"].queryset]


@pytest.mark.parametrize("url", ["programs:session_list", "programs:enrolment_list", "programs:waitlist_list"])
def test_groups_ended_more_than_a_year_ago_are_not_offered(client, groups, url):
    facility, _made = groups
    client.force_login(director_of(facility))

    assert _offered(client, url) == ["Planned", "Recent", "Running"]


def test_an_older_group_already_chosen_stays_offered_and_filters_the_list(client, groups):
    facility, made = groups
    EnrolmentFactory(cohort=made["old"])
    EnrolmentFactory(cohort=made["running"])
    client.force_login(director_of(facility))

    response = client.get(reverse("programs:enrolment_list"), {"cohort": made["old"].pk})

    assert [c.name for c in response.context["filter"].form.fields["cohort"].queryset] == ["Old", "Planned", "Recent", "Running"]
    assert [e.cohort.name for e in response.context["page"]] == ["Old"]


def test_a_group_out_of_scope_is_never_offered_even_when_asked_for(client, groups):
    facility, made = groups
    client.force_login(director_of(facility))

    assert _offered(client, "programs:session_list", cohort=made["elsewhere"].pk) == ["Planned", "Recent", "Running"]


def test_choosing_a_facility_narrows_the_groups_to_it(client, groups):
    facility, _made = groups
    client.force_login(user_with_role(Role.SYSTEM_ADMINISTRATOR))

    everywhere = _offered(client, "programs:session_list")
    one_facility = _offered(client, "programs:session_list", facility=facility.pk)

    assert everywhere == ["Elsewhere", "Planned", "Recent", "Running"]
    assert one_facility == ["Planned", "Recent", "Running"]
