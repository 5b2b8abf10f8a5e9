"""Custody movements: record an admission, transfer, release or re-admission (with a preview of what it closes),
and the list of recent movements in the user's facilities."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from inmates.models import CustodyEvent, Inmate
from inmates.selectors import inmates_for
from programs.forms.movements import MovementFilter, MovementForm
from programs.services.movements import (
    MOVEMENT_ROLES,
    custody_events_for,
    custody_movement_effects,
    custody_record,
    inmate_custody_facility,
    inmates_movable_by,
)
from rehab.permissions import role_required

PAGE_SIZE = 50


class _PreviewRollbackError(Exception):
    """Raised inside the preview's transaction so that nothing it did is kept."""


def _record(request: HttpRequest, inmate: Inmate, form: MovementForm) -> CustodyEvent:
    data = form.cleaned_data
    return custody_record(
        inmate=inmate,
        kind=data["kind"],
        date=data["date"],
        facility=data["facility"],
        expected_release_date=data["expected_release_date"],
        note=data["note"],
        by=request.user,
    )


def _check(request: HttpRequest, inmate: Inmate, form: MovementForm) -> None:
    """Run the movement's own checks for the preview and roll everything back, so the preview refuses exactly
    what saving would refuse and saves nothing."""
    try:
        with transaction.atomic():
            _record(request, inmate, form)
            raise _PreviewRollbackError
    except _PreviewRollbackError:
        pass


def _form_context(inmate: Inmate, form: MovementForm) -> dict:
    return {
        "inmate": inmate,
        "form": form,
        "facility": inmate_custody_facility(inmate=inmate),
        "history": inmate.custody_events.select_related("from_facility", "to_facility").order_by("-date", "-id"),
    }


def _saved_message(event: CustodyEvent, inmate: Inmate) -> str:
    return _("%(kind)s of %(name)s on %(date)s recorded.") % {
        "kind": event.get_kind_display(),
        "name": inmate.full_name,
        "date": date_format(event.date, "DATE_FORMAT"),
    }


@role_required(*MOVEMENT_ROLES)
def inmate_movement(request: HttpRequest, pk: int) -> HttpResponse:
    inmate = get_object_or_404(inmates_movable_by(user=request.user).select_related("current_facility", "prison_service"), pk=pk)
    if request.method != "POST":
        return render(request, "programs/movements/form.html", _form_context(inmate, MovementForm(inmate=inmate)))

    form = MovementForm(request.POST, inmate=inmate)
    if form.is_valid() and "edit" not in request.POST:
        try:
            if "confirm" in request.POST:
                event = _record(request, inmate, form)
                messages.success(request, _saved_message(event, inmate))
                return redirect("programs:movement_list")
            _check(request, inmate, form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            data = form.cleaned_data
            context = {
                **_form_context(inmate, form),
                "kind": data["kind"],
                "kind_label": CustodyEvent.Kind(data["kind"]).label,
                "effects": custody_movement_effects(inmate=inmate, kind=data["kind"], date=data["date"]),
            }
            return render(request, "programs/movements/confirm.html", context)
    return render(request, "programs/movements/form.html", _form_context(inmate, form))


@role_required(*MOVEMENT_ROLES)
def movement_list(request: HttpRequest) -> HttpResponse:
    listing = MovementFilter(request.GET, queryset=custody_events_for(user=request.user), request=request)
    page = Paginator(listing.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # One query for the links: a person's profile opens only while they are held where the user may read it.
    readable = set(inmates_for(request.user).filter(pk__in=[e.inmate_id for e in page]).values_list("pk", flat=True))
    movable = set(inmates_movable_by(user=request.user).filter(pk__in=[e.inmate_id for e in page]).values_list("pk", flat=True))
    context = {
        "filter": listing,
        "page": page,
        "readable": readable,
        "movable": movable,
    }
    return render(request, "programs/movements/list.html", context)


urlpatterns = [
    path("inmates/<int:pk>/movement/", inmate_movement, name="inmate_movement"),
    path("movements/", movement_list, name="movement_list"),
]
