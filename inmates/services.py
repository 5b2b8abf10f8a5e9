"""Business rules for people in custody. Keyword-only, typed, named <entity>_<action>."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from inmates.forms import InmateRowForm
from inmates.models import CustodyEvent, Inmate
from rehab.models import Facility

# Data rows are numbered as a spreadsheet shows them: the header is row 1.
FIRST_DATA_ROW = 2


@dataclass
class ImportResult:
    created: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _row_error(row: int, column: str, message: str) -> str:
    if column == NON_FIELD_ERRORS:
        return _("Row %(row)d: %(message)s") % {"row": row, "message": message}
    return _("Row %(row)d: %(column)s: %(message)s") % {"row": row, "column": column, "message": message}


def inmates_import(
    *, facility: Facility, rows: Sequence[Mapping[str, Any]], by: AbstractBaseUser | None
) -> ImportResult:
    """Admit the people listed in `rows` to `facility`, all or none.

    Every row is validated before anything is written; one bad row (a field, a registration number already
    used in the facility's prison service or repeated in the file) means nothing is saved and every error is
    reported with its row number. Each person gets an admission in their custody history.
    """
    forms = [(number, InmateRowForm.for_row(dict(values))) for number, values in enumerate(rows, start=FIRST_DATA_ROW)]
    for _row, form in forms:
        form.full_clean()
    numbers = {form.cleaned_data.get("registration_number") for _row, form in forms} - {None}
    taken = set(
        Inmate.objects.filter(
            prison_service_id=facility.prison_service_id, registration_number__in=numbers
        ).values_list("registration_number", flat=True)
    )

    errors: list[str] = []
    first_row_of: dict[str, int] = {}
    for row, form in forms:
        number = form.cleaned_data.get("registration_number")
        if number:
            first_row = first_row_of.setdefault(number, row)
            if first_row != row:
                form.add_error(
                    "registration_number",
                    _("%(number)s is also on row %(row)d.") % {"number": number, "row": first_row},
                )
            elif number in taken:
                form.add_error(
                    "registration_number",
                    _("%(number)s is already registered in %(service)s.")
                    % {"number": number, "service": facility.prison_service.name},
                )
        # Errors in the order of the columns, so a row reads left to right.
        for column in [*form.fields, NON_FIELD_ERRORS]:
            errors += [_row_error(row, column, message) for message in form.errors.get(column, [])]
    if errors:
        return ImportResult(errors=errors)

    valid = [form.cleaned_data for _row, form in forms]
    try:
        with transaction.atomic():
            for data in valid:
                inmate = Inmate.objects.create(
                    prison_service_id=facility.prison_service_id,
                    current_facility=facility,
                    status=Inmate.Status.IN_CUSTODY,
                    **data,
                )
                CustodyEvent.objects.create(
                    inmate=inmate,
                    kind=CustodyEvent.Kind.ADMISSION,
                    date=inmate.admission_date,
                    to_facility=facility,
                    note=_("Imported from a file."),
                    recorded_by=by,
                )
    except IntegrityError:
        # Someone registered one of these numbers between the check and the insert.
        return ImportResult(
            errors=[_("A registration number in the file was registered meanwhile. Nothing was saved; try again.")]
        )
    return ImportResult(created=len(valid))
