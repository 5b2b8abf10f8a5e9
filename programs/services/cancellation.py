"""Cancelling sessions: one session with a reason, or every session of a facility during a lockdown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from programs.models import Attendance, Cohort, Session
from programs.services.enrolment import dashboard_refresh_on_commit
from rehab.models import Facility

REASON_MAX_LENGTH = Session._meta.get_field("cancellation_reason").max_length


@dataclass
class CancellationResult:
    """Sessions cancelled (or, in a preview, that would be) and those skipped because a register exists."""

    cancelled: list[Session] = field(default_factory=list)
    skipped: list[Session] = field(default_factory=list)

    def cancelled_by_cohort(self) -> list[tuple[Cohort, int]]:
        counts: dict[int, list] = {}
        for session in self.cancelled:
            counts.setdefault(session.cohort_id, [session.cohort, 0])[1] += 1
        return sorted(((cohort, n) for cohort, n in counts.values()), key=lambda pair: pair[0].name)


def _has_register() -> Q:
    return (
        Q(status=Session.Status.HELD)
        | Q(register_taken_at__isnull=False)
        | Q(Exists(Attendance.objects.filter(session=OuterRef("pk"))))
    )


def _clean_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the cancellation.")}, code="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Keep the reason to %(max)d characters or fewer.") % {"max": REASON_MAX_LENGTH}}, code="reason"
        )
    return reason


def session_has_register(*, session: Session) -> bool:
    return Session.objects.filter(pk=session.pk).filter(_has_register()).exists()


def session_cancel(*, session: Session, reason: str, by: AbstractBaseUser | None) -> Session:
    """Cancel one session. A session whose register is taken happened: it cannot be cancelled."""
    reason = _clean_reason(reason)
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.status == Session.Status.CANCELLED:
            raise ValidationError(_("This session is already cancelled."), code="already_cancelled")
        if session_has_register(session=locked):
            raise ValidationError(
                _("The register for this session is already taken, so it took place and cannot be cancelled."),
                code="register_taken",
            )
        locked.status = Session.Status.CANCELLED
        locked.cancellation_reason = reason
        # save() rather than update(): the audit trail records who cancelled it (the request's user).
        locked.save(update_fields=["status", "cancellation_reason"])
        dashboard_refresh_on_commit(session.cohort.facility_id)
    session.status, session.cancellation_reason = locked.status, locked.cancellation_reason
    return session


def _facility_sessions(*, facility: Facility, start: dt.date, end: dt.date) -> QuerySet[Session]:
    return (
        Session.objects.filter(cohort__facility=facility, date__range=(start, end))
        .exclude(status=Session.Status.CANCELLED)
        .annotate(has_register=_has_register())
        .select_related("cohort__course")
        .order_by("date", "start_time", "cohort__name")
    )


def _check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError({"end": _("The end date must be on or after the start date.")}, code="range")


def facility_cancellation_preview(*, facility: Facility, start: dt.date, end: dt.date) -> CancellationResult:
    """What facility_cancel_sessions would do now, without changing anything."""
    _check_range(start, end)
    result = CancellationResult()
    for session in _facility_sessions(facility=facility, start=start, end=end):
        (result.skipped if session.has_register else result.cancelled).append(session)
    return result


def facility_cancel_sessions(
    *, facility: Facility, start: dt.date, end: dt.date, reason: str, by: AbstractBaseUser | None
) -> CancellationResult:
    """Cancel every session of the facility's groups between two dates (a lockdown), with one reason.

    Sessions whose register is already taken are skipped and returned as such; sessions already
    cancelled are left with their own reason. Running it twice cancels nothing more.
    """
    _check_range(start, end)
    reason = _clean_reason(reason)
    result = CancellationResult()
    with transaction.atomic():
        sessions = _facility_sessions(facility=facility, start=start, end=end).select_for_update(of=("self",))
        for session in sessions:
            if session.has_register:
                result.skipped.append(session)
                continue
            session.status = Session.Status.CANCELLED
            session.cancellation_reason = reason
            session.save(update_fields=["status", "cancellation_reason"])
            result.cancelled.append(session)
        if result.cancelled:
            dashboard_refresh_on_commit(facility.pk)
    return result
