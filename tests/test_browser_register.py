"""The register in a real browser: a trainer on a tablet, and the layout on a phone."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programs.models import Attendance, Session
from tests.conftest import browser_login
from tests.factories import PASSWORD, EnrolmentFactory, InmateFactory, SessionFactory
from tests.factories_trainer import make_trainer, running_cohort


def a_session_today(username):
    cohort = running_cohort(name="Filigree Lipjan A")
    trainer = make_trainer(cohort, username=username, first_name="Drita", last_name="Berisha")
    session = SessionFactory(cohort=cohort, date=timezone.localdate(), start_time=dt.time(9, 0), end_time=dt.time(12, 0))
    people = [
        EnrolmentFactory(cohort=cohort, inmate=InmateFactory(current_facility=cohort.facility, first_name=first, last_name=last))
        for first, last in [("Arta", "Gashi"), ("Besa", "Hoxha")]
    ]
    return trainer, session, people


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_trainer_takes_the_register_on_a_tablet_without_a_page_reload(live_server, tablet):
    trainer, session, (arta, besa) = a_session_today("coach")
    register_url = f"{live_server.url}/programs/sessions/{session.pk}/register/"
    browser_login(tablet, live_server, "coach", PASSWORD)

    tablet.goto(f"{live_server.url}/programs/today/")
    tablet.get_by_role("link", name="Take the register").tap()
    tablet.wait_for_url(register_url)
    tablet.evaluate("window.registerPageMarker = 'still the same page'")
    expect(tablet.locator(f"#reason_{besa.pk}")).to_be_hidden()
    tablet.locator(f"[data-testid=status-{besa.pk}-absent]").tap()
    expect(tablet.locator(f"#reason_{besa.pk}")).to_be_visible()
    tablet.select_option(f"#reason_{besa.pk}", "sick")
    expect(tablet.locator("[data-count=absent]")).to_have_text("1")
    tablet.get_by_role("button", name="Save the register").tap()

    expect(tablet.locator("[data-testid=register-saved]")).to_have_text("Register saved: 1 present, 0 late, 1 absent, 0 excused.")
    assert tablet.evaluate("window.registerPageMarker") == "still the same page"
    assert tablet.url == register_url
    expect(tablet.get_by_role("button", name="Save changes")).to_be_visible()
    assert list(
        Attendance.objects.order_by("enrolment_id").values_list("session_id", "enrolment_id", "status", "reason", "recorded_by")
    ) == [
        (session.pk, arta.pk, "present", "", trainer.pk),
        (session.pk, besa.pk, "absent", "sick", trainer.pk),
    ]
    assert Session.objects.get(pk=session.pk).status == Session.Status.HELD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_register_fits_the_screen_with_finger_sized_buttons(live_server, chromium):
    _, session, (arta, besa) = a_session_today("phone-coach")
    context = chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True, locale="en")
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    try:
        browser_login(phone, live_server, "phone-coach", PASSWORD)
        phone.goto(f"{live_server.url}/programs/sessions/{session.pk}/register/")

        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        heights = phone.locator(".register-status label, .register-save").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().height)"
        )
        assert len(heights) == 9 and min(heights) >= 44
        phone.locator(f"[data-testid=status-{arta.pk}-late]").tap()
        phone.locator(f"[data-testid=status-{besa.pk}-excused]").tap()
        phone.get_by_role("button", name="Mark all present").tap()
        expect(phone.locator("[data-count=present]")).to_have_text("2")
        expect(phone.locator(f"#reason_{besa.pk}")).to_be_hidden()
    finally:
        context.close()
