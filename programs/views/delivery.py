"""Online and hybrid delivery: where each trainer joins a session from, and the equipment a cohort needs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programs.forms.staff_training import ApplyToUpcomingForm, EquipmentNeedForm, TrainerPlaceFormSet
from programs.models import EquipmentNeed, Session
from programs.services.delivery import (
    cohort_equipment_check,
    cohort_set_equipment_need,
    session_set_trainers,
    session_trainer_places,
)
from programs.views.cohorts import MANAGER_ROLES, managed_cohorts, viewable_cohorts
from rehab.models import Role
from rehab.permissions import role_required


@role_required(*MANAGER_ROLES, Role.TRAINER)
def session_trainers(request: HttpRequest, pk: int) -> HttpResponse:
    """Who delivers this session and from which city (online and hybrid sessions have trainers in several)."""
    session = get_object_or_404(
        Session.objects.filter(cohort__in=viewable_cohorts(request.user)).select_related(
            "cohort__facility", "cohort__course"
        ),
        pk=pk,
    )
    cohort = session.cohort
    trainers = cohort.trainers.select_related("organisation").order_by("last_name", "first_name")
    current = {place.staff_member.pk: place for place in session_trainer_places(session=session)}
    recorded = session.trainer_places.exists()
    initial = [
        {
            "staff_member": trainer.pk,
            "takes_part": trainer.pk in current,
            "joins_from": current[trainer.pk].joins_from if trainer.pk in current else trainer.home_city,
            "is_remote": current[trainer.pk].is_remote if trainer.pk in current else False,
        }
        for trainer in trainers
    ]
    data = request.POST if request.method == "POST" else None
    formset = TrainerPlaceFormSet(data, initial=initial, prefix="trainers", form_kwargs={"trainers": trainers})
    apply_form = ApplyToUpcomingForm(data)
    if data is not None and formset.is_valid() and apply_form.is_valid():
        places = [form.place for form in formset.forms if form.place is not None]
        try:
            written = session_set_trainers(
                session=session,
                places=places,
                apply_to_upcoming=apply_form.cleaned_data["apply_to_upcoming"],
                by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                ngettext("Saved for %(count)d session.", "Saved for %(count)d sessions.", written) % {"count": written},
            )
            return redirect("programs:cohort_sessions", pk=cohort.pk)
    names = {trainer.pk: trainer for trainer in trainers}
    rows = [(form, names.get(int(form.initial["staff_member"]))) for form in formset.forms]
    return render(
        request,
        "programs/delivery/session_trainers.html",
        {"session": session, "cohort": cohort, "formset": formset, "rows": rows, "apply_form": apply_form, "recorded": recorded},
    )


@role_required(*MANAGER_ROLES)
def cohort_equipment(request: HttpRequest, pk: int) -> HttpResponse:
    """The equipment the cohort (or one session) needs, against what the facility has."""
    cohort = get_object_or_404(managed_cohorts(request.user).select_related("course", "facility"), pk=pk)
    sessions = cohort.sessions.exclude(status=Session.Status.CANCELLED).order_by("date", "start_time")
    form = EquipmentNeedForm(request.POST if request.method == "POST" else None, sessions=sessions)
    if request.method == "POST" and form.is_valid():
        try:
            cohort_set_equipment_need(cohort=cohort, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Saved."))
            return redirect("programs:cohort_equipment", pk=cohort.pk)
    needs = EquipmentNeed.objects.filter(cohort=cohort).select_related("session").order_by("session__date", "kind")
    return render(
        request,
        "programs/delivery/cohort_equipment.html",
        {"cohort": cohort, "form": form, "needs": needs, "checks": cohort_equipment_check(cohort=cohort)},
    )


urlpatterns = [
    path("sessions/<int:pk>/trainers/", session_trainers, name="session_trainers"),
    path("cohorts/<int:pk>/equipment/", cohort_equipment, name="cohort_equipment"),
]
