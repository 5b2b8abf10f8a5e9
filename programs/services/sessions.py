"""Schedules and sessions: planning, generating, creating and editing cohorts, keeping history intact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Attendance, Cohort, Course, Enrolment, FundingAction, Session, WeeklySlot
from rehab.models import Facility, PublicHoliday, Room, StaffMember

Planned = tuple[dt.date, dt.time, dt.time]

# ---------------------------------------------------------------- planning


@dataclass(frozen=True)
class SlotSpec:
    """A weekly slot before it is saved: weekday 0 = Monday."""

    weekday: int
    start_time: dt.time
    end_time: dt.time


@dataclass(frozen=True)
class SchedulePlan:
    """Every session the weekly slots give between two dates, and the holidays that cancelled one."""

    planned: list[Planned]
    holidays_skipped: list[tuple[dt.date, str]] = field(default_factory=list)


def schedule_plan(
    *, start_date: dt.date, end_date: dt.date, slots: Iterable[SlotSpec | WeeklySlot], country: str
) -> SchedulePlan:
    """Plan a schedule without saving anything; public holidays of the country are skipped and listed."""
    by_weekday: dict[int, list] = {}
    for slot in slots:
        by_weekday.setdefault(slot.weekday, []).append((slot.start_time, slot.end_time))
    if not by_weekday or end_date < start_date:
        return SchedulePlan(planned=[])
    holidays = dict(
        PublicHoliday.objects.filter(country=country, date__range=(start_date, end_date)).values_list("date", "name")
    )
    planned, skipped = [], []
    day = start_date
    while day <= end_date:
        times = sorted(by_weekday.get(day.weekday(), ()))
        if times and day in holidays:
            skipped.append((day, holidays[day]))
        elif times:
            planned.extend((day, start, end) for start, end in times)
        day += dt.timedelta(days=1)
    return SchedulePlan(planned=planned, holidays_skipped=skipped)


def cohort_planned_sessions(*, cohort: Cohort) -> list[Planned]:
    """Every (date, start, end) the cohort's weekly slots give between its dates, holidays skipped."""
    return schedule_plan(
        start_date=cohort.start_date,
        end_date=cohort.end_date,
        slots=cohort.weekly_slots.all(),
        country=cohort.facility.prison_service.country,
    ).planned


# ---------------------------------------------------------------- generating


@dataclass(frozen=True)
class SessionGeneration:
    created: int
    deleted: int
    kept: int
    # Of the kept: sessions that stay only because they are in the past, were held or have a register.
    history: int = 0


@dataclass(frozen=True)
class ScheduleChange:
    """What generating sessions would do, computed without changing anything."""

    new: list[Planned]
    removed: list[Session]
    kept: int
    history: int

    @property
    def first(self) -> dt.date | None:
        return self.new[0][0] if self.new else None

    @property
    def last(self) -> dt.date | None:
        return self.new[-1][0] if self.new else None


def _existing_sessions(cohort: Cohort) -> list[Session]:
    if cohort.pk is None:
        return []
    return list(
        cohort.sessions.annotate(has_register=Exists(Attendance.objects.filter(session=OuterRef("pk")))).order_by(
            "date", "start_time"
        )
    )


def _schedule_change(*, existing: Sequence[Session], planned: Iterable[Planned], today: dt.date) -> ScheduleChange:
    """The one rule for changing a schedule: history (past, held, or with a register) is never touched,
    future sessions the plan still gives stay as they are, other future sessions go, missing ones come."""
    wanted = {(day, start): end for day, start, end in planned}
    protected: set[tuple[dt.date, dt.time]] = set()
    removed: list[Session] = []
    history = 0
    for session in existing:
        key = (session.date, session.start_time)
        if session.date < today or session.has_register or session.status == Session.Status.HELD:
            protected.add(key)
            history += 1
        elif key in wanted and wanted[key] == session.end_time:
            protected.add(key)
        else:
            removed.append(session)
    new = [
        (day, start, end) for (day, start), end in sorted(wanted.items()) if (day, start) not in protected and day >= today
    ]
    return ScheduleChange(new=new, removed=removed, kept=len(protected), history=history)


def cohort_schedule_change(*, cohort: Cohort, planned: Iterable[Planned], today: dt.date | None = None) -> ScheduleChange:
    """Preview what cohort_generate_sessions would do for `planned` (the cohort may be unsaved)."""
    return _schedule_change(existing=_existing_sessions(cohort), planned=planned, today=today or timezone.localdate())


@transaction.atomic
def cohort_generate_sessions(*, cohort: Cohort, today: dt.date | None = None) -> SessionGeneration:
    """Bring the cohort's sessions in line with its weekly slots and dates.

    Past sessions and sessions that already have a register are history: they are never changed or
    deleted, even when the schedule no longer produces them.
    """
    today = today or timezone.localdate()
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
    change = _schedule_change(
        existing=_existing_sessions(cohort), planned=cohort_planned_sessions(cohort=cohort), today=today
    )
    removable = [session.pk for session in change.removed]
    deleted = Session.objects.filter(pk__in=removable).delete()[0] if removable else 0
    Session.objects.bulk_create(
        [Session(cohort=cohort, date=day, start_time=start, end_time=end) for day, start, end in change.new]
    )
    return SessionGeneration(created=len(change.new), deleted=deleted, kept=change.kept, history=change.history)


# ---------------------------------------------------------------- creating and editing cohorts


def _validate_slots(slots: Sequence[SlotSpec]) -> None:
    seen: set[tuple[int, dt.time]] = set()
    for slot in slots:
        if not 0 <= slot.weekday <= 6:
            raise ValidationError(_("Unknown weekday."), code="weekday")
        if slot.end_time <= slot.start_time:
            raise ValidationError(_("A slot must end after it starts."), code="slot_times")
        if (slot.weekday, slot.start_time) in seen:
            raise ValidationError(_("Two slots start on the same day at the same time."), code="slot_duplicate")
        seen.add((slot.weekday, slot.start_time))


def _save_cohort(
    *,
    cohort: Cohort,
    trainers: Iterable[StaffMember],
    slots: Sequence[SlotSpec],
    today: dt.date | None,
) -> SessionGeneration:
    _validate_slots(slots)
    cohort.full_clean()
    if cohort.pk is not None:
        seated = cohort.enrolments.filter(status__in=Enrolment.SEATED).count()
        if seated > cohort.seat_limit:
            raise ValidationError(
                {
                    "capacity": _("%(count)d people are already enrolled: the cohort needs at least %(count)d places.")
                    % {"count": seated}
                },
                code="capacity",
            )
    cohort.save()
    cohort.trainers.set(list(trainers))
    # Slots are replaced whole; sessions do not point at slots, so history is untouched. One save per slot
    # (a handful) so the audit trail records each.
    cohort.weekly_slots.all().delete()
    for slot in slots:
        WeeklySlot.objects.create(cohort=cohort, weekday=slot.weekday, start_time=slot.start_time, end_time=slot.end_time)
    return cohort_generate_sessions(cohort=cohort, today=today)


def cohort_create(
    *,
    facility: Facility,
    course: Course,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    room: Room | None = None,
    capacity: int | None = None,
    delivery_mode: str = Cohort.DeliveryMode.IN_PERSON,
    meeting_link: str = "",
    trainers: Iterable[StaffMember] = (),
    slots: Sequence[SlotSpec] = (),
    funding_action: FundingAction | None = None,
    by: AbstractBaseUser | None = None,
    today: dt.date | None = None,
) -> tuple[Cohort, SessionGeneration]:
    """Create a cohort with its trainers and weekly slots and generate its sessions, all or nothing."""
    with transaction.atomic():
        cohort = Cohort(
            facility=facility,
            course=course,
            name=name.strip(),
            room=room,
            capacity=capacity,
            start_date=start_date,
            end_date=end_date,
            delivery_mode=delivery_mode,
            meeting_link=meeting_link,
            funding_action=funding_action,
        )
        generation = _save_cohort(cohort=cohort, trainers=trainers, slots=slots, today=today)
    return cohort, generation


def cohort_update(
    *,
    cohort: Cohort,
    course: Course,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    room: Room | None = None,
    capacity: int | None = None,
    delivery_mode: str = Cohort.DeliveryMode.IN_PERSON,
    meeting_link: str = "",
    trainers: Iterable[StaffMember] = (),
    slots: Sequence[SlotSpec] = (),
    funding_action: FundingAction | None = None,
    by: AbstractBaseUser | None = None,
    today: dt.date | None = None,
) -> tuple[Cohort, SessionGeneration]:
    """Change a cohort and its schedule in one transaction. Past sessions and sessions with a register stay."""
    with transaction.atomic():
        Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
        cohort.course = course
        cohort.name = name.strip()
        cohort.room = room
        cohort.capacity = capacity
        cohort.start_date = start_date
        cohort.end_date = end_date
        cohort.delivery_mode = delivery_mode
        cohort.meeting_link = meeting_link
        cohort.funding_action = funding_action
        generation = _save_cohort(cohort=cohort, trainers=trainers, slots=slots, today=today)
    return cohort, generation
