"""Release preparation: a person's pre-release checklist, its tasks, and the "Upcoming releases" page with each
person's readiness. Checklists are opened (tasks created) when these pages are viewed; see inmates/release.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from inmates.casework_forms import ReleaseTaskForm
from inmates.casework_selectors import (
    CASEWORK_ROLES,
    add_months,
    casework_facilities_for,
    casework_inmates_for,
    referrals_for,
    release_tasks_for,
    upcoming_releases,
)
from inmates.release import (
    FINISHED,
    pre_release_months,
    release_checklist_open,
    release_checklist_start,
    release_checklists_open,
    release_task_update,
)
from programs.views.plans import owner_choices
from rehab.permissions import role_required

MONTH_CHOICES = (1, 2, 3, 6, 9, 12)


@role_required(*CASEWORK_ROLES)
def upcoming_releases_view(request: HttpRequest) -> HttpResponse:
    """People expected out in the next N months in the user's facilities, soonest first, with their checklist's
    readiness (finished tasks of all tasks) and overdue tasks."""
    today = timezone.localdate()
    try:
        months = int(request.GET.get("months", pre_release_months()))
    except ValueError:
        months = pre_release_months()
    months = min(max(months, 1), 24)
    facility_id = request.GET.get("facility") or ""
    facilities = casework_facilities_for(request.user).order_by("name")
    people = upcoming_releases(user=request.user, today=today, months=months)
    if facility_id.isdigit():
        people = people.filter(current_facility_id=int(facility_id))
    # Opening checklists here keeps them current without a scheduler; a no-op once they exist.
    release_checklists_open(today=today, inmates=people.filter(expected_release_date__lte=_window_end(today)))
    people = (
        people.select_related("current_facility")
        .annotate(
            tasks_total=Count("release_tasks", distinct=True),
            tasks_done=Count("release_tasks", filter=Q(release_tasks__status__in=FINISHED), distinct=True),
            tasks_overdue=Count(
                "release_tasks",
                filter=Q(release_tasks__due_date__lt=today) & ~Q(release_tasks__status__in=FINISHED),
                distinct=True,
            ),
        )
        .order_by("expected_release_date", "last_name", "first_name", "pk")
    )
    context = {
        "people": people,
        "months": months,
        "month_choices": sorted({*MONTH_CHOICES, months}),
        "facilities": facilities,
        "facility_id": facility_id,
        "pre_release_months": pre_release_months(),
        "today": today,
    }
    return render(request, "inmates/release/upcoming.html", context)


def _window_end(today):
    return add_months(today, pre_release_months())


@role_required(*CASEWORK_ROLES)
def release_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    inmate = get_object_or_404(casework_inmates_for(request.user).select_related("current_facility"), pk=pk)
    today = timezone.localdate()
    release_checklist_open(inmate=inmate, today=today)
    context = {
        "inmate": inmate,
        "tasks": inmate.release_tasks.select_related("owner").order_by("due_date", "kind"),
        "starts_on": release_checklist_start(inmate=inmate),
        "referrals": referrals_for(request.user).filter(inmate=inmate).select_related("organisation"),
        "today": today,
    }
    return render(request, "inmates/release/checklist.html", context)


@role_required(*CASEWORK_ROLES)
def release_task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(release_tasks_for(request.user).select_related("inmate", "owner"), pk=pk)
    initial = {"owner": task.owner_id, "due_date": task.due_date, "status": task.status, "note": task.note}
    form = ReleaseTaskForm(request.POST or None, initial=initial, staff=owner_choices(task.inmate))
    if request.method == "POST" and form.is_valid():
        try:
            release_task_update(task=task, today=timezone.localdate(), by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The task is saved."))
            return redirect("programs:release_checklist", pk=task.inmate_id)
    return render(request, "inmates/release/task_form.html", {"task": task, "inmate": task.inmate, "form": form})


urlpatterns = [
    path("casework/releases/", upcoming_releases_view, name="upcoming_releases"),
    path("casework/inmates/<int:pk>/release/", release_checklist, name="release_checklist"),
    path("casework/release-tasks/<int:pk>/edit/", release_task_edit, name="release_task_edit"),
]
