"""Filters for the list of people in custody."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from inmates.models import Inmate
from inmates.selectors import INMATE_RECORD_ROLES
from inmates.text import words_match
from rehab.models import Facility, Gender
from rehab.scoping import facilities_for, sole_facility_id

# Enrolment.Status.ENROLLED, named here because programs (which defines it) may not be imported from inmates.
ENROLLED = "enrolled"


class YesNoWidget(django_filters.widgets.BooleanWidget):
    """Yes / No, or any when nothing is chosen (django-filter says "Unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", _("Any")), ("true", _("Yes")), ("false", _("No")))

    def format_value(self, value):
        # The form holds True / False; the choices are "true" / "false". BooleanWidget maps them in render()
        # only, so options drawn one by one (the filter form's own markup) would otherwise lose the choice.
        return super().format_value({True: "true", False: "false"}.get(value, value))


def _facilities_in_scope(request) -> QuerySet[Facility]:
    if request is None:
        return Facility.objects.none()
    return facilities_for(request.user, *INMATE_RECORD_ROLES)


class InmateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or registration number"), method="filter_search", help_text=_("Latin or Cyrillic")
    )
    facility = django_filters.ModelChoiceFilter(
        field_name="current_facility", queryset=_facilities_in_scope, label=_("Facility")
    )
    status = django_filters.ChoiceFilter(choices=Inmate.Status.choices, label=_("Status"))
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("Gender"))
    in_programme = django_filters.BooleanFilter(
        method="filter_in_programme",
        label=_("In a programme now"),
        widget=YesNoWidget(),
    )

    class Meta:
        model = Inmate
        fields = ["q", "facility", "status", "gender", "in_programme"]

    def __init__(self, *args, request=None, **kwargs) -> None:
        super().__init__(*args, request=request, **kwargs)
        # Someone whose roles reach one facility only would be offered a dropdown of that one facility.
        if request is not None and sole_facility_id(request.user, *INMATE_RECORD_ROLES) is not None:
            del self.filters["facility"]

    def filter_search(self, queryset: QuerySet[Inmate], name: str, value: str) -> QuerySet[Inmate]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            words_match(value, ("first_name", "last_name")) | Q(registration_number__icontains=value)
        )

    def filter_in_programme(self, queryset: QuerySet[Inmate], name: str, value: bool | None) -> QuerySet[Inmate]:
        if value is None:
            return queryset
        # Enrolments belong to the programs app, above this one: reach them through the reverse relation.
        enrolled = Inmate.objects.filter(enrolments__status=ENROLLED).values("pk")
        return queryset.filter(pk__in=enrolled) if value else queryset.exclude(pk__in=enrolled)
