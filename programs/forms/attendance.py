"""Forms for the trainer's screens: the week picker, the register and the final assessment.

The register and the final assessment are one form with a few fields per person (`status_<enrolment id>`
and so on), so the whole list is saved in one request and errors can be shown next to each person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programs.models import Attendance, Enrolment, Session
from programs.services.attendance import AttendanceEntry, FinalAssessment

NOTE_MAX_LENGTH = Attendance._meta.get_field("note").max_length
# Built once: a register makes two choice fields per person (the labels stay lazy, translated when shown).
STATUS_CHOICES = Attendance.Status.choices
REASON_CHOICES = [("", "—"), *Attendance.Reason.choices]


class WeekForm(forms.Form):
    start = forms.DateField(required=False)

    def week_start(self, today: dt.date) -> dt.date:
        """The Monday of the requested week (this week when none or a bad date is given)."""
        day = (self.cleaned_data.get("start") if self.is_valid() else None) or today
        return day - dt.timedelta(days=day.weekday())


@dataclass
class PersonRow:
    """One person on a per-person form, with their fields' current values and errors."""

    enrolment: Enrolment
    values: dict[str, object]
    errors: list[str] = field(default_factory=list)
    saved: Attendance | None = None

    @property
    def pk(self) -> int:
        return self.enrolment.pk

    @property
    def key(self) -> str:
        """The enrolment id as text, for field names: a number in a template goes through localisation."""
        return str(self.enrolment.pk)


class PerPersonForm(forms.Form):
    """Fields named `<name>_<enrolment id>` for each person; errors collected per person."""

    per_person: Sequence[str] = ()

    def __init__(self, *args, enrolments: Sequence[Enrolment], **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolments = list(enrolments)
        self.person_errors: dict[int, list[str]] = {}
        self._rows: list[PersonRow] | None = None
        # Shown, not submitted, the form needs no field per person: each row starts from person_initial().
        # Submitted, every person's fields validate what came back.
        if self.is_bound:
            for enrolment in self.enrolments:
                for name, person_field in self.person_fields(enrolment).items():
                    self.fields[f"{name}_{enrolment.pk}"] = person_field

    def person_initial(self, enrolment: Enrolment) -> dict[str, object]:
        """The values a person's row starts with (also the initial values of their fields)."""
        raise NotImplementedError

    def person_fields(self, enrolment: Enrolment) -> dict[str, forms.Field]:
        raise NotImplementedError

    def add_service_error(self, error: ValidationError) -> None:
        """Place a service's errors: keys that are enrolment ids go to that person, the rest on top."""
        self._rows = None
        if hasattr(error, "error_dict"):
            for key, messages in error.message_dict.items():
                if key.isdigit() and int(key) in {e.pk for e in self.enrolments}:
                    self.person_errors.setdefault(int(key), []).extend(messages)
                else:
                    self.add_error(None, messages)
        else:
            self.add_error(None, error)

    def rows(self) -> list[PersonRow]:
        """One row per person. Built once (a bound field per value is not cheap on a long list) and again only
        after a service's errors were added."""
        if self._rows is None:
            self._rows = self._build_rows()
        return self._rows

    def _build_rows(self) -> list[PersonRow]:
        rows = []
        for enrolment in self.enrolments:
            names = [f"{name}_{enrolment.pk}" for name in self.per_person]
            errors = [str(m) for n in names for m in (self.errors.get(n) or [])] if self.is_bound else []
            errors += self.person_errors.get(enrolment.pk, [])
            if self.is_bound:
                values = {name: self[f"{name}_{enrolment.pk}"].value() for name in self.per_person}
            else:
                values = self.person_initial(enrolment)
            rows.append(PersonRow(enrolment=enrolment, values=values, errors=errors))
        return rows

    @property
    def people_with_errors(self) -> int:
        return sum(1 for row in self.rows() if row.errors)


class RegisterForm(PerPersonForm):
    """A session's register. Everyone starts as present, or with their saved status when editing."""

    per_person = ("status", "reason", "note")

    topics_covered = forms.CharField(
        label=_("Topics covered"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )

    def __init__(self, *args, session: Session, enrolments: Sequence[Enrolment], **kwargs):
        self.session = session
        super().__init__(*args, enrolments=enrolments, **kwargs)
        self.fields["topics_covered"].initial = session.topics_covered

    def person_initial(self, enrolment: Enrolment) -> dict[str, object]:
        saved = getattr(enrolment, "saved_attendance", None)
        if saved is None:
            return {"status": Attendance.Status.PRESENT, "reason": "", "note": ""}
        return {"status": saved.status, "reason": saved.reason, "note": saved.note}

    def person_fields(self, enrolment: Enrolment) -> dict[str, forms.Field]:
        initial = self.person_initial(enrolment)
        return {
            "status": forms.ChoiceField(
                choices=STATUS_CHOICES,
                initial=initial["status"],
                error_messages={
                    "required": _("Choose present, late, absent or excused."),
                    "invalid_choice": _("Choose present, late, absent or excused."),
                },
            ),
            "reason": forms.ChoiceField(
                choices=REASON_CHOICES,
                required=False,
                initial=initial["reason"],
                error_messages={"invalid_choice": _("Choose a reason from the list.")},
            ),
            "note": forms.CharField(
                required=False,
                max_length=NOTE_MAX_LENGTH,
                initial=initial["note"],
                error_messages={"max_length": _("Keep the note to %(limit_value)d characters or fewer.")},
            ),
        }

    # Bootstrap colour of each status's button and badge.
    STATUS_STYLES = {
        Attendance.Status.PRESENT: "success",
        Attendance.Status.LATE: "warning",
        Attendance.Status.ABSENT: "danger",
        Attendance.Status.EXCUSED: "secondary",
    }

    # Stands for a row's enrolment id in the status buttons rendered once for every row.
    PK_SLOT = "__enrolment__"

    # The options are the same on every row of the list: built once per form, labels translated once.
    @cached_property
    def status_options(self) -> list[tuple[str, str, str]]:
        return [(value, str(label), self.STATUS_STYLES[value]) for value, label in Attendance.Status.choices]

    @cached_property
    def reason_options(self) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in Attendance.Reason.choices]

    # The status buttons and reason options are written here rather than by a template: drawn once per choice
    # made, each still took a template's context and included nodes (a tenth of the register's rendering).
    def _status_radios(self, *, checked: str) -> str:
        return format_html_join(
            "\n",
            '<input type="radio" class="btn-check" name="status_{pk}" id="status_{pk}_{value}" value="{value}" '
            'autocomplete="off" data-status{checked}>\n'
            '<label class="btn btn-outline-{colour}" for="status_{pk}_{value}" data-testid="status-{pk}-{value}">{label}'
            "</label>",
            (
                {"pk": self.PK_SLOT, "value": value, "label": label, "colour": colour,
                 "checked": " checked" if value == checked else ""}
                for value, label, colour in self.status_options
            ),
        )

    def _reason_options(self, *, selected: str) -> str:
        return format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            ((value, " selected" if value == selected else "", label) for value, label in [("", "—"), *self.reason_options]),
        )

    def _build_rows(self) -> list[PersonRow]:
        # Every row has the same status buttons and reason options but for its field names and its choice: they
        # are rendered once per choice made, not once per row (per row they were most of the page's rendering),
        # and each row's enrolment id is put in the field names afterwards.
        rows = super()._build_rows()
        radios: dict[str, str] = {}
        options: dict[str, str] = {}
        statuses = {value: str(label) for value, label in Enrolment.Status.choices}
        for row in rows:
            row.saved = getattr(row.enrolment, "saved_attendance", None)
            status, reason = str(row.values["status"] or ""), str(row.values["reason"] or "")
            if status not in radios:
                radios[status] = self._status_radios(checked=status)
            if reason not in options:
                options[reason] = self._reason_options(selected=reason)
            # The id is digits only: nothing to escape.
            row.status_radios = mark_safe(radios[status].replace(self.PK_SLOT, row.key))  # noqa: S308
            row.reason_options = options[reason]
            # What _person.html shows, for the rows of the form (written out there rather than included).
            row.name = row.enrolment.participant_name
            row.group_label = gettext("Attendance of %(name)s") % {"name": row.name}
            in_group = row.enrolment.status in (Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED)
            row.status_label = "" if in_group else statuses.get(row.enrolment.status, row.enrolment.status)
        return rows

    def entries(self) -> dict[int, AttendanceEntry]:
        data = self.cleaned_data
        return {
            e.pk: AttendanceEntry(status=data[f"status_{e.pk}"], reason=data[f"reason_{e.pk}"], note=data[f"note_{e.pk}"])
            for e in self.enrolments
        }

    def counts(self) -> dict[str, int]:
        """How many people have each status in the form as shown."""
        counts = dict.fromkeys(Attendance.Status.values, 0)
        for row in self.rows():
            if row.values["status"] in counts:
                counts[row.values["status"]] += 1
        return counts


class FinalAssessmentForm(PerPersonForm):
    per_person = ("result", "score", "note")

    @property
    def result_options(self) -> list[tuple[str, str, str]]:
        return [
            ("", _("Not assessed"), "secondary"),
            (Enrolment.Result.PASSED, Enrolment.Result.PASSED.label, "success"),
            (Enrolment.Result.NOT_PASSED, Enrolment.Result.NOT_PASSED.label, "danger"),
        ]

    def person_initial(self, enrolment: Enrolment) -> dict[str, object]:
        return {"result": enrolment.final_result, "score": enrolment.final_score, "note": enrolment.final_note}

    def person_fields(self, enrolment: Enrolment) -> dict[str, forms.Field]:
        return {
            "result": forms.ChoiceField(
                choices=[("", _("Not assessed")), *Enrolment.Result.choices],
                required=False,
                initial=enrolment.final_result,
                error_messages={"invalid_choice": _("Choose passed, not passed or not assessed.")},
            ),
            "score": forms.DecimalField(
                required=False,
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                initial=enrolment.final_score,
                error_messages={
                    "invalid": _("The score must be a number between 0 and 100."),
                    "min_value": _("The score must be between 0 and 100."),
                    "max_value": _("The score must be between 0 and 100."),
                    "max_decimal_places": _("Use at most two decimals in the score."),
                    "max_digits": _("The score must be between 0 and 100."),
                },
            ),
            "note": forms.CharField(required=False, initial=enrolment.final_note),
        }

    def results(self) -> dict[int, FinalAssessment]:
        data = self.cleaned_data
        return {
            e.pk: FinalAssessment(result=data[f"result_{e.pk}"], score=data[f"score_{e.pk}"], note=data[f"note_{e.pk}"])
            for e in self.enrolments
        }
