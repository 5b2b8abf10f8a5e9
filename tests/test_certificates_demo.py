"""seed_demo's certificates: the finished demo cohorts of the Vocational Training Center Prizren are certified."""

from io import StringIO

import pytest
from django.core.management import call_command

from certificates.demo import demo_certificates_issue
from certificates.models import Certificate

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_certifies_finished_cohorts_once(private_media):
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)

    again = demo_certificates_issue(stdout=StringIO())

    certificates = Certificate.objects.select_related("enrolment__cohort")
    assert certificates.count() == 7
    assert again == 0
    assert {c.enrolment.cohort.name for c in certificates} == {"Filigree – first group", "IT basics – group 1"}
    assert {c.status for c in certificates} == {"ready"}
    assert all(c.serial.startswith("VTC-PZ-") for c in certificates)
    assert all(c.enrolment.status == "completed" and c.enrolment.final_result == "passed" for c in certificates)
    assert "Certificates: " in out.getvalue()
    # Weak attendance in each finished group keeps someone from a certificate.
    for name in ("Filigree – first group", "IT basics – group 1"):
        cohort_certificates = [c for c in certificates if c.enrolment.cohort.name == name]
        assert 0 < len(cohort_certificates) < 5
