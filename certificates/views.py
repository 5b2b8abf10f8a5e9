"""Certificate screens for registrars, and the public verification page.

Every registrar view checks the role (403) and fetches through a scoped queryset (404 outside the user's
training centres). Input is validated by a form; the change is made by a service.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from certificates.forms import (
    IssuerForm,
    OverrideForm,
    PrintPackForm,
    ReissueForm,
    RevokeForm,
    SignatoryFormSet,
    TemplateForm,
)
from certificates.models import Certificate, CertificateEvent, IssuanceBatch, PrintPack
from certificates.rendering import LANGUAGE_TAGS
from certificates.selectors import (
    batch_progress,
    batches_for,
    certifiable_cohort_list,
    certifiable_cohorts_for,
    certificates_for,
    cohort_eligibility,
    enrolment_eligibility,
    issuing_organisations_for,
    latest_template,
    print_packs_for,
)
from certificates.services import (
    batch_retry,
    certificate_reissue,
    certificate_revoke,
    certificate_template_preview,
    certificate_template_save,
    cohort_disclosure_problems,
    cohort_issue_certificates,
    eligibility_override_create,
    issuer_for_organisation,
    issuer_template,
    print_pack_file_name,
    print_pack_request,
)
from certificates.storage import private_storage
from programs.models import Enrolment
from rehab.models import Role
from rehab.permissions import role_required

CERTIFICATE_ROLES = (Role.REGISTRAR, Role.SYSTEM_ADMINISTRATOR)


def _private_file(name: str, *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    try:
        handle = private_storage().open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


# ------------------------------------------------------------------------------------------------ cohorts


@role_required(*CERTIFICATE_ROLES)
def cohort_list(request: HttpRequest) -> HttpResponse:
    context = {
        "organisations": issuing_organisations_for(user=request.user).order_by("name"),
        "cohorts": certifiable_cohort_list(user=request.user),
    }
    return render(request, "certificates/cohort_list.html", context)


def _cohort(request: HttpRequest, pk: int):
    return get_object_or_404(
        certifiable_cohorts_for(user=request.user).select_related("course__issuer", "facility__prison_service"), pk=pk
    )


@role_required(*CERTIFICATE_ROLES)
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    rows = cohort_eligibility(cohort=cohort)
    context = {
        "cohort": cohort,
        "rows": rows,
        "issuable": sum(1 for row in rows if row.can_issue),
        "problems": cohort_disclosure_problems(cohort=cohort),
        "batches": cohort.issuance_batches.select_related("created_by").order_by("-created_at", "-id")[:10],
        "packs": cohort.print_packs.order_by("-requested_at", "-id")[:6],
        "pack_form": PrintPackForm(),
        "has_ready": any(row.live_certificate and row.live_certificate.status == Certificate.Status.READY for row in rows),
    }
    return render(request, "certificates/cohort_detail.html", context)


@require_POST
@role_required(*CERTIFICATE_ROLES)
def cohort_issue(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    try:
        batch = cohort_issue_certificates(cohort=cohort, by=request.user)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("certificates:cohort_detail", pk=cohort.pk)
    count = batch.certificates.count()
    messages.success(request, _("%(count)d certificates issued; they are being rendered.") % {"count": count})
    return redirect("certificates:batch_detail", pk=batch.pk)


@role_required(*CERTIFICATE_ROLES)
def enrolment_override(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(
        Enrolment.objects.filter(cohort__in=certifiable_cohorts_for(user=request.user)).select_related(
            "cohort__course", "inmate", "staff_member"
        ),
        pk=pk,
    )
    eligibility = enrolment_eligibility(enrolment=enrolment)
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            eligibility_override_create(enrolment=enrolment, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("%(name)s can now be issued a certificate.") % {"name": enrolment.participant_name}
            )
            return redirect("certificates:cohort_detail", pk=enrolment.cohort_id)
    return render(
        request, "certificates/override_form.html", {"enrolment": enrolment, "eligibility": eligibility, "form": form}
    )


# ------------------------------------------------------------------------------------------------ batches


def _batch(request: HttpRequest, pk: int) -> IssuanceBatch:
    return get_object_or_404(
        batches_for(user=request.user).select_related("cohort", "issuer__organisation", "created_by"), pk=pk
    )


def _progress_context(batch: IssuanceBatch) -> dict:
    return {
        "batch": batch,
        "progress": batch_progress(batch=batch),
        "failures": batch.certificates.filter(status=Certificate.Status.FAILED).order_by("serial_number"),
    }


@role_required(*CERTIFICATE_ROLES)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    context = _progress_context(batch) | {
        "certificates": batch.certificates.order_by("serial_year", "serial_number"),
    }
    return render(request, "certificates/batch_detail.html", context)


@role_required(*CERTIFICATE_ROLES)
def batch_progress_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx while the batch renders."""
    batch = _batch(request, pk)
    return render(request, "certificates/_batch_progress.html", _progress_context(batch))


@require_POST
@role_required(*CERTIFICATE_ROLES)
def batch_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    queued = batch_retry(batch=batch, by=request.user)
    messages.info(request, _("%(count)d certificates queued for rendering again.") % {"count": queued})
    return redirect("certificates:batch_detail", pk=batch.pk)


# ------------------------------------------------------------------------------------------------ certificates


def _certificate(request: HttpRequest, pk: int) -> Certificate:
    return get_object_or_404(
        certificates_for(user=request.user).select_related(
            "enrolment__cohort", "issuer__organisation", "batch", "replaces", "revoked_by", "override__created_by"
        ),
        pk=pk,
    )


@role_required(*CERTIFICATE_ROLES)
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _certificate(request, pk)
    context = {
        "certificate": certificate,
        "replaced_by": Certificate.objects.filter(replaces=certificate).first(),
        "events": CertificateEvent.objects.filter(certificate=certificate).select_related("by").order_by("at", "id"),
        "revoke_form": RevokeForm(),
        "reissue_form": ReissueForm(initial={"holder_name": certificate.holder_name}),
    }
    return render(request, "certificates/certificate_detail.html", context)


@role_required(*CERTIFICATE_ROLES)
def certificate_download(request: HttpRequest, pk: int) -> FileResponse:
    certificate = _certificate(request, pk)
    if not certificate.pdf:
        raise Http404
    return _private_file(
        certificate.pdf.name,
        filename=f"{certificate.serial}.pdf",
        content_type="application/pdf",
        inline=request.GET.get("inline") == "1",
    )


@require_POST
@role_required(*CERTIFICATE_ROLES)
def certificate_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _certificate(request, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            certificate_revoke(certificate=certificate, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Certificate %(serial)s revoked.") % {"serial": certificate.serial})
    else:
        messages.error(request, _("Give the reason for revoking the certificate."))
    return redirect("certificates:certificate_detail", pk=certificate.pk)


@role_required(*CERTIFICATE_ROLES)
def certificate_reissue_view(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _certificate(request, pk)
    form = ReissueForm(request.POST or None, initial={"holder_name": certificate.holder_name})
    if request.method == "POST" and form.is_valid():
        try:
            new = certificate_reissue(
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                holder_name=form.cleaned_data["holder_name"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Certificate %(old)s is superseded by %(new)s, which is being rendered.")
                % {"old": certificate.serial, "new": new.serial},
            )
            return redirect("certificates:certificate_detail", pk=new.pk)
    return render(request, "certificates/reissue_form.html", {"certificate": certificate, "form": form})


# ------------------------------------------------------------------------------------------------ print packs


@require_POST
@role_required(*CERTIFICATE_ROLES)
def print_pack_create(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    form = PrintPackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the print pack's format."))
        return redirect("certificates:cohort_detail", pk=cohort.pk)
    try:
        pack = print_pack_request(cohort=cohort, kind=form.cleaned_data["kind"], by=request.user)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("certificates:cohort_detail", pk=cohort.pk)
    return redirect("certificates:print_pack_detail", pk=pack.pk)


def _pack(request: HttpRequest, pk: int) -> PrintPack:
    return get_object_or_404(print_packs_for(user=request.user).select_related("cohort", "requested_by"), pk=pk)


@role_required(*CERTIFICATE_ROLES)
def print_pack_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pack = _pack(request, pk)
    template = "certificates/_print_pack_status.html" if request.htmx else "certificates/print_pack_detail.html"
    return render(request, template, {"pack": pack})


@role_required(*CERTIFICATE_ROLES)
def print_pack_download(request: HttpRequest, pk: int) -> FileResponse:
    pack = _pack(request, pk)
    if pack.status != PrintPack.Status.READY or not pack.file:
        raise Http404
    content_type = "application/pdf" if pack.kind == PrintPack.Kind.PDF else "application/zip"
    return _private_file(pack.file.name, filename=print_pack_file_name(pack), content_type=content_type)


# ------------------------------------------------------------------------------------------------ issuer and template


def _organisation(request: HttpRequest, pk: int):
    return get_object_or_404(issuing_organisations_for(user=request.user), pk=pk)


@role_required(*CERTIFICATE_ROLES)
def issuer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The training centre's certificate profile: serial prefix, logo, name in other languages, signatories."""
    organisation = _organisation(request, pk)
    issuer = issuer_for_organisation(organisation=organisation)
    form = IssuerForm(request.POST or None, request.FILES or None, instance=issuer)
    signatories = SignatoryFormSet(
        request.POST or None,
        request.FILES or None,
        instance=issuer,
        queryset=issuer.signatories.order_by("position", "id"),
    )
    if request.method == "POST" and form.is_valid() and signatories.is_valid():
        with transaction.atomic():
            form.save()
            signatories.save()
        messages.success(request, _("The certificate profile of %(name)s is saved.") % {"name": organisation.name})
        return redirect("certificates:issuer_detail", pk=organisation.pk)
    return render(
        request,
        "certificates/issuer_detail.html",
        {"organisation": organisation, "issuer": issuer, "form": form, "signatories": signatories},
    )


@role_required(*CERTIFICATE_ROLES)
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the certificate layout: saving makes a new version; the preview (a separate view) saves nothing."""
    organisation = _organisation(request, pk)
    issuer = issuer_for_organisation(organisation=organisation)
    current = issuer_template(issuer=issuer, by=request.user)
    form = TemplateForm(request.POST or None, initial={"html": current.html, "css": current.css})
    if request.method == "POST" and form.is_valid():
        try:
            saved = certificate_template_save(
                issuer=issuer,
                html=form.cleaned_data["html"],
                css=form.cleaned_data["css"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if saved.pk == current.pk:
                messages.info(request, _("Nothing changed; the template is still version %(version)d.") % {"version": saved.version})
            else:
                messages.success(request, _("Saved as version %(version)d.") % {"version": saved.version})
            return redirect("certificates:template_edit", pk=organisation.pk)
    versions = issuer.templates.select_related("created_by").order_by("-version")[:20]
    return render(
        request,
        "certificates/template_edit.html",
        {"organisation": organisation, "issuer": issuer, "current": latest_template(issuer=issuer), "form": form, "versions": versions},
    )


@require_POST
@role_required(*CERTIFICATE_ROLES)
def template_preview(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    issuer = issuer_for_organisation(organisation=organisation)
    form = TemplateForm(request.POST)
    if form.is_valid():
        try:
            pdf = certificate_template_preview(
                issuer=issuer,
                html=form.cleaned_data["html"],
                css=form.cleaned_data["css"],
                language=form.cleaned_data["sample_language"] or "sq",
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = 'inline; filename="preview.pdf"'
            response["Cache-Control"] = "private, no-store"
            return response
    versions = issuer.templates.select_related("created_by").order_by("-version")[:20]
    return render(
        request,
        "certificates/template_edit.html",
        {"organisation": organisation, "issuer": issuer, "current": latest_template(issuer=issuer), "form": form, "versions": versions},
        status=400,
    )


# ------------------------------------------------------------------------------------------------ public


@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with a certificate's code sees whether it is valid and what it certifies, and nothing else.
    A revoked certificate answers 410 Gone; an unknown code 404."""
    certificate = (
        Certificate.objects.filter(verification_token=token)
        .only(
            "status", "holder_name", "holder_language", "language", "course_title", "course_title_en", "hours",
            "start_date", "end_date", "issued_on", "issuer_name", "issuer_name_local",
        )
        .first()
    )
    if certificate is None:
        raise Http404
    if certificate.status == Certificate.Status.REVOKED:
        state, status = "revoked", 410
    elif certificate.status == Certificate.Status.SUPERSEDED:
        state, status = "superseded", 200
    else:
        state, status = "valid", 200
    context = {
        "certificate": certificate,
        "state": state,
        "lang": LANGUAGE_TAGS.get(certificate.language, certificate.language),
        "holder_lang": LANGUAGE_TAGS.get(certificate.holder_language, certificate.holder_language),
    }
    response = render(request, "certificates/verify.html", context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The code is in the address; it must not leak to other sites through the Referer header.
    response["Referrer-Policy"] = "no-referrer"
    return response
