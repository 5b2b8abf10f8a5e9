"""Forms for requests, waitlists, enrolments and withdrawals. They validate input; services decide."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from inmates.models import Inmate
from programs.models import Course
from rehab.models import Facility, StaffMember


def _inmate_label(inmate: Inmate) -> str:
    return f"{inmate.last_name}, {inmate.first_name} ({inmate.registration_number})"


class PersonForm(forms.Form):
    """Exactly one person: an inmate (of the given facilities) or, for staff and mixed courses, a staff member."""

    inmate = forms.ModelChoiceField(queryset=Inmate.objects.none(), required=False, label=_("Inmate"))
    staff_member = forms.ModelChoiceField(queryset=StaffMember.objects.none(), required=False, label=_("Staff member"))

    def __init__(self, *args, course: Course, inmates: QuerySet[Inmate], **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        if course.audience == Course.Audience.STAFF:
            del self.fields["inmate"]
        else:
            self.fields["inmate"].queryset = inmates.filter(status=Inmate.Status.IN_CUSTODY).order_by(
                "last_name", "first_name"
            )
            self.fields["inmate"].label_from_instance = _inmate_label
        if course.audience == Course.Audience.INMATES:
            del self.fields["staff_member"]
        else:
            self.fields["staff_member"].queryset = StaffMember.objects.select_related("organisation").order_by(
                "last_name", "first_name"
            )

    def clean(self):
        cleaned = super().clean()
        chosen = [cleaned.get(name) for name in ("inmate", "staff_member") if name in self.fields]
        chosen = [person for person in chosen if person is not None]
        if len(chosen) != 1 and not self.errors:
            raise forms.ValidationError(
                _("Choose exactly one person: an inmate or a staff member.")
                if "staff_member" in self.fields and "inmate" in self.fields
                else _("Choose a person."),
                code="person",
            )
        return cleaned

    @property
    def person_kwargs(self) -> dict:
        return {
            "inmate": self.cleaned_data.get("inmate"),
            "staff_member": self.cleaned_data.get("staff_member"),
        }


class EnrolForm(PersonForm):
    acknowledge = forms.BooleanField(required=False, label=_("I have read the warnings and still want to enrol"))


class CourseRequestForm(PersonForm):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        help_text=_("What they said, who referred them, anything that matters for placing them."),
    )


class CourseRequestWithFacilityForm(CourseRequestForm):
    """A request recorded before any group exists: the facility says where the person would attend."""

    facility = forms.ModelChoiceField(queryset=Facility.objects.none(), label=_("Facility"))

    field_order = ["facility", "inmate", "staff_member", "note"]

    def __init__(self, *args, facilities: QuerySet[Facility], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities.order_by("name")
        if facilities.count() == 1:
            self.fields["facility"].initial = facilities.first()

    def clean(self):
        cleaned = super().clean()
        inmate, facility = cleaned.get("inmate"), cleaned.get("facility")
        if inmate is not None and facility is not None and inmate.current_facility_id != facility.pk:
            self.add_error("inmate", _("This person is not held in the chosen facility."))
        return cleaned


class AcknowledgeForm(forms.Form):
    acknowledge = forms.BooleanField(required=False, label=_("I have read the warnings and still want to enrol"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.TextInput)
