"""Donor reports: what was delivered for a funding action, a period, a country or a facility, in counts only.

No report holds a name, a number or a date of birth: only counts of people, sessions and hours. Counts of people
from 1 to 4 are shown as "<5" (small-cell suppression), so nobody can be picked out of a small group; 0 stays 0.
When a breakdown's total is shown and exactly one of its parts is under 5, that part could be worked out from the
total and the others, so the smallest other part is hidden too ("x"). A rate is hidden when any count it is made
of is. The suppressed table (`report_table`) is the only thing screens, CSV, XLSX, PDF and charts are built from,
so no format can show a raw small count.

Every figure comes from a fixed handful of aggregate queries, whatever the number of people or cohorts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, DurationField, Exists, F, OuterRef, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from inmates.models import Inmate
from programs.models import Cohort, Enrolment, Session
from rehab.models import Gender, Organisation, StaffMember

SUPPRESSED = "<5"
HIDDEN = "x"
SMALL = range(1, 5)

Display = int | str

# People who took a seat (requests and waitlist places are not participation).
NOT_PARTICIPATING = (Enrolment.Status.REQUESTED, Enrolment.Status.WAITLISTED)
# Enrolments that came to an end one way or another: the base of the completion rate.
ENDED = (
    Enrolment.Status.COMPLETED,
    Enrolment.Status.WITHDRAWN,
    Enrolment.Status.TRANSFERRED,
    Enrolment.Status.RELEASED,
)
LIVE_CERTIFICATE_STATUSES = ("pending", "ready", "failed")

# (key, lowest age, label); an age band runs up to the next band's lowest age.
AGE_BANDS = (
    ("under_18", 0, "<18"),
    ("18_24", 18, "18–24"),
    ("25_34", 25, "25–34"),
    ("35_44", 35, "35–44"),
    ("45_54", 45, "45–54"),
    ("55_plus", 55, "55+"),
)
AGE_UNKNOWN = "unknown"


# ---------------------------------------------------------------- what a report covers


@dataclass(frozen=True)
class ReportScope:
    """The cohorts the asking user may report on. `everything` for administrators; otherwise the cohorts of
    `facility_ids` (directors, programme officers) and those funded by actions of `donor_ids` (donors)."""

    everything: bool = False
    facility_ids: tuple[int, ...] = ()
    donor_ids: tuple[int, ...] = ()

    def cohorts(self) -> QuerySet[Cohort]:
        if self.everything:
            return Cohort.objects.all()
        return Cohort.objects.filter(
            Q(facility_id__in=self.facility_ids) | Q(funding_action__donor_id__in=self.donor_ids)
        )


@dataclass(frozen=True)
class ReportFilters:
    date_from: dt.date
    date_to: dt.date
    funding_action_id: int | None = None
    country: str = ""
    facility_id: int | None = None


def report_spec(*, scope: ReportScope, filters: ReportFilters, language: str) -> dict:
    """The report's parameters as JSON-ready primitives: what a Celery task receives and what the PDF is keyed by."""
    values = asdict(filters)
    values["date_from"] = filters.date_from.isoformat()
    values["date_to"] = filters.date_to.isoformat()
    return {
        "scope": {
            "everything": scope.everything,
            "facility_ids": sorted(scope.facility_ids),
            "donor_ids": sorted(scope.donor_ids),
        },
        "filters": values,
        "language": language,
    }


def spec_from_primitives(spec: dict) -> tuple[ReportScope, ReportFilters, str]:
    scope = ReportScope(
        everything=bool(spec["scope"]["everything"]),
        facility_ids=tuple(spec["scope"]["facility_ids"]),
        donor_ids=tuple(spec["scope"]["donor_ids"]),
    )
    values = dict(spec["filters"])
    filters = ReportFilters(
        date_from=dt.date.fromisoformat(values["date_from"]),
        date_to=dt.date.fromisoformat(values["date_to"]),
        funding_action_id=values.get("funding_action_id"),
        country=values.get("country") or "",
        facility_id=values.get("facility_id"),
    )
    return scope, filters, spec["language"]


def spec_key(spec: dict, *, today: dt.date) -> str:
    """A deterministic name for the PDF of these parameters, made today: the same request on the same day finds
    the same file (a re-run overwrites it with the same content), a request tomorrow makes a fresh one."""
    canonical = json.dumps({"spec": spec, "day": today.isoformat()}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:40]


def report_cohorts(*, scope: ReportScope, filters: ReportFilters) -> QuerySet[Cohort]:
    """The cohorts a report covers: in scope, matching the filters, running at some point of the period."""
    cohorts = scope.cohorts().filter(start_date__lte=filters.date_to, end_date__gte=filters.date_from)
    if filters.funding_action_id:
        cohorts = cohorts.filter(funding_action_id=filters.funding_action_id)
    if filters.country:
        cohorts = cohorts.filter(facility__prison_service__country=filters.country)
    if filters.facility_id:
        cohorts = cohorts.filter(facility_id=filters.facility_id)
    return cohorts


def _all_period_cohorts(*, scope: ReportScope, filters: ReportFilters) -> QuerySet[Cohort]:
    """As report_cohorts, without the period: completions and certificates are counted by their own dates."""
    cohorts = scope.cohorts()
    if filters.funding_action_id:
        cohorts = cohorts.filter(funding_action_id=filters.funding_action_id)
    if filters.country:
        cohorts = cohorts.filter(facility__prison_service__country=filters.country)
    if filters.facility_id:
        cohorts = cohorts.filter(facility_id=filters.facility_id)
    return cohorts


# ---------------------------------------------------------------- raw figures (never shown as they are)


@dataclass
class DonorReport:
    filters: ReportFilters
    inmates: int = 0
    staff: int = 0
    # gender -> people
    by_gender: dict[str, int] = field(default_factory=dict)
    # age band key -> people (staff records hold no date of birth: they count as not recorded)
    by_age: dict[str, int] = field(default_factory=dict)
    # organisation kind -> staff
    staff_by_kind: dict[str, int] = field(default_factory=dict)
    sessions_held: int = 0
    sessions_cancelled: int = 0
    hours: float = 0.0
    groups: int = 0
    ended: int = 0
    completed: int = 0
    certificates: int = 0
    cascade_staff: int = 0

    @property
    def participants(self) -> int:
        return self.inmates + self.staff


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age_band_case(on: dt.date) -> Case:
    """The age band of an inmate on `on`: born after the day someone turns N there, they are younger than N."""
    whens = [When(date_of_birth__isnull=True, then=Value(AGE_UNKNOWN))]
    for (key, _lowest, _label), (_next_key, next_lowest, _next_label) in zip(AGE_BANDS, AGE_BANDS[1:], strict=False):
        whens.append(When(date_of_birth__gt=_years_before(on, next_lowest), then=Value(key)))
    return Case(*whens, default=Value(AGE_BANDS[-1][0]), output_field=CharField())


def _cascade_q() -> Q:
    """Cohorts that train staff as trainers, or that trainers so trained deliver."""
    return Q(cohort__is_training_of_trainers=True) | Q(cohort__cascade_of__isnull=False)


def donor_report(*, scope: ReportScope, filters: ReportFilters) -> DonorReport:
    """The raw figures of a report, in four aggregate queries."""
    report = DonorReport(filters=filters)
    cohorts = report_cohorts(scope=scope, filters=filters)
    participating = Enrolment.objects.filter(cohort__in=cohorts).exclude(status__in=NOT_PARTICIPATING)

    inmates = (
        Inmate.objects.filter(Exists(participating.filter(inmate=OuterRef("pk"))))
        .annotate(band=_age_band_case(filters.date_from))
        .values("gender", "band")
        .annotate(people=Count("pk"))
        .order_by()
    )
    for row in inmates:
        report.inmates += row["people"]
        report.by_gender[row["gender"]] = report.by_gender.get(row["gender"], 0) + row["people"]
        report.by_age[row["band"]] = report.by_age.get(row["band"], 0) + row["people"]

    staff = (
        StaffMember.objects.filter(Exists(participating.filter(staff_member=OuterRef("pk"))))
        .values("gender", "organisation__kind")
        .annotate(people=Count("pk"))
        .order_by()
    )
    for row in staff:
        report.staff += row["people"]
        report.by_gender[row["gender"]] = report.by_gender.get(row["gender"], 0) + row["people"]
        report.by_age[AGE_UNKNOWN] = report.by_age.get(AGE_UNKNOWN, 0) + row["people"]
        kind = row["organisation__kind"]
        report.staff_by_kind[kind] = report.staff_by_kind.get(kind, 0) + row["people"]

    sessions = Session.objects.filter(cohort__in=cohorts, date__range=(filters.date_from, filters.date_to)).aggregate(
        held=Count("pk", filter=Q(status=Session.Status.HELD)),
        cancelled=Count("pk", filter=Q(status=Session.Status.CANCELLED)),
        duration=Sum(
            F("end_time") - F("start_time"), filter=Q(status=Session.Status.HELD), output_field=DurationField()
        ),
        groups=Count("cohort", distinct=True, filter=Q(status=Session.Status.HELD)),
    )
    report.sessions_held = sessions["held"]
    report.sessions_cancelled = sessions["cancelled"]
    report.groups = sessions["groups"]
    report.hours = round(sessions["duration"].total_seconds() / 3600, 1) if sessions["duration"] else 0.0

    # Certificates hang off enrolments (certificates app, the layer above): counted through the relation name,
    # with no import from that app, as the dashboard does.
    period = (filters.date_from, filters.date_to)
    completed = Q(status=Enrolment.Status.COMPLETED) & ~Q(final_result=Enrolment.Result.NOT_PASSED)
    ended_in_period = Q(ended_at__date__range=period)
    outcomes = Enrolment.objects.filter(cohort__in=_all_period_cohorts(scope=scope, filters=filters)).aggregate(
        ended=Count("pk", filter=Q(status__in=ENDED) & ended_in_period, distinct=True),
        completed=Count("pk", filter=completed & ended_in_period, distinct=True),
        certificates=Count(
            "certificates",
            filter=Q(certificates__status__in=LIVE_CERTIFICATE_STATUSES, certificates__issued_on__range=period),
            distinct=True,
        ),
        cascade_staff=Count("staff_member", filter=completed & ended_in_period & _cascade_q(), distinct=True),
    )
    report.ended = outcomes["ended"]
    report.completed = outcomes["completed"]
    report.certificates = outcomes["certificates"]
    report.cascade_staff = outcomes["cascade_staff"]
    return report


# ---------------------------------------------------------------- suppression


def suppress(count: int) -> Display:
    """A count of people as it may be shown: 1–4 become "<5"."""
    return SUPPRESSED if count in SMALL else count


def is_withheld(value: Display) -> bool:
    return value in (SUPPRESSED, HIDDEN)


def suppress_parts(parts: Sequence[int], *, total: int) -> list[Display]:
    """A breakdown whose total is shown: each part suppressed, and when exactly one part is under 5 while the
    total is not, the smallest other non-zero part is hidden too, so the small one cannot be subtracted out."""
    shown = [suppress(part) for part in parts]
    small = [index for index, part in enumerate(parts) if part in SMALL]
    if len(small) == 1 and total not in SMALL:
        others = [(part, index) for index, part in enumerate(parts) if index != small[0] and part > 0]
        if others:
            shown[min(others)[1]] = HIDDEN
    return shown


def rate(part: Display, whole: Display) -> Display | None:
    """Percentage of two shown counts; hidden when either is withheld, None when there is nothing to divide."""
    if is_withheld(part) or is_withheld(whole):
        return HIDDEN
    if not whole:
        return None
    return round(100 * part / whole)


# ---------------------------------------------------------------- the suppressed table


@dataclass
class Section:
    key: str
    title: str
    rows: list[tuple[str, str, Display | None]]  # (key, label, shown value)

    def value(self, key: str) -> Display | None:
        return next(value for row_key, _label, value in self.rows if row_key == key)


def report_sections(report: DonorReport) -> list[Section]:
    """Everything a report shows, suppressed; every format is written from this."""
    total = suppress(report.participants)
    inmates, staff = suppress_parts([report.inmates, report.staff], total=report.participants)

    genders = [(g, str(label), report.by_gender.get(g, 0)) for g, label in Gender.choices]
    gender_shown = suppress_parts([n for _g, _l, n in genders], total=report.participants)

    bands = [(key, label, report.by_age.get(key, 0)) for key, _lowest, label in AGE_BANDS]
    bands.append((AGE_UNKNOWN, _("Not recorded"), report.by_age.get(AGE_UNKNOWN, 0)))
    band_shown = suppress_parts([n for _k, _l, n in bands], total=report.participants)

    kinds = [(k, str(label), report.staff_by_kind.get(k, 0)) for k, label in Organisation.Kind.choices]
    kinds = [row for row in kinds if row[2]] or []
    kind_shown = suppress_parts([n for _k, _l, n in kinds], total=report.staff)

    not_completed = report.ended - report.completed
    completed_shown, not_completed_shown = suppress_parts([report.completed, not_completed], total=report.ended)
    ended_shown = suppress(report.ended)

    return [
        Section(
            "participants",
            _("Unique participants"),
            [
                ("inmates", _("Inmates"), inmates),
                ("staff", _("Staff"), staff),
                ("total", _("Total"), total),
            ],
        ),
        Section("gender", _("By gender"), [(k, label, v) for (k, label, _n), v in zip(genders, gender_shown, strict=True)]),
        Section(
            "age",
            _("By age band at the start of the period"),
            [(k, str(label), v) for (k, label, _n), v in zip(bands, band_shown, strict=True)],
        ),
        Section(
            "target",
            _("By target group"),
            [("inmates", _("Inmates"), inmates)]
            + [
                (f"staff_{k}", _("Staff: %(kind)s") % {"kind": label}, v)
                for (k, label, _n), v in zip(kinds, kind_shown, strict=True)
            ],
        ),
        Section(
            "delivery",
            _("Delivery"),
            [
                ("groups", _("Groups with sessions held"), report.groups),
                ("sessions_held", _("Sessions held"), report.sessions_held),
                ("sessions_cancelled", _("Sessions cancelled"), report.sessions_cancelled),
                ("hours", _("Hours delivered"), report.hours),
            ],
        ),
        Section(
            "outcomes",
            _("Outcomes in the period"),
            [
                ("ended", _("Participations that ended"), ended_shown),
                ("completed", _("Completed"), completed_shown),
                ("not_completed", _("Did not complete"), not_completed_shown),
                ("completion_rate", _("Completion rate (%)"), rate(completed_shown, ended_shown)),
                ("certificates", _("Certificates issued"), suppress(report.certificates)),
                ("cascade_staff", _("Staff trained in cascades"), suppress(report.cascade_staff)),
            ],
        ),
    ]


Table = list[list[Any]]


def report_table(sections: Sequence[Section]) -> Table:
    """Rows for CSV and XLSX: section, measure, value."""
    table: Table = [[_("Section"), _("Measure"), _("Value")]]
    for section in sections:
        for _key, label, value in section.rows:
            table.append([section.title, label, "" if value is None else value])
    table.append([])
    table.append([_("Note"), SUPPRESSED, _("between 1 and 4 people")])
    table.append([_("Note"), HIDDEN, _("hidden so that a number under 5 cannot be worked out from the others")])
    return table


# ---------------------------------------------------------------- charts


CHARTED = ("gender", "age", "target")


def _chart_value(value: Display | None) -> int | float | None:
    return None if value is None or is_withheld(value) else value


def _chart_label(label: str, value: Display | None) -> str:
    return f"{label} ({value})" if value is not None and is_withheld(value) else label


def report_charts(sections: Sequence[Section]) -> dict[str, dict]:
    """Chart.js data (static/js/donor_report.js) from the suppressed sections: a withheld bar is left empty and
    its label says "<5" or "x", so the page's JSON never carries a small count."""
    by_key = {section.key: section for section in sections}
    charts = {}
    for key in CHARTED:
        section = by_key[key]
        charts[key] = {
            "type": "bar",
            "title": section.title,
            "labels": [_chart_label(label, value) for _k, label, value in section.rows],
            "datasets": [{"label": _("People"), "data": [_chart_value(value) for _k, _l, value in section.rows]}],
        }
    delivery = by_key["delivery"]
    charts["sessions"] = {
        "type": "bar",
        "title": _("Sessions"),
        "labels": [_("Held"), _("Cancelled")],
        "datasets": [
            {
                "label": _("Sessions"),
                "data": [delivery.value("sessions_held"), delivery.value("sessions_cancelled")],
            }
        ],
    }
    return charts


def svg_bar_chart(chart: dict, *, width: int = 480, bar_height: int = 18, gap: int = 6) -> str:
    """A horizontal bar chart as SVG, for the PDF (WeasyPrint runs no JavaScript). Labels are escaped here."""
    labels: list[str] = chart["labels"]
    values: list[int | float | None] = chart["datasets"][0]["data"]
    label_width, value_width = 190, 50
    plot = width - label_width - value_width
    top = 6
    height = top + len(labels) * (bar_height + gap) + 4
    biggest = max([value for value in values if value] or [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="DejaVu Sans, sans-serif" font-size="10">'
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * (bar_height + gap)
        middle = y + bar_height / 2 + 3.5
        parts.append(f'<text x="{label_width - 6}" y="{middle}" text-anchor="end">{escape(label)}</text>')
        if value:
            length = max(plot * value / biggest, 1)
            parts.append(f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="#0d6efd"/>')
            parts.append(f'<text x="{label_width + length + 4:.1f}" y="{middle}">{escape(str(value))}</text>')
        else:
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{plot}" height="{bar_height}" fill="none" '
                f'stroke="#adb5bd" stroke-dasharray="3,3"/>'
            )
            shown = "0" if value == 0 else "–"
            parts.append(f'<text x="{label_width + 4}" y="{middle}" fill="#6c757d">{shown}</text>')
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------- what the report is about, and its PDF


def report_subject(*, filters: ReportFilters) -> list[tuple[str, str]]:
    """(label, value) lines naming what a report covers; at most two small queries."""
    from programs.models import FundingAction
    from rehab.models import Country, Facility

    lines = []
    if filters.funding_action_id:
        action = FundingAction.objects.select_related("donor").get(pk=filters.funding_action_id)
        lines.append((_("Funding action"), f"{action.title} ({action.donor.name})"))
    lines.append((_("Period"), f"{filters.date_from.isoformat()} – {filters.date_to.isoformat()}"))
    if filters.country:
        lines.append((_("Country"), str(Country(filters.country).label)))
    if filters.facility_id:
        lines.append((_("Facility"), Facility.objects.get(pk=filters.facility_id).name))
    return lines


def donor_report_pdf(*, spec: dict) -> bytes:
    """The report as PDF, in the language it was asked in: the same suppressed figures, and the charts as SVG."""
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    scope, filters, language = spec_from_primitives(spec)
    with translation.override(language):
        sections = report_sections(donor_report(scope=scope, filters=filters))
        charts = report_charts(sections)
        html = render_to_string(
            "programs/reports/pdf.html",
            {
                # The figures are as of the day the PDF was made (its key holds that day too).
                "subject": [*report_subject(filters=filters), (_("Made on"), timezone.localdate().isoformat())],
                "sections": sections,
                "charts": [(chart["title"], svg_bar_chart(chart)) for chart in charts.values()],
                "suppressed": SUPPRESSED,
                "hidden": HIDDEN,
                "language": language,
            },
        )
    # Everything is inline (SVG charts, no images): the page may load nothing from files or the network.
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()
