"""A case manager screens a person on a tablet: profile → new VEP screening → answers → the saved level."""

import pytest

from inmates.instruments import VEP_SCREENING, instruments_seed
from inmates.models import Assessment, SensitiveRead
from rehab.models import Role
from tests.conftest import browser_login
from tests.factories import PASSWORD, FacilityFactory, InmateFactory, RoleAssignmentFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_case_manager_records_a_screening_on_a_tablet(live_server, tablet):
    instruments_seed()  # a transactional test starts from an empty database
    facility = FacilityFactory(name="Lipjan")
    inmate = InmateFactory(current_facility=facility, first_name="Arta", last_name="Krasniqi")
    user = RoleAssignmentFactory(role=Role.CASE_MANAGER, facility=facility).user
    browser_login(tablet, live_server, user.username, PASSWORD)

    tablet.goto(f"{live_server.url}/inmates/{inmate.pk}/")
    tablet.get_by_role("link", name="New: VEP screening").click()
    # "Some indication" on every question of the first two domains, "Not observed" on the rest: 5 × 1 = 5.
    questions = tablet.locator("fieldset fieldset")
    assert questions.count() == 13
    for index in range(13):
        label = "Some indication" if index < 5 else "Not observed"
        questions.nth(index).get_by_label(label).check()
    tablet.get_by_role("button", name="Save the assessment").click()

    tablet.wait_for_url(f"{live_server.url}/inmates/assessments/**")
    assert tablet.locator("[data-testid=total-score]").inner_text() == "5"
    assert tablet.locator("[data-testid=level]").inner_text().startswith("Low")
    # The whole page fits the tablet: below 1200 px the navigation folds into its menu button.
    assert tablet.evaluate("document.documentElement.scrollWidth") <= 768
    assessment = Assessment.objects.get()
    assert (assessment.inmate, assessment.instrument.code, assessment.total_score) == (inmate, VEP_SCREENING, 5)
    assert SensitiveRead.objects.filter(user=user, record_id=assessment.pk).count() == 1
