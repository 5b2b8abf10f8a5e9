"""The facility at a glance: key numbers that link to the lists behind them, and three charts."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from inmates.models import Inmate
from programs.dashboard import (
    CACHE_SECONDS,
    FacilityDashboard,
    attendance_window,
    facilities_key_numbers,
    facility_dashboard,
    year_window,
)
from programs.models import Enrolment, Session
from programs.selectors import FACILITY_PROGRAMME_ROLES
from programs.views.cohorts import MANAGER_ROLES
from rehab.models import Facility
from rehab.permissions import role_required
from rehab.scoping import facilities_for, has_role


def _url(name: str, **params: object) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def _links(facility: Facility, today: dt.date) -> dict[str, str]:
    """The filtered list behind each number on the dashboard."""
    window_start, window_end = attendance_window(today=today)
    year_start, year_end = year_window(today=today)
    return {
        "in_custody": _url("inmates:list", facility=facility.pk, status=Inmate.Status.IN_CUSTODY),
        "participating": _url(
            "inmates:list", facility=facility.pk, status=Inmate.Status.IN_CUSTODY, in_programme="true"
        ),
        "active_cohorts": _url("programs:cohort_list", facility=facility.pk, status="running"),
        "attendance": _url(
            "programs:session_list",
            facility=facility.pk,
            status=Session.Status.HELD,
            date_after=window_start.isoformat(),
            date_before=window_end.isoformat(),
        ),
        "completions": _url(
            "programs:enrolment_list",
            facility=facility.pk,
            status=Enrolment.Status.COMPLETED,
            ended_after=year_start.isoformat(),
            ended_before=year_end.isoformat(),
        ),
        "waitlisted": _url("programs:waitlist_list", facility=facility.pk),
        "registers_overdue": _url("programs:session_list", facility=facility.pk, register_not_taken="true"),
    }


def _charts(data: FacilityDashboard) -> dict[str, dict]:
    """Chart.js data for the charts, passed to the page with json_script (static/js/charts.js draws them)."""
    weeks, rates, kinds, genders = data.weeks, data.rates, data.kinds, data.genders
    return {
        "attendance": {
            "type": "line",
            "percent": True,
            "labels": [formats.date_format(week, "SHORT_DATE_FORMAT") for week in weeks],
            "datasets": [{"label": _("Attendance rate (%)"), "data": rates}],
        },
        "kinds": {
            "type": "bar",
            "labels": [label for _kind, label, _count in kinds],
            "datasets": [{"label": _("People in a programme"), "data": [count for _kind, _label, count in kinds]}],
        },
        "genders": {
            "type": "bar",
            "stacked": True,
            "labels": [label for _gender, label, _in, _out in genders],
            "datasets": [
                {"label": _("In a programme"), "data": [inside for _gender, _label, inside, _out in genders]},
                {"label": _("Not in a programme"), "data": [out for _gender, _label, _in, out in genders]},
            ],
        },
    }


@role_required(*FACILITY_PROGRAMME_ROLES)
def dashboards(request: HttpRequest) -> HttpResponse:
    """Straight to the dashboard of a user's only facility; otherwise every facility with its key numbers."""
    facilities = list(
        facilities_for(request.user, *FACILITY_PROGRAMME_ROLES)
        .select_related("prison_service")
        .order_by("prison_service__name", "name")
    )
    if len(facilities) == 1:
        return redirect("programs:dashboard", pk=facilities[0].pk)
    today = timezone.localdate()
    rows = [(numbers, _links(numbers.facility, today)) for numbers in facilities_key_numbers(facilities=facilities)]
    return render(request, "programs/dashboard/index.html", {"rows": rows})


@role_required(*FACILITY_PROGRAMME_ROLES)
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    facility = get_object_or_404(facilities_for(request.user, *FACILITY_PROGRAMME_ROLES), pk=pk)
    now = timezone.now()
    today = timezone.localdate(now)
    data = facility_dashboard(facility=facility, today=today, now=now)
    context = {
        "facility": facility,
        "numbers": data.numbers,
        "computed_at": data.computed_at,
        "cache_minutes": CACHE_SECONDS // 60,
        "links": _links(facility, today),
        "charts": _charts(data),
        "year": today.year,
        "can_manage": has_role(request.user, *MANAGER_ROLES),
    }
    return render(request, "programs/dashboard/facility.html", context)


urlpatterns = [
    path("dashboard/", dashboards, name="dashboards"),
    path("facilities/<int:pk>/dashboard/", dashboard, name="dashboard"),
]
