"""Reads behind the directors' dashboard: a facility's key numbers and the data of its charts.

Every figure is one aggregate query grouped by facility, so the number of queries does not grow with the
number of people, sessions or facilities. The conditions that define a figure (a running cohort, an overdue
register, the attendance window) live here too, so the lists a figure links to filter by the same rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from inmates.models import Inmate
from programs.models import Attendance, Cohort, Course, CourseRequest, Enrolment, Session
from rehab.models import Facility, Gender

ATTENDANCE_WINDOW_DAYS = 28
TREND_WEEKS = 12
REGISTER_GRACE = dt.timedelta(hours=48)
ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE)
# Enrolments of people waiting for a place in a cohort (the cohort waitlist counts both).
WAITING = (Enrolment.Status.REQUESTED, Enrolment.Status.WAITLISTED)


# ---------------------------------------------------------------- the rules behind the figures


def attendance_window(*, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last four weeks, today included."""
    return today - dt.timedelta(days=ATTENDANCE_WINDOW_DAYS - 1), today


def year_window(*, today: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)


def cohort_status_q(status: str, *, today: dt.date, prefix: str = "") -> Q:
    """Cohorts that are `running`, `planned` or `finished` on `today`, judged by their dates."""
    start, end = f"{prefix}start_date", f"{prefix}end_date"
    conditions = {
        "running": Q(**{f"{start}__lte": today, f"{end}__gte": today}),
        "planned": Q(**{f"{start}__gt": today}),
        "finished": Q(**{f"{end}__lt": today}),
    }
    return conditions[status]


def overdue_register_q(*, now: dt.datetime, prefix: str = "") -> Q:
    """Sessions still only scheduled more than 48 hours after they ended: nobody took the register."""
    cutoff = timezone.localtime(now) - REGISTER_GRACE
    date, end_time = f"{prefix}date", f"{prefix}end_time"
    return Q(**{f"{prefix}status": Session.Status.SCHEDULED}) & (
        Q(**{f"{date}__lt": cutoff.date()}) | Q(**{date: cutoff.date(), f"{end_time}__lt": cutoff.time()})
    )


def _currently_enrolled() -> Exists:
    return Exists(Enrolment.objects.filter(inmate=OuterRef("pk"), status=Enrolment.Status.ENROLLED))


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


# ---------------------------------------------------------------- key numbers


# Certificates that stand for an enrolment (not revoked or superseded).
LIVE_CERTIFICATE_STATUSES = ("pending", "ready", "failed")


@dataclass(frozen=True)
class KeyNumbers:
    facility: Facility
    in_custody: int = 0
    participating: int = 0
    active_cohorts: int = 0
    free_places: int = 0
    attendance_rows: int = 0
    attended_rows: int = 0
    completions: int = 0
    certificates: int = 0
    waitlisted: int = 0
    course_requests: int = 0
    registers_overdue: int = 0

    @property
    def participation_percent(self) -> int | None:
        return _percent(self.participating, self.in_custody)

    @property
    def attendance_percent(self) -> int | None:
        return _percent(self.attended_rows, self.attendance_rows)


def facilities_key_numbers(
    *, facilities: Sequence[Facility], today: dt.date | None = None, now: dt.datetime | None = None
) -> list[KeyNumbers]:
    """The dashboard's figures for each facility, in the order given; six queries whatever the count."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    ids = [facility.pk for facility in facilities]
    figures: dict[int, dict[str, int]] = {pk: {} for pk in ids}

    people = (
        Inmate.objects.filter(current_facility__in=ids, status=Inmate.Status.IN_CUSTODY)
        .values("current_facility")
        .annotate(in_custody=Count("pk"), participating=Count("pk", filter=Q(_currently_enrolled())))
    )
    for row in people:
        figures[row["current_facility"]].update(in_custody=row["in_custody"], participating=row["participating"])

    running = (
        Cohort.objects.filter(cohort_status_q("running", today=today), facility__in=ids)
        .annotate(
            seats=Coalesce("capacity", "room__capacity"),
            taken=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.SEATED)),
        )
        .values_list("facility_id", "seats", "taken")
    )
    for facility_id, seats, taken in running:
        figure = figures[facility_id]
        figure["active_cohorts"] = figure.get("active_cohorts", 0) + 1
        figure["free_places"] = figure.get("free_places", 0) + max(seats - taken, 0)

    start, end = attendance_window(today=today)
    attendance = (
        Attendance.objects.filter(
            session__cohort__facility__in=ids, session__status=Session.Status.HELD, session__date__range=(start, end)
        )
        .order_by()
        .values("session__cohort__facility")
        .annotate(attendance_rows=Count("pk"), attended_rows=Count("pk", filter=Q(status__in=ATTENDED)))
    )
    for row in attendance:
        figures[row["session__cohort__facility"]].update(
            attendance_rows=row["attendance_rows"], attended_rows=row["attended_rows"]
        )

    year_start, year_end = year_window(today=today)
    enrolments = (
        Enrolment.objects.filter(cohort__facility__in=ids)
        .order_by()
        .values("cohort__facility")
        .annotate(
            completions=Count(
                "pk",
                filter=Q(status=Enrolment.Status.COMPLETED, ended_at__date__range=(year_start, year_end)),
                distinct=True,
            ),
            waitlisted=Count("pk", filter=Q(status__in=WAITING), distinct=True),
            # Certificates hang off enrolments (certificates app, the layer above); counted by relation name so
            # the dashboard needs no import from it and no extra query. Live ones issued this year.
            certificates=Count(
                "certificates",
                filter=Q(
                    certificates__status__in=LIVE_CERTIFICATE_STATUSES,
                    certificates__issued_on__range=(year_start, year_end),
                ),
                distinct=True,
            ),
        )
    )
    for row in enrolments:
        figures[row["cohort__facility"]].update(
            completions=row["completions"], waitlisted=row["waitlisted"], certificates=row["certificates"]
        )

    requests = (
        CourseRequest.objects.filter(facility__in=ids, status=CourseRequest.Status.OPEN)
        .values("facility")
        .annotate(course_requests=Count("pk"))
    )
    for row in requests:
        figures[row["facility"]]["course_requests"] = row["course_requests"]

    overdue = (
        Session.objects.filter(overdue_register_q(now=now), cohort__facility__in=ids)
        .order_by()
        .values("cohort__facility")
        .annotate(registers_overdue=Count("pk"))
    )
    for row in overdue:
        figures[row["cohort__facility"]]["registers_overdue"] = row["registers_overdue"]

    return [KeyNumbers(facility=facility, **figures[facility.pk]) for facility in facilities]


# ---------------------------------------------------------------- charts


def weekly_attendance(*, facility: Facility, today: dt.date | None = None) -> tuple[list[dt.date], list[int | None]]:
    """Attendance rate (%) in each of the last twelve weeks (Monday to Sunday), None for a week without registers."""
    today = today or timezone.localdate()
    this_monday = today - dt.timedelta(days=today.weekday())
    weeks = [this_monday - dt.timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]
    # order_by() drops Meta.ordering, whose related fields would otherwise add joins to a grouped query.
    rows = (
        Attendance.objects.filter(
            session__cohort__facility=facility,
            session__status=Session.Status.HELD,
            session__date__range=(weeks[0], today),
        )
        .order_by()
        .annotate(week=TruncWeek("session__date"))
        .values("week")
        .annotate(rows=Count("pk"), attended=Count("pk", filter=Q(status__in=ATTENDED)))
    )
    by_week = {_as_date(row["week"]): _percent(row["attended"], row["rows"]) for row in rows}
    return weeks, [by_week.get(week) for week in weeks]


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def participation_by_kind(*, facility: Facility) -> list[tuple[str, str, int]]:
    """(kind, label, people) for every course kind: people in custody here currently enrolled in such a course."""
    counts = dict(
        Enrolment.objects.filter(cohort__facility=facility, status=Enrolment.Status.ENROLLED, inmate__isnull=False)
        .order_by()
        .values("cohort__course__kind")
        .annotate(people=Count("inmate", distinct=True))
        .values_list("cohort__course__kind", "people")
    )
    return [(kind, str(label), counts.get(kind, 0)) for kind, label in Course.Kind.choices]


def participation_by_gender(*, facility: Facility) -> list[tuple[str, str, int, int]]:
    """(gender, label, in a programme, not in one) among the people in custody here."""
    rows = {
        row["gender"]: row
        for row in Inmate.objects.filter(current_facility=facility, status=Inmate.Status.IN_CUSTODY)
        .values("gender")
        .annotate(total=Count("pk"), participating=Count("pk", filter=Q(_currently_enrolled())))
    }
    result = []
    for gender, label in Gender.choices:
        row = rows.get(gender, {"total": 0, "participating": 0})
        result.append((gender, str(label), row["participating"], row["total"] - row["participating"]))
    return result


# ---------------------------------------------------------------- the facility page, cached

# A director opens the dashboard many times a day and its figures are counts over months of registers, so the
# computed figures are kept in the shared cache (Redis in production) for a minute per facility; the page says
# when they were computed. Writes that change them call `dashboard_invalidate`, which bumps the facility's
# version so the next view recomputes at once.
CACHE_SECONDS = 60
_CACHE_PREFIX = "programs:dashboard:v1"


def _version_key(facility_id: int) -> str:
    return f"{_CACHE_PREFIX}:version:{facility_id}"


def dashboard_invalidate(*, facility_id: int) -> None:
    """Forget a facility's cached figures (call after a register, an enrolment or a cohort changes)."""
    key = _version_key(facility_id)
    try:
        cache.incr(key)
    except ValueError:  # no version yet: nothing cached under a version either
        cache.set(key, 1, timeout=None)


@dataclass(frozen=True)
class FacilityDashboard:
    numbers: KeyNumbers
    weeks: list[dt.date]
    rates: list[int | None]
    kinds: list[tuple[str, str, int]]
    genders: list[tuple[str, str, int, int]]
    computed_at: dt.datetime
    cached: bool


def facility_dashboard(*, facility: Facility, today: dt.date, now: dt.datetime) -> FacilityDashboard:
    """Key numbers and chart data of one facility, from the cache when computed less than a minute ago.

    Only numbers are cached; labels are translated when the page is drawn, in the reader's language.
    """
    version = cache.get(_version_key(facility.pk), 0)
    key = f"{_CACHE_PREFIX}:{facility.pk}:{version}:{today.isoformat()}"
    payload = cache.get(key)
    cached = payload is not None
    if payload is None:
        numbers = facilities_key_numbers(facilities=[facility], today=today, now=now)[0]
        weeks, rates = weekly_attendance(facility=facility, today=today)
        payload = {
            "figures": {name: getattr(numbers, name) for name in KeyNumbers.__dataclass_fields__ if name != "facility"},
            "weeks": weeks,
            "rates": rates,
            "kinds": {kind: count for kind, _label, count in participation_by_kind(facility=facility)},
            "genders": {gender: (inside, out) for gender, _label, inside, out in participation_by_gender(facility=facility)},
            "computed_at": now,
        }
        cache.set(key, payload, timeout=CACHE_SECONDS)
    return FacilityDashboard(
        numbers=KeyNumbers(facility=facility, **payload["figures"]),
        weeks=payload["weeks"],
        rates=payload["rates"],
        kinds=[(kind, str(label), payload["kinds"].get(kind, 0)) for kind, label in Course.Kind.choices],
        genders=[(gender, str(label), *payload["genders"].get(gender, (0, 0))) for gender, label in Gender.choices],
        computed_at=payload["computed_at"],
        cached=cached,
    )
