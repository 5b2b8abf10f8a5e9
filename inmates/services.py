"""Business rules for people in custody. Keyword-only, typed, named <entity>_<action>."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
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


def _row_error(number: int, column: str | None, message: str) -> tuple[int, str]:
    if column:
        text = _("Row %(row)d: %(column)s: %(message)s") % {"row": number, "column": column, "message": message}
    else:
        text = _("Row %(row)d: %(message)s") % {"row": number, "message": message}
    return number, text


def inmates_import(
    *, facility: Facility, rows: Sequence[Mapping[str, Any]], by: AbstractBaseUser | None
) -> ImportResult:
    """Admit the people listed in `rows` to `facility`, all or none.

    Every row is validated before anything is written; one bad row (a field, a registration number already
    used in the facility's prison service or repeated in the file) means nothing is saved and every error is
    reported with its row number. Each person gets an admission in their custody history.
    """
    errors: list[tuple[int, str]] = []
    valid: list[tuple[int, dict[str, Any]]] = []
    first_row_of: dict[str, int] = {}
    for number, values in enumerate(rows, start=FIRST_DATA_ROW):
        form = InmateRowForm.for_row(dict(values))
        if not form.is_valid():
            for column, messages in form.errors.items():
                errors += [_row_error(number, None if column == "__all__" else column, m) for m in messages]
            continue
        data = form.cleaned_data
        number_seen = first_row_of.setdefault(data["registration_number"], number)
        if number_seen != number:
            errors.append(
                _row_error(
                    number,
                    "registration_number",
                    _("%(number)s is also on row %(row)d.")
                    % {"number": data["registration_number"], "row": number_seen},
                )
            )
            continue
        valid.append((number, data))

    taken = set(
        Inmate.objects.filter(
            prison_service_id=facility.prison_service_id,
            registration_number__in=[data["registration_number"] for _n, data in valid],
        ).values_list("registration_number", flat=True)
    )
    for number, data in valid:
        if data["registration_number"] in taken:
            errors.append(
                _row_error(
                    number,
                    "registration_number",
                    _("%(number)s is already registered in %(service)s.")
                    % {"number": data["registration_number"], "service": facility.prison_service.name},
                )
            )
    if errors:
        return ImportResult(errors=[text for _number, text in sorted(errors, key=lambda error: error[0])])

    try:
        with transaction.atomic():
            for _number, data in valid:
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
