"""Post-release support: referrals, the person's support page and follow-ups, and "My referrals" for probation
officers. A probation officer sees only people referred to their organisation, and on their page only names,
the release date, the referral and its follow-ups: never assessments, offences or plans."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Min, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from inmates.casework_forms import OUTCOME_FIELDS, FollowUpForm, ReferralForm, ReferralStatusForm
from inmates.casework_selectors import (
    CASEWORK_ROLES,
    SUPPORT_ROLES,
    casework_inmates_for,
    follow_ups_for,
    probation_organisations_for,
    referrals_for,
    support_inmates_for,
)
from inmates.models import FollowUp, Referral
from inmates.support import follow_up_record, referral_create, referral_status_set, release_date_of
from rehab.models import Role
from rehab.permissions import role_required
from rehab.scoping import has_role

PAGE_SIZE = 50


@role_required(Role.PROBATION_OFFICER, Role.SYSTEM_ADMINISTRATOR)
def my_referrals(request: HttpRequest) -> HttpResponse:
    """The people referred to the officer's organisation (all referrals for an administrator), with the next
    follow-up due."""
    status = request.GET.get("status") or ""
    if has_role(request.user, Role.SYSTEM_ADMINISTRATOR):
        referrals = Referral.objects.all()
    else:
        # Only the organisation's referrals, even for an officer who also does casework in a facility.
        referrals = Referral.objects.filter(organisation__in=probation_organisations_for(request.user))
    if status in Referral.Status.values:
        referrals = referrals.filter(status=status)
    referrals = (
        referrals.select_related("inmate", "organisation")
        .annotate(next_due=Min("follow_ups__due_on", filter=Q(follow_ups__done_on__isnull=True)))
        .order_by("-referred_on", "-pk")
    )
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": Referral.Status.choices, "today": timezone.localdate()}
    return render(request, "inmates/support/referrals.html", context)


@role_required(*SUPPORT_ROLES)
def support_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inmate = get_object_or_404(support_inmates_for(request.user), pk=pk)
    referrals = (
        referrals_for(request.user)
        .filter(inmate=inmate)
        .select_related("organisation", "referred_by")
        .prefetch_related(
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("recorded_by").order_by("month"))
        )
        .order_by("-referred_on", "-pk")
    )
    casework = casework_inmates_for(request.user).filter(pk=inmate.pk).exists()
    context = {
        "inmate": inmate,
        "release_on": release_date_of(inmate=inmate),
        "referrals": referrals,
        "outcome_fields": OUTCOME_FIELDS,
        "can_refer": casework,
        "today": timezone.localdate(),
    }
    return render(request, "inmates/support/detail.html", context)


@role_required(*CASEWORK_ROLES)
def referral_new(request: HttpRequest, pk: int) -> HttpResponse:
    inmate = get_object_or_404(casework_inmates_for(request.user), pk=pk)
    form = ReferralForm(request.POST or None, initial={"referred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            referral = referral_create(inmate=inmate, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("%(name)s is referred to %(organisation)s; four follow-ups are scheduled.")
                % {"name": inmate.full_name, "organisation": referral.organisation.name},
            )
            return redirect("programs:support_detail", pk=inmate.pk)
    context = {"inmate": inmate, "form": form, "release_on": release_date_of(inmate=inmate)}
    return render(request, "inmates/support/referral_form.html", context)


@role_required(*SUPPORT_ROLES)
def referral_status(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(referrals_for(request.user).select_related("inmate", "organisation"), pk=pk)
    form = ReferralStatusForm(request.POST or None, initial={"status": referral.status})
    if request.method == "POST" and form.is_valid():
        try:
            referral_status_set(referral=referral, status=form.cleaned_data["status"], by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The referral is saved."))
            return redirect("programs:support_detail", pk=referral.inmate_id)
    return render(request, "inmates/support/referral_status.html", {"referral": referral, "form": form})


@role_required(*SUPPORT_ROLES)
def follow_up_edit(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(
        follow_ups_for(request.user).select_related("referral__inmate", "referral__organisation"), pk=pk
    )
    form = FollowUpForm(request.POST or None, instance=follow_up)
    if follow_up.done_on is None:
        form.initial["done_on"] = timezone.localdate()
    if request.method == "POST" and form.is_valid():
        try:
            follow_up_record(
                follow_up=follow_up,
                done_on=form.cleaned_data["done_on"],
                outcomes=form.outcomes,
                note=form.cleaned_data["note"],
                today=timezone.localdate(),
                by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The follow-up is recorded."))
            return redirect("programs:support_detail", pk=follow_up.referral.inmate_id)
    return render(
        request,
        "inmates/support/follow_up_form.html",
        {"follow_up": follow_up, "referral": follow_up.referral, "inmate": follow_up.referral.inmate, "form": form},
    )


urlpatterns = [
    path("casework/referrals/", my_referrals, name="my_referrals"),
    path("casework/inmates/<int:pk>/support/", support_detail, name="support_detail"),
    path("casework/inmates/<int:pk>/refer/", referral_new, name="referral_create"),
    path("casework/referrals/<int:pk>/status/", referral_status, name="referral_status"),
    path("casework/follow-ups/<int:pk>/", follow_up_edit, name="follow_up_record"),
]
