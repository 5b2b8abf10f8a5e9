"""Courses made of modules: editing a course's modules and tagging a cohort's sessions with them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programs.forms.staff_training import ModuleFormSet, SessionModulesForm
from programs.models import Course, CourseModule
from programs.services.modules import cohort_tag_sessions, course_set_modules
from programs.views.cohorts import MANAGER_ROLES, viewable_cohorts
from rehab.models import Role
from rehab.permissions import role_required

# The catalogue (courses and their modules) belongs to programme officers.
CATALOGUE_ROLES = (Role.PROGRAMME_OFFICER, Role.SYSTEM_ADMINISTRATOR)


@role_required(*CATALOGUE_ROLES)
def course_modules(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    modules = list(course.modules.order_by("order"))
    initial = [{"order": m.order, "title": m.title, "planned_hours": m.planned_hours} for m in modules]
    formset = ModuleFormSet(request.POST if request.method == "POST" else None, initial=initial, prefix="modules")
    if request.method == "POST" and formset.is_valid():
        # Untouched blank rows have no cleaned data; ticked "delete" rows are left out, so their module goes.
        specs = [form.spec for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        try:
            course_set_modules(course=course, modules=specs, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The modules are saved."))
            return redirect("programs:course_modules", pk=course.pk)
    return render(request, "programs/modules/course_modules.html", {"course": course, "formset": formset})


@role_required(*MANAGER_ROLES, Role.TRAINER)
def cohort_modules(request: HttpRequest, pk: int) -> HttpResponse:
    """Which module each session of the cohort covers; the trainer or the director sets it."""
    cohort = get_object_or_404(viewable_cohorts(request.user).select_related("course", "facility"), pk=pk)
    modules = list(CourseModule.objects.filter(course_id=cohort.course_id).order_by("order"))
    sessions = list(cohort.sessions.select_related("module").order_by("date", "start_time"))
    form = SessionModulesForm(request.POST if request.method == "POST" else None, sessions=sessions, modules=modules)
    if request.method == "POST" and form.is_valid():
        try:
            changed = cohort_tag_sessions(cohort=cohort, modules=form.assignments, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                ngettext("%(count)d session changed.", "%(count)d sessions changed.", changed) % {"count": changed},
            )
            return redirect("programs:cohort_delivery", pk=cohort.pk)
    return render(
        request, "programs/modules/cohort_modules.html", {"cohort": cohort, "form": form, "modules": modules}
    )


urlpatterns = [
    path("courses/<int:pk>/modules/", course_modules, name="course_modules"),
    path("cohorts/<int:pk>/modules/", cohort_modules, name="cohort_modules"),
]
