"""Donor reports: the page with filters and charts, CSV and XLSX downloads, and the PDF made by a Celery task.

A report holds counts only (programs.reports), so donors may open it. Each user reports on the cohorts of their
own scope; a funding action, facility or country outside it in the query string answers 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programs.exports import write_csv, write_xlsx
from programs.forms.funding import DonorReportForm
from programs.funding_selectors import REPORT_ROLES, report_actions, report_facilities, report_scope
from programs.reports import (
    HIDDEN,
    SUPPRESSED,
    ReportFilters,
    ReportScope,
    donor_report,
    report_charts,
    report_sections,
    report_spec,
    report_subject,
    report_table,
    spec_key,
)
from programs.services.funding import donor_report_pdf_open, donor_report_pdf_request, donor_report_pdf_status
from rehab.permissions import role_required

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class ReportRequest:
    form: DonorReportForm
    scope: ReportScope
    filters: ReportFilters | None  # None while the form has errors
    query: str  # the filters as a query string, for the download links

    @property
    def spec(self) -> dict:
        return report_spec(scope=self.scope, filters=self.filters, language=translation.get_language() or "en")


def _report_request(request: HttpRequest) -> ReportRequest:
    """Read and check the filters. Ids outside the user's scope are 404: their existence is not confirmed."""
    scope = report_scope(user=request.user)
    actions = {action.pk: action for action in report_actions(user=request.user, scope=scope)}
    facilities = {facility.pk: facility for facility in report_facilities(scope=scope).select_related("prison_service")}
    params = {key: value for key, value in request.GET.items() if key in DonorReportForm.base_fields and value}
    form = DonorReportForm(params, actions=actions.values(), facilities=facilities.values())
    if not form.is_valid():
        return ReportRequest(form=form, scope=scope, filters=None, query="")
    data = form.cleaned_data
    action = facility = None
    if data["funding_action"] is not None:
        action = actions.get(data["funding_action"])
        if action is None:
            raise Http404
    if data["facility"] is not None:
        facility = facilities.get(data["facility"])
        if facility is None:
            raise Http404
    if data["country"] and not scope.everything and data["country"] not in {
        f.prison_service.country for f in facilities.values()
    }:
        raise Http404
    today = timezone.localdate()
    date_from = data["date_from"] or (action.start_date if action else dt.date(today.year, 1, 1))
    date_to = data["date_to"] or (action.end_date if action else today)
    if date_to < date_from:
        form.add_error("date_to", _("The period must end on or after its start."))
        return ReportRequest(form=form, scope=scope, filters=None, query="")
    filters = ReportFilters(
        date_from=date_from,
        date_to=date_to,
        funding_action_id=action.pk if action else None,
        country=data["country"],
        facility_id=facility.pk if facility else None,
    )
    query = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    if action:
        query["funding_action"] = action.pk
    if filters.country:
        query["country"] = filters.country
    if facility:
        query["facility"] = facility.pk
    return ReportRequest(form=form, scope=scope, filters=filters, query=urlencode(query))


@role_required(*REPORT_ROLES)
def donor_report_page(request: HttpRequest) -> HttpResponse:
    report = _report_request(request)
    context = {"form": report.form, "query": report.query, "suppressed": SUPPRESSED, "hidden": HIDDEN}
    if report.filters is not None:
        sections = report_sections(donor_report(scope=report.scope, filters=report.filters))
        context.update(
            sections=sections,
            charts=report_charts(sections),
            subject=report_subject(filters=report.filters),
        )
    return render(request, "programs/reports/donor_report.html", context)


@role_required(*REPORT_ROLES)
def donor_report_export(request: HttpRequest) -> HttpResponse:
    export_format = request.GET.get("format", "csv")
    if export_format not in FORMATS:
        return HttpResponseBadRequest(_("Choose the format csv or xlsx."))
    report = _report_request(request)
    if report.filters is None:
        return HttpResponseBadRequest(_("Check the report's filters."))
    sections = report_sections(donor_report(scope=report.scope, filters=report.filters))
    table = [[label, value] for label, value in report_subject(filters=report.filters)] + [[]] + report_table(sections)
    if export_format == "csv":
        content = write_csv(table)
    else:
        content = write_xlsx(table, title=_("Donor report"))
    filename = f"donor-report-{report.filters.date_from.isoformat()}-{report.filters.date_to.isoformat()}.{export_format}"
    return HttpResponse(
        content,
        content_type=FORMATS[export_format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"},
    )


@require_http_methods(["GET", "POST"])
@role_required(*REPORT_ROLES)
def donor_report_pdf(request: HttpRequest) -> HttpResponse:
    """POST asks for the PDF (queued after commit) and comes back here; GET shows whether it is ready, and the
    page polls itself with htmx until it is."""
    report = _report_request(request)
    if report.filters is None:
        return HttpResponseBadRequest(_("Check the report's filters."))
    status_url = f"{reverse('programs:donor_report_pdf')}?{report.query}"
    if request.method == "POST":
        donor_report_pdf_request(spec=report.spec)
        return redirect(status_url)
    key = spec_key(report.spec, today=timezone.localdate())
    status, reason = donor_report_pdf_status(key=key)
    context = {
        "status": status,
        "reason": reason,
        "query": report.query,
        "status_url": status_url,
        "subject": report_subject(filters=report.filters),
    }
    template = "programs/reports/_pdf_status.html" if request.htmx else "programs/reports/pdf_status.html"
    return render(request, template, context)


@role_required(*REPORT_ROLES)
def donor_report_pdf_download(request: HttpRequest) -> FileResponse:
    report = _report_request(request)
    if report.filters is None:
        raise Http404
    key = spec_key(report.spec, today=timezone.localdate())
    try:
        handle = donor_report_pdf_open(key=key)
    except FileNotFoundError as exc:
        raise Http404 from exc
    filename = f"donor-report-{report.filters.date_from.isoformat()}-{report.filters.date_to.isoformat()}.pdf"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("reports/donor/", donor_report_page, name="donor_report"),
    path("reports/donor/export/", donor_report_export, name="donor_report_export"),
    path("reports/donor/pdf/", donor_report_pdf, name="donor_report_pdf"),
    path("reports/donor/pdf/download/", donor_report_pdf_download, name="donor_report_pdf_download"),
]
