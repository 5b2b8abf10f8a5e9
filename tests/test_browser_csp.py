"""The Content-Security-Policy in a real browser: the main pages of a director, a trainer and a registrar load with
no violation reported (neither a `securitypolicyviolation` event nor a console message), and the parts that need
JavaScript still work under it: the dashboard's charts and the htmx register."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from certificates.models import Certificate, IssuanceBatch
from inmates.models import Inmate
from programs.models import Cohort
from rehab.models import Facility, Organisation
from tests.conftest import browser_login
from tests.factories import PASSWORD
from tests.test_browser_register import a_session_today

DEMO_PASSWORD = "rehab-demo"
# Runs before any page script, outside the page's policy, and keeps every violation the page reports.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class ViolationWatch:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        self.found: list[str] = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.console.append(text)

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, f"{url}: {response and response.status}"
        self.page.wait_for_load_state("load")
        self.check(url)

    def check(self, where: str) -> None:
        for violation in self.page.evaluate("window.__cspViolations || []"):
            self.found.append(f"{where}: {violation}")
        self.found.extend(f"{where}: {text}" for text in self.console)
        self.console.clear()


@pytest.fixture
def seeded(transactional_db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path  # seed_demo renders the demo's certificate PDFs
    call_command("seed_demo", force=True, stdout=StringIO())


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_director_sees_no_policy_violation_and_the_dashboard_charts_are_drawn(seeded, live_server, desktop):
    lipjan = Facility.objects.get(code="lipjan")
    group_a = Cohort.objects.get(name="Filigree – group A")
    it2 = Cohort.objects.get(name="IT basics – group 2")
    inmate = Inmate.objects.filter(current_facility=lipjan).order_by("pk").first()
    watch = ViolationWatch(desktop)
    browser_login(desktop, live_server, "director", DEMO_PASSWORD)
    base = live_server.url

    for path in [
        "/", f"/programs/facilities/{lipjan.pk}/dashboard/", "/programs/cohorts/", f"/programs/cohorts/{group_a.pk}/", f"/programs/cohorts/{group_a.pk}/sessions/",
        f"/programs/cohorts/{group_a.pk}/delivery/",
        f"/programs/cohorts/new/?facility={lipjan.pk}", f"/programs/cohorts/{it2.pk}/waitlist/", "/programs/sessions/",
        "/programs/enrolments/", "/inmates/", f"/inmates/{inmate.pk}/", "/inmates/import/", "/accounts/password_change/",
    ]:
        watch.visit(base + path)
    desktop.goto(f"{base}/programs/facilities/{lipjan.pk}/dashboard/")
    desktop.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-attendance'))")
    drawn = desktop.evaluate(
        "() => ['chart-attendance', 'chart-kinds', 'chart-genders'].map(id => !!Chart.getChart(document.getElementById(id)))"
    )
    watch.check("dashboard charts")

    assert drawn == [True, True, True]
    assert watch.found == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_trainer_takes_the_register_with_htmx_under_the_policy(live_server, tablet):
    _trainer, session, (arta, besa) = a_session_today("csp-coach")
    watch = ViolationWatch(tablet)
    browser_login(tablet, live_server, "csp-coach", PASSWORD)
    base = live_server.url

    for path in ["/programs/today/", "/programs/week/", f"/programs/sessions/{session.pk}/register/"]:
        watch.visit(base + path)
    tablet.evaluate("window.registerPageMarker = 'same page'")
    tablet.locator(f"[data-testid=status-{besa.pk}-absent]").tap()
    tablet.select_option(f"#reason_{besa.pk}", "sick")
    tablet.get_by_role("button", name="Save the register").tap()
    expect(tablet.locator("[data-testid=register-saved]")).to_have_text(
        "Register saved: 1 present, 0 late, 1 absent, 0 excused."
    )
    watch.check("after saving the register")

    assert tablet.evaluate("window.registerPageMarker") == "same page"  # htmx swapped the panel, no reload
    assert watch.found == []


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_registrar_sees_no_policy_violation_on_the_certificate_pages(seeded, live_server, desktop):
    first_group = Cohort.objects.get(name="Filigree – first group")
    certificate = Certificate.objects.filter(enrolment__cohort=first_group, status=Certificate.Status.READY).first()
    batch = IssuanceBatch.objects.filter(certificates=certificate).first()
    vtc = Organisation.objects.get(name="Vocational Training Center Prizren")
    watch = ViolationWatch(desktop)
    browser_login(desktop, live_server, "registrar", DEMO_PASSWORD)
    base = live_server.url

    for path in [
        "/certificates/", f"/certificates/cohorts/{first_group.pk}/", f"/certificates/batches/{batch.pk}/",
        f"/certificates/{certificate.pk}/", f"/certificates/{certificate.pk}/reissue/", f"/certificates/centres/{vtc.pk}/",
        f"/certificates/centres/{vtc.pk}/template/", f"/verify/{certificate.verification_token}/",
    ]:
        watch.visit(base + path)

    assert watch.found == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_watch_reports_what_the_policy_blocks(live_server, desktop):
    # Proves the tests above would see a violation: an inline style and a foreign image are refused and reported.
    watch = ViolationWatch(desktop)
    watch.visit(f"{live_server.url}/accounts/login/")

    desktop.evaluate(
        """() => {
            const style = document.createElement('style');
            style.textContent = 'body { color: red; }';
            document.head.appendChild(style);
            const img = document.createElement('img');
            img.src = 'https://cdn.example.org/pixel.png';
            document.body.appendChild(img);
        }"""
    )
    desktop.wait_for_function("() => window.__cspViolations.length >= 2")
    watch.check("login")

    assert any("style-src" in v for v in watch.found)
    assert any("img-src https://cdn.example.org/pixel.png" in v for v in watch.found)
    assert desktop.evaluate("getComputedStyle(document.body).color") != "rgb(255, 0, 0)"
