"""Registers, who may take them, attendance rates, final assessments and completion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from programs.models import Attendance, Cohort, Enrolment, EnrolmentStatusChange, Session
from programs.services.enrolment import _record_status, dashboard_refresh_on_commit
from rehab.models import Role
from rehab.scoping import facilities_for, reaches_facility

User = AbstractBaseUser | AnonymousUser

# A trainer may take or correct a register up to this many days after the session; later only the
# facility's director can change it, so registers cannot be quietly rewritten months afterwards.
REGISTER_EDIT_DAYS = 7

# Roles that manage every cohort of their facilities (directors) or of all facilities (administrators).
MANAGING_ROLES = (Role.DIRECTOR, Role.SYSTEM_ADMINISTRATOR)

# ---------------------------------------------------------------- who may do what


def cohorts_managed_by(*, user: User) -> QuerySet[Cohort]:
    """Cohorts the user delivers as a trainer, or directs as the director of their facility (or administers)."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    condition = Q(trainers__user=user) | Q(facility__in=facilities_for(user, *MANAGING_ROLES))
    return Cohort.objects.filter(pk__in=Cohort.objects.filter(condition).values("pk"))


def sessions_managed_by(*, user: User) -> QuerySet[Session]:
    return Session.objects.filter(cohort__in=cohorts_managed_by(user=user))


def user_directs_cohort(*, user: User, cohort: Cohort) -> bool:
    """A director of the cohort's facility, or a system administrator (from the role assignments: no query)."""
    return user.is_authenticated and reaches_facility(user, cohort.facility, *MANAGING_ROLES)


def user_trains_cohort(*, user: User, cohort: Cohort) -> bool:
    return user.is_authenticated and cohort.trainers.filter(user=user).exists()


def register_edit_deadline(*, session: Session) -> dt.date:
    """The last day on which a trainer may still take or correct the register."""
    return session.date + dt.timedelta(days=REGISTER_EDIT_DAYS)


def trains_cohort(*, user: User) -> Exists:
    """Whether `user` is among the trainers of the cohort of the session annotated (as an expression)."""
    return Exists(Cohort.trainers.through.objects.filter(cohort_id=OuterRef("cohort_id"), staffmember__user=user))


def session_register_refusal(
    *, session: Session, user: User, today: dt.date | None = None, user_trains: bool | None = None
) -> str | None:
    """Why `user` may not save this session's register today, or None when they may. `user_trains`, when
    known (the session read with trains_cohort()), saves asking whether the user trains the group."""
    today = today or timezone.localdate()
    if session.status == Session.Status.CANCELLED:
        return _("This session was cancelled; it has no register.")
    if session.date > today:
        return _("The register opens on the day of the session (%(date)s).") % {
            "date": formats.date_format(session.date, "DATE_FORMAT")
        }
    if user_directs_cohort(user=user, cohort=session.cohort):
        return None
    if user_trains if user_trains is not None else user_trains_cohort(user=user, cohort=session.cohort):
        deadline = register_edit_deadline(session=session)
        if today > deadline:
            return _(
                "Trainers can change a register for %(days)d days after the session (until %(date)s). "
                "Ask the facility director to change it."
            ) % {"days": REGISTER_EDIT_DAYS, "date": formats.date_format(deadline, "DATE_FORMAT")}
        return None
    return _("Only the group's trainers and the facility director can take this register.")


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
    """Save a session's whole register in one call; submitting the same register twice changes nothing.

    Only rows whose status, reason or note change are written, so each row keeps who last changed it
    and when.
    """
    today = today or timezone.localdate()
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("This session was cancelled; it has no register."), code="cancelled")
    if session.date > today:
        raise ValidationError(_("The register cannot be taken before the session's day."), code="future")

    expected = {enrolment.pk for enrolment in session_expected_enrolments(session=session)}
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

    with transaction.atomic():
        # The lock orders this save after a concurrent cancellation or save of the same session.
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.status == Session.Status.CANCELLED:
            raise ValidationError(_("This session was cancelled; it has no register."), code="cancelled")
        saved = {
            row.enrolment_id: (row.status, row.reason, row.note)
            for row in Attendance.objects.filter(session=locked)
        }
        rows = []
        for pk, entry in sorted(entries.items()):
            values = (
                entry.status,
                "" if entry.status == Attendance.Status.PRESENT else entry.reason,
                entry.note.strip(),
            )
            if saved.get(pk) != values:
                status, reason, note = values
                rows.append(Attendance(session=locked, enrolment_id=pk, status=status, reason=reason, note=note, recorded_by=by))
        if rows:
            Attendance.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["session", "enrolment"],
                update_fields=["status", "reason", "note", "recorded_by", "recorded_at"],
            )
        first_time = locked.register_taken_at is None
        locked.status = Session.Status.HELD
        locked.topics_covered = topics_covered.strip()
        if first_time:
            # The same instant as the rows (auto_now stamped them), so "taken" and "last changed" match.
            locked.register_taken_at = max((row.recorded_at for row in rows), default=None) or timezone.now()
            locked.register_taken_by = by
        locked.save(update_fields=["status", "topics_covered", "register_taken_at", "register_taken_by"])
        dashboard_refresh_on_commit(session.cohort.facility_id)
    for field in ("status", "topics_covered", "register_taken_at", "register_taken_by_id"):
        setattr(session, field, getattr(locked, field))
    return list(session.attendance.order_by("enrolment_id"))


def session_save_register(
    *,
    session: Session,
    entries: Mapping[int, AttendanceEntry],
    topics_covered: str = "",
    by: AbstractBaseUser,
    today: dt.date | None = None,
    user_trains: bool | None = None,
) -> list[Attendance]:
    """Save a register on behalf of a person: a trainer of the group within the edit window, or the
    facility's director (or an administrator) at any time (`user_trains` as for session_register_refusal)."""
    refusal = session_register_refusal(session=session, user=by, today=today, user_trains=user_trains)
    if refusal:
        raise ValidationError(refusal, code="not_allowed")
    return session_record_register(session=session, entries=entries, topics_covered=topics_covered, by=by, today=today)


# Enrolments ended by a custody movement (a transfer or a release): the person is expected on the registers
# up to the day of the movement, and shown as gone, not absent, on the registers after it.
MOVED = (Enrolment.Status.TRANSFERRED, Enrolment.Status.RELEASED)


def moved_from_a_seat() -> Exists:
    """The enrolment held a seat when the movement closed it (not someone who was only waiting)."""
    return Exists(
        EnrolmentStatusChange.objects.filter(
            enrolment=OuterRef("pk"), from_status__in=Enrolment.SEATED, to_status__in=MOVED
        )
    )


# People on registers and assessment lists are sorted by family name, inmates and staff alike.
BY_NAME = (
    Coalesce(F("inmate__last_name"), F("staff_member__last_name")),
    Coalesce(F("inmate__first_name"), F("staff_member__first_name")),
    "pk",
)


# What a register shows and decides from, of each person: their names, and how and when they left the group.
REGISTER_FIELDS = (
    "cohort_id", "status", "ended_at", "inmate__first_name", "inmate__last_name",
    "staff_member__first_name", "staff_member__last_name",
)  # fmt: skip


def session_register_people(*, session: Session, marked: Collection[int]) -> tuple[list[Enrolment], list[Enrolment]]:
    """Who a session's register lists, sorted by family name, with their person: (expected, moved away).

    Expected: those enrolled (or since completed), those a movement took out of the group on or after the
    session's day (they were still there), and anyone marked on the session (`marked`: the enrolment ids with a
    row for it), whatever happened later. Moved away: those a transfer or a release took out of the group,
    from a seat, before the session; the register lists them as gone, neither editable nor absent.

    One plain query (and a second only when someone left the group), the rule applied here: written as SQL
    conditions, the rule made the query take longer to build and plan than everything else on the register page."""
    candidates = list(
        Enrolment.objects.filter(cohort_id=session.cohort_id)
        .filter(Q(status__in=(*Enrolment.SEATED, *MOVED)) | Q(pk__in=list(marked)))
        .select_related("inmate", "staff_member")
        .only(*REGISTER_FIELDS)
        .order_by(*BY_NAME)
    )
    # Whether a movement closed a seat is asked only of the few it concerns, and only when there are any.
    gone = [e for e in candidates if e.pk not in marked and e.status in MOVED and e.ended_at is not None]
    from_a_seat = set(
        EnrolmentStatusChange.objects.filter(
            enrolment__in=gone, from_status__in=Enrolment.SEATED, to_status__in=MOVED
        ).values_list("enrolment_id", flat=True)
        if gone
        else ()
    )
    expected, moved_away = [], []
    for enrolment in candidates:
        if enrolment.pk in marked or enrolment.status in Enrolment.SEATED:
            expected.append(enrolment)
        elif enrolment.pk in from_a_seat:
            (expected if timezone.localdate(enrolment.ended_at) >= session.date else moved_away).append(enrolment)
    return expected, moved_away


def session_expected_enrolments(*, session: Session) -> list[Enrolment]:
    """Who is on a session's register (the expected of session_register_people)."""
    marked = set(Attendance.objects.filter(session=session).values_list("enrolment_id", flat=True))
    return session_register_people(session=session, marked=marked)[0]


# ---------------------------------------------------------------- attendance rate

ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE)


def enrolment_attendance_rate(*, enrolment: Enrolment) -> Decimal | None:
    """Share of the held sessions a participant attended (present or late), as a percentage with two
    decimals (Decimal("66.67")); None when no session counts yet.

    The sessions that count are the cohort's held sessions between the day the person was enrolled and
    the day their enrolment ended (a transfer, a release, a withdrawal), plus any held session before that
    end on which they were marked anyway. Cancelled sessions and sessions without a register never count
    against anyone.
    """
    window = Q(pk__in=[])
    until = Q()
    if enrolment.ended_at is not None:
        # Nothing after the enrolment ended counts, not even a mark left by mistake on a later session.
        until = Q(date__lte=timezone.localdate(enrolment.ended_at))
    if enrolment.enrolled_at is not None:
        window = Q(date__gte=timezone.localdate(enrolment.enrolled_at)) & until
    marked = Attendance.objects.filter(session=OuterRef("pk"), enrolment=enrolment)
    counted = Session.objects.filter(cohort_id=enrolment.cohort_id, status=Session.Status.HELD).filter(
        window | (Exists(marked) & until)
    )
    held = counted.count()
    if not held:
        return None
    attended = Attendance.objects.filter(enrolment=enrolment, session__in=counted, status__in=ATTENDED).count()
    return (Decimal(100) * attended / held).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- final assessment and completion


@dataclass(frozen=True)
class FinalAssessment:
    result: str = ""  # Enrolment.Result value, or "" when not (yet) assessed
    score: Decimal | None = None
    note: str = ""


def cohort_participants(*, cohort: Cohort) -> QuerySet[Enrolment]:
    """The people a final assessment is recorded for: those enrolled, or already completed."""
    return cohort.enrolments.filter(status__in=Enrolment.SEATED)


def _assessment_errors(assessment: FinalAssessment) -> list[str]:
    errors = []
    if assessment.result and assessment.result not in Enrolment.Result.values:
        errors.append(_("Unknown result “%(result)s”.") % {"result": assessment.result})
    if assessment.score is not None:
        if not Decimal(0) <= assessment.score <= Decimal(100):
            errors.append(_("The score must be between 0 and 100."))
        elif not assessment.result:
            errors.append(_("Choose passed or not passed to record a score."))
    return errors


def cohort_record_final_assessments(
    *, cohort: Cohort, results: Mapping[int, FinalAssessment], by: AbstractBaseUser | None
) -> list[Enrolment]:
    """Record the final assessment of several participants at once: all rows are saved, or none.

    Errors are keyed by enrolment id. Rows that do not change are not written. Who made each change is
    kept by the audit trail (the request's user).
    """
    participants = {e.pk: e for e in cohort_participants(cohort=cohort)}
    if set(results) - set(participants):
        raise ValidationError(_("Some people in this list are not participants of the group."), code="unknown")
    errors = {pk: _assessment_errors(assessment) for pk, assessment in results.items()}
    errors = {str(pk): msgs for pk, msgs in sorted(errors.items()) if msgs}
    if errors:
        raise ValidationError(errors, code="invalid")

    changed = []
    with transaction.atomic():
        locked = {e.pk: e for e in cohort_participants(cohort=cohort).filter(pk__in=results).select_for_update()}
        for pk, assessment in sorted(results.items()):
            enrolment = locked[pk]
            score = None if assessment.score is None else assessment.score.quantize(Decimal("0.01"))
            values = (assessment.result, score, assessment.note.strip())
            if (enrolment.final_result, enrolment.final_score, enrolment.final_note) == values:
                continue
            enrolment.final_result, enrolment.final_score, enrolment.final_note = values
            enrolment.save(update_fields=["final_result", "final_score", "final_note"])
            changed.append(enrolment)
        if changed:
            dashboard_refresh_on_commit(cohort.facility_id)
    return changed


def cohort_can_complete(*, cohort: Cohort, today: dt.date | None = None) -> bool:
    return (today or timezone.localdate()) > cohort.end_date


def cohort_complete(*, cohort: Cohort, by: AbstractBaseUser | None, today: dt.date | None = None) -> list[Enrolment]:
    """Mark everyone still enrolled as having completed the course, once the group has ended.

    Each change is written to the enrolment's history. Running it again changes nothing.
    """
    if not cohort_can_complete(cohort=cohort, today=today):
        raise ValidationError(
            _("Participants can be marked as completed only after the group ends on %(date)s.")
            % {"date": formats.date_format(cohort.end_date, "DATE_FORMAT")},
            code="not_ended",
        )
    completed = []
    now = timezone.now()
    with transaction.atomic():
        for enrolment in cohort.enrolments.filter(status=Enrolment.Status.ENROLLED).select_for_update().order_by("pk"):
            enrolment.status = Enrolment.Status.COMPLETED
            enrolment.ended_at = now
            enrolment.save(update_fields=["status", "ended_at"])
            _record_status(enrolment=enrolment, from_status=Enrolment.Status.ENROLLED, reason="", by=by)
            completed.append(enrolment)
        if completed:
            dashboard_refresh_on_commit(cohort.facility_id)
    return completed
