"""Forms for cancelling one session or every session of a facility over some days."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.services.cancellation import REASON_MAX_LENGTH


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        help_text=_("Participants and the director see this reason."),
        error_messages={"required": _("Give a reason for the cancellation.")},
    )


class FacilityCancelForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        initial=_("Lockdown"),
        error_messages={"required": _("Give a reason for the cancellation.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date must be on or after the start date."))
        return data
