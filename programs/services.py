"""Business rules for delivering programmes. Keyword-only, typed, named <entity>_<action>."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from inmates.models import Inmate
from programs.models import Attendance, Cohort, Enrolment, EnrolmentStatusChange, Session
from rehab.models import PublicHoliday, StaffMember

# ---------------------------------------------------------------- sessions


@dataclass(frozen=True)
class SessionGeneration:
    created: int
    deleted: int
    kept: int


def cohort_planned_sessions(*, cohort: Cohort) -> list[tuple[dt.date, dt.time, dt.time]]:
    """Every (date, start, end) the cohort's weekly slots give between its dates, holidays skipped."""
    slots = list(cohort.weekly_slots.all())
    if not slots:
        return []
    holidays = set(
        PublicHoliday.objects.filter(
            country=cohort.facility.prison_service.country,
            date__range=(cohort.start_date, cohort.end_date),
        ).values_list("date", flat=True)
    )
    by_weekday: dict[int, list] = {}
    for slot in slots:
        by_weekday.setdefault(slot.weekday, []).append(slot)
    planned = []
    day = cohort.start_date
    while day <= cohort.end_date:
        if day not in holidays:
            for slot in by_weekday.get(day.weekday(), ()):
                planned.append((day, slot.start_time, slot.end_time))
        day += dt.timedelta(days=1)
    return planned


@transaction.atomic
def cohort_generate_sessions(*, cohort: Cohort, today: dt.date | None = None) -> SessionGeneration:
    """Bring the cohort's sessions in line with its weekly slots and dates.

    Past sessions and sessions that already have a register are history: they are never changed or
    deleted, even when the schedule no longer produces them.
    """
    today = today or timezone.localdate()
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
    planned = {(day, start): end for day, start, end in cohort_planned_sessions(cohort=cohort)}
    existing = cohort.sessions.annotate(has_register=Exists(Attendance.objects.filter(session=OuterRef("pk"))))

    protected, removable = set(), []
    for session in existing:
        key = (session.date, session.start_time)
        frozen = session.date < today or session.has_register or session.status == Session.Status.HELD
        if frozen:
            protected.add(key)
        elif key in planned and planned[key] == session.end_time:
            protected.add(key)
        else:
            removable.append(session.pk)

    deleted = Session.objects.filter(pk__in=removable).delete()[0] if removable else 0
    new = [
        Session(cohort=cohort, date=day, start_time=start, end_time=end)
        for (day, start), end in sorted(planned.items())
        if (day, start) not in protected and day >= today
    ]
    Session.objects.bulk_create(new)
    return SessionGeneration(created=len(new), deleted=deleted, kept=len(protected))


# ---------------------------------------------------------------- enrolments


def _record_status(*, enrolment: Enrolment, from_status: str, reason: str, by: AbstractBaseUser | None) -> None:
    EnrolmentStatusChange.objects.create(
        enrolment=enrolment, from_status=from_status, to_status=enrolment.status, reason=reason, changed_by=by
    )


def cohort_seats_taken(*, cohort: Cohort) -> int:
    return cohort.enrolments.filter(status__in=Enrolment.SEATED).count()


def enrolment_create(
    *,
    cohort: Cohort,
    inmate: Inmate | None = None,
    staff_member: StaffMember | None = None,
    waitlist_if_full: bool = False,
    by: AbstractBaseUser | None = None,
) -> Enrolment:
    """Enrol a person into a cohort, or put them on its waitlist when it is full and that is asked for.

    The cohort row is locked for the count, so concurrent requests cannot exceed its capacity.
    """
    if (inmate is None) == (staff_member is None):
        raise ValidationError(_("Choose exactly one person: an inmate or a staff member."), code="person")
    if inmate is not None and inmate.status != Inmate.Status.IN_CUSTODY:
        raise ValidationError(_("%(name)s is no longer in custody.") % {"name": inmate.full_name}, code="not_in_custody")
    try:
        with transaction.atomic():
            locked = Cohort.objects.select_for_update(of=("self",)).select_related("room").get(pk=cohort.pk)
            person_filter = {"inmate": inmate} if inmate is not None else {"staff_member": staff_member}
            if locked.enrolments.filter(**person_filter).exists():
                raise ValidationError(
                    _("%(name)s already has an enrolment in %(cohort)s.")
                    % {"name": (inmate or staff_member).full_name, "cohort": locked.name},
                    code="duplicate",
                )
            full = cohort_seats_taken(cohort=locked) >= locked.seat_limit
            if full and not waitlist_if_full:
                raise ValidationError(
                    _("%(cohort)s is full: all %(seats)d places are taken.") % {"cohort": locked.name, "seats": locked.seat_limit},
                    code="full",
                )
            enrolment = Enrolment.objects.create(
                cohort=locked,
                inmate=inmate,
                staff_member=staff_member,
                status=Enrolment.Status.WAITLISTED if full else Enrolment.Status.ENROLLED,
                enrolled_at=None if full else timezone.now(),
            )
            _record_status(enrolment=enrolment, from_status="", reason="", by=by)
            return enrolment
    except IntegrityError as exc:
        # Two requests for the same person raced past the existence check; the constraint decided.
        raise ValidationError(_("This person already has an enrolment in this cohort."), code="duplicate") from exc


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
