"""Forms for the registrar's certificate screens. They validate input; the services decide."""

from __future__ import annotations

import re

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from certificates.models import Issuer, PrintPack, Signatory
from certificates.rendering import CERTIFICATE_LANGUAGES

REASON_MAX_LENGTH = 500
LANGUAGE_NAMES = {
    "en": _("English"),
    "sq": _("Albanian"),
    "sr": _("Serbian (Cyrillic)"),
    "sr-latn": _("Serbian (Latin)"),
    "mk": _("Macedonian"),
    "bs": _("Bosnian"),
}


def _reason_field(help_text="") -> forms.CharField:
    return forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OverrideForm(forms.Form):
    reason = _reason_field(
        help_text=_("Why this person should be certified although the rules are not met. It is kept with the certificate.")
    )


class RevokeForm(forms.Form):
    reason = _reason_field(help_text=_("Kept in the audit trail; not shown on the public verification page."))


class ReissueForm(forms.Form):
    holder_name = forms.CharField(
        label=_("Holder's name as it should appear"),
        max_length=200,
        help_text=_("Exactly as the person writes it, in their own script."),
    )
    reason = _reason_field()


class PrintPackForm(forms.Form):
    kind = forms.ChoiceField(choices=PrintPack.Kind.choices)


class IssuerForm(forms.ModelForm):
    """The serial prefix, the logo and the centre's name in the languages certificates are issued in."""

    class Meta:
        model = Issuer
        fields = ["serial_prefix", "logo"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in CERTIFICATE_LANGUAGES:
            if code == "en":
                continue
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name in %(language)s") % {"language": LANGUAGE_NAMES[code]},
                max_length=200,
                required=False,
                initial=self.instance.name_translations.get(code, ""),
            )

    def clean_serial_prefix(self) -> str:
        prefix = self.cleaned_data["serial_prefix"].strip().upper()
        if not re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)*", prefix):
            raise forms.ValidationError(_("Use capital letters and digits, in groups joined by single hyphens (VTC-PZ)."))
        return prefix

    def save(self, commit: bool = True) -> Issuer:
        issuer = super().save(commit=False)
        issuer.name_translations = {
            code: self.cleaned_data[f"name_{code}"].strip()
            for code in CERTIFICATE_LANGUAGES
            if code != "en" and self.cleaned_data.get(f"name_{code}", "").strip()
        }
        if commit:
            issuer.save()
        return issuer


SignatoryFormSet = inlineformset_factory(
    Issuer,
    Signatory,
    fields=["name", "title", "signature", "position", "is_active"],
    extra=1,
    max_num=6,
    can_delete=True,
)


class TemplateForm(forms.Form):
    html = forms.CharField(
        label=_("HTML"),
        widget=forms.Textarea(attrs={"rows": 18, "class": "font-monospace", "spellcheck": "false"}),
        max_length=100_000,
    )
    css = forms.CharField(
        label=_("CSS"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace", "spellcheck": "false"}),
        max_length=100_000,
    )
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)
    sample_language = forms.ChoiceField(
        label=_("Preview in"),
        choices=[(code, LANGUAGE_NAMES[code]) for code in CERTIFICATE_LANGUAGES],
        initial="sq",
        required=False,
    )
