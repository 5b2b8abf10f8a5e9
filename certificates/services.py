"""Certificates: issuing in batches, rendering, revoking and reissuing, print packs, templates and overrides.

Numbering and rendering are separate on purpose. A batch numbers its certificates in one transaction (the
serial counter row locked, so serials are gapless per issuer and year) and hands their ids to Celery after the
commit. Rendering only ever turns a pending certificate into a ready or failed one: it creates no rows and takes
no serials, so running a task twice, or again after a worker died, cannot make a second certificate or lose one.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import logging
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerOperationalError

from certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateTemplate,
    EligibilityOverride,
    IssuanceBatch,
    Issuer,
    PrintPack,
    RenderFailure,
    SerialCounter,
)
from certificates.rendering import (
    WORDING,
    CertificateData,
    RenderError,
    SignatoryData,
    TemplateSource,
    custody_words_in,
    default_template_source,
    renderer,
)
from certificates.selectors import cohort_eligibility, enrolment_eligibility, latest_template
from certificates.storage import private_storage
from programs.models import Cohort, Enrolment
from rehab.audit import audit_log as _audit
from rehab.models import Facility, Organisation

logger = logging.getLogger(__name__)

# A broker that does not answer: the publish is given up after about a second, so a request never hangs on it.
# RuntimeError: Celery's own "cannot reach the result store" when a task wants its result kept.
BROKER_ERRORS = (BrokerOperationalError, ConnectionError, OSError, RuntimeError)
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}

# ------------------------------------------------------------------------------------------------ audit trail


# _audit writes the audit trail; it lives in rehab.audit (audit_log), shared with the other apps.


# ------------------------------------------------------------------------------------------------ issuers


def _default_prefix(organisation: Organisation) -> str:
    base = slugify(organisation.short_name or organisation.name).upper()
    base = re.sub(r"[^A-Z0-9]+", "-", base).strip("-")[:16] or "CERT"
    prefix, counter = base, 1
    while Issuer.objects.filter(serial_prefix=prefix).exists():
        counter += 1
        prefix = f"{base[:13]}-{counter}"
    return prefix


def issuer_for_organisation(*, organisation: Organisation) -> Issuer:
    """The training centre's certificate profile, made with a prefix from its short name the first time."""
    if organisation.kind != Organisation.Kind.TRAINING_CENTRE:
        raise ValidationError(_("Only a training centre can issue certificates."), code="not_training_centre")
    issuer = Issuer.objects.filter(organisation=organisation).select_related("organisation").first()
    if issuer is None:
        issuer, _created = Issuer.objects.get_or_create(
            organisation=organisation, defaults={"serial_prefix": _default_prefix(organisation)}
        )
    return issuer


def issuer_template(*, issuer: Issuer, by: AbstractBaseUser | None = None) -> CertificateTemplate:
    """The issuer's current template version; the first use creates version 1 from the default layout."""
    template = latest_template(issuer=issuer)
    if template is None:
        html, css = default_template_source()
        template, _created = CertificateTemplate.objects.get_or_create(
            issuer=issuer, version=1, defaults={"html": html, "css": css, "note": "Default layout", "created_by": by}
        )
    return template


# ------------------------------------------------------------------------------------------------ templates

SAMPLE_HOLDERS = {
    "en": "Jane Smith",
    "sq": "Arta Krasniqi",
    "sr": "Јелена Петровић",
    "sr-latn": "Marko Jovanović",
    "mk": "Ана Стојановска",
    "bs": "Amra Hodžić",
}
SAMPLE_COURSES = {
    "en": "Filigree jewellery making",
    "sq": "Punimi i bizhuterive në filigran",
    "sr": "Израда филигранског накита",
    "sr-latn": "Izrada filigranskog nakita",
    "mk": "Изработка на филигрански накит",
    "bs": "Izrada filigranskog nakita",
}
SAMPLE_TOKEN = "SAMPLE-not-a-real-certificate-00"


def _signatory_data(issuer: Issuer) -> tuple[SignatoryData, ...]:
    return tuple(
        SignatoryData(name=s.name, title=s.title, signature=s.signature.name or "")
        for s in issuer.signatories.filter(is_active=True).order_by("position", "id")[:3]
    )


def certificate_sample_data(*, issuer: Issuer, language: str, today: dt.date | None = None) -> CertificateData:
    """Made-up data for a template preview; nothing is saved."""
    today = today or timezone.localdate()
    language = language if language in WORDING else "en"
    return CertificateData(
        serial=f"{issuer.serial_prefix}-{today.year}-000123",
        holder_name=SAMPLE_HOLDERS[language],
        holder_language=language,
        language=language,
        course_title=SAMPLE_COURSES[language],
        course_title_en=SAMPLE_COURSES["en"],
        hours=300,
        start_date=today - dt.timedelta(days=365),
        end_date=today - dt.timedelta(days=14),
        issued_on=today,
        issuer_name=issuer.name,
        issuer_name_local=issuer.name_in(language),
        issuer_city=issuer.organisation.city,
        verification_url=f"{settings.SITE_URL}{reverse('certificates:verify', args=[SAMPLE_TOKEN])}",
        logo=issuer.logo.name or "",
        signatories=_signatory_data(issuer),
    )


def certificate_template_preview(*, issuer: Issuer, html: str, css: str, language: str) -> bytes:
    """The template rendered on sample data, as a PDF. Saves nothing; raises ValidationError on a broken template."""
    try:
        return renderer().render_one(TemplateSource(html=html, css=css), certificate_sample_data(issuer=issuer, language=language))
    except RenderError as exc:
        # The reason in the registrar's language, then the error itself: it says which line to correct.
        raise ValidationError([exc.reason, str(exc)], code="render") from exc


def _template_disclosure_problems(text: str) -> list[str]:
    problems = []
    words = custody_words_in(text)
    if words:
        problems.append(
            _("The template contains words that tell a reader the holder was in custody: %(words)s.")
            % {"words": ", ".join(words)}
        )
    lowered = text.lower()
    names = list(Facility.objects.values_list("name", flat=True))
    names += list(Organisation.objects.filter(kind=Organisation.Kind.PRISON_SERVICE).values_list("name", flat=True))
    named = [name for name in names if name and name.lower() in lowered]
    if named:
        problems.append(_("The template names a prison or prison service: %(names)s.") % {"names": ", ".join(named)})
    return problems


def certificate_template_save(
    *, issuer: Issuer, html: str, css: str, note: str = "", by: AbstractBaseUser | None = None
) -> CertificateTemplate:
    """Save the next version of the issuer's template, after checking it renders on one page in every language
    and names no prison. Earlier versions stay as they are, with the certificates rendered from them."""
    problems = _template_disclosure_problems(f"{html}\n{css}")
    if problems:
        raise ValidationError(problems, code="disclosure")
    for language in WORDING:
        certificate_template_preview(issuer=issuer, html=html, css=css, language=language)
    with transaction.atomic(), disable_auditlog():
        locked = Issuer.objects.select_for_update().get(pk=issuer.pk)
        current = latest_template(issuer=locked)
        if current is not None and current.html == html and current.css == css:
            return current
        template = CertificateTemplate.objects.create(
            issuer=locked,
            version=(current.version + 1) if current else 1,
            html=html,
            css=css,
            note=note.strip(),
            created_by=by,
        )
        _audit([template], action=LogEntry.Action.CREATE, by=by, reason=note.strip())
    return template


# ------------------------------------------------------------------------------------------------ eligibility


def eligibility_override_create(*, enrolment: Enrolment, reason: str, by: AbstractBaseUser | None) -> EligibilityOverride:
    """Certify an enrolment that does not meet the rules; the reason and the rules it does not meet are kept."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for the override."), code="reason")
    eligibility = enrolment_eligibility(enrolment=enrolment)
    if eligibility.meets_rules:
        raise ValidationError(_("This enrolment already meets the rules; no override is needed."), code="eligible")
    with transaction.atomic(), disable_auditlog():
        override = EligibilityOverride.objects.create(
            enrolment=enrolment, reason=reason, unmet_rules=eligibility.reasons, created_by=by
        )
        _audit([override], action=LogEntry.Action.CREATE, by=by, reason=reason)
    return override


def cohort_disclosure_problems(*, cohort: Cohort) -> list[str]:
    """What, in the text a certificate of this cohort would carry, could tell a reader the holder was in custody."""
    course = cohort.course
    issuer_org = course.issuer
    language = course.language
    texts = [course.title, course.title_in(language)]
    if issuer_org is not None:
        issuer = Issuer.objects.filter(organisation=issuer_org).select_related("organisation").first()
        texts += [issuer_org.name, issuer_org.city]
        if issuer is not None:
            texts.append(issuer.name_in(language))
            texts += [f"{s.name} {s.title}" for s in issuer.signatories.filter(is_active=True)]
    text = "\n".join(texts)
    problems = []
    words = custody_words_in(text)
    if words:
        problems.append(
            _("The course title or the issuer's details contain words that tell a reader the holder was in "
              "custody (%(words)s). Change them before issuing.") % {"words": ", ".join(words)}
        )
    facility = cohort.facility
    for name in (facility.name, facility.prison_service.name, facility.prison_service.short_name):
        if name and name.lower() in text.lower():
            problems.append(
                _("The course title or the issuer's details name “%(name)s”. Change them before issuing.") % {"name": name}
            )
    return problems


# ------------------------------------------------------------------------------------------------ issuing


def _allocate_serials(*, issuer: Issuer, year: int, count: int) -> list[int]:
    """The next `count` numbers for the issuer and year. The counter row stays locked until the calling
    transaction ends, and rolls back with it, so numbers are never skipped or given twice."""
    SerialCounter.objects.bulk_create([SerialCounter(issuer=issuer, year=year)], ignore_conflicts=True)
    counter = SerialCounter.objects.select_for_update().get(issuer=issuer, year=year)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return list(range(first, first + count))


def format_serial(*, issuer: Issuer, year: int, number: int) -> str:
    return f"{issuer.serial_prefix}-{year}-{number:06d}"


CYRILLIC_LANGUAGES = {"sr", "mk"}


def holder_name_language(name: str, *candidates: str) -> str:
    """The language to mark a name with (for its letter forms): the first candidate written in the name's
    script; for a Cyrillic name with no such candidate, Serbian."""
    cyrillic = any("\u0400" <= char <= "\u04ff" for char in name)
    for code in candidates:
        if code and (code in CYRILLIC_LANGUAGES) == cyrillic:
            return code
    return "sr" if cyrillic else "en"


def _snapshot(
    *, enrolment: Enrolment, issuer: Issuer, issued_on: dt.date, signatories: Sequence[SignatoryData] | None = None
) -> dict:
    course = enrolment.cohort.course
    if signatories is None:
        signatories = _signatory_data(issuer)
    language = course.language if course.language in WORDING else "en"
    person = enrolment.participant
    return {
        "holder_name": person.full_name,
        "holder_language": holder_name_language(person.full_name, getattr(person, "preferred_language", ""), language),
        "language": language,
        "course_title": course.title_in(language),
        "course_title_en": course.title,
        "hours": course.planned_hours,
        "start_date": enrolment.cohort.start_date,
        "end_date": enrolment.cohort.end_date,
        "issued_on": issued_on,
        "issuer_name": issuer.name,
        "issuer_name_local": issuer.name_in(language),
        "issuer_city": issuer.organisation.city,
        "signatories": [{"name": s.name, "title": s.title, "signature": s.signature} for s in signatories],
    }


def _render_chunks(ids: Sequence[int]) -> list[list[int]]:
    """Split ids into tasks: small batches into several so both workers start at once, large ones into chunks
    of at most CERTIFICATES_RENDER_CHUNK, so a task is short and a lost worker costs little."""
    largest = getattr(settings, "CERTIFICATES_RENDER_CHUNK", 20)
    size = max(1, min(largest, math.ceil(len(ids) / 4)))
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def certificates_enqueue_rendering(certificate_ids: Sequence[int]) -> int:
    """Queue rendering tasks and return how many certificates were handed to the broker; call it from
    transaction.on_commit so workers never see uncommitted rows.

    When the broker (Redis) cannot be reached, the request that issued the certificates must still succeed: the
    rows are committed and stay pending with no `queued_at`, the page says they are waiting for the queue, and
    certificates_requeue_pending (every minute from Celery beat, and when a worker starts) queues them once the
    broker is back.
    """
    from certificates.tasks import render_certificates

    queued = 0
    for chunk in _render_chunks(list(certificate_ids)):
        try:
            render_certificates.apply_async((chunk,), retry=True, retry_policy=PUBLISH_RETRY_POLICY, ignore_result=True)
        except BROKER_ERRORS as exc:
            logger.warning("Broker unreachable, %d certificates wait to be queued: %r", len(certificate_ids) - queued, exc)
            break
        Certificate.objects.filter(pk__in=chunk).update(queued_at=timezone.now())
        queued += len(chunk)
    return queued


def certificates_requeue_pending(*, stale_after: dt.timedelta = dt.timedelta(minutes=30)) -> int:
    """Queue the pending certificates that never reached the broker, or whose task was queued so long ago that
    it must have been lost (a broker that lost its data). Safe at any time: a certificate is rendered once
    however often it is queued, because rendering claims only pending rows."""
    waiting = (
        Certificate.objects.filter(status=Certificate.Status.PENDING)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=timezone.now() - stale_after))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    queued = certificates_enqueue_rendering(list(waiting))
    # Print packs have no queue stamp; one still pending a few minutes after it was asked for was not queued or
    # was lost, and building it twice is harmless (a built pack is left alone).
    packs = PrintPack.objects.filter(
        status=PrintPack.Status.PENDING, requested_at__lt=timezone.now() - dt.timedelta(minutes=2)
    ).values_list("pk", flat=True)
    for pack_id in packs:
        _print_pack_enqueue(pack_id)
    return queued


def cohort_issue_certificates(
    *,
    cohort: Cohort,
    by: AbstractBaseUser | None,
    enrolment_ids: Iterable[int] | None = None,
    today: dt.date | None = None,
    enqueue: bool = True,
) -> IssuanceBatch:
    """Issue certificates to every enrolment of the cohort that may have one now (or to those named): one batch,
    its certificates and their serials in one transaction; rendering is queued after the commit."""
    issued_on = today or timezone.localdate()
    with transaction.atomic(), disable_auditlog():
        # Concurrent issuing for the same cohort waits here, then sees the certificates the first one made.
        locked = (
            Cohort.objects.select_for_update(of=("self",))
            .select_related("course__issuer", "facility__prison_service")
            .get(pk=cohort.pk)
        )
        if locked.course.issuer is None:
            raise ValidationError(_("The course of this cohort has no certifying training centre."), code="no_issuer")
        problems = cohort_disclosure_problems(cohort=locked)
        if problems:
            raise ValidationError(problems, code="disclosure")
        everyone = cohort_eligibility(cohort=locked, enrolment_ids=enrolment_ids)
        rows = [row for row in everyone if row.can_issue]
        if not rows:
            if any(row.eligible for row in everyone):
                message = _("Nobody in this group can be issued a certificate now: everyone eligible already has one.")
            else:
                message = _("Nobody in this group is eligible for a certificate yet.")
            raise ValidationError(message, code="nobody")
        issuer = issuer_for_organisation(organisation=locked.course.issuer)
        template = issuer_template(issuer=issuer, by=by)
        batch = IssuanceBatch.objects.create(cohort=locked, issuer=issuer, template=template, created_by=by)
        numbers = _allocate_serials(issuer=issuer, year=issued_on.year, count=len(rows))
        signatories = _signatory_data(issuer)
        certificates = []
        for row, number in zip(rows, numbers, strict=True):
            snapshot = _snapshot(enrolment=row.enrolment, issuer=issuer, issued_on=issued_on, signatories=signatories)
            certificates.append(
                Certificate(
                    enrolment=row.enrolment,
                    issuer=issuer,
                    batch=batch,
                    template=template,
                    override=None if row.meets_rules else row.override,
                    serial=format_serial(issuer=issuer, year=issued_on.year, number=number),
                    serial_year=issued_on.year,
                    serial_number=number,
                    **snapshot,
                )
            )
        Certificate.objects.bulk_create(certificates)
        CertificateEvent.objects.bulk_create(
            CertificateEvent(
                certificate=c,
                kind=CertificateEvent.Kind.ISSUED,
                reason=_("Override: %(reason)s") % {"reason": c.override.reason} if c.override else "",
                by=by,
            )
            for c in certificates
        )
        _audit([batch], action=LogEntry.Action.CREATE, by=by, reason=_("Certificates issued for %(cohort)s") % {"cohort": locked.name})
        _audit(certificates, action=LogEntry.Action.CREATE, by=by, reason=_("Issued in batch %(batch)s") % {"batch": batch.pk})
        if enqueue:
            transaction.on_commit(partial(certificates_enqueue_rendering, [c.pk for c in certificates]))
    return batch


def certificate_revoke(*, certificate: Certificate, reason: str, by: AbstractBaseUser | None) -> Certificate:
    """Withdraw a certificate: its verification page then answers that it was revoked. It keeps its serial."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for revoking the certificate."), code="reason")
    with transaction.atomic(), disable_auditlog():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if not locked.is_live:
            raise ValidationError(
                _("This certificate is already %(status)s.") % {"status": locked.get_status_display().lower()},
                code="not_live",
            )
        before = copy.copy(locked)
        locked.status = Certificate.Status.REVOKED
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.revocation_reason = reason
        locked.save(update_fields=["status", "revoked_at", "revoked_by", "revocation_reason"])
        CertificateEvent.objects.create(certificate=locked, kind=CertificateEvent.Kind.REVOKED, reason=reason, by=by)
        _audit([locked], action=LogEntry.Action.UPDATE, by=by, reason=reason, before={locked.pk: before})
    return locked


def certificate_reissue(
    *,
    certificate: Certificate,
    reason: str,
    by: AbstractBaseUser | None,
    holder_name: str | None = None,
    today: dt.date | None = None,
    enqueue: bool = True,
) -> Certificate:
    """Replace a certificate with a new one (a new serial and code), for example to correct the name. The old
    one is superseded: its verification page says so."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for reissuing the certificate."), code="reason")
    issued_on = today or timezone.localdate()
    with transaction.atomic(), disable_auditlog():
        old = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("issuer__organisation", "enrolment__cohort__course", "enrolment__inmate", "enrolment__staff_member")
            .get(pk=certificate.pk)
        )
        if not old.is_live:
            raise ValidationError(_("Only a valid certificate can be reissued."), code="not_live")
        cohort = Cohort.objects.select_related("course__issuer", "facility__prison_service").get(pk=old.enrolment.cohort_id)
        problems = cohort_disclosure_problems(cohort=cohort)
        if problems:
            raise ValidationError(problems, code="disclosure")
        issuer = old.issuer
        template = issuer_template(issuer=issuer, by=by)
        snapshot = _snapshot(enrolment=old.enrolment, issuer=issuer, issued_on=issued_on)
        if holder_name and holder_name.strip():
            snapshot["holder_name"] = holder_name.strip()
            snapshot["holder_language"] = holder_name_language(
                snapshot["holder_name"], snapshot["holder_language"], snapshot["language"]
            )

        before = copy.copy(old)
        old.status = Certificate.Status.SUPERSEDED
        old.save(update_fields=["status"])
        batch = IssuanceBatch.objects.create(
            cohort=cohort, issuer=issuer, template=template, kind=IssuanceBatch.Kind.REISSUE, created_by=by
        )
        (number,) = _allocate_serials(issuer=issuer, year=issued_on.year, count=1)
        new = Certificate.objects.create(
            enrolment=old.enrolment,
            issuer=issuer,
            batch=batch,
            template=template,
            override=old.override,
            replaces=old,
            serial=format_serial(issuer=issuer, year=issued_on.year, number=number),
            serial_year=issued_on.year,
            serial_number=number,
            **snapshot,
        )
        CertificateEvent.objects.create(certificate=old, kind=CertificateEvent.Kind.SUPERSEDED, reason=reason, by=by)
        CertificateEvent.objects.create(certificate=new, kind=CertificateEvent.Kind.REISSUED, reason=reason, by=by)
        _audit([old], action=LogEntry.Action.UPDATE, by=by, reason=reason, before={old.pk: before})
        _audit([new], action=LogEntry.Action.CREATE, by=by, reason=reason)
        if enqueue:
            transaction.on_commit(partial(certificates_enqueue_rendering, [new.pk]))
    return new


# The reason a certificate failed to render, cleared when it is queued again or rendered.
FAILURE_FIELDS = ("failure_code", "failure_params", "failure_reason")


def _clear_failure(certificate: Certificate) -> None:
    certificate.failure_code, certificate.failure_params, certificate.failure_reason = "", {}, ""


def batch_retry(*, batch: IssuanceBatch, by: AbstractBaseUser | None) -> int:
    """Queue the batch's failed certificates again, and any still waiting (say, the broker was down when the
    batch was issued). Returns how many were queued."""
    with transaction.atomic():
        failed = list(batch.certificates.select_for_update().filter(status=Certificate.Status.FAILED))
        for certificate in failed:
            certificate.status = Certificate.Status.PENDING
            _clear_failure(certificate)
        Certificate.objects.bulk_update(failed, ["status", *FAILURE_FIELDS])
        CertificateEvent.objects.bulk_create(
            CertificateEvent(certificate=c, kind=CertificateEvent.Kind.RENDER_RETRIED, by=by) for c in failed
        )
        pending = list(batch.certificates.filter(status=Certificate.Status.PENDING).values_list("pk", flat=True))
        if pending:
            transaction.on_commit(partial(certificates_enqueue_rendering, pending))
    return len(pending)


# ------------------------------------------------------------------------------------------------ rendering


def verification_url(*, token: str) -> str:
    return f"{settings.SITE_URL}{reverse('certificates:verify', args=[token])}"


def certificate_data(*, certificate: Certificate) -> CertificateData:
    """What the PDF shows: the snapshot only, never the enrolment, the inmate or the facility."""
    return CertificateData(
        serial=certificate.serial,
        holder_name=certificate.holder_name,
        holder_language=certificate.holder_language,
        language=certificate.language,
        course_title=certificate.course_title,
        course_title_en=certificate.course_title_en,
        hours=certificate.hours,
        start_date=certificate.start_date,
        end_date=certificate.end_date,
        issued_on=certificate.issued_on,
        issuer_name=certificate.issuer_name,
        issuer_name_local=certificate.issuer_name_local,
        issuer_city=certificate.issuer_city,
        verification_url=verification_url(token=certificate.verification_token),
        logo=certificate.issuer.logo.name or "",
        signatories=tuple(SignatoryData(**s) for s in certificate.signatories),
    )


def certificate_pdf_name(certificate: Certificate) -> str:
    # The token's start keeps names unique across databases that share a storage folder (tests, demos).
    return f"certificates/{certificate.issuer_id}/{certificate.serial_year}/{certificate.serial}-{certificate.verification_token[:8]}.pdf"


@dataclass(frozen=True)
class RenderResult:
    done: int
    failed: int
    skipped: int


def certificates_render(*, certificate_ids: Sequence[int]) -> RenderResult:
    """Render the pending certificates among `certificate_ids` and store their PDFs.

    Rows are claimed with SKIP LOCKED, so a duplicate of the same task running at the same time skips them, and
    only pending rows are taken, so a task that runs again after success does nothing. If the process dies,
    its transaction is rolled back and the rows are pending again for the redelivered task; the file name is
    fixed per certificate and written atomically, so a re-render replaces the earlier file and never adds one.
    """
    ids = list(dict.fromkeys(certificate_ids))
    with transaction.atomic():
        claimed = list(
            Certificate.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=ids, status=Certificate.Status.PENDING)
            .select_related("template", "issuer")
            .order_by("pk")
        )
        storage = private_storage()
        done = failed = 0
        for certificate in claimed:
            source = TemplateSource(
                html=certificate.template.html, css=certificate.template.css, key=("template", certificate.template_id)
            )
            certificate.render_attempts += 1
            try:
                content = renderer().render_one(source, certificate_data(certificate=certificate))
            except RenderError as exc:
                certificate.status = Certificate.Status.FAILED
                certificate.failure_code = exc.code
                certificate.failure_params = exc.params
                certificate.failure_reason = str(exc)[:2000]
                failed += 1
                continue
            name = storage.write_atomic(certificate_pdf_name(certificate), content)
            certificate.pdf = name
            certificate.pdf_sha256 = hashlib.sha256(content).hexdigest()
            certificate.rendered_at = timezone.now()
            certificate.status = Certificate.Status.READY
            _clear_failure(certificate)
            done += 1
        Certificate.objects.bulk_update(
            claimed, ["status", "pdf", "pdf_sha256", "rendered_at", "render_attempts", *FAILURE_FIELDS]
        )
    return RenderResult(done=done, failed=failed, skipped=len(ids) - len(claimed))


def certificates_mark_failed(*, certificate_ids: Sequence[int], detail: str) -> int:
    """After a task has given up (retries exhausted), mark the certificates it left pending as stopped, with
    the error that stopped it as the technical detail."""
    return Certificate.objects.filter(pk__in=list(certificate_ids), status=Certificate.Status.PENDING).update(
        status=Certificate.Status.FAILED, failure_code=RenderFailure.STOPPED, failure_params={}, failure_reason=detail[:2000]
    )


# ------------------------------------------------------------------------------------------------ print packs


def print_pack_request(*, cohort: Cohort, kind: str, by: AbstractBaseUser | None) -> PrintPack:
    """Ask a worker to build the cohort's print pack (one merged PDF or a ZIP of PDFs)."""
    if kind not in PrintPack.Kind.values:
        raise ValidationError(_("Unknown print pack format."), code="kind")
    if not Certificate.objects.filter(enrolment__cohort=cohort, status=Certificate.Status.READY).exists():
        raise ValidationError(_("This group has no rendered certificates to print yet."), code="empty")

    with transaction.atomic():
        pack = PrintPack.objects.create(cohort=cohort, kind=kind, requested_by=by)
        transaction.on_commit(partial(_print_pack_enqueue, pack.pk))
    return pack


def _print_pack_enqueue(pack_id: int) -> None:
    from certificates.tasks import build_print_pack

    try:
        build_print_pack.apply_async((pack_id,), retry=True, retry_policy=PUBLISH_RETRY_POLICY, ignore_result=True)
    except BROKER_ERRORS as exc:
        # The pack stays pending; certificates_requeue_pending queues it once the broker answers.
        logger.warning("Broker unreachable, print pack %s waits to be queued: %r", pack_id, exc)


def _pack_member_name(certificate: Certificate) -> str:
    holder = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", certificate.holder_name).strip()
    return f"{certificate.serial} {holder}.pdf"


def print_pack_build(*, pack_id: int) -> PrintPack:
    """Build a requested print pack from the cohort's ready certificates, in serial order. Safe to run twice:
    a pack that is built (or being built by another worker) is left alone."""
    from pypdf import PdfWriter

    with transaction.atomic():
        pack = (
            PrintPack.objects.select_for_update(skip_locked=True)
            .filter(pk=pack_id, status=PrintPack.Status.PENDING)
            .first()
        )
        if pack is None:
            return PrintPack.objects.get(pk=pack_id)
        certificates = list(
            Certificate.objects.filter(enrolment__cohort_id=pack.cohort_id, status=Certificate.Status.READY).order_by(
                "serial_year", "serial_number"
            )
        )
        storage = private_storage()
        buffer = io.BytesIO()
        try:
            if pack.kind == PrintPack.Kind.PDF:
                writer = PdfWriter()
                for certificate in certificates:
                    with storage.open(certificate.pdf.name, "rb") as handle:
                        writer.append(io.BytesIO(handle.read()))
                writer.write(buffer)
                extension = "pdf"
            else:
                # PDFs are compressed already; storing them is as small and much faster.
                with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
                    for certificate in certificates:
                        with storage.open(certificate.pdf.name, "rb") as handle:
                            archive.writestr(_pack_member_name(certificate), handle.read())
                extension = "zip"
        except OSError as exc:
            pack.status = PrintPack.Status.FAILED
            pack.failure_reason = str(exc)[:2000]
        else:
            pack.file = storage.write_atomic(f"print-packs/{pack.cohort_id}/{pack.pk}.{extension}", buffer.getvalue())
            pack.status = PrintPack.Status.READY
            pack.certificate_count = len(certificates)
        pack.finished_at = timezone.now()
        pack.save(update_fields=["file", "status", "certificate_count", "failure_reason", "finished_at"])
    return pack


def print_pack_file_name(pack: PrintPack) -> str:
    base = slugify(pack.cohort.name) or f"cohort-{pack.cohort_id}"
    return f"certificates-{base}-{pack.requested_at:%Y%m%d}.{pack.kind}"
