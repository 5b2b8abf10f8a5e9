"""Custody movements: admission, transfer, release and re-admission, and what they do to programmes.

The movement itself is an inmates record (CustodyEvent, the Inmate's status and facility), but closing the
person's enrolments needs programmes, so the services live in this layer: inmates never imports programs.

Each service runs in one transaction with the inmate's row locked, so two people recording a movement for the
same person at once cannot both succeed (the second sees the first's result and is refused). Every change is
written to the audit trail (rehab.audit.audit_log: before and after, who, and the movement as the reason) in
that same transaction.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from auditlog.context import disable_auditlog
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from inmates.models import CustodyEvent, Inmate
from inmates.support import follow_ups_reschedule
from programs.models import Attendance, CourseRequest, Enrolment, EnrolmentStatusChange
from programs.services.attendance import MOVED
from programs.services.enrolment import dashboard_refresh_on_commit
from rehab.audit import audit_log
from rehab.models import Facility, Role
from rehab.scoping import facilities_for

User = AbstractBaseUser | AnonymousUser

# Who records movements: the director or a case manager of the person's facility, or an administrator.
MOVEMENT_ROLES = (Role.DIRECTOR, Role.CASE_MANAGER, Role.SYSTEM_ADMINISTRATOR)

# Enrolments a transfer or a release closes: those that still hold or wait for a place.
OPEN_STATUSES = (Enrolment.Status.REQUESTED, Enrolment.Status.WAITLISTED, Enrolment.Status.ENROLLED)

# Enrolments closed by a movement; the register lists them, greyed, for the sessions after the move.
MOVED_STATUSES = MOVED

Kind = CustodyEvent.Kind

# ---------------------------------------------------------------- reads


def _last_event_facility() -> Subquery:
    """The facility of a person's latest movement: where they went, or, for a release, where they left."""
    return Subquery(
        CustodyEvent.objects.filter(inmate=OuterRef("pk"))
        .order_by("-date", "-id")
        .annotate(place=Coalesce("to_facility_id", "from_facility_id"))
        .values("place")[:1]
    )


def inmates_movable_by(*, user: User) -> QuerySet[Inmate]:
    """People whose movements the user may record: held in (or, once released, last held in) one of the
    facilities the user directs or case-manages; every person for an administrator."""
    facilities = facilities_for(user, *MOVEMENT_ROLES)
    return Inmate.objects.annotate(last_facility_id=_last_event_facility()).filter(
        Q(current_facility__in=facilities) | Q(current_facility__isnull=True, last_facility_id__in=facilities)
    )


def custody_events_for(*, user: User) -> QuerySet[CustodyEvent]:
    """Movements into or out of the facilities the user records movements for, newest first."""
    facilities = facilities_for(user, *MOVEMENT_ROLES)
    return (
        CustodyEvent.objects.filter(Q(from_facility__in=facilities) | Q(to_facility__in=facilities))
        .select_related("inmate", "from_facility", "to_facility", "recorded_by")
        .order_by("-date", "-id")
    )


def inmate_custody_facility(*, inmate: Inmate) -> Facility | None:
    """Where the person is held, or where they were last held once they are out of custody."""
    if inmate.current_facility_id:
        return inmate.current_facility
    last = inmate.custody_events.select_related("from_facility", "to_facility").order_by("-date", "-id").first()
    if last is None:
        return None
    return last.to_facility or last.from_facility


def movement_kinds_for(*, inmate: Inmate) -> list[str]:
    """The movements that can follow the person's current state."""
    if inmate.status == Inmate.Status.IN_CUSTODY:
        if not inmate.custody_events.exists():
            return [Kind.ADMISSION, Kind.TRANSFER, Kind.RELEASE]
        return [Kind.TRANSFER, Kind.RELEASE]
    return [Kind.READMISSION]


def transfer_destinations(*, inmate: Inmate) -> QuerySet[Facility]:
    """Any facility of the person's prison service."""
    return Facility.objects.filter(prison_service_id=inmate.prison_service_id).order_by("name")


@dataclass
class MovementEffects:
    """What recording a movement will change in programmes, shown before it is saved."""

    enrolments: list[Enrolment] = field(default_factory=list)
    requests: list[CourseRequest] = field(default_factory=list)
    later_marks: int = 0

    @property
    def changes_anything(self) -> bool:
        return bool(self.enrolments or self.requests or self.later_marks)


def _open_enrolments(inmate: Inmate) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(inmate=inmate, status__in=OPEN_STATUSES)


def _later_marks(inmate: Inmate, date: dt.date) -> QuerySet[Attendance]:
    """Attendance of the enrolments a movement closes, on sessions after the day of the movement."""
    return Attendance.objects.filter(
        enrolment__inmate=inmate, enrolment__status__in=OPEN_STATUSES, session__date__gt=date
    )


def custody_movement_effects(*, inmate: Inmate, kind: str, date: dt.date) -> MovementEffects:
    """The enrolments, waiting requests and later attendance marks a movement of this kind would close."""
    if kind not in (Kind.TRANSFER, Kind.RELEASE):
        return MovementEffects()
    return MovementEffects(
        enrolments=list(
            _open_enrolments(inmate).select_related("cohort__course", "cohort__facility").order_by("cohort__name", "pk")
        ),
        requests=list(
            CourseRequest.objects.filter(inmate=inmate, status=CourseRequest.Status.OPEN)
            .select_related("course")
            .order_by("requested_at", "pk")
        ),
        later_marks=_later_marks(inmate, date).count(),
    )


def enrolment_moved_on(*, enrolment: Enrolment) -> dt.date | None:
    """The day a movement ended this enrolment (the register expects the person up to that day)."""
    if enrolment.status not in MOVED_STATUSES or enrolment.ended_at is None:
        return None
    return timezone.localdate(enrolment.ended_at)


# ---------------------------------------------------------------- checks


def _d(day: dt.date) -> str:
    return date_format(day, "DATE_FORMAT")


def _lock(inmate: Inmate) -> Inmate:
    # NO KEY UPDATE: movements of the same person wait for each other, while rows that merely point at the
    # person (a new enrolment, a course request) are not blocked.
    return Inmate.objects.select_for_update(no_key=True, of=("self",)).select_related("current_facility").get(pk=inmate.pk)


def _check_not_future(date: dt.date, today: dt.date) -> None:
    if date > today:
        raise ValidationError(
            _("A movement cannot be dated in the future (today is %(today)s).") % {"today": _d(today)}, code="future"
        )


def _check_date(inmate: Inmate, date: dt.date, today: dt.date) -> None:
    _check_not_future(date, today)
    last = inmate.custody_events.order_by("-date", "-id").first()
    if last is not None and date < last.date:
        raise ValidationError(
            _("%(name)s's last movement (%(kind)s) is dated %(date)s; a later movement cannot be dated before it.")
            % {"name": inmate.full_name, "kind": last.get_kind_display().lower(), "date": _d(last.date)},
            code="before_last",
        )
    if inmate.status == Inmate.Status.IN_CUSTODY and date < inmate.admission_date:
        raise ValidationError(
            _("%(name)s was admitted on %(date)s; a movement cannot be dated before that.")
            % {"name": inmate.full_name, "date": _d(inmate.admission_date)},
            code="before_admission",
        )


def _check_facility(inmate: Inmate, facility: Facility | None) -> Facility:
    if facility is None:
        raise ValidationError(_("Choose the facility."), code="facility")
    if facility.prison_service_id != inmate.prison_service_id:
        raise ValidationError(
            _("%(facility)s belongs to another prison service; %(name)s can be moved only within %(service)s.")
            % {"facility": facility.name, "name": inmate.full_name, "service": inmate.prison_service.name},
            code="other_service",
        )
    return facility


def _check_release_date(date: dt.date, expected_release_date: dt.date | None) -> None:
    if expected_release_date is not None and expected_release_date < date:
        raise ValidationError(
            _("The expected release date cannot be before the admission (%(date)s).") % {"date": _d(date)},
            code="release_before_admission",
        )


def _in_custody_or_refuse(inmate: Inmate, message: str) -> None:
    if inmate.status != Inmate.Status.IN_CUSTODY:
        raise ValidationError(
            message % {"name": inmate.full_name, "status": inmate.get_status_display().lower()}, code="not_in_custody"
        )


# ---------------------------------------------------------------- closing programmes


def _ended_at(date: dt.date, today: dt.date) -> dt.datetime:
    """When the enrolment ended: now for a movement today, else the end of the movement's day (whose local
    date is what the register and the attendance rate read)."""
    if date == today:
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(date, dt.time(23, 59, 59)))


def _audit_deleted(instances: Iterable[models.Model], *, by: AbstractBaseUser | None, reason: str) -> None:
    """Audit entries for deleted rows, with every value they had (audit_log records creations and changes)."""
    actor = by if by is not None and by.is_authenticated else None
    now = timezone.now()
    LogEntry.objects.bulk_create(
        LogEntry(
            content_type=ContentType.objects.get_for_model(instance),
            object_pk=str(instance.pk),
            object_id=instance.pk,
            object_repr=str(instance)[:1000],
            action=LogEntry.Action.DELETE,
            changes=model_instance_diff(instance, None),
            actor=actor,
            actor_email=getattr(actor, "email", None) if actor else None,
            additional_data={"reason": reason},
            timestamp=now,
        )
        for instance in instances
    )


def _close_programmes(
    *, inmate: Inmate, status: str, reason: str, date: dt.date, today: dt.date, by: AbstractBaseUser | None
) -> list[Enrolment]:
    """Close the person's open enrolments with `status`, drop their marks on later sessions, cancel their
    waiting requests. Completed and already closed enrolments are left as they are."""
    actor = by if by is not None and by.is_authenticated else None
    # Marks on sessions after the movement (a backdated movement): the person was not there to be marked.
    # The audit trail keeps each removed row's values.
    marks = list(
        _later_marks(inmate, date).select_related("session__cohort", "enrolment__inmate").select_for_update(of=("self",))
    )
    _audit_deleted(marks, by=by, reason=reason)
    Attendance.objects.filter(pk__in=[mark.pk for mark in marks]).delete()

    ended_at = _ended_at(date, today)
    closed, before = [], {}
    for enrolment in _open_enrolments(inmate).select_for_update().order_by("pk"):
        before[enrolment.pk] = copy.copy(enrolment)
        previous = enrolment.status
        enrolment.status = status
        enrolment.status_reason = reason
        enrolment.ended_at = ended_at
        enrolment.save(update_fields=["status", "status_reason", "ended_at"])
        EnrolmentStatusChange.objects.create(
            enrolment=enrolment, from_status=previous, to_status=status, reason=reason, changed_by=actor
        )
        closed.append(enrolment)
    audit_log(closed, action=LogEntry.Action.UPDATE, by=by, reason=reason, before=before)

    cancelled, before = [], {}
    for course_request in CourseRequest.objects.select_for_update().filter(inmate=inmate, status=CourseRequest.Status.OPEN):
        before[course_request.pk] = copy.copy(course_request)
        course_request.status = CourseRequest.Status.CANCELLED
        course_request.status_reason = reason
        course_request.save(update_fields=["status", "status_reason"])
        cancelled.append(course_request)
    audit_log(cancelled, action=LogEntry.Action.UPDATE, by=by, reason=reason, before=before)
    dashboard_refresh_on_commit(
        *Enrolment.objects.filter(pk__in=[e.pk for e in closed]).values_list("cohort__facility_id", flat=True),
        *(course_request.facility_id for course_request in cancelled),
    )
    return closed


def _event(
    *,
    inmate: Inmate,
    kind: str,
    date: dt.date,
    from_facility: Facility | None,
    to_facility: Facility | None,
    note: str,
    by: AbstractBaseUser | None,
) -> CustodyEvent:
    event = CustodyEvent.objects.create(
        inmate=inmate,
        kind=kind,
        date=date,
        from_facility=from_facility,
        to_facility=to_facility,
        note=(note or "").strip(),
        recorded_by=by if by is not None and by.is_authenticated else None,
    )
    audit_log([event], action=LogEntry.Action.CREATE, by=by, reason=_reason(event))
    # The facilities' head counts change with the movement.
    dashboard_refresh_on_commit(event.from_facility_id, event.to_facility_id)
    return event


def _reason(event: CustodyEvent) -> str:
    return _("%(kind)s on %(date)s") % {"kind": event.get_kind_display(), "date": _d(event.date)}


def _save_inmate(inmate: Inmate, before: Inmate, event: CustodyEvent, fields: list[str], by: AbstractBaseUser | None) -> None:
    inmate.save(update_fields=fields)
    audit_log([inmate], action=LogEntry.Action.UPDATE, by=by, reason=_reason(event), before={inmate.pk: before})


# ---------------------------------------------------------------- movements


def custody_admit(
    *,
    inmate: Inmate,
    facility: Facility,
    date: dt.date,
    expected_release_date: dt.date | None = None,
    note: str = "",
    by: AbstractBaseUser | None = None,
    today: dt.date | None = None,
) -> CustodyEvent:
    """Record a person's first admission (a record without any custody history yet)."""
    today = today or timezone.localdate()
    with transaction.atomic(), disable_auditlog():
        locked = _lock(inmate)
        before = copy.copy(locked)
        if locked.custody_events.exists():
            raise ValidationError(
                _("%(name)s already has a custody history; record a re-admission after a release instead.")
                % {"name": locked.full_name},
                code="has_history",
            )
        _check_not_future(date, today)
        _check_facility(locked, facility)
        _check_release_date(date, expected_release_date)
        event = _event(inmate=locked, kind=Kind.ADMISSION, date=date, from_facility=None, to_facility=facility, note=note, by=by)
        locked.status = Inmate.Status.IN_CUSTODY
        locked.current_facility = facility
        locked.admission_date = date
        locked.expected_release_date = expected_release_date
        _save_inmate(locked, before, event, ["status", "current_facility", "admission_date", "expected_release_date"], by)
    return event


def custody_transfer(
    *,
    inmate: Inmate,
    to_facility: Facility,
    date: dt.date,
    note: str = "",
    by: AbstractBaseUser | None = None,
    today: dt.date | None = None,
) -> CustodyEvent:
    """Move a person in custody to another facility of their prison service.

    Their open enrolments end as "transferred" (sessions after the date no longer expect them) and their
    waiting requests are cancelled; coming back later does not re-enrol them.
    """
    today = today or timezone.localdate()
    with transaction.atomic(), disable_auditlog():
        locked = _lock(inmate)
        before = copy.copy(locked)
        _in_custody_or_refuse(locked, _("%(name)s is not in custody (%(status)s); only a person in custody can be transferred."))
        _check_facility(locked, to_facility)
        if to_facility.pk == locked.current_facility_id:
            raise ValidationError(
                _("%(name)s is already held in %(facility)s.") % {"name": locked.full_name, "facility": to_facility.name},
                code="same_facility",
            )
        _check_date(locked, date, today)
        source = locked.current_facility
        event = _event(inmate=locked, kind=Kind.TRANSFER, date=date, from_facility=source, to_facility=to_facility, note=note, by=by)
        reason = _("Transferred from %(from)s to %(to)s on %(date)s.") % {
            "from": source.name,
            "to": to_facility.name,
            "date": _d(date),
        }
        _close_programmes(inmate=locked, status=Enrolment.Status.TRANSFERRED, reason=reason, date=date, today=today, by=by)
        locked.current_facility = to_facility
        _save_inmate(locked, before, event, ["current_facility"], by)
    return event


def custody_release(
    *,
    inmate: Inmate,
    date: dt.date,
    note: str = "",
    by: AbstractBaseUser | None = None,
    today: dt.date | None = None,
) -> CustodyEvent:
    """Release a person: their open enrolments end as "released", waiting requests are cancelled, the
    release date becomes their (no longer expected) release date, and post-release follow-ups not yet done
    are rescheduled from it."""
    today = today or timezone.localdate()
    with transaction.atomic(), disable_auditlog():
        locked = _lock(inmate)
        before = copy.copy(locked)
        _in_custody_or_refuse(locked, _("%(name)s is not in custody (%(status)s); there is nobody to release."))
        _check_date(locked, date, today)
        source = locked.current_facility
        event = _event(inmate=locked, kind=Kind.RELEASE, date=date, from_facility=source, to_facility=None, note=note, by=by)
        reason = _("Released from %(from)s on %(date)s.") % {"from": source.name, "date": _d(date)}
        _close_programmes(inmate=locked, status=Enrolment.Status.RELEASED, reason=reason, date=date, today=today, by=by)
        locked.status = Inmate.Status.RELEASED
        locked.current_facility = None
        locked.expected_release_date = date
        _save_inmate(locked, before, event, ["status", "current_facility", "expected_release_date"], by)
        # Follow-ups scheduled from the expected date move to the day the person actually left.
        follow_ups_reschedule(inmate=locked, by=by, reason=_reason(event))
    return event


def custody_readmit(
    *,
    inmate: Inmate,
    facility: Facility,
    date: dt.date,
    expected_release_date: dt.date | None = None,
    note: str = "",
    by: AbstractBaseUser | None = None,
    today: dt.date | None = None,
) -> CustodyEvent:
    """Take a released (or transferred-out) person back into custody. Their history stays; earlier
    enrolments are not reopened."""
    today = today or timezone.localdate()
    with transaction.atomic(), disable_auditlog():
        locked = _lock(inmate)
        before = copy.copy(locked)
        if locked.status == Inmate.Status.IN_CUSTODY:
            raise ValidationError(
                _("%(name)s is in custody already; record a transfer to move them to another facility.")
                % {"name": locked.full_name},
                code="in_custody",
            )
        _check_facility(locked, facility)
        _check_date(locked, date, today)
        _check_release_date(date, expected_release_date)
        last = locked.custody_events.order_by("-date", "-id").first()
        event = _event(
            inmate=locked,
            kind=Kind.READMISSION,
            date=date,
            from_facility=last.from_facility if last and last.kind == Kind.RELEASE else None,
            to_facility=facility,
            note=note,
            by=by,
        )
        locked.status = Inmate.Status.IN_CUSTODY
        locked.current_facility = facility
        locked.admission_date = date
        locked.expected_release_date = expected_release_date
        _save_inmate(locked, before, event, ["status", "current_facility", "admission_date", "expected_release_date"], by)
    return event


def custody_record(
    *,
    inmate: Inmate,
    kind: str,
    date: dt.date,
    facility: Facility | None = None,
    expected_release_date: dt.date | None = None,
    note: str = "",
    by: AbstractBaseUser | None = None,
    today: dt.date | None = None,
) -> CustodyEvent:
    """Record a movement of any kind (the form's single entry point)."""
    common = {"inmate": inmate, "date": date, "note": note, "by": by, "today": today}
    if kind == Kind.TRANSFER:
        return custody_transfer(to_facility=facility, **common)
    if kind == Kind.RELEASE:
        return custody_release(**common)
    if kind == Kind.READMISSION:
        return custody_readmit(facility=facility, expected_release_date=expected_release_date, **common)
    if kind == Kind.ADMISSION:
        return custody_admit(facility=facility, expected_release_date=expected_release_date, **common)
    raise ValidationError(_("Unknown kind of movement."), code="kind")


__all__ = [
    "MOVED_STATUSES",
    "MOVEMENT_ROLES",
    "OPEN_STATUSES",
    "MovementEffects",
    "custody_admit",
    "custody_events_for",
    "custody_movement_effects",
    "custody_readmit",
    "custody_record",
    "custody_release",
    "custody_transfer",
    "enrolment_moved_on",
    "inmate_custody_facility",
    "inmates_movable_by",
    "movement_kinds_for",
    "transfer_destinations",
]
