"""Forms for staff participants, training of trainers and cascades, modules, online delivery and peer educators.
They validate input; the services in programs/services/ decide."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from inmates.models import Inmate
from programs.models import Cohort, CourseModule, EquipmentItem, Session
from programs.services.delivery import TrainerPlace
from programs.services.modules import ModuleSpec
from rehab.models import Organisation, StaffMember


def _staff_label(staff: StaffMember) -> str:
    job = f", {staff.job_title}" if staff.job_title else ""
    return f"{staff.full_name} ({staff.organisation.name}{job})"


class StaffEnrolForm(forms.Form):
    """Several staff members at once, optionally narrowed to one organisation."""

    staff_members = forms.ModelMultipleChoiceField(
        queryset=StaffMember.objects.none(),
        label=_("Staff members"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one staff member.")},
    )

    def __init__(self, *args, candidates: QuerySet[StaffMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_members"].queryset = candidates
        self.fields["staff_members"].label_from_instance = _staff_label


class StaffFilterForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), required=False, label=_("Organisation"), empty_label=_("All organisations")
    )

    def __init__(self, *args, organisations: QuerySet[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class CascadeForm(forms.Form):
    is_training_of_trainers = forms.BooleanField(
        required=False,
        label=_("This cohort is a training of trainers"),
        help_text=_("Staff who complete it are qualified to deliver the course."),
    )
    cascade_of = forms.ModelChoiceField(
        queryset=Cohort.objects.none(),
        required=False,
        label=_("Cascade of"),
        help_text=_("The training of trainers its facilitators come from. The facilitators are the cohort's trainers."),
    )
    mentor = forms.ModelChoiceField(queryset=StaffMember.objects.none(), required=False, label=_("Supervising mentor"))

    def __init__(self, *args, trainings: QuerySet[Cohort], staff: QuerySet[StaffMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cascade_of"].queryset = trainings
        self.fields["mentor"].queryset = staff
        self.fields["mentor"].label_from_instance = _staff_label

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_training_of_trainers") and cleaned.get("cascade_of"):
            raise forms.ValidationError(_("A training of trainers cannot itself be a cascade."), code="tot_cascade")
        return cleaned


class ModuleForm(forms.Form):
    order = forms.IntegerField(label=_("Position"), min_value=1, max_value=99)
    title = forms.CharField(label=_("Title"), max_length=200)
    planned_hours = forms.IntegerField(label=_("Planned hours"), min_value=0, required=False)

    @property
    def spec(self) -> ModuleSpec:
        return ModuleSpec(
            order=self.cleaned_data["order"],
            title=self.cleaned_data["title"],
            planned_hours=self.cleaned_data.get("planned_hours"),
        )


ModuleFormSet = forms.formset_factory(ModuleForm, extra=2, can_delete=True)


class SessionModulesForm(forms.Form):
    """One select per session of the cohort: the module it covers."""

    def __init__(self, *args, sessions: list[Session], modules: list[CourseModule], **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions = sessions
        choices = [("", "—")] + [(str(m.pk), str(m)) for m in modules]
        self.modules = {str(m.pk): m for m in modules}
        for session in sessions:
            self.fields[f"session_{session.pk}"] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=str(session.date),
                initial=str(session.module_id or ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def rows(self):
        return [(session, self[f"session_{session.pk}"]) for session in self.sessions]

    @property
    def assignments(self) -> dict[int, CourseModule | None]:
        return {s.pk: self.modules.get(self.cleaned_data[f"session_{s.pk}"] or "") for s in self.sessions}


class TrainerPlaceForm(forms.Form):
    staff_member = forms.ModelChoiceField(queryset=StaffMember.objects.none(), widget=forms.HiddenInput)
    takes_part = forms.BooleanField(required=False, label=_("Delivers this session"))
    joins_from = forms.CharField(required=False, max_length=100, label=_("Joins from (city)"))
    is_remote = forms.BooleanField(required=False, label=_("Remotely"))

    def __init__(self, *args, trainers: QuerySet[StaffMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_member"].queryset = trainers

    @property
    def place(self) -> TrainerPlace | None:
        if not self.cleaned_data.get("takes_part"):
            return None
        return TrainerPlace(
            staff_member=self.cleaned_data["staff_member"],
            joins_from=self.cleaned_data.get("joins_from", ""),
            is_remote=self.cleaned_data.get("is_remote", False),
        )


TrainerPlaceFormSet = forms.formset_factory(TrainerPlaceForm, extra=0)


class ApplyToUpcomingForm(forms.Form):
    apply_to_upcoming = forms.BooleanField(required=False, label=_("The same for every later scheduled session"))


class EquipmentNeedForm(forms.Form):
    kind = forms.ChoiceField(choices=EquipmentItem.Kind.choices, label=_("Equipment"))
    quantity = forms.IntegerField(label=_("How many"), min_value=0, max_value=999, help_text=_("0 removes the need."))
    session = forms.ModelChoiceField(
        queryset=Session.objects.none(),
        required=False,
        label=_("Only for the session on"),
        empty_label=_("Every session"),
    )

    def __init__(self, *args, sessions: QuerySet[Session], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions


class PeerEducatorForm(forms.Form):
    inmate = forms.ModelChoiceField(queryset=Inmate.objects.none(), label=_("Inmate"))

    def __init__(self, *args, candidates: QuerySet[Inmate], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inmate"].queryset = candidates
        self.fields["inmate"].label_from_instance = lambda i: f"{i.last_name}, {i.first_name} ({i.registration_number})"


__all__ = [
    "ApplyToUpcomingForm", "CascadeForm", "EquipmentNeedForm", "ModuleFormSet", "PeerEducatorForm",
    "SessionModulesForm", "StaffEnrolForm", "StaffFilterForm", "TrainerPlaceFormSet",
]
