"""Demo certificates: the Vocational Training Center Prizren certifies the demo's finished cohorts.

Called by `manage.py seed_demo` (and `manage.py demo_certificates`). Idempotent: a second run issues nothing new
and only renders certificates left pending.
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.contrib.auth import get_user_model
from django.utils import timezone

from certificates.models import Certificate, Signatory
from certificates.selectors import cohort_eligibility
from certificates.services import certificates_render, cohort_issue_certificates, issuer_for_organisation
from programs.models import Cohort
from rehab.models import Organisation

VTC_NAME = "Vocational Training Center Prizren"
VTC_PREFIX = "VTC-PZ"
VTC_NAMES = {
    "sq": "Qendra e Aftësimit Profesional Prizren",
    "sr": "Центар за стручно оспособљавање Призрен",
    "sr-latn": "Centar za stručno osposobljavanje Prizren",
    "mk": "Центар за стручна обука Призрен",
    "bs": "Centar za stručno osposobljavanje Prizren",
}
SIGNATORIES = [
    ("Bashkim Tejeci", "Filigree master coach"),
    ("Lindita Kuqi", "Certificates officer"),
]


def _write(stdout: TextIO | None, line: str) -> None:
    if stdout is not None:
        stdout.write(line + "\n")


def _prepare_issuer(organisation: Organisation):
    issuer = issuer_for_organisation(organisation=organisation)
    changed = []
    # The prefix is the demo's only while nothing has been numbered with another.
    if issuer.serial_prefix != VTC_PREFIX and not issuer.certificates.exists():
        issuer.serial_prefix = VTC_PREFIX
        changed.append("serial_prefix")
    if issuer.name_translations != VTC_NAMES:
        issuer.name_translations = VTC_NAMES
        changed.append("name_translations")
    if changed:
        issuer.save(update_fields=changed)
    for position, (name, title) in enumerate(SIGNATORIES, start=1):
        Signatory.objects.get_or_create(issuer=issuer, name=name, defaults={"title": title, "position": position})
    return issuer


def demo_certificates_issue(*, stdout: TextIO | None = None, today: dt.date | None = None) -> int:
    """Issue and render certificates for the completed, eligible enrolments of finished demo cohorts whose course
    the training centre certifies. Returns how many were issued in this run."""
    today = today or timezone.localdate()
    organisation = Organisation.objects.filter(name=VTC_NAME, kind=Organisation.Kind.TRAINING_CENTRE).first()
    if organisation is None:
        _write(stdout, "Certificates: no demo training centre; nothing issued.")
        return 0
    _prepare_issuer(organisation)
    registrar = get_user_model().objects.filter(username="registrar").first()
    issued = 0
    cohorts = Cohort.objects.filter(end_date__lt=today, course__issuer=organisation).order_by("end_date", "name")
    for cohort in cohorts:
        if not any(row.can_issue for row in cohort_eligibility(cohort=cohort)):
            continue
        # Issued a fortnight after the last session, as the centre would have done.
        batch = cohort_issue_certificates(
            cohort=cohort, by=registrar, today=min(cohort.end_date + dt.timedelta(days=14), today), enqueue=False
        )
        count = batch.certificates.count()
        issued += count
        _write(stdout, f"Certificates: {count} issued for {cohort.name}.")
    pending = list(
        Certificate.objects.filter(issuer__organisation=organisation, status=Certificate.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    if pending:
        result = certificates_render(certificate_ids=pending)
        _write(stdout, f"Certificates: {result.done} rendered, {result.failed} failed.")
    return issued
