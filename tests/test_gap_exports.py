"""The register download marks people a transfer or a release took out of the group, as the register screen
does: on the sessions after the movement they are "transferred/released on <date>", never absent or blank,
and those sessions are not in their totals. Read back with the csv module and openpyxl."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from openpyxl import load_workbook

from inmates.models import CustodyEvent
from programs.exports import cohort_register
from programs.models import Attendance, Enrolment, Session
from programs.services.movements import custody_release, custody_transfer
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    FacilityFactory,
    InmateFactory,
    PrisonServiceFactory,
    SessionFactory,
)
from tests.factories_dashboard import AttendanceFactory, director_of, moment

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 20)
TRANSFERRED_ON = dt.date(2026, 3, 12)
RELEASED_ON = dt.date(2026, 3, 1)


def person_in(facility, first_name, last_name, number):
    inmate = InmateFactory(
        current_facility=facility, first_name=first_name, last_name=last_name, registration_number=number
    )
    CustodyEvent.objects.create(inmate=inmate, kind=CustodyEvent.Kind.ADMISSION, date=inmate.admission_date, to_facility=facility)
    return inmate


@pytest.fixture
def cohort():
    """Filigree A in Lipjan: Arta is transferred to Dubrava after the third session, Besa released before the
    first, Drita stays; Edona, only waiting for a place, is transferred too. Sessions on 2, 9, 12 and 16 March
    (held), 19 March (cancelled) and 23 March (not yet held)."""
    service = PrisonServiceFactory(name="Kosovo Correctional Service")
    lipjan = FacilityFactory(prison_service=service, name="Lipjan")
    dubrava = FacilityFactory(prison_service=service, name="Dubrava")
    group = CohortFactory(facility=lipjan, name="Filigree A")
    arta = person_in(lipjan, "Arta", "Berisha", "KCS-1")
    besa = person_in(lipjan, "Besa", "Gashi", "KCS-2")
    drita = person_in(lipjan, "Drita", "Hoxha", "KCS-3")
    edona = person_in(lipjan, "Edona", "Kelmendi", "KCS-4")
    seated = {"enrolled_at": moment(dt.date(2026, 2, 20)), "status": Enrolment.Status.ENROLLED}
    arta_seat = EnrolmentFactory(cohort=group, inmate=arta, **seated)
    EnrolmentFactory(cohort=group, inmate=besa, **seated)
    drita_seat = EnrolmentFactory(cohort=group, inmate=drita, **seated)
    EnrolmentFactory(cohort=group, inmate=edona, status=Enrolment.Status.WAITLISTED, enrolled_at=None)
    sessions = [
        SessionFactory(cohort=group, date=dt.date(2026, 3, day), status=Session.Status.HELD) for day in (2, 9, 12, 16)
    ]
    SessionFactory(cohort=group, date=dt.date(2026, 3, 19), status=Session.Status.CANCELLED, cancellation_reason="Lockdown")
    SessionFactory(cohort=group, date=dt.date(2026, 3, 23), status=Session.Status.SCHEDULED)
    for session, status in zip(sessions[:3], ("present", "absent", "late"), strict=True):
        AttendanceFactory(session=session, enrolment=arta_seat, status=status)
    for session in sessions:
        AttendanceFactory(session=session, enrolment=drita_seat, status=Attendance.Status.PRESENT)

    custody_release(inmate=besa, date=RELEASED_ON, today=TODAY)
    custody_transfer(inmate=arta, to_facility=dubrava, date=TRANSFERRED_ON, today=TODAY)
    custody_transfer(inmate=edona, to_facility=dubrava, date=TRANSFERRED_ON, today=TODAY)
    return group


HEADER = [
    "Registration number",
    "Last name",
    "First name",
    "2026-03-02 09:00",
    "2026-03-09 09:00",
    "2026-03-12 09:00",
    "2026-03-16 09:00",
    "2026-03-19 09:00 (cancelled)",
    "2026-03-23 09:00",
    "Attended",
    "Marked",
    "Attendance %",
]
TRANSFERRED = "Transferred on 03/12/2026"
RELEASED = "Released on 03/01/2026"


def _download(client, cohort, export_format):
    client.force_login(director_of(cohort.facility))
    return client.get(reverse("programs:cohort_register_export", kwargs={"pk": cohort.pk}), {"format": export_format})


def test_the_csv_register_says_who_moved_away_and_when_instead_of_absent(client, cohort):
    response = _download(client, cohort, "csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        HEADER,
        ["KCS-1", "Berisha", "Arta", "Present", "Absent", "Late", TRANSFERRED, "", TRANSFERRED, "2", "3", "67"],
        ["KCS-2", "Gashi", "Besa", RELEASED, RELEASED, RELEASED, RELEASED, "", RELEASED, "0", "0", ""],
        ["KCS-3", "Hoxha", "Drita", "Present", "Present", "Present", "Present", "", "", "4", "4", "100"],
    ]


def test_the_xlsx_register_says_who_moved_away_and_when_instead_of_absent(client, cohort):
    response = _download(client, cohort, "xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        HEADER,
        ["KCS-1", "Berisha", "Arta", "Present", "Absent", "Late", TRANSFERRED, None, TRANSFERRED, 2, 3, 67],
        ["KCS-2", "Gashi", "Besa", RELEASED, RELEASED, RELEASED, RELEASED, None, RELEASED, 0, 0, None],
        ["KCS-3", "Hoxha", "Drita", "Present", "Present", "Present", "Present", None, None, 4, 4, 100],
    ]


def test_a_mark_on_a_session_after_the_movement_is_shown_and_counted_as_on_the_register_screen(cohort):
    # The register screen expects anyone marked on a session, whatever happened later; so does the export.
    arta = Enrolment.objects.get(cohort=cohort, inmate__registration_number="KCS-1")
    AttendanceFactory(session=cohort.sessions.get(date=dt.date(2026, 3, 16)), enrolment=arta, status="excused", reason="court")

    row = cohort_register(cohort=cohort)[1]

    assert row == ["KCS-1", "Berisha", "Arta", "Present", "Absent", "Late", "Excused", "", TRANSFERRED, 2, 4, 50]


@pytest.mark.parametrize("language", ["sq", "sr", "mk"])
def test_the_movement_is_written_in_the_readers_language_with_a_localised_date(cohort, language):
    with translation.override(language):
        table = cohort_register(cohort=cohort)
        transferred = gettext("Transferred on %(date)s") % {"date": date_format(TRANSFERRED_ON, "SHORT_DATE_FORMAT")}
        released = gettext("Released on %(date)s") % {"date": date_format(RELEASED_ON, "SHORT_DATE_FORMAT")}

    assert table[1][6:9] == [transferred, "", transferred]
    assert table[2][3] == released
