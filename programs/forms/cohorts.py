"""Forms for creating and editing a cohort with its weekly slots. Services save; these only validate input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import Cohort, Course, FundingAction, WeeklySlot
from programs.services.sessions import SlotSpec
from rehab.models import Facility, StaffMember


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = [
            "course", "name", "delivery_mode", "room", "capacity", "meeting_link", "start_date", "end_date", "trainers",
            "funding_action",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "trainers": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {
            "capacity": _("Leave empty to use the room's capacity."),
            "trainers": _("Hold Ctrl (or Cmd) to choose several."),
            "funding_action": _("The donor's action that pays for this group, if any: it counts in that action's reports."),
        }

    def __init__(self, *args, facility: Facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.facility = facility
        self.instance.facility = facility
        self.fields["course"].queryset = Course.objects.filter(is_active=True) | Course.objects.filter(
            pk=self.instance.course_id or 0
        )
        self.fields["room"].queryset = facility.rooms.all()
        self.fields["room"].label_from_instance = lambda room: _("%(name)s (%(capacity)d places)") % {
            "name": room.name, "capacity": room.capacity,
        }
        # Actions covering the facility's country (and the one already chosen, even if it no longer does).
        self.fields["funding_action"].queryset = (
            FundingAction.objects.filter(countries__country=facility.prison_service.country)
            | FundingAction.objects.filter(pk=self.instance.funding_action_id or 0)
        ).distinct().order_by("title")
        self.fields["trainers"].queryset = StaffMember.objects.select_related("organisation").order_by(
            "last_name", "first_name"
        )
        self.fields["trainers"].label_from_instance = lambda staff: (
            f"{staff.full_name} ({staff.organisation.name}{', ' + staff.home_city if staff.home_city else ''})"
        )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Cohort.objects.filter(facility=self.facility, name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another cohort in this facility already has this name."))
        return name


class SlotForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Weekday"), choices=[("", "—"), *WeeklySlot._meta.get_field("weekday").choices], coerce=int,
        required=False, empty_value=None, widget=forms.Select(attrs={"class": "form-select"}),
    )
    start_time = forms.TimeField(label=_("Start"), widget=TimeInput(attrs={"class": "form-control"}), required=False)
    end_time = forms.TimeField(label=_("End"), widget=TimeInput(attrs={"class": "form-control"}), required=False)

    def clean(self):
        cleaned = super().clean()
        weekday, start, end = cleaned.get("weekday"), cleaned.get("start_time"), cleaned.get("end_time")
        filled = [value not in (None, "") for value in (weekday, start, end)]
        if any(filled) and not all(filled) and not self.errors:
            raise forms.ValidationError(_("Fill in the weekday, start and end, or leave the row empty."))
        if start and end and end <= start:
            self.add_error("end_time", _("The slot must end after it starts."))
        return cleaned

    @property
    def slot(self) -> SlotSpec | None:
        data = self.cleaned_data
        if data.get("DELETE") or data.get("weekday") in (None, "") or not data.get("start_time"):
            return None
        return SlotSpec(weekday=data["weekday"], start_time=data["start_time"], end_time=data["end_time"])


class BaseSlotFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        if any(self.errors):
            return
        slots = [form.slot for form in self.forms if form.slot is not None]
        if not slots:
            raise forms.ValidationError(_("Add at least one weekly slot."))
        by_day: dict[int, list[SlotSpec]] = {}
        for slot in slots:
            for other in by_day.get(slot.weekday, ()):
                if slot.start_time < other.end_time and other.start_time < slot.end_time:
                    raise forms.ValidationError(_("Two slots on the same weekday overlap."))
            by_day.setdefault(slot.weekday, []).append(slot)

    @property
    def slots(self) -> list[SlotSpec]:
        return sorted(
            (form.slot for form in self.forms if form.slot is not None), key=lambda s: (s.weekday, s.start_time)
        )


# A few empty rows so the form works without JavaScript; static/js/cohort_form.js adds more on demand.
SlotFormSet = forms.formset_factory(SlotForm, formset=BaseSlotFormSet, extra=3, can_delete=True)


class ConfirmForm(forms.Form):
    acknowledge_clashes = forms.BooleanField(label=_("I have checked the clashes"), required=False)
    preview_digest = forms.CharField(widget=forms.HiddenInput, required=False)
