"""Screens for people in custody: the searchable list, a person's record, and importing from a file."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inmates.filters import ENROLLED, InmateFilter
from inmates.forms import IMPORT_COLUMNS, InmateImportForm
from inmates.selectors import INMATE_RECORD_ROLES, inmates_for
from inmates.services import inmates_import
from rehab.models import Role
from rehab.permissions import role_required
from rehab.scoping import facilities_for, has_role

PAGE_SIZE = 50
IMPORT_ROLES = (Role.DIRECTOR, Role.SYSTEM_ADMINISTRATOR)
# Who may open a cohort's page from a person's training history (programs' cohort managers).
COHORT_MANAGER_ROLES = (Role.DIRECTOR, Role.PROGRAMME_OFFICER, Role.SYSTEM_ADMINISTRATOR)
# Attendance that counts as attending, and the sessions that count at all (programs' vocabulary; that app sits
# above this one, so its rows are reached through reverse relations).
ATTENDED = ("present", "late")
HELD = "held"


@role_required(*INMATE_RECORD_ROLES)
def inmate_list(request: HttpRequest) -> HttpResponse:
    queryset = (
        inmates_for(request.user)
        .select_related("current_facility")
        .annotate(programmes=Count("enrolments", filter=Q(enrolments__status=ENROLLED)))
        .order_by("last_name", "first_name", "pk")
    )
    inmate_filter = InmateFilter(request.GET, queryset=queryset, request=request)
    page = Paginator(inmate_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": inmate_filter, "page": page, "can_import": has_role(request.user, *IMPORT_ROLES)}
    return render(request, "inmates/list.html", context)


@role_required(*INMATE_RECORD_ROLES)
def inmate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inmate = get_object_or_404(inmates_for(request.user).select_related("current_facility", "prison_service"), pk=pk)
    training = (
        inmate.enrolments.select_related("cohort__course", "cohort__facility")
        .annotate(
            recorded=Count("attendance", filter=Q(attendance__session__status=HELD)),
            attended=Count("attendance", filter=Q(attendance__session__status=HELD, attendance__status__in=ATTENDED)),
        )
        .order_by("-cohort__start_date", "-requested_at")
    )
    context = {
        "inmate": inmate,
        "custody_events": inmate.custody_events.select_related("from_facility", "to_facility").order_by("date", "pk"),
        "training": [
            (enrolment, round(100 * enrolment.attended / enrolment.recorded) if enrolment.recorded else None)
            for enrolment in training
        ],
        "can_manage": has_role(request.user, *COHORT_MANAGER_ROLES),
    }
    return render(request, "inmates/detail.html", context)


@role_required(*IMPORT_ROLES)
def inmate_import(request: HttpRequest) -> HttpResponse:
    facilities = facilities_for(request.user, *IMPORT_ROLES).order_by("name")
    errors: list[str] = []
    form = InmateImportForm(request.POST or None, request.FILES or None, facilities=facilities)
    if request.method == "POST" and form.is_valid():
        facility = form.cleaned_data["facility"]
        result = inmates_import(facility=facility, rows=form.cleaned_data["file"], by=request.user)
        if result.ok:
            messages.success(
                request,
                ngettext(
                    "%(count)d person was imported into %(facility)s.",
                    "%(count)d people were imported into %(facility)s.",
                    result.created,
                )
                % {"count": result.created, "facility": facility.name},
            )
            return redirect(f"{reverse('inmates:list')}?facility={facility.pk}")
        errors = result.errors
        messages.error(request, _("Nothing was imported: correct the rows below and upload the file again."))
    return render(request, "inmates/import.html", {"form": form, "errors": errors, "columns": IMPORT_COLUMNS})
