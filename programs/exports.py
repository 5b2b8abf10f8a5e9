"""A cohort's roster and register as tables, and the CSV and XLSX writers for them.

Only what a roster needs: names, registration numbers, enrolment and attendance. Never offences, sentences
or risk data: trainers download these too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from programs.dashboard import ATTENDED
from programs.models import Attendance, Cohort, Enrolment, Session
from programs.services.attendance import MOVED, moved_from_a_seat
from programs.services.movements import enrolment_moved_on

Table = list[list[Any]]

# Requests and waitlist places are not on a roster: the people who took (or held) a seat are.
NOT_ON_ROSTER = (Enrolment.Status.REQUESTED, Enrolment.Status.WAITLISTED)


def _by_name(queryset):
    return queryset.annotate(
        sort_last=Coalesce("inmate__last_name", "staff_member__last_name"),
        sort_first=Coalesce("inmate__first_name", "staff_member__first_name"),
    ).order_by("sort_last", "sort_first", "pk")


def _person(enrolment: Enrolment) -> list[str]:
    person = enrolment.participant
    number = enrolment.inmate.registration_number if enrolment.inmate_id else ""
    return [number, person.last_name, person.first_name]


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


def cohort_roster(*, cohort: Cohort) -> Table:
    """One row per person who took a seat in the cohort, by name, with status, dates and attendance."""
    enrolments = _by_name(
        cohort.enrolments.exclude(status__in=NOT_ON_ROSTER)
        .select_related("inmate", "staff_member")
        .annotate(
            recorded=Count("attendance", filter=Q(attendance__session__status=Session.Status.HELD)),
            attended=Count(
                "attendance",
                filter=Q(attendance__session__status=Session.Status.HELD, attendance__status__in=ATTENDED),
            ),
        )
    )
    table: Table = [
        [
            _("No."),
            _("Registration number"),
            _("Last name"),
            _("First name"),
            _("Participant"),
            _("Status"),
            _("Enrolled on"),
            _("Ended on"),
            _("Attendance %"),
            _("Final assessment"),
        ]
    ]
    for number, enrolment in enumerate(enrolments, start=1):
        table.append(
            [
                number,
                *_person(enrolment),
                _("Inmate") if enrolment.inmate_id else _("Staff"),
                enrolment.get_status_display(),
                _local_date(enrolment.enrolled_at),
                _local_date(enrolment.ended_at),
                _percent(enrolment.attended, enrolment.recorded),
                enrolment.get_final_result_display(),
            ]
        )
    return table


def _moved_away_label(enrolment: Enrolment, moved_on: dt.date) -> str:
    """What the register screen says of someone a movement took out of the group before a session."""
    day = date_format(moved_on, "SHORT_DATE_FORMAT")
    if enrolment.status == Enrolment.Status.TRANSFERRED:
        return _("Transferred on %(date)s") % {"date": day}
    return _("Released on %(date)s") % {"date": day}


def cohort_register(*, cohort: Cohort) -> Table:
    """Sessions × participants: each cell the attendance mark, then each person's totals over held sessions.

    As on the register screen, someone a transfer or a release took out of the group is listed, and on the
    sessions after the movement (cancelled ones aside) their cell says so, with the movement's date, instead
    of staying blank: they were not absent, and those sessions count neither as marked nor as missed.
    """
    sessions = list(cohort.sessions.order_by("date", "start_time"))
    enrolments = list(
        _by_name(
            cohort.enrolments.annotate(moved_from_a_seat=moved_from_a_seat())
            .filter(
                Q(status__in=Enrolment.SEATED)
                | Q(status__in=MOVED, moved_from_a_seat=True)
                | Exists(Attendance.objects.filter(enrolment=OuterRef("pk")))
            )
            .select_related("inmate", "staff_member")
        )
    )
    marks = {
        (enrolment_id, session_id): status
        for enrolment_id, session_id, status in Attendance.objects.filter(session__cohort=cohort).values_list(
            "enrolment_id", "session_id", "status"
        )
    }
    labels = dict(Attendance.Status.choices)
    held = [session.pk for session in sessions if session.status == Session.Status.HELD]

    header: list[Any] = [_("Registration number"), _("Last name"), _("First name")]
    for session in sessions:
        when = f"{session.date.isoformat()} {session.start_time:%H:%M}"
        header.append(f"{when} ({_('cancelled')})" if session.status == Session.Status.CANCELLED else when)
    header += [_("Attended"), _("Marked"), _("Attendance %")]

    table: Table = [header]
    for enrolment in enrolments:
        moved_on = enrolment_moved_on(enrolment=enrolment) if enrolment.moved_from_a_seat else None
        gone = _moved_away_label(enrolment, moved_on) if moved_on else ""
        cells = []
        for session in sessions:
            if (enrolment.pk, session.pk) in marks:
                cells.append(str(labels[marks[enrolment.pk, session.pk]]))
            elif moved_on and session.date > moved_on and session.status != Session.Status.CANCELLED:
                cells.append(gone)
            else:
                cells.append("")
        marked = sum(1 for pk in held if (enrolment.pk, pk) in marks)
        attended = sum(1 for pk in held if marks.get((enrolment.pk, pk)) in ATTENDED)
        table.append([*_person(enrolment), *cells, attended, marked, _percent(attended, marked)])
    return table


# ---------------------------------------------------------------- writers

# A cell starting with one of these is run as a formula by spreadsheet programs; names come from imports.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return _as_text(value)


def write_csv(table: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows Cyrillic and Albanian letters correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in table:
        writer.writerow([_csv_value(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(table: Sequence[Sequence[Any]], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    # Excel forbids some characters in sheet names and allows at most 31 of them.
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"
    for row in table:
        sheet.append([_as_text(value) for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
