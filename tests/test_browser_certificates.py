"""A registrar issues a cohort's certificates on a tablet, watches the progress bar while a real worker renders
them, and downloads one; the pages fit a phone."""

import pytest

from certificates.models import Certificate
from certificates.storage import private_storage
from tests.conftest import browser_login
from tests.factories import PASSWORD
from tests.factories_certificates import IssuerFactory, certified_cohort, graduate, registrar_for


@pytest.fixture
def cleanup_files():
    yield
    storage = private_storage()
    for name in Certificate.objects.exclude(pdf="").values_list("pdf", flat=True):
        storage.delete(name)


@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_registrar_issues_a_cohort_and_watches_it_render(live_server, tablet, celery_worker_process, cleanup_files):
    issuer = IssuerFactory(serial_prefix="VTC-PZ", organisation__name="Vocational Training Center Prizren")
    cohort, sessions = certified_cohort(issuer=issuer, name="Filigree – group A")
    for first, last in [("Arta", "Krasniqi"), ("Јелена", "Петровић"), ("Drita", "Gashi")]:
        graduate(cohort, sessions, first_name=first, last_name=last)
    graduate(cohort, sessions, first_name="Edona", last_name="Berisha", attended=4)
    registrar = registrar_for(issuer.organisation, username="lindita")

    browser_login(tablet, live_server, registrar.username, PASSWORD)
    tablet.goto(f"{live_server.url}/certificates/")
    tablet.get_by_role("link", name="Filigree – group A").click()
    rows = tablet.locator("[data-testid=eligibility-row]")
    assert rows.count() == 4
    assert tablet.locator("[data-testid=reasons]").inner_text() == "Attended 40.0% of held sessions; 80% needed."
    tablet.locator("[data-testid=issue-button]").click()

    tablet.wait_for_url(f"{live_server.url}/certificates/batches/**")
    # The bar polls until the worker is done, then the page reloads once with the downloads.
    tablet.locator("[data-testid=progress-counts]", has_text="3 done · 0 failed · 3 total").wait_for(timeout=90_000)
    tablet.locator("[data-testid=batch-certificates] a", has_text="Download").first.wait_for(timeout=30_000)
    assert tablet.locator("[data-testid=batch-certificates] a", has_text="Download").count() == 3
    assert tablet.evaluate("document.documentElement.scrollWidth") <= 768

    with tablet.expect_download() as download:
        tablet.locator("[data-testid=batch-certificates] a", has_text="Download").first.click()
    assert download.value.suggested_filename.startswith("VTC-PZ-")
    assert download.value.suggested_filename.endswith(".pdf")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_certificate_pages_fit_a_phone(live_server, chromium):
    issuer = IssuerFactory(serial_prefix="VTC-PZ")
    cohort, sessions = certified_cohort(issuer=issuer, name="Filigree – group B")
    graduate(cohort, sessions, first_name="Qëndresa", last_name="Zeka", attended=5)
    registrar = registrar_for(issuer.organisation, username="lindita")
    context = chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True, locale="en")
    phone = context.new_page()
    try:
        browser_login(phone, live_server, registrar.username, PASSWORD)
        for path in ("/certificates/", f"/certificates/cohorts/{cohort.pk}/", f"/certificates/centres/{issuer.organisation_id}/template/"):
            phone.goto(f"{live_server.url}{path}")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path
    finally:
        context.close()
