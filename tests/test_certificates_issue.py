"""Issuing a cohort's certificates: one batch, gapless serials per issuer and year, a snapshot, the trail of who
and why; rendering after commit; revoking and reissuing."""

import datetime as dt
import io
import threading

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from PIL import Image

from certificates.models import Certificate, CertificateEvent, CertificateTemplate, IssuanceBatch, SerialCounter
from certificates.services import (
    batch_retry,
    certificate_reissue,
    certificate_revoke,
    certificate_template_save,
    certificates_render,
    cohort_issue_certificates,
    eligibility_override_create,
    issuer_template,
)
from certificates.storage import private_storage
from programs.models import Enrolment
from tests.factories import CourseFactory, EnrolmentFactory, StaffMemberFactory, UserFactory
from tests.factories_certificates import IssuerFactory, SignatoryFactory, certified_cohort, finish, graduate

pytestmark = pytest.mark.django_db
ISSUED = dt.date(2026, 7, 1)


def _png() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (40, 20), (31, 78, 121)).save(image, format="PNG")
    return image.getvalue()


@pytest.fixture
def issuer():
    issuer = IssuerFactory(serial_prefix="VTC-PZ", organisation__name="Vocational Training Center Prizren")
    SignatoryFactory(issuer=issuer, name="Bashkim Tejeci", title="Filigree master coach")
    return issuer


def _cohort_with(issuer, *people, **cohort_fields):
    cohort, sessions = certified_cohort(issuer=issuer, **cohort_fields)
    enrolments = [graduate(cohort, sessions, first_name=first, last_name=last) for first, last in people]
    return cohort, sessions, enrolments


def test_issuing_numbers_every_eligible_enrolment_in_one_batch_with_a_snapshot(issuer):
    cohort, sessions, (arta, jelena) = _cohort_with(issuer, ("Arta", "Krasniqi"), ("Јелена", "Петровић"))
    graduate(cohort, sessions, first_name="Drita", last_name="Gashi", attended=5)  # not eligible
    registrar = UserFactory(username="lindita")

    batch = cohort_issue_certificates(cohort=cohort, by=registrar, today=ISSUED, enqueue=False)

    certificates = list(batch.certificates.order_by("serial_number"))
    assert [(c.serial, c.holder_name, c.status) for c in certificates] == [
        ("VTC-PZ-2026-000001", "Arta Krasniqi", "pending"),
        ("VTC-PZ-2026-000002", "Јелена Петровић", "pending"),
    ]
    first = certificates[0]
    assert first.enrolment == arta
    assert (first.language, first.course_title, first.course_title_en) == (
        "sq", "Punimi i bizhuterive në filigran", "Filigree jewellery making",
    )
    assert (first.hours, first.start_date, first.end_date, first.issued_on) == (300, cohort.start_date, cohort.end_date, ISSUED)
    assert (first.issuer_name, first.issuer_city) == ("Vocational Training Center Prizren", "Prizren")
    assert first.signatories == [{"name": "Bashkim Tejeci", "title": "Filigree master coach", "signature": ""}]
    assert len(first.verification_token) == 32
    assert first.verification_token != certificates[1].verification_token
    assert SerialCounter.objects.get(issuer=issuer, year=2026).last_number == 2
    assert [(e.kind, e.by) for e in first.events.all()] == [("issued", registrar)]
    entry = LogEntry.objects.get_for_object(first).get()
    assert (entry.action, entry.actor, entry.additional_data) == (
        LogEntry.Action.CREATE, registrar, {"reason": f"Issued in batch {batch.pk}"},
    )


def test_a_later_edit_to_the_course_or_the_name_does_not_change_an_issued_certificate(issuer):
    cohort, _, (enrolment,) = _cohort_with(issuer, ("Arta", "Krasniqi"))
    batch = cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False)

    cohort.course.title = "Silver filigree"
    cohort.course.save()
    enrolment.inmate.last_name = "Krasniqi-Berisha"
    enrolment.inmate.save()

    certificate = batch.certificates.get()
    certificate.refresh_from_db()
    assert (certificate.holder_name, certificate.course_title_en) == ("Arta Krasniqi", "Filigree jewellery making")


def test_issuing_again_makes_nothing_new_and_says_why(issuer):
    cohort, _, _ = _cohort_with(issuer, ("Arta", "Krasniqi"))
    cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False)

    with pytest.raises(ValidationError) as refused:
        cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False)

    assert refused.value.messages == ["Nobody in this group can be issued a certificate now: everyone eligible already has one."]
    assert Certificate.objects.count() == 1
    assert IssuanceBatch.objects.count() == 1
    assert SerialCounter.objects.get().last_number == 1


def test_serials_are_gapless_per_issuer_and_year_and_restart_each_year(issuer):
    first, _, _ = _cohort_with(issuer, ("Arta", "Krasniqi"), ("Drita", "Gashi"))
    second, _, _ = _cohort_with(issuer, ("Edona", "Berisha"))
    next_year, _, _ = _cohort_with(issuer, ("Fatime", "Morina"))
    other, _, _ = _cohort_with(IssuerFactory(serial_prefix="ITC"), ("Hana", "Bytyqi"))

    cohort_issue_certificates(cohort=first, by=None, today=ISSUED, enqueue=False)
    cohort_issue_certificates(cohort=second, by=None, today=ISSUED, enqueue=False)
    cohort_issue_certificates(cohort=next_year, by=None, today=dt.date(2027, 1, 4), enqueue=False)
    cohort_issue_certificates(cohort=other, by=None, today=ISSUED, enqueue=False)

    assert list(Certificate.objects.order_by("issuer_id", "serial_year", "serial_number").values_list("serial", flat=True)) == [
        "VTC-PZ-2026-000001", "VTC-PZ-2026-000002", "VTC-PZ-2026-000003", "VTC-PZ-2027-000001", "ITC-2026-000001",
    ]


def test_a_rolled_back_issuance_gives_its_serials_back(issuer):
    first, _, _ = _cohort_with(issuer, ("Arta", "Krasniqi"))
    second, _, _ = _cohort_with(issuer, ("Drita", "Gashi"))

    with pytest.raises(RuntimeError), transaction.atomic():
        cohort_issue_certificates(cohort=first, by=None, today=ISSUED, enqueue=False)
        raise RuntimeError("the request failed after issuing")
    batch = cohort_issue_certificates(cohort=second, by=None, today=ISSUED, enqueue=False)

    assert batch.certificates.get().serial == "VTC-PZ-2026-000001"


def test_the_database_refuses_a_second_live_certificate_for_an_enrolment(issuer):
    cohort, _, _ = _cohort_with(issuer, ("Arta", "Krasniqi"))
    batch = cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False)
    live = batch.certificates.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            enrolment=live.enrolment, issuer=issuer, batch=batch, template=live.template, serial="VTC-PZ-2026-000099",
            serial_year=2026, serial_number=99, holder_name="x", language="sq", course_title="x", course_title_en="x",
            hours=1, start_date=ISSUED, end_date=ISSUED, issued_on=ISSUED, issuer_name="x", issuer_name_local="x",
        )


def test_rendering_is_queued_only_after_the_commit(issuer, django_capture_on_commit_callbacks):
    cohort, _, _ = _cohort_with(issuer, ("Arta", "Krasniqi"))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED)

    assert len(callbacks) == 1
    assert Certificate.objects.get().status == "pending"


def test_an_override_lets_an_enrolment_be_issued_and_the_certificate_remembers_it(issuer):
    cohort, sessions, _ = _cohort_with(issuer)
    short = graduate(cohort, sessions, first_name="Gentiana", last_name="Shala", attended=6)
    override = eligibility_override_create(enrolment=short, reason="Court hearings", by=None)

    batch = cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False)

    certificate = batch.certificates.get()
    assert certificate.override == override
    assert certificate.events.get().reason == "Override: Court hearings"


def test_staff_members_are_certified_under_their_own_name(issuer):
    cohort, sessions = certified_cohort(issuer=issuer)
    staff = StaffMemberFactory(first_name="Бранислав", last_name="Јанковић")
    finish(EnrolmentFactory(cohort=cohort, inmate=None, staff_member=staff), sessions, attended=10)

    batch = cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False)

    assert batch.certificates.get().holder_name == "Бранислав Јанковић"


def test_a_course_title_that_would_reveal_custody_stops_issuance(issuer):
    course = CourseFactory(issuer=issuer.organisation, title="Vocational skills in prison", final_assessment_required=False)
    cohort, _, _ = _cohort_with(issuer, ("Arta", "Krasniqi"), course=course)

    with pytest.raises(ValidationError) as refused:
        cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False)

    assert refused.value.messages == [
        "The course title or the issuer's details contain words that tell a reader the holder was in custody (prison). "
        "Change them before issuing."
    ]
    assert Certificate.objects.count() == 0


def test_rendering_stores_a_pdf_and_a_second_run_changes_nothing(issuer, private_media):
    cohort, _, _ = _cohort_with(issuer, ("Arta", "Krasniqi"), ("Јелена", "Петровић"))
    batch = cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False)
    ids = list(batch.certificates.values_list("pk", flat=True))

    first = certificates_render(certificate_ids=ids)
    stored = {c.pk: (c.pdf.name, c.pdf_sha256, c.rendered_at) for c in batch.certificates.all()}
    mtimes = {pk: (private_media / name).stat().st_mtime_ns for pk, (name, _, _) in stored.items()}
    second = certificates_render(certificate_ids=ids)

    assert (first.done, first.failed, first.skipped) == (2, 0, 0)
    assert (second.done, second.failed, second.skipped) == (0, 0, 2)
    assert {c.pk: (c.pdf.name, c.pdf_sha256, c.rendered_at) for c in batch.certificates.all()} == stored
    assert {pk: (private_media / name).stat().st_mtime_ns for pk, (name, _, _) in stored.items()} == mtimes
    assert set(Certificate.objects.values_list("status", flat=True)) == {"ready"}
    assert sorted(p.name for p in (private_media / "certificates" / str(issuer.pk) / "2026").iterdir()) == sorted(
        name.rsplit("/", 1)[1] for name, _, _ in stored.values()
    )


def test_a_certificate_that_cannot_be_rendered_fails_with_the_reason_and_can_be_retried(issuer, private_media):
    issuer.logo.name = private_storage().write_atomic("issuers/logo.png", _png())
    issuer.save()
    cohort, _, _ = _cohort_with(issuer, ("Arta", "Krasniqi"))
    batch = cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False)
    certificate = batch.certificates.get()
    (private_media / "issuers" / "logo.png").unlink()  # the file went missing

    result = certificates_render(certificate_ids=[certificate.pk])

    certificate.refresh_from_db()
    assert (result.done, result.failed) == (0, 1)
    assert certificate.status == "failed"
    assert certificate.failure_reason.startswith("The image issuers/logo.png could not be read: ")
    private_storage().write_atomic("issuers/logo.png", _png())  # restored
    assert batch_retry(batch=batch, by=None) == 1
    certificate.refresh_from_db()
    assert (certificate.status, certificate.failure_reason) == ("pending", "")
    assert certificates_render(certificate_ids=[certificate.pk]).done == 1
    assert [e.kind for e in certificate.events.order_by("id")] == ["issued", "render_retried"]


def test_a_layout_that_does_not_fit_one_page_fails_with_the_reason(issuer, private_media):
    v1 = issuer_template(issuer=issuer)
    # Saved directly: the service would have refused a version that does not fit.
    CertificateTemplate.objects.create(
        issuer=issuer, version=2, html=v1.html, css=v1.css + "\n.certificate { height: auto; } .body { position: static; padding-top: 400mm; }"
    )
    cohort, _, _ = _cohort_with(issuer, ("Arta", "Krasniqi"))
    certificate = cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False).certificates.get()

    certificates_render(certificate_ids=[certificate.pk])

    certificate.refresh_from_db()
    assert (certificate.status, certificate.pdf.name) == ("failed", "")
    assert certificate.failure_reason == (
        "The certificate does not fit on one page (it takes 2); shorten the text or reduce the font sizes in the template."
    )


def test_revoking_keeps_the_serial_and_records_who_and_why(issuer):
    cohort, _, _ = _cohort_with(issuer, ("Arta", "Krasniqi"))
    certificate = cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False).certificates.get()
    registrar = UserFactory(username="lindita")

    certificate_revoke(certificate=certificate, reason="Issued by mistake: the final piece was not assessed.", by=registrar)

    certificate.refresh_from_db()
    assert (certificate.status, certificate.serial, certificate.revoked_by) == ("revoked", "VTC-PZ-2026-000001", registrar)
    assert certificate.revocation_reason == "Issued by mistake: the final piece was not assessed."
    assert [(e.kind, e.reason, e.by) for e in certificate.events.order_by("id")] == [
        ("issued", "", None),
        ("revoked", "Issued by mistake: the final piece was not assessed.", registrar),
    ]
    entry = LogEntry.objects.get_for_object(certificate).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == registrar
    assert entry.changes["status"] == ["pending", "revoked"]
    assert entry.additional_data == {"reason": "Issued by mistake: the final piece was not assessed."}
    with pytest.raises(ValidationError) as again:
        certificate_revoke(certificate=certificate, reason="twice", by=registrar)
    assert again.value.messages == ["This certificate is already revoked."]


def test_a_revoked_enrolment_is_not_issued_again_in_the_next_batch(issuer):
    cohort, _, _ = _cohort_with(issuer, ("Arta", "Krasniqi"))
    certificate = cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False).certificates.get()
    certificate_revoke(certificate=certificate, reason="Issued by mistake", by=None)

    with pytest.raises(ValidationError):
        cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False)


def test_reissuing_supersedes_the_old_certificate_with_a_new_serial_and_the_corrected_name(issuer):
    cohort, _, _ = _cohort_with(issuer, ("Arta", "Krasniqi"))
    old = cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False).certificates.get()
    registrar = UserFactory(username="lindita")

    new = certificate_reissue(
        certificate=old, reason="Name misspelt", holder_name="Arta Krasniqi-Gashi", by=registrar,
        today=dt.date(2026, 7, 3), enqueue=False,
    )

    old.refresh_from_db()
    assert (old.status, old.serial) == ("superseded", "VTC-PZ-2026-000001")
    assert (new.status, new.serial, new.holder_name, new.replaces) == ("pending", "VTC-PZ-2026-000002", "Arta Krasniqi-Gashi", old)
    assert new.verification_token != old.verification_token
    assert new.batch.kind == "reissue"
    assert [(e.kind, e.reason, e.by) for e in CertificateEvent.objects.filter(kind__in=["superseded", "reissued"]).order_by("id")] == [
        ("superseded", "Name misspelt", registrar),
        ("reissued", "Name misspelt", registrar),
    ]
    assert LogEntry.objects.get_for_object(new).get().additional_data == {"reason": "Name misspelt"}
    with pytest.raises(ValidationError) as again:
        certificate_reissue(certificate=old, reason="again", by=registrar, enqueue=False)
    assert again.value.messages == ["Only a valid certificate can be reissued."]


def test_a_template_edit_is_saved_as_the_next_version_and_old_certificates_keep_theirs(issuer, private_media):
    cohort, _, _ = _cohort_with(issuer, ("Arta", "Krasniqi"))
    old = cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False).certificates.get()
    v1 = issuer_template(issuer=issuer)

    v2 = certificate_template_save(issuer=issuer, html=v1.html, css=v1.css + "\nh1 { color: #7a1f1f; }", note="Red title", by=None)

    assert (v1.version, v2.version, v2.note) == (1, 2, "Red title")
    assert old.template == v1
    assert issuer_template(issuer=issuer) == v2


def test_a_template_that_names_a_prison_is_refused(issuer, private_media):
    v1 = issuer_template(issuer=issuer)

    with pytest.raises(ValidationError) as refused:
        certificate_template_save(issuer=issuer, html=v1.html + "<p>Lipjan Correctional Centre for Women</p>", css=v1.css)

    assert refused.value.messages == [
        "The template contains words that tell a reader the holder was in custody: correctional.",
    ]
    assert issuer.templates.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_registrars_issuing_the_same_cohort_at_once_make_one_set_of_certificates(issuer):
    cohort, _, _ = _cohort_with(issuer, ("Arta", "Krasniqi"), ("Drita", "Gashi"), ("Edona", "Berisha"))
    outcomes = []
    barrier = threading.Barrier(2)

    def issue():
        try:
            barrier.wait()
            batch = cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False)
            outcomes.append(batch.certificates.count())
        except ValidationError as exc:
            outcomes.append(exc.code if hasattr(exc, "code") else "refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes, key=str) == [3, "nobody"]
    assert sorted(Certificate.objects.values_list("serial_number", flat=True)) == [1, 2, 3]
    assert Enrolment.objects.filter(certificates__isnull=False).distinct().count() == 3


def test_issuing_a_group_where_nobody_is_eligible_says_so(issuer):
    cohort, sessions = certified_cohort(issuer=issuer)
    graduate(cohort, sessions, first_name="Drita", last_name="Gashi", attended=2)

    with pytest.raises(ValidationError) as refused:
        cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False)

    assert refused.value.messages == ["Nobody in this group is eligible for a certificate yet."]
    assert SerialCounter.objects.count() == 0
