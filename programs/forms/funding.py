"""Forms for funding actions, donations of equipment and the donor report's filters. Services save; these only
validate input, with choices already narrowed to the user's scope."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.forms.cohorts import DateInput
from programs.models import Cohort, EquipmentItem, FundingAction
from programs.services.funding import ItemSpec
from rehab.models import Country, Facility, Organisation


class FundingActionForm(forms.ModelForm):
    countries = forms.MultipleChoiceField(
        label=_("Countries"), choices=(), widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = FundingAction
        fields = ["code", "title", "donor", "implementing_partner", "start_date", "end_date", "description"]
        widgets = {"start_date": DateInput(), "end_date": DateInput(), "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, countries: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = countries
        self.fields["donor"].queryset = Organisation.objects.filter(kind=Organisation.Kind.DONOR).order_by("name")
        self.fields["implementing_partner"].queryset = Organisation.objects.exclude(
            kind=Organisation.Kind.PRISON_SERVICE
        ).order_by("name")
        if self.instance.pk and not self.is_bound:
            self.initial["countries"] = list(self.instance.countries.values_list("country", flat=True))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The action must end on or after its start date."))
        return cleaned


class CohortLinkForm(forms.Form):
    cohorts = forms.ModelMultipleChoiceField(
        label=_("Groups funded by this action"),
        queryset=Cohort.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, available, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohorts"].queryset = available
        self.fields["cohorts"].label_from_instance = lambda cohort: (
            f"{cohort.name} — {cohort.facility.name} ({cohort.start_date:%Y-%m-%d} – {cohort.end_date:%Y-%m-%d})"
        )


class DonationForm(forms.Form):
    donor = forms.ModelChoiceField(label=_("Donor"), queryset=Organisation.objects.none())
    funding_action = forms.ModelChoiceField(
        label=_("Funding action"), queryset=FundingAction.objects.none(), required=False
    )
    date = forms.DateField(label=_("Date received"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["donor"].queryset = Organisation.objects.exclude(kind=Organisation.Kind.PRISON_SERVICE).order_by(
            "name"
        )
        self.fields["funding_action"].queryset = actions

    def clean_date(self) -> dt.date:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("A donation is recorded once it has been received."))
        return date


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *EquipmentItem.Kind.choices], required=False)
    name = forms.CharField(label=_("Item"), max_length=200, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, required=False)
    unit_value = forms.DecimalField(
        label=_("Unit value (EUR)"), min_value=0, max_digits=10, decimal_places=2, required=False
    )
    condition = forms.ChoiceField(
        label=_("Condition"), choices=EquipmentItem.Condition.choices, initial=EquipmentItem.Condition.NEW
    )
    room = forms.ModelChoiceField(label=_("Room where it is used"), queryset=None, required=False)
    location_note = forms.CharField(label=_("Where it is used"), max_length=200, required=False)

    def __init__(self, *args, facility: Facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = facility.rooms.all()

    def clean(self):
        cleaned = super().clean()
        filled = [bool(cleaned.get(name)) for name in ("kind", "name", "quantity")]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("Give the kind, the item and the quantity, or leave the line empty."))
        return cleaned

    @property
    def spec(self) -> ItemSpec | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        return ItemSpec(
            kind=data["kind"],
            name=data["name"].strip(),
            quantity=data["quantity"],
            unit_value=data.get("unit_value"),
            condition=data["condition"],
            room=data.get("room"),
            location_note=data.get("location_note", "").strip(),
        )


class BaseItemFormSet(forms.BaseFormSet):
    def __init__(self, *args, facility: Facility, **kwargs):
        self.facility = facility
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "facility": self.facility}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
                         use_required_attribute=False, facility=self.facility)
        self.add_fields(form, None)
        return form

    def clean(self):
        if any(self.errors):
            return
        if not self.items:
            raise forms.ValidationError(_("List at least one item."))

    @property
    def items(self) -> list[ItemSpec]:
        return [form.spec for form in self.forms if form.cleaned_data and form.spec]


ItemFormSet = forms.formset_factory(ItemForm, formset=BaseItemFormSet, extra=4, max_num=50)


class EquipmentItemForm(forms.ModelForm):
    class Meta:
        model = EquipmentItem
        fields = ["quantity", "condition", "room", "location_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = self.instance.facility.rooms.all()


class DonorReportForm(forms.Form):
    """The report's filters. Choices are narrowed by the view; an id outside them is answered with 404 there."""

    funding_action = forms.IntegerField(required=False, widget=forms.Select)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    country = forms.ChoiceField(label=_("Country"), choices=[("", "—"), *Country.choices], required=False)
    facility = forms.IntegerField(required=False, widget=forms.Select)

    def __init__(self, *args, actions, facilities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funding_action"].label = _("Funding action")
        self.fields["funding_action"].widget.choices = [("", _("All"))] + [(a.pk, a.title) for a in actions]
        self.fields["facility"].label = _("Facility")
        self.fields["facility"].widget.choices = [("", _("All"))] + [(f.pk, f.name) for f in facilities]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The period must end on or after its start."))
        return cleaned
