"""The form that records a custody movement, and the filters of the movements list."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inmates.models import CustodyEvent, Inmate
from programs.services.movements import MOVEMENT_ROLES, movement_kinds_for, transfer_destinations
from rehab.models import Facility
from rehab.scoping import facilities_for


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# Movements that take the person somewhere, and so need a facility.
WITH_DESTINATION = (CustodyEvent.Kind.ADMISSION, CustodyEvent.Kind.TRANSFER, CustodyEvent.Kind.READMISSION)
# Movements that start a stay, and so may say when it is expected to end.
STARTS_A_STAY = (CustodyEvent.Kind.ADMISSION, CustodyEvent.Kind.READMISSION)


class MovementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Movement"), widget=forms.RadioSelect)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    facility = forms.ModelChoiceField(
        label=_("To facility"),
        queryset=None,
        required=False,
        help_text=_("For a transfer, an admission or a re-admission."),
    )
    expected_release_date = forms.DateField(
        label=_("Expected release date"),
        required=False,
        widget=DateInput(),
        help_text=_("For an admission or a re-admission."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, inmate: Inmate, **kwargs):
        super().__init__(*args, **kwargs)
        self.inmate = inmate
        kinds = movement_kinds_for(inmate=inmate)
        self.fields["kind"].choices = [(kind, CustodyEvent.Kind(kind).label) for kind in kinds]
        self.fields["kind"].initial = kinds[0]
        self.fields["date"].initial = timezone.localdate()
        self.fields["facility"].queryset = transfer_destinations(inmate=inmate)

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if kind in WITH_DESTINATION and not data.get("facility"):
            self.add_error("facility", _("Choose the facility the person goes to."))
        if kind not in WITH_DESTINATION:
            data["facility"] = None
        if kind not in STARTS_A_STAY:
            data["expected_release_date"] = None
        return data


def _movement_facilities(request) -> QuerySet[Facility]:
    if request is None:
        return Facility.objects.none()
    return facilities_for(request.user, *MOVEMENT_ROLES).order_by("name")


class MovementFilter(django_filters.FilterSet):
    facility = django_filters.ModelChoiceFilter(
        label=_("Facility"), queryset=_movement_facilities, method="filter_facility"
    )
    kind = django_filters.ChoiceFilter(label=_("Movement"), choices=CustodyEvent.Kind.choices)
    date = django_filters.DateFromToRangeFilter(
        label=_("Date (from – to)"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = CustodyEvent
        fields = ["facility", "kind", "date"]

    def filter_facility(self, queryset: QuerySet, name: str, value: Facility | None) -> QuerySet:
        """Movements into or out of the facility."""
        if value is None:
            return queryset
        return queryset.filter(Q(from_facility=value) | Q(to_facility=value))
