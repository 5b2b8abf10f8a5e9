"""Forms for people in custody: the import upload and the validation of each imported row."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rehab.models import Facility, Gender

IMPORT_COLUMNS = (
    "registration_number",
    "first_name",
    "last_name",
    "gender",
    "date_of_birth",
    "admission_date",
    "expected_release_date",
    "preferred_language",
)
REQUIRED_COLUMNS = ("registration_number", "first_name", "last_name", "gender", "admission_date")
MAX_IMPORT_ROWS = 5000
MAX_IMPORT_BYTES = 5 * 1024 * 1024


# The same file imports the same way whatever the user's language: ISO dates, or day.month.year as the
# region writes them. (Day/month/year with slashes is left out: it reads as month/day in US settings.)
IMPORT_DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y."]


class InmateRowForm(forms.Form):
    """One row of an import file; the field names are the column names, so errors can name the column."""

    registration_number = forms.CharField(max_length=40)
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    gender = forms.ChoiceField(choices=Gender.choices)
    date_of_birth = forms.DateField(required=False, input_formats=IMPORT_DATE_FORMATS)
    admission_date = forms.DateField(input_formats=IMPORT_DATE_FORMATS)
    expected_release_date = forms.DateField(required=False, input_formats=IMPORT_DATE_FORMATS)
    preferred_language = forms.ChoiceField(choices=settings.LANGUAGES, required=False)

    def clean_date_of_birth(self) -> dt.date | None:
        born = self.cleaned_data["date_of_birth"]
        if born and born > timezone.localdate():
            raise ValidationError(_("The date of birth is in the future."), code="future")
        return born

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        admitted, release = cleaned.get("admission_date"), cleaned.get("expected_release_date")
        if admitted and release and release < admitted:
            self.add_error(
                "expected_release_date",
                ValidationError(_("The release date is before the admission date."), code="order"),
            )
        cleaned["preferred_language"] = cleaned.get("preferred_language") or "en"
        return cleaned

    @classmethod
    def for_row(cls, values: dict[str, Any]) -> InmateRowForm:
        # Gender letters are accepted in lower case too ("f"); everything else as given.
        data = dict(values)
        if isinstance(data.get("gender"), str):
            data["gender"] = data["gender"].strip().upper()
        return cls(data=data)


def _cell(value: Any) -> Any:
    """A spreadsheet cell as a form expects it: text, or a date for date cells."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value
    return str(value).strip()


def _rows_from_csv(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("Save the CSV file as UTF-8 and upload it again."), code="encoding") from exc
    sample = text[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[_cell(value) for value in row] for row in csv.reader(io.StringIO(text), dialect)]


def _rows_from_xlsx(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a damaged file
        raise ValidationError(_("This file could not be read as an Excel workbook (.xlsx)."), code="xlsx") from exc
    try:
        sheet = workbook.worksheets[0]
        return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_table(name: str, content: bytes) -> list[dict[str, Any]]:
    """The data rows of an uploaded CSV or XLSX file as dicts keyed by column; blank rows are kept out.

    The first row names the columns; data rows follow from row 2, as a spreadsheet numbers them.
    """
    lowered = name.lower()
    if lowered.endswith(".csv"):
        table = _rows_from_csv(content)
    elif lowered.endswith(".xlsx"):
        table = _rows_from_xlsx(content)
    else:
        raise ValidationError(_("Upload a .csv or .xlsx file."), code="extension")
    if not table:
        raise ValidationError(_("The file is empty."), code="empty")
    header = [str(column).strip().lower() for column in table[0]]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ValidationError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}, code="columns")
    rows = []
    for values in table[1:]:
        row = {
            column: values[i] if i < len(values) else "" for i, column in enumerate(header) if column in IMPORT_COLUMNS
        }
        rows.append(row)
    # Trailing blank lines are common in exported spreadsheets; they are not rows.
    while rows and not any(value not in ("", None) for value in rows[-1].values()):
        rows.pop()
    if not rows:
        raise ValidationError(_("The file has no data rows."), code="no_rows")
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationError(
            _("The file has %(count)d rows; import at most %(max)d at a time.")
            % {"count": len(rows), "max": MAX_IMPORT_ROWS},
            code="too_many",
        )
    return rows


class InmateImportForm(forms.Form):
    facility = forms.ModelChoiceField(queryset=Facility.objects.none(), label=_("Facility"))
    file = forms.FileField(label=_("File"), help_text=_("CSV (UTF-8) or Excel (.xlsx), first row naming the columns."))

    def __init__(self, *args: Any, facilities: QuerySet[Facility], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities
        if len(facilities) == 1:
            self.fields["facility"].initial = facilities[0]

    def clean_file(self) -> list[dict[str, Any]]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."), code="size")
        return read_table(upload.name, upload.read())


# ------------------------------------------------------------------------------------------------ assessments


class AssessmentForm(forms.Form):
    """One radio question per item of an instrument (field `item_<pk>`), the date and notes.

    The service decides the score and checks every item again; the form only says what is missing, next to the
    question.
    """

    assessed_on = forms.DateField(label=_("Assessed on"), widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the scores do not say. Write observations, not labels."),
    )

    def __init__(self, *args: Any, instrument: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.fields["assessed_on"].initial = timezone.localdate()
        self.domains = []
        domains = instrument.domains.prefetch_related("items__scale__options").order_by("order", "pk")
        for domain in domains:
            names = []
            for item in domain.items.all():
                name = f"item_{item.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=_(item.text),
                    choices=[(option.pk, _(option.label)) for option in item.scale.options.all()],
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={"required": _("Choose an answer.")},
                )
                self.fields[name].item = item
                names.append(name)
            self.domains.append((domain, names))

    def clean_assessed_on(self) -> dt.date:
        assessed_on = self.cleaned_data["assessed_on"]
        if assessed_on > timezone.localdate():
            raise ValidationError(_("The assessment date cannot be in the future."))
        return assessed_on

    def grouped(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """(domain, bound fields) pairs for the template."""
        return [(domain, [self[name] for name in names]) for domain, names in self.domains]

    def answers(self) -> dict[int, int]:
        """item id → option id of the cleaned data."""
        return {
            self.fields[name].item.pk: self.cleaned_data[name]
            for _domain, names in self.domains
            for name in names
            if self.cleaned_data.get(name) is not None
        }
