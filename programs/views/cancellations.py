"""Cancelling sessions: one session (trainer or director), or a facility's sessions over a lockdown (director)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from programs.forms.cancellation import FacilityCancelForm, SessionCancelForm
from programs.models import Session
from programs.services.attendance import sessions_managed_by
from programs.services.cancellation import (
    facility_cancel_sessions,
    facility_cancellation_preview,
    session_cancel,
    session_has_register,
)
from rehab.models import Role
from rehab.permissions import role_required
from rehab.scoping import facilities_for

LOCKDOWN_ROLES = (Role.DIRECTOR, Role.PROGRAMME_OFFICER, Role.SYSTEM_ADMINISTRATOR)


def _next_url(request: HttpRequest, session: Session) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path on this site: anything else ("0", "NaN", a view name) would be taken by redirect() as a URL name.
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return f"{reverse('programs:week')}?start={session.date:%Y-%m-%d}"


def _session_refusal(session: Session) -> str | None:
    if session.status == Session.Status.CANCELLED:
        return _("This session is already cancelled.")
    if session_has_register(session=session):
        return _("The register for this session is already taken, so it took place and cannot be cancelled.")
    return None


@role_required(Role.TRAINER, Role.DIRECTOR, Role.SYSTEM_ADMINISTRATOR)
def cancel_session(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(
        sessions_managed_by(user=request.user).select_related("cohort__course", "cohort__facility", "cohort__room"), pk=pk
    )
    form = SessionCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session_cancel(session=session, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The session on %(date)s was cancelled.") % {"date": formats.date_format(session.date, "DATE_FORMAT")},
            )
            return redirect(_next_url(request, session))
    context = {"session": session, "form": form, "refusal": _session_refusal(session), "next": _next_url(request, session)}
    return render(request, "programs/cancellations/session_cancel.html", context)


@role_required(*LOCKDOWN_ROLES)
def cancel_facility_sessions(request: HttpRequest, pk: int) -> HttpResponse:
    facility = get_object_or_404(facilities_for(request.user, *LOCKDOWN_ROLES), pk=pk)
    context = {"facility": facility, "step": "form"}
    if request.method != "POST":
        context["form"] = FacilityCancelForm()
        return render(request, "programs/cancellations/facility_cancel.html", context)

    form = FacilityCancelForm(request.POST)
    context["form"] = form
    if form.is_valid():
        data = form.cleaned_data
        try:
            if "confirm" in request.POST:
                result = facility_cancel_sessions(
                    facility=facility, start=data["start"], end=data["end"], reason=data["reason"], by=request.user
                )
                context.update(step="done", result=result)
            else:
                result = facility_cancellation_preview(facility=facility, start=data["start"], end=data["end"])
                context.update(step="preview", result=result)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            context.update(start=data["start"], end=data["end"], reason=data["reason"])
    return render(request, "programs/cancellations/facility_cancel.html", context)


urlpatterns = [
    path("sessions/<int:pk>/cancel/", cancel_session, name="session_cancel"),
    path("facilities/<int:pk>/cancel-sessions/", cancel_facility_sessions, name="facility_cancel"),
]
