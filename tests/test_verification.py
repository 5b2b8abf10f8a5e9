"""The public verification page: valid, revoked (410) or superseded; holder, course, hours, dates and issuer —
nothing else."""

import datetime as dt

import pytest

from certificates.services import certificate_reissue, certificate_revoke, cohort_issue_certificates
from tests.factories_certificates import IssuerFactory, certified_cohort, graduate

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate():
    issuer = IssuerFactory(serial_prefix="VTC-PZ", organisation__name="Vocational Training Center Prizren")
    cohort, sessions = certified_cohort(issuer=issuer, start_date=dt.date(2025, 3, 3), end_date=dt.date(2026, 2, 12))
    graduate(cohort, sessions, first_name="Јелена", last_name="Петровић")
    batch = cohort_issue_certificates(cohort=cohort, by=None, today=dt.date(2026, 3, 2), enqueue=False)
    return batch.certificates.get()


def _page(response) -> str:
    return response.content.decode()


def test_a_valid_certificate_shows_what_it_certifies_and_nothing_else(client, certificate):
    response = client.get(f"/verify/{certificate.verification_token}/")

    page = _page(response)
    assert response.status_code == 200
    assert "<strong>Valid</strong>" in page
    assert '<dd class="col-sm-8" lang="sr-Cyrl">Јелена Петровић</dd>' in page
    assert '<span lang="sq">Punimi i bizhuterive në filigran</span><br><span lang="en">Filigree jewellery making</span>' in page
    assert '<dd class="col-sm-8">300</dd>' in page
    assert "March 3, 2025 – Feb. 12, 2026" in page
    assert "March 2, 2026" in page
    assert '<dd class="col-sm-8">Vocational Training Center Prizren</dd>' in page
    inmate = certificate.enrolment.inmate
    for secret in (certificate.serial, "Lipjan", "Correctional", inmate.registration_number, "Kosovo Correctional Service"):
        assert secret not in page
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]


def test_a_revoked_certificate_answers_410_gone(client, certificate):
    certificate_revoke(certificate=certificate, reason="Issued by mistake", by=None)

    response = client.get(f"/verify/{certificate.verification_token}/")

    assert response.status_code == 410
    page = _page(response)
    assert "<strong>Revoked</strong>" in page
    assert "Issued by mistake" not in page
    assert "Јелена Петровић" in page


def test_a_superseded_certificate_says_so(client, certificate):
    new = certificate_reissue(certificate=certificate, reason="Name corrected", holder_name="Jelena Petrović", by=None, enqueue=False)

    old_page = client.get(f"/verify/{certificate.verification_token}/")
    new_page = client.get(f"/verify/{new.verification_token}/")

    assert old_page.status_code == 200
    assert "<strong>Superseded</strong>" in _page(old_page)
    assert new.verification_token not in _page(old_page)
    assert new_page.status_code == 200
    assert "<strong>Valid</strong>" in _page(new_page)
    assert "Jelena Petrović" in _page(new_page)


def test_an_unknown_code_is_not_found(client, certificate):
    response = client.get("/verify/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/")

    assert response.status_code == 404


def test_the_page_is_read_with_one_query(client, certificate, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(f"/verify/{certificate.verification_token}/")

    assert response.status_code == 200
