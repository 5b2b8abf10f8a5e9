"""Schedules and sessions: generating, cancelling, and keeping history intact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from programs.models import Attendance, Cohort, Session
from rehab.models import PublicHoliday

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


