"""Peer educators: assigning an inmate who completed a programme to a cohort, and standing them down."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programs.forms.staff_training import PeerEducatorForm
from programs.models import PeerEducator
from programs.services.peer_educators import (
    cohort_peer_educators,
    peer_educator_assign,
    peer_educator_candidates,
    peer_educator_set_active,
)
from programs.views.cohorts import MANAGER_ROLES, managed_cohorts
from rehab.permissions import role_required


@role_required(*MANAGER_ROLES)
def cohort_peer_educators_view(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(
        managed_cohorts(request.user).select_related("course", "facility__prison_service"), pk=pk
    )
    form = PeerEducatorForm(
        request.POST if request.method == "POST" else None, candidates=peer_educator_candidates(cohort=cohort)
    )
    if request.method == "POST" and form.is_valid():
        try:
            peer = peer_educator_assign(cohort=cohort, inmate=form.cleaned_data["inmate"], by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("%(name)s is a peer educator in this cohort.") % {"name": peer.inmate.full_name})
            return redirect("programs:cohort_peer_educators", pk=cohort.pk)
    return render(
        request,
        "programs/peer_educators/cohort.html",
        {"cohort": cohort, "form": form, "peer_educators": cohort_peer_educators(cohort=cohort)},
    )


@require_POST
@role_required(*MANAGER_ROLES)
def peer_educator_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Stand a peer educator down, or back up; their sessions already counted stay counted."""
    peer = get_object_or_404(
        PeerEducator.objects.filter(cohort__in=managed_cohorts(request.user)).select_related("inmate"), pk=pk
    )
    peer_educator_set_active(peer_educator=peer, active=not peer.active, by=request.user)
    messages.success(request, _("Saved."))
    return redirect("programs:cohort_peer_educators", pk=peer.cohort_id)


urlpatterns = [
    path("cohorts/<int:pk>/peer-educators/", cohort_peer_educators_view, name="cohort_peer_educators"),
    path("peer-educators/<int:pk>/toggle/", peer_educator_toggle, name="peer_educator_toggle"),
]
