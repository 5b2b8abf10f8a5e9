"""The report of outcomes after release by programme completed, for directors, programme officers and
administrators, over the people of their facilities (released people count in the facility they left)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from inmates.casework_forms import OUTCOME_FIELDS
from inmates.casework_selectors import with_casework_facility
from inmates.models import Inmate
from programs.outcomes import outcomes_by_course
from rehab.models import Role
from rehab.permissions import role_required
from rehab.scoping import facilities_for

OUTCOME_REPORT_ROLES = (Role.DIRECTOR, Role.PROGRAMME_OFFICER, Role.SYSTEM_ADMINISTRATOR)


@role_required(*OUTCOME_REPORT_ROLES)
def outcomes_report(request: HttpRequest) -> HttpResponse:
    facilities = facilities_for(request.user, *OUTCOME_REPORT_ROLES).order_by("name")
    facility_id = request.GET.get("facility") or ""
    chosen = facilities.filter(pk=int(facility_id)) if facility_id.isdigit() else facilities
    inmates = with_casework_facility(Inmate.objects.all()).filter(casework_facility_id__in=chosen.values("pk"))
    report = outcomes_by_course(
        inmates=inmates, all_label=_("Everyone followed up"), none_label=_("No programme completed")
    )
    context = {
        "report": sorted(report.items()),
        "outcome_labels": list(OUTCOME_FIELDS.values()),
        "facilities": facilities,
        "facility_id": facility_id,
    }
    return render(request, "programs/outcomes/report.html", context)


urlpatterns = [path("outcomes/", outcomes_report, name="outcomes_report")]
