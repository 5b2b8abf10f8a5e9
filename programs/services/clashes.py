"""Schedule clashes shown before a cohort's schedule is saved: warnings the user may accept, never refusals.

Each kind of clash is found with one query over every planned date at once, then matched in memory.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from programs.models import Cohort, Enrolment, Session
from rehab.models import Room, StaffMember

Planned = tuple[dt.date, dt.time, dt.time]


@dataclass(frozen=True)
class Clash:
    """One conflict between a planned session and an existing session of another cohort.

    date/start_time/end_time and other_cohort describe the other cohort's session; subject is who or what
    is double-booked (a trainer, a room, a participant).
    """

    TRAINER = "trainer"
    TRAINER_CITY = "trainer_city"
    ROOM = "room"
    PARTICIPANT = "participant"

    kind: str
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    other_cohort: str
    subject: str
    message: str


# Sort order in the preview: by day and time, then a fixed order of kinds.
_KIND_ORDER = {Clash.TRAINER: 0, Clash.TRAINER_CITY: 1, Clash.ROOM: 2, Clash.PARTICIPANT: 3}


def _times(start: dt.time, end: dt.time) -> str:
    return f"{time_format(start, 'H:i')}–{time_format(end, 'H:i')}"


def _overlaps(planned_by_day: dict[dt.date, list[tuple[dt.time, dt.time]]], day: dt.date, start: dt.time, end: dt.time) -> bool:
    return any(p_start < end and start < p_end for p_start, p_end in planned_by_day.get(day, ()))


def _others(cohort: Cohort, dates: Iterable[dt.date]):
    """Sessions of other cohorts on the planned dates that will take place."""
    sessions = Session.objects.filter(date__in=sorted(set(dates))).exclude(status=Session.Status.CANCELLED)
    if cohort.pk is not None:
        sessions = sessions.exclude(cohort_id=cohort.pk)
    return sessions.order_by("date", "start_time", "cohort__name")


def _trainer_clashes(cohort, planned_by_day, trainers: dict[int, StaffMember]) -> list[Clash]:
    rows = _others(cohort, planned_by_day).filter(cohort__trainers__in=list(trainers)).values_list(
        "date", "start_time", "end_time", "cohort__name", "cohort__trainers"
    )
    clashes = []
    for day, start, end, other, trainer_id in rows:
        if _overlaps(planned_by_day, day, start, end):
            name = trainers[trainer_id].full_name
            clashes.append(
                Clash(
                    Clash.TRAINER, day, start, end, other, name,
                    _("%(trainer)s also teaches %(cohort)s on %(date)s, %(times)s.")
                    % {"trainer": name, "cohort": other, "date": date_format(day), "times": _times(start, end)},
                )
            )
    return clashes


def _city_clashes(cohort, planned_by_day, trainers: dict[int, StaffMember]) -> list[Clash]:
    """A trainer cannot teach in person in two cities on one day, whatever the hours."""
    if cohort.delivery_mode != Cohort.DeliveryMode.IN_PERSON:
        return []
    city = cohort.facility.city
    rows = (
        _others(cohort, planned_by_day)
        .filter(cohort__trainers__in=list(trainers), cohort__delivery_mode=Cohort.DeliveryMode.IN_PERSON)
        .exclude(cohort__facility__city__iexact=city)
        .values_list("date", "start_time", "end_time", "cohort__name", "cohort__trainers", "cohort__facility__city")
    )
    clashes, seen = [], set()
    for day, start, end, other, trainer_id, other_city in rows:
        if (day, trainer_id, other) in seen:
            continue
        seen.add((day, trainer_id, other))
        name = trainers[trainer_id].full_name
        clashes.append(
            Clash(
                Clash.TRAINER_CITY, day, start, end, other, name,
                _("%(trainer)s teaches %(cohort)s in person in %(other_city)s on %(date)s and cannot also be in %(city)s that day.")
                % {"trainer": name, "cohort": other, "other_city": other_city, "date": date_format(day), "city": city},
            )
        )
    return clashes


def _room_clashes(cohort, planned_by_day, room: Room | None) -> list[Clash]:
    if room is None or cohort.delivery_mode == Cohort.DeliveryMode.ONLINE:
        return []
    rows = _others(cohort, planned_by_day).filter(cohort__room=room).values_list("date", "start_time", "end_time", "cohort__name")
    return [
        Clash(
            Clash.ROOM, day, start, end, other, room.name,
            _("%(room)s is booked for %(cohort)s on %(date)s, %(times)s.")
            % {"room": room.name, "cohort": other, "date": date_format(day), "times": _times(start, end)},
        )
        for day, start, end, other in rows
        if _overlaps(planned_by_day, day, start, end)
    ]


def _participant_clashes(cohort, planned_by_day) -> list[Clash]:
    """People seated in this cohort who are seated in another cohort meeting at the same time."""
    if cohort.pk is None:
        return []
    seated = Enrolment.objects.filter(cohort_id=cohort.pk, status__in=Enrolment.SEATED)
    # One filter() call, so the enrolment conditions and the selected names use the same join.
    rows = (
        _others(cohort, planned_by_day)
        .filter(
            Q(cohort__enrolments__inmate_id__in=seated.filter(inmate__isnull=False).values("inmate_id"))
            | Q(cohort__enrolments__staff_member_id__in=seated.filter(staff_member__isnull=False).values("staff_member_id")),
            cohort__enrolments__status__in=Enrolment.SEATED,
        )
        .values_list(
            "date", "start_time", "end_time", "cohort__name",
            "cohort__enrolments__inmate__first_name", "cohort__enrolments__inmate__last_name",
            "cohort__enrolments__staff_member__first_name", "cohort__enrolments__staff_member__last_name",
        )
    )
    clashes = []
    for day, start, end, other, inmate_first, inmate_last, staff_first, staff_last in rows:
        if _overlaps(planned_by_day, day, start, end):
            name = f"{inmate_first} {inmate_last}" if inmate_first is not None else f"{staff_first} {staff_last}"
            clashes.append(
                Clash(
                    Clash.PARTICIPANT, day, start, end, other, name,
                    _("%(person)s is also in %(cohort)s on %(date)s, %(times)s.")
                    % {"person": name, "cohort": other, "date": date_format(day), "times": _times(start, end)},
                )
            )
    return clashes


def cohort_schedule_clashes(
    *,
    cohort: Cohort,
    planned: Sequence[Planned],
    room: Room | None,
    trainers: Iterable[StaffMember],
) -> list[Clash]:
    """Conflicts between the planned sessions of `cohort` (saved or not) and other cohorts' sessions:
    a trainer teaching elsewhere at an overlapping time; a trainer teaching in person in another city the
    same day; the room booked at an overlapping time; a participant of this cohort in another session at an
    overlapping time. Cancelled sessions never clash. At most four queries, whatever the number of sessions."""
    planned_by_day: dict[dt.date, list[tuple[dt.time, dt.time]]] = defaultdict(list)
    for day, start, end in planned:
        planned_by_day[day].append((start, end))
    if not planned_by_day:
        return []
    by_id = {trainer.pk: trainer for trainer in trainers}
    clashes = []
    if by_id:
        clashes += _trainer_clashes(cohort, planned_by_day, by_id)
        clashes += _city_clashes(cohort, planned_by_day, by_id)
    clashes += _room_clashes(cohort, planned_by_day, room)
    clashes += _participant_clashes(cohort, planned_by_day)
    return sorted(clashes, key=lambda c: (c.date, c.start_time, _KIND_ORDER[c.kind], c.subject, c.other_cohort))
