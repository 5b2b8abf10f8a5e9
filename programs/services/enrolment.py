"""Enrolments: requests, waitlists, capacity, suitability, withdrawals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inmates.models import Inmate
from programs.dashboard import dashboard_invalidate
from programs.models import Cohort, Course, CourseRequest, Enrolment, EnrolmentStatusChange, Session
from rehab.models import Facility, StaffMember

# Statuses an enrolment can be withdrawn from: those that still hold or wait for a seat.
WITHDRAWABLE = (Enrolment.Status.REQUESTED, Enrolment.Status.WAITLISTED, Enrolment.Status.ENROLLED)

# ---------------------------------------------------------------- enrolments


def dashboard_refresh_on_commit(*facility_ids: int | None) -> None:
    """Forget the facilities' cached dashboard figures once the current write commits (a rolled-back write
    keeps them), so a director sees an enrolment or a register at once rather than up to a minute later."""
    for facility_id in sorted({pk for pk in facility_ids if pk is not None}):
        transaction.on_commit(partial(dashboard_invalidate, facility_id=facility_id))


def _record_status(*, enrolment: Enrolment, from_status: str, reason: str, by: AbstractBaseUser | None) -> None:
    EnrolmentStatusChange.objects.create(
        enrolment=enrolment, from_status=from_status, to_status=enrolment.status, reason=reason, changed_by=by
    )


def cohort_seats_taken(*, cohort: Cohort) -> int:
    return cohort.enrolments.filter(status__in=Enrolment.SEATED).count()


def _full_error(cohort: Cohort) -> ValidationError:
    return ValidationError(
        _("%(cohort)s is full: all %(seats)d places are taken.") % {"cohort": cohort.name, "seats": cohort.seat_limit},
        code="full",
    )


def _lock_cohort(cohort: Cohort) -> Cohort:
    """Lock the cohort row: every seat count that decides an enrolment happens under this lock."""
    return Cohort.objects.select_for_update(of=("self",)).select_related("room").get(pk=cohort.pk)


def _close_open_requests(*, enrolment: Enrolment, by: AbstractBaseUser | None) -> None:
    """A person placed in a group of a course stops waiting for that course."""
    person = {"inmate_id": enrolment.inmate_id} if enrolment.inmate_id else {"staff_member_id": enrolment.staff_member_id}
    # At most one open request per person and course; saved (not updated in bulk) so the audit trail sees it.
    for course_request in CourseRequest.objects.select_for_update().filter(
        course_id=enrolment.cohort.course_id, status=CourseRequest.Status.OPEN, **person
    ):
        course_request.status = CourseRequest.Status.PLACED
        course_request.enrolment = enrolment
        course_request.save(update_fields=["status", "enrolment"])


def enrolment_check_capacity(*, cohort: Cohort) -> None:
    """Refuse early, with the same message as enrolment_create, when no place is free (no lock: a hint)."""
    if cohort_seats_taken(cohort=cohort) >= cohort.seat_limit:
        raise _full_error(cohort)


def enrolment_create(
    *,
    cohort: Cohort,
    inmate: Inmate | None = None,
    staff_member: StaffMember | None = None,
    waitlist_if_full: bool = False,
    by: AbstractBaseUser | None = None,
) -> Enrolment:
    """Enrol a person into a cohort, or put them on its waitlist when it is full and that is asked for.

    The cohort row is locked for the count, so concurrent requests cannot exceed its capacity. A person
    who is enrolled stops waiting for the course: their open request is marked placed.
    """
    if (inmate is None) == (staff_member is None):
        raise ValidationError(_("Choose exactly one person: an inmate or a staff member."), code="person")
    if inmate is not None and inmate.status != Inmate.Status.IN_CUSTODY:
        raise ValidationError(_("%(name)s is no longer in custody.") % {"name": inmate.full_name}, code="not_in_custody")
    try:
        with transaction.atomic():
            locked = _lock_cohort(cohort)
            person_filter = {"inmate": inmate} if inmate is not None else {"staff_member": staff_member}
            if locked.enrolments.filter(**person_filter).exists():
                raise ValidationError(
                    _("%(name)s already has an enrolment in %(cohort)s.")
                    % {"name": (inmate or staff_member).full_name, "cohort": locked.name},
                    code="duplicate",
                )
            full = cohort_seats_taken(cohort=locked) >= locked.seat_limit
            if full and not waitlist_if_full:
                raise _full_error(locked)
            enrolment = Enrolment.objects.create(
                cohort=locked,
                inmate=inmate,
                staff_member=staff_member,
                status=Enrolment.Status.WAITLISTED if full else Enrolment.Status.ENROLLED,
                enrolled_at=None if full else timezone.now(),
            )
            _record_status(enrolment=enrolment, from_status="", reason="", by=by)
            if not full:
                _close_open_requests(enrolment=enrolment, by=by)
            dashboard_refresh_on_commit(locked.facility_id)
            return enrolment
    except IntegrityError as exc:
        # Two requests for the same person raced past the existence check; the constraint decided.
        raise ValidationError(_("This person already has an enrolment in this cohort."), code="duplicate") from exc


def enrolment_create_staff(
    *, cohort: Cohort, staff_members: list[StaffMember], by: AbstractBaseUser | None = None
) -> list[Enrolment]:
    """Enrol several staff members at once (a delegation from the prison service, health, probation…):
    all of them or none, so a half-filled list never leaves some enrolled and others not.

    Only staff and mixed courses take staff. Capacity is checked once for the whole list under the cohort's lock,
    then each person goes through `enrolment_create` (same duplicate checks, history and waitlist closing).
    """
    if cohort.course.audience == Course.Audience.INMATES:
        raise ValidationError(
            _("%(course)s is for inmates only; staff cannot enrol in it.") % {"course": cohort.course.localized_title},
            code="audience",
        )
    if not staff_members:
        raise ValidationError(_("Choose at least one staff member."), code="empty")
    with transaction.atomic():
        locked = _lock_cohort(cohort)
        free = locked.seat_limit - cohort_seats_taken(cohort=locked)
        if len(staff_members) > free:
            raise ValidationError(
                ngettext(
                    "Only %(free)d place is free in %(cohort)s; you chose %(count)d people.",
                    "Only %(free)d places are free in %(cohort)s; you chose %(count)d people.",
                    max(free, 0),
                )
                % {"free": max(free, 0), "cohort": locked.name, "count": len(staff_members)},
                code="full",
            )
        return [enrolment_create(cohort=locked, staff_member=person, by=by) for person in staff_members]


# ---------------------------------------------------------------- requests and waitlists


def enrolment_request(
    *,
    course: Course,
    facility: Facility,
    inmate: Inmate | None = None,
    staff_member: StaffMember | None = None,
    note: str = "",
    by: AbstractBaseUser | None = None,
    requested_at: dt.datetime | None = None,
) -> CourseRequest:
    """Record that a person asked for a course; they wait for it until placed in one of its groups."""
    if (inmate is None) == (staff_member is None):
        raise ValidationError(_("Choose exactly one person: an inmate or a staff member."), code="person")
    if inmate is not None and inmate.status != Inmate.Status.IN_CUSTODY:
        raise ValidationError(_("%(name)s is no longer in custody.") % {"name": inmate.full_name}, code="not_in_custody")
    person = inmate or staff_member
    person_filter = {"inmate": inmate} if inmate is not None else {"staff_member": staff_member}
    if CourseRequest.objects.filter(course=course, status=CourseRequest.Status.OPEN, **person_filter).exists():
        raise ValidationError(
            _("%(name)s is already waiting for %(course)s.") % {"name": person.full_name, "course": course.localized_title},
            code="duplicate",
        )
    try:
        with transaction.atomic():
            course_request = CourseRequest.objects.create(
                course=course,
                facility=facility,
                inmate=inmate,
                staff_member=staff_member,
                note=note.strip(),
                recorded_by=by,
                requested_at=requested_at or timezone.now(),
            )
            dashboard_refresh_on_commit(facility.pk)
            return course_request
    except IntegrityError as exc:
        raise ValidationError(
            _("%(name)s is already waiting for %(course)s.") % {"name": person.full_name, "course": course.localized_title},
            code="duplicate",
        ) from exc


@dataclass(frozen=True)
class WaitlistEntry:
    """One person waiting for a place: an open course request, or an enrolment left waiting on a full cohort."""

    kind: str  # "request" or "enrolment"
    pk: int
    inmate: Inmate | None
    staff_member: StaffMember | None
    requested_at: dt.datetime
    note: str

    @property
    def participant_name(self) -> str:
        return (self.inmate or self.staff_member).full_name

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.pk}"


def cohort_waitlist(*, cohort: Cohort) -> list[WaitlistEntry]:
    """Who waits for a place in this cohort, first asked first: open requests for its course in its facility
    (inmates are matched on where they are held now) and enrolments waitlisted on this cohort. Two queries."""
    requests = (
        CourseRequest.objects.filter(course_id=cohort.course_id, status=CourseRequest.Status.OPEN)
        .filter(
            Q(inmate__current_facility_id=cohort.facility_id, inmate__status=Inmate.Status.IN_CUSTODY)
            | Q(staff_member__isnull=False, facility_id=cohort.facility_id)
        )
        .exclude(inmate__enrolments__cohort=cohort)
        .exclude(staff_member__enrolments__cohort=cohort)
        .select_related("inmate", "staff_member")
    )
    waiting = Enrolment.objects.filter(
        cohort=cohort, status__in=(Enrolment.Status.REQUESTED, Enrolment.Status.WAITLISTED)
    ).select_related("inmate", "staff_member")
    entries = [
        WaitlistEntry("request", r.pk, r.inmate, r.staff_member, r.requested_at, r.note) for r in requests
    ] + [WaitlistEntry("enrolment", e.pk, e.inmate, e.staff_member, e.requested_at, e.status_reason) for e in waiting]
    return sorted(entries, key=lambda entry: (entry.requested_at, entry.kind, entry.pk))


def course_waitlist(*, course: Course, facilities) -> list[CourseRequest]:
    """Open requests for a course in the given facilities, first asked first."""
    return list(
        CourseRequest.objects.filter(course=course, status=CourseRequest.Status.OPEN, facility__in=facilities)
        .select_related("inmate", "staff_member", "facility")
        .order_by("requested_at", "id")
    )


def enrolment_enrol_from_waitlist(
    *,
    cohort: Cohort,
    course_request: CourseRequest | None = None,
    enrolment: Enrolment | None = None,
    by: AbstractBaseUser | None = None,
) -> Enrolment:
    """Give a free place in the cohort to someone waiting: an open request for its course, or an enrolment
    waitlisted on it. The same rule as enrolment_create: the cohort row is locked for the seat count, and a
    full cohort refuses with the same message."""
    if (course_request is None) == (enrolment is None):
        raise ValidationError(_("Choose one person from the waitlist."), code="person")
    if course_request is not None:
        if course_request.course_id != cohort.course_id:
            raise ValidationError(_("This request is for another course."), code="course")
        with transaction.atomic():
            request = CourseRequest.objects.select_for_update().get(pk=course_request.pk)
            if request.status != CourseRequest.Status.OPEN:
                raise ValidationError(_("This request is no longer waiting."), code="not_waiting")
            # enrolment_create locks the cohort, counts the seats and marks this request placed.
            return enrolment_create(cohort=cohort, inmate=request.inmate, staff_member=request.staff_member, by=by)

    if enrolment.cohort_id != cohort.pk:
        raise ValidationError(_("This person is waiting for another cohort."), code="cohort")
    with transaction.atomic():
        locked = _lock_cohort(cohort)
        current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if current.status not in (Enrolment.Status.REQUESTED, Enrolment.Status.WAITLISTED):
            raise ValidationError(_("This person is no longer waiting."), code="not_waiting")
        if current.inmate_id and current.inmate.status != Inmate.Status.IN_CUSTODY:
            raise ValidationError(
                _("%(name)s is no longer in custody.") % {"name": current.inmate.full_name}, code="not_in_custody"
            )
        if cohort_seats_taken(cohort=locked) >= locked.seat_limit:
            raise _full_error(locked)
        previous = current.status
        current.status = Enrolment.Status.ENROLLED
        current.enrolled_at = timezone.now()
        current.save(update_fields=["status", "enrolled_at"])
        _record_status(enrolment=current, from_status=previous, reason="", by=by)
        _close_open_requests(enrolment=current, by=by)
        dashboard_refresh_on_commit(locked.facility_id)
        return current


def enrolment_withdraw(*, enrolment: Enrolment, reason: str, by: AbstractBaseUser | None) -> Enrolment:
    """Withdraw a person from a cohort; the reason is required and kept in the history with who and when."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for the withdrawal."), code="reason")
    with transaction.atomic():
        current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if current.status not in WITHDRAWABLE:
            raise ValidationError(
                _("Only a current enrolment can be withdrawn; this one is “%(status)s”.")
                % {"status": current.get_status_display()},
                code="status",
            )
        previous = current.status
        current.status = Enrolment.Status.WITHDRAWN
        current.status_reason = reason
        current.ended_at = timezone.now()
        current.save(update_fields=["status", "status_reason", "ended_at"])
        _record_status(enrolment=current, from_status=previous, reason=reason, by=by)
        dashboard_refresh_on_commit(enrolment.cohort.facility_id)
    return current


def course_request_cancel(*, course_request: CourseRequest, reason: str, by: AbstractBaseUser | None) -> CourseRequest:
    """Take a person off a course's waitlist (they changed their mind, were released...): reason required."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason."), code="reason")
    with transaction.atomic():
        current = CourseRequest.objects.select_for_update().get(pk=course_request.pk)
        if current.status != CourseRequest.Status.OPEN:
            raise ValidationError(_("This request is no longer waiting."), code="not_waiting")
        current.status = CourseRequest.Status.CANCELLED
        current.status_reason = reason
        current.save(update_fields=["status", "status_reason"])
        dashboard_refresh_on_commit(current.facility_id)
    return current


# ---------------------------------------------------------------- suitability


def enrolment_suitability(*, cohort: Cohort, inmate: Inmate | None = None, staff_member: StaffMember | None = None) -> list[str]:
    """Warnings to read before enrolling a person; none of them forbids the enrolment."""
    warnings: list[str] = []
    if inmate is not None:
        if inmate.expected_release_date and inmate.expected_release_date < cohort.end_date:
            warnings.append(
                _("%(name)s is expected to be released on %(release)s, before the cohort ends on %(end)s.")
                % {
                    "name": inmate.full_name,
                    "release": date_format(inmate.expected_release_date),
                    "end": date_format(cohort.end_date),
                }
            )
        if inmate.current_facility_id and inmate.current_facility_id != cohort.facility_id:
            warnings.append(
                _("%(name)s is held in %(facility)s, not in %(cohort_facility)s.")
                % {"name": inmate.full_name, "facility": inmate.current_facility.name, "cohort_facility": cohort.facility.name}
            )
    person = inmate or staff_member
    if person is None:
        return warnings
    person_filter = {"inmate": inmate} if inmate is not None else {"staff_member": staff_member}

    # Overlapping cohorts: the person's seated enrolments elsewhere whose sessions meet this cohort's sessions.
    other_sessions = Session.objects.filter(
        cohort__enrolments__status=Enrolment.Status.ENROLLED,
        **{f"cohort__enrolments__{key}": value for key, value in person_filter.items()},
    ).exclude(cohort=cohort).exclude(status=Session.Status.CANCELLED)
    mine = list(
        cohort.sessions.exclude(status=Session.Status.CANCELLED).values_list("date", "start_time", "end_time")
    )
    if mine:
        dates = {d for d, _s, _e in mine}
        by_cohort: dict[str, list] = {}
        for day, start, end, name in other_sessions.filter(date__in=dates).values_list(
            "date", "start_time", "end_time", "cohort__name"
        ).order_by("date", "start_time"):
            if any(d == day and s < end and start < e for d, s, e in mine):
                by_cohort.setdefault(name, []).append(day)
        for name, days in sorted(by_cohort.items()):
            warnings.append(
                ngettext(
                    "%(name)s is enrolled in %(cohort)s, which has %(count)d session at the same time as this cohort (on %(first)s).",
                    "%(name)s is enrolled in %(cohort)s, which has %(count)d sessions at the same time as this cohort (first on %(first)s).",
                    len(days),
                )
                % {"name": person.full_name, "cohort": name, "count": len(days), "first": date_format(days[0])}
            )

    completed = (
        Enrolment.objects.filter(cohort__course_id=cohort.course_id, status=Enrolment.Status.COMPLETED, **person_filter)
        .exclude(cohort=cohort)
        .select_related("cohort")
        .order_by("cohort__end_date")
        .first()
    )
    if completed is not None:
        warnings.append(
            _("%(name)s has already completed this course (%(cohort)s, ended %(end)s).")
            % {"name": person.full_name, "cohort": completed.cohort.name, "end": date_format(completed.cohort.end_date)}
        )
    return warnings
