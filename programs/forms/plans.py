"""The plan form that needs programmes: an intervention naming a course or one of its groups."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from inmates.models import PlanGoal
from programs.models import Cohort, Course


class InterventionForm(forms.Form):
    goal = forms.ModelChoiceField(label=_("For the goal"), queryset=PlanGoal.objects.none(), required=False)
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none(), required=False)
    cohort = forms.ModelChoiceField(label=_("Group"), queryset=Cohort.objects.none(), required=False)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)

    def __init__(self, *args, goals: QuerySet[PlanGoal], cohorts: QuerySet[Cohort], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals
        self.fields["course"].queryset = Course.objects.filter(is_active=True).exclude(
            audience=Course.Audience.STAFF
        ).order_by("title")
        self.fields["cohort"].queryset = cohorts.select_related("course", "facility").order_by("start_date", "name")
        self.fields["cohort"].label_from_instance = lambda c: (
            f"{c.name} ({c.facility.name}, {date_format(c.start_date, 'SHORT_DATE_FORMAT')})"
        )
        self.fields["cohort"].help_text = _("Choose a group to enrol in from the plan; a course alone is a wish.")

    def clean(self):
        cleaned = super().clean()
        course, cohort = cleaned.get("course"), cleaned.get("cohort")
        if course and cohort and cohort.course_id != course.pk:
            self.add_error("cohort", _("The group is not a group of this course."))
        if not (course or cohort or (cleaned.get("description") or "").strip()) and not self.errors:
            raise forms.ValidationError(_("Choose a course or a group, or describe the intervention."), code="empty")
        return cleaned
