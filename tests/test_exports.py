"""Roster and register downloads, read back with the csv module and openpyxl."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from programs.models import Attendance, Enrolment, Session
from rehab.models import Organisation, Role
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    FacilityFactory,
    InmateFactory,
    SessionFactory,
    StaffMemberFactory,
)
from tests.factories_dashboard import AttendanceFactory, director_of, moment, trainer_of, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    """A filigree group: two inmates (one in Cyrillic) and a staff member, three sessions, one cancelled."""
    facility = FacilityFactory(name="Lipjan")
    group = CohortFactory(facility=facility, name="Filigree A")
    arta = EnrolmentFactory(
        cohort=group,
        inmate=InmateFactory(
            current_facility=facility, first_name="Arta", last_name="Krasniqi", registration_number="KCS-1"
        ),
        enrolled_at=moment(dt.date(2026, 3, 1)),
        status=Enrolment.Status.COMPLETED,
        ended_at=moment(dt.date(2026, 3, 31)),
        final_result=Enrolment.Result.PASSED,
    )
    jovana = EnrolmentFactory(
        cohort=group,
        inmate=InmateFactory(
            current_facility=facility, first_name="Јована", last_name="Петровић", registration_number="KCS-2"
        ),
        enrolled_at=moment(dt.date(2026, 3, 1)),
    )
    staff = EnrolmentFactory(
        cohort=group,
        inmate=None,
        staff_member=StaffMemberFactory(first_name="Besa", last_name="Gashi"),
        enrolled_at=moment(dt.date(2026, 3, 2)),
        status=Enrolment.Status.WITHDRAWN,
        ended_at=moment(dt.date(2026, 3, 10)),
    )
    EnrolmentFactory(cohort=group, status=Enrolment.Status.WAITLISTED)  # not on the roster or the register
    first = SessionFactory(cohort=group, date=dt.date(2026, 3, 2), status=Session.Status.HELD)
    second = SessionFactory(
        cohort=group, date=dt.date(2026, 3, 5), start_time=dt.time(14), end_time=dt.time(16), status=Session.Status.HELD
    )
    SessionFactory(
        cohort=group, date=dt.date(2026, 3, 9), status=Session.Status.CANCELLED, cancellation_reason="Lockdown"
    )
    AttendanceFactory(session=first, enrolment=arta, status=Attendance.Status.PRESENT)
    AttendanceFactory(session=first, enrolment=jovana, status=Attendance.Status.LATE)
    AttendanceFactory(session=first, enrolment=staff, status=Attendance.Status.ABSENT)
    AttendanceFactory(session=second, enrolment=arta, status=Attendance.Status.EXCUSED, reason=Attendance.Reason.COURT)
    AttendanceFactory(session=second, enrolment=jovana, status=Attendance.Status.PRESENT)
    return group


ROSTER = [
    [
        "No.",
        "Registration number",
        "Last name",
        "First name",
        "Participant",
        "Status",
        "Enrolled on",
        "Ended on",
        "Attendance %",
        "Final assessment",
    ],
    ["1", "", "Gashi", "Besa", "Staff", "Withdrawn", "2026-03-02", "2026-03-10", "0", ""],
    ["2", "KCS-1", "Krasniqi", "Arta", "Inmate", "Completed", "2026-03-01", "2026-03-31", "50", "Passed"],
    ["3", "KCS-2", "Петровић", "Јована", "Inmate", "Enrolled", "2026-03-01", "", "100", ""],
]
REGISTER = [
    [
        "Registration number",
        "Last name",
        "First name",
        "2026-03-02 09:00",
        "2026-03-05 14:00",
        "2026-03-09 09:00 (cancelled)",
        "Attended",
        "Marked",
        "Attendance %",
    ],
    ["", "Gashi", "Besa", "Absent", "", "", "0", "1", "0"],
    ["KCS-1", "Krasniqi", "Arta", "Present", "Excused", "", "1", "2", "50"],
    ["KCS-2", "Петровић", "Јована", "Late", "Present", "", "2", "2", "100"],
]


def _download(client, name, cohort, export_format):
    return client.get(reverse(name, kwargs={"pk": cohort.pk}), {"format": export_format})


def _csv_rows(response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


def test_the_roster_as_csv(client, cohort):
    client.force_login(director_of(cohort.facility))

    response = _download(client, "programs:cohort_roster_export", cohort, "csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="filigree-a-{cohort.pk}-roster.csv"'
    assert _csv_rows(response) == ROSTER


def test_the_roster_as_xlsx(client, cohort):
    client.force_login(director_of(cohort.facility))

    response = _download(client, "programs:cohort_roster_export", cohort, "xlsx")

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="filigree-a-{cohort.pk}-roster.xlsx"'
    rows = _xlsx_rows(response)
    assert rows[0] == ROSTER[0]
    assert rows[1:] == [
        [1, "", "Gashi", "Besa", "Staff", "Withdrawn", dt.datetime(2026, 3, 2), dt.datetime(2026, 3, 10), 0, ""],
        [
            2,
            "KCS-1",
            "Krasniqi",
            "Arta",
            "Inmate",
            "Completed",
            dt.datetime(2026, 3, 1),
            dt.datetime(2026, 3, 31),
            50,
            "Passed",
        ],
        [3, "KCS-2", "Петровић", "Јована", "Inmate", "Enrolled", dt.datetime(2026, 3, 1), "", 100, ""],
    ]


def test_the_register_as_csv(client, cohort):
    client.force_login(director_of(cohort.facility))

    response = _download(client, "programs:cohort_register_export", cohort, "csv")

    assert response["Content-Disposition"] == f'attachment; filename="filigree-a-{cohort.pk}-register.csv"'
    assert _csv_rows(response) == REGISTER


def test_the_register_as_xlsx(client, cohort):
    client.force_login(director_of(cohort.facility))

    response = _download(client, "programs:cohort_register_export", cohort, "xlsx")

    rows = _xlsx_rows(response)
    assert rows == [[int(v) if v.isdigit() else v for v in row] if i else row for i, row in enumerate(REGISTER)]


def test_exports_never_carry_offences_or_risk(client, cohort):
    client.force_login(director_of(cohort.facility))

    roster = _download(client, "programs:cohort_roster_export", cohort, "csv").content.decode("utf-8-sig").lower()
    register = _download(client, "programs:cohort_register_export", cohort, "csv").content.decode("utf-8-sig").lower()

    for word in ("offence", "sentence", "risk", "release"):
        assert word not in roster
        assert word not in register


def test_a_trainer_exports_the_groups_they_deliver_only(client, cohort):
    trainer = trainer_of(cohort)
    other = CohortFactory(facility=cohort.facility)
    client.force_login(trainer)

    mine = _download(client, "programs:cohort_register_export", cohort, "xlsx")
    not_mine = _download(client, "programs:cohort_roster_export", other, "csv")

    assert mine.status_code == 200
    assert not_mine.status_code == 404


def test_a_programme_officer_exports_in_their_prison_service(client, cohort):
    client.force_login(
        user_with_role(Role.PROGRAMME_OFFICER, facility=None, organisation=cohort.facility.prison_service)
    )

    assert _download(client, "programs:cohort_roster_export", cohort, "csv").status_code == 200


def test_a_director_of_another_facility_gets_404(client, cohort):
    client.force_login(director_of(FacilityFactory()))

    assert _download(client, "programs:cohort_roster_export", cohort, "csv").status_code == 404
    assert _download(client, "programs:cohort_register_export", cohort, "xlsx").status_code == 404


@pytest.mark.parametrize("role", [Role.REGISTRAR, Role.DONOR])
def test_registrars_and_donors_get_403(client, cohort, role):
    organisation = Organisation.objects.create(name=f"Org {role}", kind=Organisation.Kind.NGO, country="XK")
    client.force_login(user_with_role(role, facility=None, organisation=organisation))

    assert _download(client, "programs:cohort_roster_export", cohort, "csv").status_code == 403


def test_logged_out_visitors_are_sent_to_login(client, cohort):
    response = _download(client, "programs:cohort_roster_export", cohort, "csv")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_an_unknown_format_is_a_bad_request(client, cohort):
    client.force_login(director_of(cohort.facility))

    response = _download(client, "programs:cohort_roster_export", cohort, "pdf")

    assert response.status_code == 400
    assert response.content.decode() == "Choose the format csv or xlsx."


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_written_as_text(client, cohort):
    Enrolment.objects.filter(cohort=cohort, inmate__registration_number="KCS-1").update(
        status=Enrolment.Status.ENROLLED
    )
    InmateFactory._meta.model.objects.filter(registration_number="KCS-1").update(first_name='=HYPERLINK("http://x")')
    client.force_login(director_of(cohort.facility))

    csv_rows = _csv_rows(_download(client, "programs:cohort_roster_export", cohort, "csv"))
    xlsx = load_workbook(io.BytesIO(_download(client, "programs:cohort_roster_export", cohort, "xlsx").content)).active

    assert csv_rows[2][3] == '\'=HYPERLINK("http://x")'
    assert (xlsx["D3"].value, xlsx["D3"].data_type) == ('\'=HYPERLINK("http://x")', "s")
