"""Downloads of a cohort's roster and register as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.text import slugify
from django.utils.translation import gettext as _

from programs.exports import Table, cohort_register, cohort_roster, write_csv, write_xlsx
from programs.models import Cohort
from programs.selectors import FACILITY_PROGRAMME_ROLES
from rehab.models import Role
from rehab.permissions import role_required
from rehab.scoping import facilities_for

EXPORT_ROLES = (*FACILITY_PROGRAMME_ROLES, Role.TRAINER)
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _exportable_cohorts(user) -> QuerySet[Cohort]:
    """Cohorts of the user's facilities, and, for a trainer, the cohorts they deliver."""
    condition = Q(facility__in=facilities_for(user, *FACILITY_PROGRAMME_ROLES)) | Q(trainers__user=user)
    return Cohort.objects.filter(pk__in=Cohort.objects.filter(condition).values("pk"))


def _download(request: HttpRequest, pk: int, *, kind: str, build: Callable[..., Table]) -> HttpResponse:
    export_format = request.GET.get("format", "csv")
    if export_format not in FORMATS:
        return HttpResponseBadRequest(_("Choose the format csv or xlsx."))
    cohort = get_object_or_404(_exportable_cohorts(request.user), pk=pk)
    table = build(cohort=cohort)
    if export_format == "csv":
        content = write_csv(table)
    else:
        content = write_xlsx(table, title=cohort.name)
    filename = f"{slugify(cohort.name) or 'group'}-{cohort.pk}-{kind}.{export_format}"
    return HttpResponse(
        content,
        content_type=FORMATS[export_format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@role_required(*EXPORT_ROLES)
def cohort_roster_export(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, kind="roster", build=cohort_roster)


@role_required(*EXPORT_ROLES)
def cohort_register_export(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, kind="register", build=cohort_register)


urlpatterns = [
    path("cohorts/<int:pk>/roster/export/", cohort_roster_export, name="cohort_roster_export"),
    path("cohorts/<int:pk>/register/export/", cohort_register_export, name="cohort_register_export"),
]
