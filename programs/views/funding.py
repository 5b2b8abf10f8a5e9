"""Funding actions with the groups they pay for, donations of equipment, and each facility's inventory.

Roles are checked by the decorator (403); records are fetched through scoped querysets (404 outside scope).
Forms validate, services save.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programs.forms.funding import CohortLinkForm, DonationForm, EquipmentItemForm, FundingActionForm, ItemFormSet
from programs.funding_selectors import (
    DONATION_VIEW_ROLES,
    FUNDING_EDIT_ROLES,
    FUNDING_ROLES,
    INVENTORY_ROLES,
    countries_for_funding,
    donations_for,
    editable_funding_actions,
    equipment_for,
    funding_actions_for,
    funding_actions_for_donation,
    inventory_facilities,
    linkable_cohorts,
    managed_donations,
)
from programs.models import EquipmentItem, FundingAction
from programs.services.funding import (
    donation_record,
    equipment_item_update,
    funding_action_create,
    funding_action_set_cohorts,
    funding_action_update,
)
from rehab.permissions import role_required
from rehab.scoping import has_role

_MONEY = DecimalField(max_digits=14, decimal_places=2)
_VALUE = ExpressionWrapper(F("quantity") * F("unit_value"), output_field=_MONEY)
_VALUE_OF_ITEMS = ExpressionWrapper(F("items__quantity") * F("items__unit_value"), output_field=_MONEY)


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# ---------------------------------------------------------------- funding actions


@role_required(*FUNDING_ROLES)
def funding_action_list(request: HttpRequest) -> HttpResponse:
    actions = (
        funding_actions_for(user=request.user)
        .select_related("donor", "implementing_partner")
        .prefetch_related("countries")
        .annotate(cohort_count=Count("cohorts", distinct=True), donation_count=Count("donations", distinct=True))
        .order_by("-start_date", "title", "pk")
    )
    return render(
        request,
        "programs/funding/action_list.html",
        {"actions": actions, "can_edit": has_role(request.user, *FUNDING_EDIT_ROLES)},
    )


@role_required(*FUNDING_ROLES)
def funding_action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(
        funding_actions_for(user=request.user).select_related("donor", "implementing_partner"), pk=pk
    )
    cohorts = action.cohorts.select_related("course", "facility").order_by("-start_date", "name")
    donations = (
        action.donations.select_related("donor", "facility")
        .annotate(items_count=Sum("items__quantity"), value=Sum(_VALUE_OF_ITEMS))
        .order_by("-date", "pk")
    )
    context = {
        "action": action,
        "countries": [c.get_country_display() for c in action.countries.all()],
        "cohorts": cohorts,
        "donations": donations,
        "can_edit": editable_funding_actions(user=request.user).filter(pk=action.pk).exists(),
    }
    return render(request, "programs/funding/action_detail.html", context)


def _action_form_page(request: HttpRequest, action: FundingAction | None) -> HttpResponse:
    countries = countries_for_funding(user=request.user)
    form = FundingActionForm(request.POST or None, instance=action, countries=countries)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in FundingActionForm.Meta.fields}
        try:
            if action is None:
                saved = funding_action_create(countries=form.cleaned_data["countries"], by=request.user, **values)
            else:
                saved = funding_action_update(
                    action=action, countries=form.cleaned_data["countries"], by=request.user, **values
                )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Funding action saved."))
            return redirect("programs:funding_action_detail", pk=saved.pk)
    return render(request, "programs/funding/action_form.html", {"form": form, "action": action})


@role_required(*FUNDING_EDIT_ROLES)
def funding_action_create_view(request: HttpRequest) -> HttpResponse:
    return _action_form_page(request, None)


@role_required(*FUNDING_EDIT_ROLES)
def funding_action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(editable_funding_actions(user=request.user), pk=pk)
    return _action_form_page(request, action)


@role_required(*FUNDING_EDIT_ROLES)
def funding_action_cohorts(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the groups an action funds, among those of the action's countries in the user's facilities."""
    action = get_object_or_404(editable_funding_actions(user=request.user), pk=pk)
    available = linkable_cohorts(user=request.user, action=action)
    form = CohortLinkForm(
        request.POST or None, available=available, initial={"cohorts": [c for c in available if c.funding_action_id]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            linked, unlinked = funding_action_set_cohorts(
                action=action, cohorts=form.cleaned_data["cohorts"], available=list(available), by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(linked)s linked, %(unlinked)s unlinked.")
                % {
                    "linked": ngettext("%(n)d group", "%(n)d groups", linked) % {"n": linked},
                    "unlinked": ngettext("%(n)d group", "%(n)d groups", unlinked) % {"n": unlinked},
                },
            )
            return redirect("programs:funding_action_detail", pk=action.pk)
    return render(request, "programs/funding/action_cohorts.html", {"action": action, "form": form})


# ---------------------------------------------------------------- donations


@role_required(*DONATION_VIEW_ROLES)
def donation_list(request: HttpRequest) -> HttpResponse:
    donations = (
        donations_for(user=request.user)
        .select_related("donor", "facility", "funding_action")
        .annotate(items_count=Sum("items__quantity"), value=Sum(_VALUE_OF_ITEMS))
        .order_by("-date", "-pk")
    )
    context = {
        "donations": donations,
        "facilities": list(inventory_facilities(user=request.user).order_by("name")),
        "can_record": has_role(request.user, *INVENTORY_ROLES),
    }
    return render(request, "programs/funding/donation_list.html", context)


@role_required(*DONATION_VIEW_ROLES)
def donation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    donation = get_object_or_404(
        donations_for(user=request.user).select_related("donor", "facility", "funding_action"), pk=pk
    )
    can_manage = managed_donations(user=request.user).filter(pk=donation.pk).exists()
    items = list(donation.items.select_related("room").annotate(value=_VALUE).order_by("kind", "name", "pk"))
    total = sum((item.value for item in items if item.value is not None), Decimal("0"))
    context = {"donation": donation, "items": items, "total": total, "can_manage": can_manage}
    return render(request, "programs/funding/donation_detail.html", context)


@role_required(*INVENTORY_ROLES)
def donation_create(request: HttpRequest, pk: int) -> HttpResponse:
    facility = get_object_or_404(inventory_facilities(user=request.user).select_related("prison_service"), pk=pk)
    actions = funding_actions_for_donation(user=request.user, facility=facility)
    data = request.POST if request.method == "POST" else None
    form = DonationForm(data, actions=actions)
    items = ItemFormSet(data, prefix="items", facility=facility)
    if data is not None and form.is_valid() and items.is_valid():
        try:
            donation = donation_record(
                facility=facility,
                donor=form.cleaned_data["donor"],
                funding_action=form.cleaned_data["funding_action"],
                date=form.cleaned_data["date"],
                note=form.cleaned_data["note"],
                items=items.items,
                by=request.user,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Donation recorded; its items are in the inventory."))
            return redirect("programs:donation_detail", pk=donation.pk)
    return render(request, "programs/funding/donation_form.html", {"facility": facility, "form": form, "items": items})


# ---------------------------------------------------------------- inventory


@role_required(*INVENTORY_ROLES)
def inventory_index(request: HttpRequest) -> HttpResponse:
    """Straight to the inventory of a user's only facility; otherwise every facility with its totals."""
    facilities = list(
        inventory_facilities(user=request.user)
        .annotate(
            items=Sum("equipment__quantity", filter=~Q(equipment__condition=EquipmentItem.Condition.WRITTEN_OFF)),
            value=Sum(
                ExpressionWrapper(F("equipment__quantity") * F("equipment__unit_value"), output_field=_MONEY),
                filter=~Q(equipment__condition=EquipmentItem.Condition.WRITTEN_OFF),
            ),
        )
        .select_related("prison_service")
        .order_by("prison_service__name", "name")
    )
    if len(facilities) == 1:
        return redirect("programs:inventory", pk=facilities[0].pk)
    return render(request, "programs/funding/inventory_index.html", {"facilities": facilities})


@role_required(*INVENTORY_ROLES)
def inventory(request: HttpRequest, pk: int) -> HttpResponse:
    facility = get_object_or_404(inventory_facilities(user=request.user), pk=pk)
    items = list(
        facility.equipment.select_related("room", "donation__donor")
        .annotate(value=_VALUE)
        .order_by("kind", "name", "pk")
    )
    in_use = [item for item in items if item.condition != EquipmentItem.Condition.WRITTEN_OFF]
    written_off = [item for item in items if item.condition == EquipmentItem.Condition.WRITTEN_OFF]
    labels = dict(EquipmentItem.Kind.choices)
    by_kind: dict[str, dict] = {}
    for item in in_use:
        row = by_kind.setdefault(item.kind, {"label": labels[item.kind], "quantity": 0, "value": Decimal("0")})
        row["quantity"] += item.quantity
        row["value"] += item.value or 0
    context = {
        "facility": facility,
        "in_use": in_use,
        "written_off": written_off,
        "by_kind": [by_kind[kind] for kind in labels if kind in by_kind],
        "total_quantity": sum(item.quantity for item in in_use),
        "total_value": sum((item.value or 0 for item in in_use), Decimal("0")),
        "written_off_value": sum((item.value or 0 for item in written_off), Decimal("0")),
    }
    return render(request, "programs/funding/inventory.html", context)


@role_required(*INVENTORY_ROLES)
def equipment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(equipment_for(user=request.user).select_related("facility"), pk=pk)
    form = EquipmentItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            equipment_item_update(item=item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Item updated."))
            return redirect("programs:inventory", pk=item.facility_id)
    return render(request, "programs/funding/equipment_form.html", {"item": item, "form": form})


urlpatterns = [
    path("funding/", funding_action_list, name="funding_action_list"),
    path("funding/new/", funding_action_create_view, name="funding_action_create"),
    path("funding/<int:pk>/", funding_action_detail, name="funding_action_detail"),
    path("funding/<int:pk>/edit/", funding_action_edit, name="funding_action_edit"),
    path("funding/<int:pk>/groups/", funding_action_cohorts, name="funding_action_cohorts"),
    path("donations/", donation_list, name="donation_list"),
    path("donations/<int:pk>/", donation_detail, name="donation_detail"),
    path("facilities/<int:pk>/donations/new/", donation_create, name="donation_create"),
    path("inventory/", inventory_index, name="inventory_index"),
    path("facilities/<int:pk>/inventory/", inventory, name="inventory"),
    path("equipment/<int:pk>/edit/", equipment_edit, name="equipment_edit"),
]
