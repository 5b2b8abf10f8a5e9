"""Business rules for people in custody. Keyword-only, typed, named <entity>_<action>.

Casework: `assessment_create` scores an assessment; `sensitive_read_record` writes the read log and is the one
function every view of a sensitive record (an assessment here, a plan in inmates.plans) calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inmates.forms import InmateRowForm
from inmates.models import (
    AnswerOption,
    Assessment,
    AssessmentAnswer,
    AssessmentInstrument,
    AssessmentItem,
    CustodyEvent,
    Inmate,
    ScoringBand,
    SensitiveRead,
)
from rehab.audit import audit_log
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


# ------------------------------------------------------------------------------------------------ casework


def sensitive_read_record(
    *, user: AbstractBaseUser, inmate: Inmate, record_type: str, record_id: int, path: str = ""
) -> SensitiveRead:
    """Log that `user` read a sensitive record of `inmate` (who, when, which record).

    Call it from every view that shows an assessment or a plan, after the scope check and before rendering:
    `sensitive_read_record(user=request.user, inmate=inmate, record_type="plan", record_id=plan.pk,
    path=request.path)`. record_type is "assessment" or "plan" (or another casework record's name).
    """
    return SensitiveRead.objects.create(
        user=user, inmate=inmate, record_type=record_type, record_id=record_id, path=path[:500]
    )


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the 31st becomes the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    return min(dt.date(year, month, 1) + dt.timedelta(days=day.day - 1), next_month - dt.timedelta(days=1))


@dataclass(frozen=True)
class AssessmentScore:
    total: int
    band: ScoringBand
    # The chosen option of every item, in the instrument's order.
    answers: list[tuple[AssessmentItem, AnswerOption]]


def assessment_score(*, instrument: AssessmentInstrument, answers: Mapping[int, int]) -> AssessmentScore:
    """Score `answers` (item id → option id) on `instrument`: every item answered with an option of its scale.

    Raises ValidationError listing every problem; nothing is written.
    """
    items = list(
        AssessmentItem.objects.filter(domain__instrument=instrument)
        .select_related("domain")
        .prefetch_related("scale__options")
        .order_by("domain__order", "order", "pk")
    )
    known = {item.pk for item in items}
    errors: list[str] = []
    unknown = [item_id for item_id in answers if item_id not in known]
    if unknown:
        errors.append(_("Some answers are for questions that are not part of %(instrument)s.") % {
            "instrument": instrument.name
        })
    missing = [item for item in items if answers.get(item.pk) is None]
    if missing:
        errors.append(
            ngettext(
                "Answer every question: %(count)d is missing (%(items)s).",
                "Answer every question: %(count)d are missing (%(items)s).",
                len(missing),
            )
            % {"count": len(missing), "items": ", ".join(item.code for item in missing)}
        )
    scored: list[tuple[AssessmentItem, AnswerOption]] = []
    for item in items:
        option_id = answers.get(item.pk)
        if option_id is None:
            continue
        option = next((option for option in item.scale.options.all() if option.pk == option_id), None)
        if option is None:
            errors.append(_("%(item)s: choose one of the answers offered.") % {"item": item.code})
            continue
        scored.append((item, option))
    if not items:
        errors.append(_("%(instrument)s has no questions yet.") % {"instrument": instrument.name})
    if errors:
        raise ValidationError(errors)

    total = sum(option.score for _item, option in scored)
    band = (
        ScoringBand.objects.filter(
            instrument=instrument, domain__isnull=True, min_score__lte=total, max_score__gte=total
        )
        .order_by("min_score")
        .first()
    )
    if band is None:
        raise ValidationError(
            _("No scoring band of %(instrument)s covers the score %(score)d: ask the administrator to fix the bands.")
            % {"instrument": instrument.name, "score": total},
            code="no_band",
        )
    return AssessmentScore(total=total, band=band, answers=scored)


def assessment_create(
    *,
    inmate: Inmate,
    instrument: AssessmentInstrument,
    answers: Mapping[int, int],
    assessed_on: dt.date,
    by: AbstractBaseUser,
    notes: str = "",
) -> Assessment:
    """Record a completed assessment, all or nothing: answers → total score → band → level, and the date the
    person is due to be reassessed (assessed_on + the instrument's reassess_after_months).

    The assessment and its answers are written with their audit-trail entries in one transaction.
    """
    errors = []
    if not instrument.is_active:
        errors.append(_("%(instrument)s is no longer in use.") % {"instrument": instrument.name})
    if assessed_on > timezone.localdate():
        errors.append(_("The assessment date cannot be in the future."))
    if errors:
        raise ValidationError(errors)
    score = assessment_score(instrument=instrument, answers=answers)
    with transaction.atomic(), disable_auditlog():
        assessment = Assessment.objects.create(
            inmate=inmate,
            instrument=instrument,
            assessor=by,
            assessed_on=assessed_on,
            total_score=score.total,
            level=score.band.level,
            reassessment_due=_add_months(assessed_on, instrument.reassess_after_months),
            notes=notes.strip(),
        )
        rows = AssessmentAnswer.objects.bulk_create(
            AssessmentAnswer(assessment=assessment, item=item, option=option, score=option.score)
            for item, option in score.answers
        )
        reason = _("Assessment recorded")
        audit_log([assessment], action=LogEntry.Action.CREATE, by=by, reason=reason)
        audit_log(rows, action=LogEntry.Action.CREATE, by=by, reason=reason)
    return assessment
