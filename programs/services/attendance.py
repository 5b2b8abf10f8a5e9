"""Registers and final assessments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Attendance, Enrolment, Session

# ---------------------------------------------------------------- attendance


@dataclass(frozen=True)
class AttendanceEntry:
    status: str
    reason: str = ""
    note: str = ""


def _entry_errors(entry: AttendanceEntry) -> list[str]:
    errors = []
    if entry.status not in Attendance.Status.values:
        errors.append(_("Unknown attendance status “%(status)s”.") % {"status": entry.status})
    if entry.reason and entry.reason not in Attendance.Reason.values:
        errors.append(_("Unknown reason “%(reason)s”.") % {"reason": entry.reason})
    if entry.status == Attendance.Status.EXCUSED and not entry.reason:
        errors.append(_("An excused absence needs a reason."))
    if entry.reason == Attendance.Reason.OTHER and not entry.note.strip():
        errors.append(_("Describe the reason when choosing “Other”."))
    return errors


def session_record_register(
    *,
    session: Session,
    entries: Mapping[int, AttendanceEntry],
    topics_covered: str = "",
    by: AbstractBaseUser | None = None,
    today: dt.date | None = None,
) -> list[Attendance]:
    """Save a session's whole register in one call; submitting the same register twice changes nothing."""
    today = today or timezone.localdate()
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("This session was cancelled; it has no register."), code="cancelled")
    if session.date > today:
        raise ValidationError(_("The register cannot be taken before the session's day."), code="future")

    expected = set(session_expected_enrolments(session=session).values_list("pk", flat=True))
    unknown = set(entries) - expected
    if unknown:
        raise ValidationError(_("Some people on this register are not enrolled in the cohort."), code="unknown")
    missing = expected - set(entries)
    if missing:
        raise ValidationError(_("Mark every participant: %(count)d are missing.") % {"count": len(missing)}, code="missing")
    errors = {pk: _entry_errors(entry) for pk, entry in entries.items()}
    errors = {pk: msgs for pk, msgs in errors.items() if msgs}
    if errors:
        raise ValidationError({str(pk): msgs for pk, msgs in errors.items()}, code="invalid")

    rows = [
        Attendance(
            session=session,
            enrolment_id=pk,
            status=entry.status,
            reason="" if entry.status == Attendance.Status.PRESENT else entry.reason,
            note=entry.note.strip(),
            recorded_by=by,
            recorded_at=timezone.now(),
        )
        for pk, entry in sorted(entries.items())
    ]
    with transaction.atomic():
        Attendance.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["session", "enrolment"],
            update_fields=["status", "reason", "note", "recorded_by", "recorded_at"],
        )
        session.status = Session.Status.HELD
        session.topics_covered = topics_covered.strip()
        session.register_taken_at = session.register_taken_at or timezone.now()
        session.register_taken_by = session.register_taken_by or by
        session.save(update_fields=["status", "topics_covered", "register_taken_at", "register_taken_by"])
    return list(session.attendance.order_by("enrolment_id"))


def session_expected_enrolments(*, session: Session) -> QuerySet[Enrolment]:
    """Who is on a session's register: those enrolled (or since completed), plus anyone already marked."""
    return Enrolment.objects.filter(cohort_id=session.cohort_id).filter(
        Q(status__in=Enrolment.SEATED) | Exists(Attendance.objects.filter(session=session, enrolment=OuterRef("pk")))
    )
