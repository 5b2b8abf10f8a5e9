"""Outcomes after release by programme completed: how many people, at each follow-up month, were employed, in
training, housed, kept in contact or returned to custody, grouped by the course they completed in custody."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet

from inmates.models import FollowUp, Inmate
from inmates.support import FOLLOW_UP_MONTHS, OUTCOMES
from programs.models import Course, Enrolment


@dataclass
class OutcomeRow:
    """One group of people (a course completed, everyone, or nobody-completed) at one follow-up month."""

    label: str
    course: Course | None
    people: int = 0  # people with that follow-up recorded
    counts: dict[str, int] = field(default_factory=dict)  # outcome name -> people with that outcome "yes"

    @property
    def cells(self) -> list[int]:
        return [self.counts.get(name, 0) for name in OUTCOMES]


def _aggregates() -> dict:
    values = {"people": Count("referral__inmate_id", distinct=True)}
    for name in OUTCOMES:
        values[name] = Count("referral__inmate_id", filter=Q(**{name: True}), distinct=True)
    return values


def outcomes_by_course(*, inmates: QuerySet[Inmate], all_label: str, none_label: str) -> dict[int, list[OutcomeRow]]:
    """For each follow-up month: one row per course completed by someone followed up, then a row for people who
    completed no course and one for everyone. A person who completed two courses counts in both course rows,
    once in the total. Four queries whatever the number of people or courses."""
    recorded = FollowUp.objects.filter(done_on__isnull=False, referral__inmate__in=inmates.values("pk"))
    totals = {row["month"]: row for row in recorded.values("month").annotate(**_aggregates())}
    without = {
        row["month"]: row
        for row in recorded.exclude(referral__inmate__enrolments__status=Enrolment.Status.COMPLETED)
        .values("month")
        .annotate(**_aggregates())
    }
    # From the enrolment side, so the completed enrolment and its follow-ups share one join each.
    by_course = list(
        Enrolment.objects.filter(
            status=Enrolment.Status.COMPLETED,
            inmate__in=inmates.values("pk"),
            inmate__referrals__follow_ups__done_on__isnull=False,
        )
        .values(course_id=F("cohort__course_id"), month=F("inmate__referrals__follow_ups__month"))
        .annotate(
            people=Count("inmate_id", distinct=True),
            **{
                name: Count("inmate_id", filter=Q(**{f"inmate__referrals__follow_ups__{name}": True}), distinct=True)
                for name in OUTCOMES
            },
        )
        .order_by()
    )
    courses = Course.objects.in_bulk({row["course_id"] for row in by_course})

    def row(label: str, course: Course | None, values: dict | None) -> OutcomeRow:
        values = values or {}
        return OutcomeRow(label, course, values.get("people", 0), {name: values.get(name, 0) for name in OUTCOMES})

    report: dict[int, list[OutcomeRow]] = {}
    for month in FOLLOW_UP_MONTHS:
        rows = sorted(
            (row(str(courses[v["course_id"]]), courses[v["course_id"]], v) for v in by_course if v["month"] == month),
            key=lambda r: r.label,
        )
        rows.append(row(none_label, None, without.get(month)))
        rows.append(row(all_label, None, totals.get(month)))
        report[month] = rows
    return report
