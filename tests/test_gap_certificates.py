"""Why a certificate could not be rendered is stored as a code with its parameters and worded, when shown, in
the reader's language; the technical detail (the error itself, in English) is kept for administrators. Reasons
stored as English text by earlier versions are mapped to codes by a data migration."""

import datetime as dt
import importlib
import io
import uuid

import pytest
from billiard.exceptions import SoftTimeLimitExceeded
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from PIL import Image

from certificates.models import Certificate, CertificateTemplate, RenderFailure
from certificates.services import (
    batch_retry,
    certificate_template_preview,
    certificates_render,
    cohort_issue_certificates,
    issuer_template,
)
from certificates.storage import private_storage
from certificates.tasks import render_certificates
from tests.factories_certificates import IssuerFactory, certified_cohort, graduate, registrar_for

pytestmark = pytest.mark.django_db

ISSUED = dt.date(2026, 7, 1)
LANGUAGES = ["sq", "sr", "sr-latn", "mk", "bs"]
IMAGE_UNREADABLE = "The image %(name)s could not be read."
TOO_LONG = "The certificate does not fit on one page; shorten the text or reduce the font sizes in the template."


@pytest.fixture
def issuer():
    return IssuerFactory(serial_prefix="VTC-PZ", organisation__name="Vocational Training Center Prizren")


def _issue(issuer, *people):
    cohort, sessions = certified_cohort(issuer=issuer)
    for first, last in people:
        graduate(cohort, sessions, first_name=first, last_name=last)
    return cohort_issue_certificates(cohort=cohort, by=None, today=ISSUED, enqueue=False)


def _png() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (40, 20), (31, 78, 121)).save(image, format="PNG")
    return image.getvalue()


@pytest.fixture
def logo_gone(issuer, private_media):
    """One certificate whose issuer's logo went missing after it was issued. (A name of its own: the renderer
    keeps the images it has read for the life of the process.)"""
    issuer.logo.name = private_storage().write_atomic(f"issuers/logo-{uuid.uuid4().hex}.png", _png())
    issuer.save()
    certificate = _issue(issuer, ("Arta", "Krasniqi")).certificates.get()
    (private_media / issuer.logo.name).unlink()
    return certificate


def _in(language, msgid, **params):
    with translation.override(language):
        return gettext(msgid) % params


def _reader(client, issuer, language):
    client.force_login(registrar_for(issuer.organisation, username="lindita"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


# ------------------------------------------------------------------------------------------------ stored


def test_a_missing_image_is_stored_as_a_code_with_the_images_name_and_the_detail(logo_gone):
    certificates_render(certificate_ids=[logo_gone.pk])

    logo_gone.refresh_from_db()
    logo = logo_gone.issuer.logo.name
    assert (logo_gone.status, logo_gone.failure_code, logo_gone.failure_params) == (
        "failed", "image_unreadable", {"name": logo},
    )
    assert logo_gone.failure_reason.startswith(f"The image {logo} could not be read: ")


def test_a_retry_clears_the_reason_and_a_successful_render_keeps_none(logo_gone):
    certificates_render(certificate_ids=[logo_gone.pk])
    private_storage().write_atomic(logo_gone.issuer.logo.name, _png())

    batch_retry(batch=logo_gone.batch, by=None)
    logo_gone.refresh_from_db()
    cleared = (logo_gone.status, logo_gone.failure_code, logo_gone.failure_params, logo_gone.failure_reason)
    certificates_render(certificate_ids=[logo_gone.pk])
    logo_gone.refresh_from_db()

    assert cleared == ("pending", "", {}, "")
    assert (logo_gone.status, logo_gone.failure_code, logo_gone.failure_message) == ("ready", "", "")


def test_a_task_that_gives_up_marks_its_certificates_as_stopped_with_the_error_as_detail(issuer):
    certificate = _issue(issuer, ("Arta", "Krasniqi")).certificates.get()

    render_certificates.on_failure(SoftTimeLimitExceeded(), "task-1", ([certificate.pk],), {}, None)

    certificate.refresh_from_db()
    assert (certificate.status, certificate.failure_code, certificate.failure_params) == ("failed", "stopped", {})
    assert certificate.failure_reason == "Rendering stopped: SoftTimeLimitExceeded()"


# ------------------------------------------------------------------------------------------------ shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_certificate_page_gives_the_reason_in_the_readers_language_and_the_detail_apart(
    client, issuer, logo_gone, language
):
    certificates_render(certificate_ids=[logo_gone.pk])
    logo_gone.refresh_from_db()

    page = _reader(client, issuer, language).get(f"/certificates/{logo_gone.pk}/").content.decode()

    reason = _in(language, IMAGE_UNREADABLE, name=logo_gone.issuer.logo.name)
    assert f'<span data-testid="failure">{escape(reason)}</span>' in page
    assert f'data-testid="failure-detail">{escape(logo_gone.failure_reason)}</code>' in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_batch_page_lists_each_failure_in_the_readers_language(client, issuer, private_media, language):
    v1 = issuer_template(issuer=issuer)
    # Saved directly: the service would have refused a version that does not fit.
    CertificateTemplate.objects.create(
        issuer=issuer, version=2, html=v1.html,
        css=v1.css + "\n.certificate { height: auto; } .body { position: static; padding-top: 400mm; }",
    )
    batch = _issue(issuer, ("Arta", "Krasniqi"), ("Drita", "Gashi"))
    too_long, legacy = batch.certificates.order_by("serial_number")
    certificates_render(certificate_ids=[too_long.pk])
    # A reason an earlier version stored in English, which the data migration could not match.
    Certificate.objects.filter(pk=legacy.pk).update(status="failed", failure_code="unknown", failure_reason="Disk full")

    page = _reader(client, issuer, language).get(f"/certificates/batches/{batch.pk}/").content.decode()
    fragment = client.get(f"/certificates/batches/{batch.pk}/progress/").content.decode()

    too_long.refresh_from_db()
    assert (too_long.failure_code, too_long.failure_params) == ("too_long", {"pages": 2})
    for html in (page, fragment):
        assert f'<span data-testid="failure-{too_long.pk}">{escape(_in(language, TOO_LONG))}</span>' in html
        assert f'<span data-testid="failure-{legacy.pk}">{escape(_in(language, "Rendering failed"))}</span>' in html
        assert "Disk full" not in html
    # "Rendering failed" is translated already: the page really is in the reader's language.
    assert _in(language, "Rendering failed") != "Rendering failed"


def test_a_broken_template_is_explained_in_the_readers_language_then_in_detail(issuer):
    with translation.override("mk"), pytest.raises(ValidationError) as refused:
        certificate_template_preview(issuer=issuer, html="{% if %}", css="", language="sq")

    reason, detail = refused.value.messages
    assert reason == _in("mk", "The certificate template has an error.")
    assert detail.startswith("The template has an error: ")


def test_a_code_or_parameters_this_version_does_not_know_read_as_the_generic_reason():
    with translation.override("sq"):
        assert RenderFailure.message("melted") == gettext("Rendering failed")
        assert RenderFailure.message(RenderFailure.IMAGE_UNREADABLE, {}) == gettext("Rendering failed")
        assert RenderFailure.message(RenderFailure.LAYOUT, {"extra": 1}) == gettext(
            "The certificate could not be laid out."
        )


# ------------------------------------------------------------------------------------------------ earlier data

MIGRATION = importlib.import_module("certificates.migrations.0003_render_failure_code")


@pytest.mark.parametrize(
    ("reason", "code", "params"),
    [
        ("The template has an error: Unclosed tag on line 3: 'if'.", "template_error", {}),
        ("The image issuers/7/logo.png could not be read: [Errno 2] No such file", "image_unreadable", {"name": "issuers/7/logo.png"}),
        ("The template could not be filled in: 'NoneType' object is not iterable", "template_fill", {}),
        ("WeasyPrint could not lay out the certificate: list index out of range", "layout", {}),
        (
            "The certificate does not fit on one page (it takes 3); shorten the text or reduce the font sizes in the template.",
            "too_long",
            {"pages": 3},
        ),
        ("Rendering stopped: SoftTimeLimitExceeded()", "stopped", {}),
        ("Something nobody foresaw", "unknown", {}),
    ],
)
def test_the_migration_turns_english_reasons_into_codes_and_keeps_the_text_as_detail(issuer, reason, code, params):
    certificate = _issue(issuer, ("Arta", "Krasniqi")).certificates.get()
    Certificate.objects.filter(pk=certificate.pk).update(status="failed", failure_reason=reason)

    MIGRATION.codes_from_reasons(apps, None)

    certificate.refresh_from_db()
    assert (certificate.failure_code, certificate.failure_params, certificate.failure_reason) == (code, params, reason)
