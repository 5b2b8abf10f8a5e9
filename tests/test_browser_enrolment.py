import pytest
from django.urls import reverse

from programs.models import Enrolment, EnrolmentStatusChange
from tests.conftest import browser_login
from tests.factories import PASSWORD, CohortFactory, EnrolmentFactory, InmateFactory
from tests.factories_cohorts import director_of


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_director_enrolling_into_a_full_cohort_sees_the_message_and_nothing_is_saved(live_server, desktop):
    cohort = CohortFactory(name="Filigree A", capacity=2)
    EnrolmentFactory.create_batch(2, cohort=cohort)
    arta = InmateFactory(current_facility=cohort.facility, first_name="Arta", last_name="Berisha")
    director = director_of(cohort.facility)
    changes_before = EnrolmentStatusChange.objects.count()
    browser_login(desktop, live_server, director.username, PASSWORD)

    desktop.goto(f"{live_server.url}{reverse('programs:cohort_detail', kwargs={'pk': cohort.pk})}")
    desktop.get_by_role("link", name="Enrol", exact=True).click()
    desktop.select_option("select[name=inmate]", str(arta.pk))
    desktop.get_by_role("button", name="Enrol").click()

    alert = desktop.locator("[data-testid=form-errors]")
    assert alert.inner_text().strip() == "Filigree A is full: all 2 places are taken."
    assert desktop.url == f"{live_server.url}{reverse('programs:enrol', kwargs={'pk': cohort.pk})}"
    assert not Enrolment.objects.filter(inmate=arta).exists()
    assert Enrolment.objects.filter(cohort=cohort).count() == 2
    assert EnrolmentStatusChange.objects.count() == changes_before
    desktop.screenshot(path="/tmp/rehab_c_full_cohort.png", full_page=True)
