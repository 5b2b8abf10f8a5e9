import pytest

from rehab.models import Role
from tests.conftest import browser_login
from tests.factories import PASSWORD, FacilityFactory, RoleAssignmentFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_director_logs_in_through_the_form_and_sees_their_facility(live_server, desktop):
    user = RoleAssignmentFactory(role=Role.DIRECTOR, facility=FacilityFactory(name="Lipjan")).user

    browser_login(desktop, live_server, user.username, PASSWORD)

    assert desktop.url == f"{live_server.url}/"
    assert desktop.locator("[data-testid=facilities] td").first.inner_text() == "Lipjan"
    # The vendored stylesheet was served locally, not from a CDN.
    assert desktop.evaluate("getComputedStyle(document.body).getPropertyValue('--bs-body-font-size')").strip() == "1rem"
