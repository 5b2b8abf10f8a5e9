"""Business rules for people in custody. Keyword-only, typed, named <entity>_<action>.

Casework: `assessment_create` scores an assessment; `sensitive_read_record` writes the read log and is the one
function every view of a sensitive record (an assessment here, a plan in inmates.plans) calls.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inmates.casework_selectors import add_months
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
            reassessment_due=add_months(assessed_on, instrument.reassess_after_months),
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


# ------------------------------------------------------------------------------------------------ retention

# What stays after anonymisation: gender, the year of birth (as 1 January), preferred language, facilities and
# dates of custody, status, enrolments, attendance and results, assessment scores and levels, plan and release
# statuses, follow-up outcomes; so every count and rate in the reports is unchanged. Certificates are left alone:
# the certificate (with the holder's name as printed) is the person's own credential.
ANONYMOUS_FIRST_NAME = "Anonymised"
REMOVED = "—"
AUDIT_REMOVED = "[removed]"
INMATE_PERSONAL_FIELDS = ("first_name", "last_name", "registration_number", "date_of_birth")
# Free text about the person, reached from Inmate through reverse relations (so programs is not imported: it sits
# above this app). Non-empty values become REMOVED (a dash also satisfies "a note is required" constraints).
FREE_TEXT = (
    ("custody_events", ("note",)),
    ("assessments", ("notes",)),
    ("plans", ("summary",)),
    ("plans__goals", ("title",)),
    ("plans__goals__steps", ("description",)),
    ("plans__interventions", ("description",)),
    ("plans__reviews", ("notes",)),
    ("release_tasks", ("note",)),
    ("referrals", ("note",)),
    ("referrals__follow_ups", ("note",)),
    ("enrolments", ("final_note",)),
    ("enrolments__history", ("reason",)),
    ("enrolments__attendance", ("note",)),
    ("course_requests", ("note",)),
)


@dataclass
class AnonymisedPerson:
    pk: int
    registration_number: str
    released_on: dt.date
    new_registration_number: str = ""
    texts: int = 0
    audit_entries: int = 0


@dataclass
class AnonymiseResult:
    people: list[AnonymisedPerson] = field(default_factory=list)
    dry_run: bool = False


def _related(path: str) -> tuple[type, str]:
    """The model at the end of a reverse-relation `path` from Inmate, and its lookup back to the inmate."""
    model, back = Inmate, []
    for name in path.split("__"):
        relation = model._meta.get_field(name)
        back.insert(0, relation.field.name)
        model = relation.related_model
    return model, "__".join(back)


def released_before(*, cutoff: dt.date) -> QuerySet[Inmate]:
    """Released people, not yet anonymised, whose release (the last release movement, else the expected release
    date) was before `cutoff`; annotated with `released_on`."""
    last_release = (
        CustodyEvent.objects.filter(inmate=OuterRef("pk"), kind=CustodyEvent.Kind.RELEASE)
        .order_by("-date", "-pk")
        .values("date")[:1]
    )
    return (
        Inmate.objects.filter(status=Inmate.Status.RELEASED, anonymised_on__isnull=True)
        .annotate(released_on=Coalesce(Subquery(last_release), F("expected_release_date")))
        .filter(released_on__lt=cutoff)
        .order_by("released_on", "pk")
    )


def _opaque_number(prison_service_id: int) -> str:
    while True:
        number = f"ANON-{secrets.token_hex(5).upper()}"
        if not Inmate.objects.filter(prison_service_id=prison_service_id, registration_number=number).exists():
            return number


def _scrub_audit_trail(model: type, ids: list[int], fields: tuple[str, ...]) -> int:
    """Remove the old and new values of `fields` from the audit entries of these rows, and their descriptions
    (which may hold a name). The entries themselves stay: who changed what and when is kept."""
    if not ids:
        return 0
    current = {obj.pk: str(obj)[:1000] for obj in model._default_manager.filter(pk__in=ids)}
    entries = list(
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    )
    for entry in entries:
        changes = entry.changes or {}
        for name in fields:
            if name in changes:
                changes[name] = [AUDIT_REMOVED, AUDIT_REMOVED]
        entry.changes = changes
        entry.changes_text = ""
        entry.serialized_data = None
        entry.object_repr = current.get(entry.object_id, AUDIT_REMOVED)
    LogEntry.objects.bulk_update(entries, ["changes", "changes_text", "serialized_data", "object_repr"])
    return len(entries)


def inmates_anonymise(*, cutoff: dt.date, today: dt.date, dry_run: bool = False) -> AnonymiseResult:
    """Anonymise everyone released before `cutoff`, in one transaction (rolled back for a dry run, so what it
    reports is exactly what a real run does).

    Per person: first name "Anonymised", last name and registration number an opaque value unique in the prison
    service, date of birth → 1 January of the birth year; free text in casework and training records → "—";
    the audit trail keeps its entries without the removed values. Counts, levels and outcomes stay.
    """
    result = AnonymiseResult(dry_run=dry_run)
    with transaction.atomic(), disable_auditlog():
        people = list(released_before(cutoff=cutoff).select_for_update(of=("self",)))
        ids = [person.pk for person in people]
        for person in people:
            report = AnonymisedPerson(
                pk=person.pk, registration_number=person.registration_number, released_on=person.released_on
            )
            number = _opaque_number(person.prison_service_id)
            person.first_name = ANONYMOUS_FIRST_NAME
            person.last_name = number
            person.registration_number = number
            if person.date_of_birth:
                person.date_of_birth = person.date_of_birth.replace(month=1, day=1)
            person.anonymised_on = today
            person.save(update_fields=[*INMATE_PERSONAL_FIELDS, "anonymised_on"])
            report.new_registration_number = number
            result.people.append(report)
        by_pk = {report.pk: report for report in result.people}

        for path, fields in FREE_TEXT:
            model, back = _related(path)
            for name in fields:
                rows = model._default_manager.filter(**{f"{back}__in": ids}).exclude(**{name: ""}).exclude(
                    **{name: REMOVED}
                )
                for inmate_id, count in rows.values(back).annotate(n=Count("pk")).values_list(back, "n"):
                    by_pk[inmate_id].texts += count
                rows.update(**{name: REMOVED})
            rows_of_people = model._default_manager.filter(**{f"{back}__in": ids}).values_list("pk", flat=True)
            _scrub_audit_trail(model, list(rows_of_people), fields)

        for person in people:
            by_pk[person.pk].audit_entries = LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Inmate), object_id=person.pk
            ).count()
        _scrub_audit_trail(Inmate, ids, INMATE_PERSONAL_FIELDS)
        if people:
            entries = [
                LogEntry(
                    content_type=ContentType.objects.get_for_model(Inmate),
                    object_pk=str(person.pk),
                    object_id=person.pk,
                    object_repr=str(person)[:1000],
                    action=LogEntry.Action.UPDATE,
                    changes={name: [AUDIT_REMOVED, str(getattr(person, name))] for name in INMATE_PERSONAL_FIELDS},
                    additional_data={"reason": "Retention: anonymised after release"},
                    timestamp=timezone.now(),
                )
                for person in people
            ]
            LogEntry.objects.bulk_create(entries)
        if dry_run:
            transaction.set_rollback(True)
    return result
