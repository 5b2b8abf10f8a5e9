"""The registrar's certificate screens: roles (403), scope (404), constant queries, and each action."""

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from certificates.models import Certificate, CertificateTemplate, EligibilityOverride, PrintPack
from certificates.services import certificates_render, cohort_issue_certificates, print_pack_build
from rehab.models import Role
from tests.factories import RoleAssignmentFactory
from tests.factories_certificates import IssuerFactory, certified_cohort, graduate, registrar_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def issuer():
    return IssuerFactory(serial_prefix="VTC-PZ", organisation__name="Vocational Training Center Prizren")


@pytest.fixture
def registrar(issuer):
    return registrar_for(issuer.organisation, username="lindita", first_name="Lindita", last_name="Kuqi")


def _cohort(issuer, *people, **fields):
    cohort, sessions = certified_cohort(issuer=issuer, **fields)
    for first, last in people:
        graduate(cohort, sessions, first_name=first, last_name=last)
    return cohort, sessions


def _issued(issuer, *people):
    cohort, _ = _cohort(issuer, *people)
    batch = cohort_issue_certificates(cohort=cohort, by=None, today=dt.date(2026, 7, 1), enqueue=False)
    return cohort, batch


# ------------------------------------------------------------------------------------------------ access


def test_logged_out_visitors_go_to_the_login_page(client):
    response = client.get("/certificates/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/certificates/"


def test_a_trainer_may_not_open_the_certificate_screens(client, issuer):
    trainer = RoleAssignmentFactory(role=Role.TRAINER, facility=None, organisation=issuer.organisation).user
    cohort, batch = _issued(issuer, ("Arta", "Krasniqi"))
    client.force_login(trainer)

    assert client.get("/certificates/").status_code == 403
    assert client.get(f"/certificates/cohorts/{cohort.pk}/").status_code == 403
    assert client.get(f"/certificates/{batch.certificates.get().pk}/pdf/").status_code == 403


def test_another_centres_registrar_gets_404_for_everything_of_this_centre(client, issuer, private_media):
    cohort, batch = _issued(issuer, ("Arta", "Krasniqi"))
    certificate = batch.certificates.get()
    certificates_render(certificate_ids=[certificate.pk])
    other = registrar_for(IssuerFactory().organisation)
    client.force_login(other)

    for url in (
        f"/certificates/cohorts/{cohort.pk}/",
        f"/certificates/batches/{batch.pk}/",
        f"/certificates/batches/{batch.pk}/progress/",
        f"/certificates/{certificate.pk}/",
        f"/certificates/{certificate.pk}/pdf/",
        f"/certificates/{certificate.pk}/reissue/",
        f"/certificates/enrolments/{certificate.enrolment_id}/override/",
        f"/certificates/centres/{issuer.organisation_id}/",
        f"/certificates/centres/{issuer.organisation_id}/template/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/certificates/cohorts/{cohort.pk}/issue/").status_code == 404
    assert client.post(f"/certificates/{certificate.pk}/revoke/", {"reason": "x"}).status_code == 404
    assert Certificate.objects.get().status == "ready"


# ------------------------------------------------------------------------------------------------ lists


@pytest.mark.parametrize("count", [1, 3])
def test_the_cohort_list_takes_a_constant_number_of_queries(client, issuer, registrar, count, django_assert_num_queries):
    for index in range(count):
        _cohort(issuer, ("Arta", f"Krasniqi{index}"), name=f"Filigree – group {index}")
    client.force_login(registrar)

    with django_assert_num_queries(5):
        response = client.get("/certificates/")

    assert response.status_code == 200
    assert response.content.decode().count('href="/certificates/cohorts/') == count


@pytest.mark.parametrize("count", [1, 3])
def test_the_cohort_page_takes_a_constant_number_of_queries(client, issuer, registrar, count, django_assert_num_queries):
    cohort, _ = _cohort(issuer, *[("Arta", f"Krasniqi{i}") for i in range(count)])
    cohort_issue_certificates(cohort=cohort, by=None, enqueue=False)
    client.force_login(registrar)

    with django_assert_num_queries(12):
        response = client.get(f"/certificates/cohorts/{cohort.pk}/")

    assert response.status_code == 200
    assert response.content.decode().count('data-testid="eligibility-row"') == count


def test_the_cohort_page_shows_who_is_eligible_and_why_not(client, issuer, registrar):
    cohort, sessions = _cohort(issuer, ("Arta", "Krasniqi"))
    graduate(cohort, sessions, first_name="Drita", last_name="Gashi", attended=5)
    client.force_login(registrar)

    page = client.get(f"/certificates/cohorts/{cohort.pk}/").content.decode()

    assert "Issue 1 certificate" in page
    assert "Attended 50.0% of held sessions; 80% needed." in page
    assert page.count("Eligible</span>") == 1
    assert page.count(">Override…</a>") == 1


@pytest.mark.parametrize("count", [1, 3])
def test_the_batch_page_takes_a_constant_number_of_queries(client, issuer, registrar, count, django_assert_num_queries):
    _, batch = _issued(issuer, *[("Arta", f"Krasniqi{i}") for i in range(count)])
    client.force_login(registrar)

    with django_assert_num_queries(7):
        response = client.get(f"/certificates/batches/{batch.pk}/")

    assert response.content.decode().count("VTC-PZ-2026-") == count


# ------------------------------------------------------------------------------------------------ actions


def test_issuing_from_the_cohort_page_opens_the_batch_and_queues_rendering_after_commit(
    client, issuer, registrar, django_capture_on_commit_callbacks
):
    cohort, _ = _cohort(issuer, ("Arta", "Krasniqi"), ("Drita", "Gashi"))
    client.force_login(registrar)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/certificates/cohorts/{cohort.pk}/issue/")

    certificate = Certificate.objects.order_by("serial_number").first()
    assert response.status_code == 302
    assert response["Location"] == f"/certificates/batches/{certificate.batch_id}/"
    assert len(callbacks) == 1
    assert Certificate.objects.filter(status="pending").count() == 2
    assert certificate.batch.created_by == registrar
    page = client.get(response["Location"]).content.decode()
    assert "0 done · 0 failed · 2 total" in page
    assert f'hx-get="/certificates/batches/{certificate.batch_id}/progress/" hx-trigger="every 2s"' in page


def test_issuing_twice_from_the_page_says_nobody_is_left(client, issuer, registrar):
    cohort, _ = _cohort(issuer, ("Arta", "Krasniqi"))
    client.force_login(registrar)
    client.post(f"/certificates/cohorts/{cohort.pk}/issue/")

    response = client.post(f"/certificates/cohorts/{cohort.pk}/issue/", follow=True)

    assert "everyone eligible already has one" in response.content.decode()
    assert Certificate.objects.count() == 1


def test_the_progress_fragment_stops_polling_when_rendering_is_done(client, issuer, registrar, private_media):
    _, batch = _issued(issuer, ("Arta", "Krasniqi"), ("Drita", "Gashi"))
    client.force_login(registrar)
    certificates_render(certificate_ids=list(batch.certificates.values_list("pk", flat=True)))

    page = client.get(f"/certificates/batches/{batch.pk}/progress/").content.decode()

    assert "2 done · 0 failed · 2 total" in page
    assert "hx-get" not in page
    assert 'class="progress cert-w-100"' in page


def test_a_registrar_downloads_a_certificate_as_a_private_attachment(client, issuer, registrar, private_media):
    _, batch = _issued(issuer, ("Arta", "Krasniqi"))
    certificate = batch.certificates.get()
    certificates_render(certificate_ids=[certificate.pk])
    client.force_login(registrar)

    response = client.get(f"/certificates/{certificate.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="VTC-PZ-2026-000001.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert len(PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages) == 1


def test_an_override_needs_a_reason_and_then_allows_issuing(client, issuer, registrar):
    cohort, sessions = _cohort(issuer)
    short = graduate(cohort, sessions, first_name="Gentiana", last_name="Shala", attended=6)
    client.force_login(registrar)
    url = f"/certificates/enrolments/{short.pk}/override/"

    blank = client.post(url, {"reason": ""})
    done = client.post(url, {"reason": "Court hearings; the coaches confirm the work was made up."})

    assert blank.status_code == 200
    assert "This field is required." in blank.content.decode()
    assert done.status_code == 302
    assert EligibilityOverride.objects.get().created_by == registrar
    assert "Issue 1 certificate" in client.get(f"/certificates/cohorts/{cohort.pk}/").content.decode()


def test_revoking_from_the_certificate_page(client, issuer, registrar):
    _, batch = _issued(issuer, ("Arta", "Krasniqi"))
    certificate = batch.certificates.get()
    client.force_login(registrar)

    response = client.post(f"/certificates/{certificate.pk}/revoke/", {"reason": "Issued by mistake"}, follow=True)

    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoked_by) == ("revoked", registrar)
    assert "Certificate VTC-PZ-2026-000001 revoked." in response.content.decode()
    assert client.get(f"/verify/{certificate.verification_token}/").status_code == 410


def test_reissuing_with_a_corrected_name(client, issuer, registrar):
    _, batch = _issued(issuer, ("Arta", "Krasniqi"))
    old = batch.certificates.get()
    client.force_login(registrar)

    form = client.get(f"/certificates/{old.pk}/reissue/").content.decode()
    response = client.post(
        f"/certificates/{old.pk}/reissue/", {"holder_name": "Arta Krasniqi-Gashi", "reason": "Name misspelt"}
    )

    new = Certificate.objects.get(replaces=old)
    assert 'value="Arta Krasniqi"' in form
    assert response["Location"] == f"/certificates/{new.pk}/"
    assert (new.holder_name, new.serial) == ("Arta Krasniqi-Gashi", "VTC-PZ-2026-000002")
    assert "Superseded" in client.get(f"/verify/{old.verification_token}/").content.decode()


def test_print_packs_are_built_by_a_task_as_a_merged_pdf_and_as_a_zip(
    client, issuer, registrar, private_media, django_capture_on_commit_callbacks
):
    cohort, batch = _issued(issuer, ("Arta", "Krasniqi"), ("Јелена", "Петровић"))
    certificates_render(certificate_ids=list(batch.certificates.values_list("pk", flat=True)))
    client.force_login(registrar)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pdf_response = client.post(f"/certificates/cohorts/{cohort.pk}/print-pack/", {"kind": "pdf"})
        zip_response = client.post(f"/certificates/cohorts/{cohort.pk}/print-pack/", {"kind": "zip"})
    pdf_pack, zip_pack = PrintPack.objects.order_by("pk")
    waiting = client.get(f"/certificates/print-packs/{pdf_pack.pk}/").content.decode()
    print_pack_build(pack_id=pdf_pack.pk)
    print_pack_build(pack_id=zip_pack.pk)

    assert len(callbacks) == 2
    assert pdf_response["Location"] == f"/certificates/print-packs/{pdf_pack.pk}/"
    assert zip_response["Location"] == f"/certificates/print-packs/{zip_pack.pk}/"
    assert "Being built…" in waiting
    merged = client.get(f"/certificates/print-packs/{pdf_pack.pk}/download/")
    archive = client.get(f"/certificates/print-packs/{zip_pack.pk}/download/")
    assert merged["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(b"".join(merged.streaming_content))).pages) == 2
    assert archive["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).namelist()
    assert names == ["VTC-PZ-2026-000001 Arta Krasniqi.pdf", "VTC-PZ-2026-000002 Јелена Петровић.pdf"]


def test_a_print_pack_needs_rendered_certificates(client, issuer, registrar):
    cohort, _ = _issued(issuer, ("Arta", "Krasniqi"))
    client.force_login(registrar)

    response = client.post(f"/certificates/cohorts/{cohort.pk}/print-pack/", {"kind": "zip"}, follow=True)

    assert "This group has no rendered certificates to print yet." in response.content.decode()
    assert PrintPack.objects.count() == 0


# ------------------------------------------------------------------------------------------------ issuer and template


def test_the_registrar_edits_the_profile_and_adds_a_signatory(client, issuer, registrar):
    client.force_login(registrar)
    url = f"/certificates/centres/{issuer.organisation_id}/"
    data = {
        "serial_prefix": "vtc-prz", "name_sq": "Qendra e Aftësimit Profesional Prizren", "name_sr": "",
        "name_sr-latn": "", "name_mk": "", "name_bs": "",
        "signatories-TOTAL_FORMS": "1", "signatories-INITIAL_FORMS": "0",
        "signatories-MIN_NUM_FORMS": "0", "signatories-MAX_NUM_FORMS": "6",
        "signatories-0-name": "Bashkim Tejeci", "signatories-0-title": "Filigree master coach",
        "signatories-0-position": "1", "signatories-0-is_active": "on",
    }

    response = client.post(url, data)

    issuer.refresh_from_db()
    assert response.status_code == 302
    assert issuer.serial_prefix == "VTC-PRZ"
    assert issuer.name_translations == {"sq": "Qendra e Aftësimit Profesional Prizren"}
    assert list(issuer.signatories.values_list("name", "title")) == [("Bashkim Tejeci", "Filigree master coach")]


def test_the_template_preview_returns_a_pdf_and_saves_nothing(client, issuer, registrar, private_media):
    client.force_login(registrar)
    page = client.get(f"/certificates/centres/{issuer.organisation_id}/template/").content.decode()
    template = CertificateTemplate.objects.get()

    response = client.post(
        f"/certificates/centres/{issuer.organisation_id}/template/preview/",
        {"html": template.html.replace("{{ w.title }}", "{{ w.title }}!"), "css": template.css, "sample_language": "mk"},
    )

    assert 'data-testid="current-version">version 1<' in page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Ана Стојановска" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert CertificateTemplate.objects.count() == 1
    assert Certificate.objects.count() == 0


def test_saving_the_template_makes_a_new_version_and_a_broken_one_is_explained(client, issuer, registrar, private_media):
    client.force_login(registrar)
    url = f"/certificates/centres/{issuer.organisation_id}/template/"
    client.get(url)
    template = CertificateTemplate.objects.get()

    broken = client.post(url, {"html": "{% if %}", "css": template.css, "note": "oops"})
    saved = client.post(url, {"html": template.html, "css": template.css + "\nh1 { color: #7a1f1f; }", "note": "Red title"})

    assert broken.status_code == 200
    assert "The template has an error:" in broken.content.decode()
    assert saved["Location"] == url
    assert list(CertificateTemplate.objects.order_by("version").values_list("version", "note", "created_by")) == [
        (1, "Default layout", registrar.pk),
        (2, "Red title", registrar.pk),
    ]


def test_the_verification_link_on_the_certificate_page_is_relative_to_the_site(client, issuer, registrar):
    _, batch = _issued(issuer, ("Arta", "Krasniqi"))
    certificate = batch.certificates.get()
    client.force_login(registrar)

    page = client.get(f"/certificates/{certificate.pk}/").content.decode()

    assert f'href="{reverse("certificates:verify", args=[certificate.verification_token])}"' in page
