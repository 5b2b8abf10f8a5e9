"""Forms for plans, the pre-release checklist, referrals and follow-ups. They validate input; services decide."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from inmates.models import (
    REFERRAL_KINDS,
    FollowUp,
    NeedArea,
    PlanGoal,
    PlanReview,
    PlanStep,
    Referral,
    RehabilitationPlan,
    ReleaseTask,
)
from rehab.models import Organisation, StaffMember


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _staff_choices(queryset: QuerySet[StaffMember]) -> QuerySet[StaffMember]:
    return queryset.select_related("organisation").order_by("last_name", "first_name")


def _staff_label(member: StaffMember) -> str:
    return f"{member.full_name} ({member.organisation.short_name or member.organisation.name})"


class PlanForm(forms.Form):
    started_on = forms.DateField(label=_("Started on"), widget=DateInput())
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_review_on = forms.DateField(label=_("Next review on"), required=False, widget=DateInput())


class PlanEditForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label=_("Status"), choices=RehabilitationPlan.Status.choices)
    next_review_on = forms.DateField(label=_("Next review on"), required=False, widget=DateInput())


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=300)
    need_area = forms.ChoiceField(label=_("Need area"), choices=[("", "—"), *NeedArea.choices], required=False)


class GoalEditForm(GoalForm):
    status = forms.ChoiceField(label=_("Status"), choices=PlanGoal.Status.choices)


class StepForm(forms.Form):
    description = forms.CharField(label=_("Step"), max_length=500)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=StaffMember.objects.none(), required=False)
    target_date = forms.DateField(label=_("Target date"), required=False, widget=DateInput())

    def __init__(self, *args, staff: QuerySet[StaffMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _staff_choices(staff)
        self.fields["owner"].label_from_instance = _staff_label


class StepEditForm(StepForm):
    status = forms.ChoiceField(label=_("Status"), choices=PlanStep.Status.choices)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DateInput())
    outcome = forms.ChoiceField(label=_("Outcome"), choices=PlanReview.Outcome.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_review_on = forms.DateField(label=_("Next review on"), required=False, widget=DateInput())


class ReleaseTaskForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=StaffMember.objects.none(), required=False)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=ReleaseTask.Status.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, staff: QuerySet[StaffMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _staff_choices(staff)
        self.fields["owner"].label_from_instance = _staff_label


class ReferralForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Refer to"), queryset=Organisation.objects.filter(kind__in=REFERRAL_KINDS).order_by("name")
    )
    referred_on = forms.DateField(label=_("Referred on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Referral.Status.choices)


_OUTCOME_CHOICES = [("", _("Not known")), ("yes", _("Yes")), ("no", _("No"))]
OUTCOME_FIELDS = {
    "employed": _("Employed"),
    "in_training": _("In education or training"),
    "housed": _("Has stable housing"),
    "contact_kept": _("Kept in contact"),
    "returned_to_custody": _("Returned to custody"),
}


class FollowUpForm(forms.Form):
    done_on = forms.DateField(label=_("Date of the follow-up"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, instance: FollowUp | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            initial = {"done_on": instance.done_on, "note": instance.note}
            for name in OUTCOME_FIELDS:
                value = getattr(instance, name)
                initial[name] = "" if value is None else ("yes" if value else "no")
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for name, label in OUTCOME_FIELDS.items():
            self.fields[name] = forms.ChoiceField(label=label, choices=_OUTCOME_CHOICES, required=False)
        # The note comes last, after the outcomes.
        self.fields["note"] = self.fields.pop("note")

    @property
    def outcomes(self) -> dict[str, bool | None]:
        return {name: {"yes": True, "no": False}.get(self.cleaned_data.get(name) or "") for name in OUTCOME_FIELDS}
