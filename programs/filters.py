"""Filters for the programme lists (cohorts, sessions, enrolments, the waitlist).

Choices are narrowed to the user's scope: a filter never offers a facility or a cohort the user may not see.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inmates.filters import YesNoWidget
from inmates.text import words_match
from programs.dashboard import cohort_status_q, overdue_register_q
from programs.models import Cohort, Course, Enrolment, Session
from programs.selectors import FACILITY_PROGRAMME_ROLES
from rehab.models import Facility
from rehab.scoping import facilities_for

PARTICIPANT_NAME_FIELDS = (
    "inmate__first_name",
    "inmate__last_name",
    "staff_member__first_name",
    "staff_member__last_name",
)
# Groups that ended longer ago than this drop out of the "Group" dropdowns (still reachable by their own page).
GROUP_CHOICES_ENDED_WITHIN = dt.timedelta(days=365)
COHORT_STATUS_CHOICES = [("running", _("Running")), ("planned", _("Planned")), ("finished", _("Finished"))]


def scoped_facilities(request) -> QuerySet[Facility]:
    if request is None:
        return Facility.objects.none()
    return facilities_for(request.user, *FACILITY_PROGRAMME_ROLES).order_by("name")


def scoped_cohorts(request) -> QuerySet[Cohort]:
    """The groups offered in the "Group" dropdown: running, planned or ended within the last year, of the chosen
    facility when one is chosen, and always the group already selected (a link from an older group's page).

    Every group in scope would be thousands of options for a country's programme officer.
    """
    if request is None:
        return Cohort.objects.none()
    offered = Q(end_date__gte=timezone.localdate() - GROUP_CHOICES_ENDED_WITHIN)
    facility = request.GET.get("facility", "")
    if facility.isdigit():
        offered &= Q(facility_id=int(facility))
    selected = request.GET.get("cohort", "")
    if selected.isdigit():
        offered |= Q(pk=int(selected))
    return Cohort.objects.filter(offered, facility__in=scoped_facilities(request)).order_by("name")


def _courses(request) -> QuerySet[Course]:
    return Course.objects.order_by("title")


class _ScopedFilterSet(django_filters.FilterSet):
    facility = django_filters.ModelChoiceFilter(
        field_name="cohort__facility", queryset=scoped_facilities, label=_("Facility")
    )

    def filter_participant(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            words_match(value, PARTICIPANT_NAME_FIELDS) | Q(inmate__registration_number__icontains=value)
        )


class CohortFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    course = django_filters.ModelChoiceFilter(queryset=_courses, label=_("Course"))
    kind = django_filters.ChoiceFilter(field_name="course__kind", choices=Course.Kind.choices, label=_("Kind"))
    facility = django_filters.ModelChoiceFilter(queryset=scoped_facilities, label=_("Facility"))
    status = django_filters.ChoiceFilter(choices=COHORT_STATUS_CHOICES, method="filter_status", label=_("Status"))
    delivery_mode = django_filters.ChoiceFilter(choices=Cohort.DeliveryMode.choices, label=_("Delivery mode"))

    class Meta:
        model = Cohort
        fields = ["q", "course", "kind", "facility", "status", "delivery_mode"]

    def filter_search(self, queryset: QuerySet[Cohort], name: str, value: str) -> QuerySet[Cohort]:
        value = value.strip()
        return queryset.filter(words_match(value, ("name", "course__title"))) if value else queryset

    def filter_status(self, queryset: QuerySet[Cohort], name: str, value: str) -> QuerySet[Cohort]:
        return queryset.filter(cohort_status_q(value, today=timezone.localdate())) if value else queryset


class SessionFilter(_ScopedFilterSet):
    date = django_filters.DateFromToRangeFilter(
        label=_("Date (from – to)"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    cohort = django_filters.ModelChoiceFilter(queryset=scoped_cohorts, label=_("Group"))
    status = django_filters.ChoiceFilter(choices=Session.Status.choices, label=_("Status"))
    register_not_taken = django_filters.BooleanFilter(
        method="filter_register_not_taken",
        label=_("Register not taken 48 h after the end"),
        widget=YesNoWidget(),
    )

    class Meta:
        model = Session
        fields = ["date", "facility", "cohort", "status", "register_not_taken"]

    def filter_register_not_taken(
        self, queryset: QuerySet[Session], name: str, value: bool | None
    ) -> QuerySet[Session]:
        if value is None:
            return queryset
        overdue = overdue_register_q(now=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class EnrolmentFilter(_ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("Participant"), method="filter_participant", help_text=_("Name (Latin or Cyrillic) or number")
    )
    status = django_filters.ChoiceFilter(choices=Enrolment.Status.choices, label=_("Status"))
    cohort = django_filters.ModelChoiceFilter(queryset=scoped_cohorts, label=_("Group"))
    course = django_filters.ModelChoiceFilter(field_name="cohort__course", queryset=_courses, label=_("Course"))
    ended = django_filters.DateFromToRangeFilter(
        field_name="ended_at",
        label=_("Ended (from – to)"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = Enrolment
        fields = ["q", "status", "facility", "cohort", "course", "ended"]


class WaitlistFilter(_ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("Participant"), method="filter_participant", help_text=_("Name (Latin or Cyrillic) or number")
    )
    cohort = django_filters.ModelChoiceFilter(queryset=scoped_cohorts, label=_("Group"))
    course = django_filters.ModelChoiceFilter(field_name="cohort__course", queryset=_courses, label=_("Course"))

    class Meta:
        model = Enrolment
        fields = ["q", "facility", "cohort", "course"]
