"""A custody movement in a real browser: a director transfers a participant, the coach's register shows it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from inmates.models import CustodyEvent
from programs.models import Enrolment
from tests.conftest import browser_login
from tests.factories import PASSWORD, EnrolmentFactory, FacilityFactory, InmateFactory, SessionFactory
from tests.factories_trainer import make_director, make_trainer, running_cohort


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_director_records_a_transfer_and_the_register_then_shows_the_person_as_transferred(live_server, desktop, tablet):
    today = timezone.localdate()
    moved_on = today - dt.timedelta(days=2)
    cohort = running_cohort(name="Filigree – group A")
    dubrava = FacilityFactory(prison_service=cohort.facility.prison_service, name="Dubrava Correctional Centre")
    arta = InmateFactory(current_facility=cohort.facility, first_name="Arta", last_name="Gashi")
    CustodyEvent.objects.create(inmate=arta, kind="admission", date=arta.admission_date, to_facility=cohort.facility)
    leaving = EnrolmentFactory(cohort=cohort, inmate=arta)
    staying = EnrolmentFactory(cohort=cohort, inmate=InmateFactory(current_facility=cohort.facility, first_name="Besa", last_name="Hoxha"))
    session = SessionFactory(cohort=cohort, date=today)
    director = make_director(cohort.facility, username="valdete")
    make_trainer(cohort, username="bashkim")

    browser_login(desktop, live_server, director.username, PASSWORD)
    desktop.goto(f"{live_server.url}{reverse('programs:inmate_movement', kwargs={'pk': arta.pk})}")
    expect(desktop.locator("[data-movement-field=expected_release_date]")).to_be_hidden()
    desktop.get_by_label("Transfer", exact=True).check()
    desktop.fill("input[name=date]", moved_on.isoformat())
    desktop.select_option("select[name=facility]", str(dubrava.pk))
    desktop.get_by_role("button", name="Preview").click()

    expect(desktop.locator("[data-testid=effects-enrolments]")).to_contain_text("1 open enrolment will be closed:")
    expect(desktop.locator("[data-testid=effects-enrolments]")).to_contain_text("Filigree – group A")
    desktop.screenshot(path="/tmp/rehab_movement_preview.png", full_page=True)
    assert Enrolment.objects.get(pk=leaving.pk).status == "enrolled"
    desktop.get_by_role("button", name="Record the transfer").click()
    desktop.wait_for_url(f"{live_server.url}{reverse('programs:movement_list')}")
    expect(desktop.get_by_role("alert")).to_contain_text("Transfer of Arta Gashi")
    expect(desktop.locator("[data-testid=movement-list]")).to_contain_text("Dubrava Correctional Centre")

    browser_login(tablet, live_server, "bashkim", PASSWORD)
    tablet.goto(f"{live_server.url}{reverse('programs:register', kwargs={'pk': session.pk})}")

    moved = tablet.locator(f"[data-testid=moved-{leaving.pk}]")
    expect(moved).to_contain_text("Arta Gashi")
    expect(moved).to_contain_text("Transferred on")
    expect(tablet.locator(f"[data-testid=row-{staying.pk}]")).to_be_visible()
    expect(tablet.locator(f"[data-testid=row-{leaving.pk}]")).to_have_count(0)
    expect(tablet.locator("[data-count=present]")).to_have_text("1")
    tablet.screenshot(path="/tmp/rehab_movement_register.png", full_page=True)
    assert Enrolment.objects.get(pk=leaving.pk).status == "transferred"
