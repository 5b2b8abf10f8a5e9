"""Donor reports: exact figures on a built dataset, small-cell suppression in every format (screen, CSV, XLSX,
PDF), scope (404 outside it), a constant number of queries, and the PDF made by the task and by a real worker."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from certificates.services import cohort_issue_certificates
from programs.funding_selectors import report_scope
from programs.models import Enrolment, Session
from programs.reports import ReportFilters, ReportScope, donor_report, report_sections, report_spec, spec_key
from programs.services.funding import donor_report_pdf_status, report_pdf_path
from programs.tasks import render_donor_report
from rehab.models import Organisation, Role
from tests.conftest import browser_login
from tests.factories import (
    PASSWORD,
    CohortFactory,
    CourseFactory,
    FacilityFactory,
    PrisonServiceFactory,
    RoleAssignmentFactory,
    SessionFactory,
    UserFactory,
)
from tests.factories_certificates import IssuerFactory, certified_cohort, finish, lipjan
from tests.factories_funding import FundingActionFactory, inmate_in, staff_in

PERIOD = {"date_from": "2026-01-01", "date_to": "2026-12-31"}
COMPLETED, PASSED = Enrolment.Status.COMPLETED, Enrolment.Result.PASSED


@pytest.fixture(autouse=True)
def private_media(request, settings, tmp_path):
    if request.node.get_closest_marker("worker"):
        return  # a real worker writes where its own settings say: the test cleans up after itself
    settings.PRIVATE_MEDIA_ROOT = tmp_path


def build() -> SimpleNamespace:
    """Action A funds C1 (Lipjan: 9 inmates, 2 prison staff) and C2 (a training of trainers elsewhere in Kosovo:
    6 health staff). C3 in Serbia is funded by nobody."""
    donor = Organisation.objects.create(name="EU/CoE test donor", kind=Organisation.Kind.DONOR, country="XK")
    action = FundingActionFactory(donor=donor, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    f1 = lipjan()
    kcs = f1.prison_service
    health = Organisation.objects.create(name="Prison Health Department", kind=Organisation.Kind.HEALTH, country="XK")

    # C1: four held sessions of three hours from 2 March, one cancelled.
    issuer = IssuerFactory()
    c1, sessions = certified_cohort(
        issuer=issuer, facility=f1, sessions=4, cancelled=1, name="Filigree 2026",
        start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 6, 30), funding_action=action,
    )
    june = dt.date(2026, 6, 30)
    births = [dt.date(2005, 6, 1)] * 2 + [dt.date(1995, 6, 1)] * 3 + [dt.date(1965, 6, 1)]
    for born in births:  # 18–24: 2, 25–34: 3, 55+: 1
        finish(inmate_in(c1, born=born, ended_on=june), sessions, attended=4)
    finish(inmate_in(c1, ended_on=june), sessions, attended=4, result=Enrolment.Result.NOT_PASSED)
    for _ in range(2):
        inmate_in(c1, gender="M", status=Enrolment.Status.WITHDRAWN, ended_on=dt.date(2026, 4, 1))
    for _ in range(2):
        staff_in(c1, organisation=kcs, gender="M")
    cohort_issue_certificates(cohort=c1, by=None, today=dt.date(2026, 7, 1), enqueue=False)

    # C2: a training of trainers in another Kosovo facility; one session before the period, two of six hours in it.
    f2 = FacilityFactory(prison_service=kcs, name="Dubrava", code="dubrava-test")
    c2 = CohortFactory(
        course=CourseFactory(kind="staff_training", audience="staff"), facility=f2, name="OT training of trainers",
        start_date=dt.date(2025, 12, 10), end_date=dt.date(2026, 1, 20), is_training_of_trainers=True,
        funding_action=action,
    )
    for day in (dt.date(2025, 12, 15), dt.date(2026, 1, 12), dt.date(2026, 1, 13)):
        SessionFactory(cohort=c2, date=day, start_time=dt.time(9), end_time=dt.time(15), status=Session.Status.HELD)
    for _ in range(6):
        staff_in(c2, organisation=health, status=COMPLETED, result=PASSED, ended_on=dt.date(2026, 1, 20))

    # C3: Serbia, no funding.
    uiks = PrisonServiceFactory(name="UIKS", country="RS")
    f3 = FacilityFactory(prison_service=uiks, name="KPZ Niš", code="nis-test")
    c3 = CohortFactory(facility=f3, name="Niš workshop", start_date=dt.date(2026, 4, 1), end_date=dt.date(2026, 4, 3))
    SessionFactory(cohort=c3, date=dt.date(2026, 4, 1), start_time=dt.time(10), end_time=dt.time(12), status="held")
    for _ in range(3):
        inmate_in(c3, gender="M")
    return SimpleNamespace(action=action, donor=donor, f1=f1, f2=f2, f3=f3, c1=c1, c2=c2, c3=c3)


def user_with(role: str, **scope):
    scope.setdefault("facility", None)
    assignment = RoleAssignmentFactory(user=UserFactory(), role=role, **scope)
    return assignment.user


def values(sections) -> dict[tuple[str, str], object]:
    return {(section.key, key): value for section in sections for key, _label, value in section.rows}


def report_for(scope: ReportScope, **filters):
    return donor_report(
        scope=scope, filters=ReportFilters(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31), **filters)
    )


EXPECTED_ACTION = {
    ("participants", "inmates"): 9,
    ("participants", "staff"): 8,
    ("participants", "total"): 17,
    # 13 women and 4 men: the 4 is suppressed, and the 13 hidden, or 17 − 13 would give it away.
    ("gender", "F"): "x",
    ("gender", "M"): "<5",
    ("gender", "X"): 0,
    ("age", "under_18"): 0,
    ("age", "18_24"): "<5",
    ("age", "25_34"): 6,
    ("age", "35_44"): 0,
    ("age", "45_54"): 0,
    ("age", "55_plus"): "<5",
    ("age", "unknown"): 8,
    ("target", "inmates"): 9,
    ("target", "staff_prison_service"): "<5",
    ("target", "staff_health"): "x",
    ("delivery", "groups"): 2,
    ("delivery", "sessions_held"): 6,
    ("delivery", "sessions_cancelled"): 1,
    ("delivery", "hours"): 24.0,
    # 15 ended (9 inmates, 6 staff), 12 completed and passed, 3 did not: the rate would reveal the 3.
    ("outcomes", "ended"): 15,
    ("outcomes", "completed"): "x",
    ("outcomes", "not_completed"): "<5",
    ("outcomes", "completion_rate"): "x",
    ("outcomes", "certificates"): 6,
    ("outcomes", "cascade_staff"): 6,
}


@pytest.mark.django_db
def test_raw_figures_of_an_action_are_exact():
    data = build()

    report = report_for(ReportScope(everything=True), funding_action_id=data.action.pk)

    assert (report.inmates, report.staff, report.participants) == (9, 8, 17)
    assert report.by_gender == {"F": 13, "M": 4}
    assert report.by_age == {"18_24": 2, "25_34": 6, "55_plus": 1, "unknown": 8}
    assert report.staff_by_kind == {"prison_service": 2, "health": 6}
    assert (report.sessions_held, report.sessions_cancelled, report.hours, report.groups) == (6, 1, 24.0, 2)
    assert (report.ended, report.completed, report.certificates, report.cascade_staff) == (15, 12, 6, 6)


@pytest.mark.django_db
def test_the_shown_figures_are_suppressed_and_complemented():
    data = build()

    shown = values(report_sections(report_for(ReportScope(everything=True), funding_action_id=data.action.pk)))

    assert shown == EXPECTED_ACTION


@pytest.mark.django_db
def test_a_facility_filter_and_a_rate_that_can_be_shown():
    data = build()

    shown = values(report_sections(report_for(ReportScope(everything=True), facility_id=data.f2.pk)))

    assert shown[("participants", "inmates")] == 0
    assert shown[("participants", "staff")] == 6
    assert shown[("outcomes", "ended")] == 6
    assert shown[("outcomes", "completed")] == 6
    assert shown[("outcomes", "not_completed")] == 0
    assert shown[("outcomes", "completion_rate")] == 100
    assert shown[("delivery", "hours")] == 12.0
    assert shown[("outcomes", "certificates")] == 0


@pytest.mark.django_db
def test_an_administrator_without_filters_sees_every_cohort_and_a_director_only_their_facility():
    data = build()
    director = user_with(Role.DIRECTOR, facility=data.f1)

    everything = report_for(ReportScope(everything=True))
    directors = report_for(report_scope(user=director))

    assert (everything.inmates, everything.staff, everything.sessions_held) == (12, 8, 7)
    assert (directors.inmates, directors.staff, directors.sessions_held, directors.hours) == (9, 2, 4, 12.0)


@pytest.mark.django_db
def test_the_report_takes_four_queries_whatever_the_number_of_cohorts(django_assert_num_queries):
    data = build()
    scope = ReportScope(everything=True)

    with django_assert_num_queries(4):
        report_for(scope, facility_id=data.f3.pk)  # one cohort
    with django_assert_num_queries(4):
        report_for(scope)  # three cohorts


# ---------------------------------------------------------------- scope and access


@pytest.mark.django_db
def test_the_donor_sees_the_same_figures_as_the_administrator_for_its_action(client):
    data = build()
    donor = user_with(Role.DONOR, organisation=data.donor)
    client.force_login(donor)

    response = client.get(reverse("programs:donor_report"), PERIOD)

    assert response.status_code == 200
    assert values(response.context["sections"]) == EXPECTED_ACTION


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, params",
    [
        ("other_donor", "action"),
        ("serbian_officer", "action"),
        ("serbian_officer", "f1"),
        ("director", "f2"),
        ("director", "country_rs"),
    ],
)
def test_filters_outside_the_scope_are_not_found(client, who, params):
    data = build()
    users = {
        "other_donor": lambda: user_with(Role.DONOR, organisation=Organisation.objects.create(
            name="Other donor", kind="donor", country="XK")),
        "serbian_officer": lambda: user_with(Role.PROGRAMME_OFFICER, country="RS"),
        "director": lambda: user_with(Role.DIRECTOR, facility=data.f1),
    }
    query = {
        "action": {"funding_action": data.action.pk},
        "f1": {"facility": data.f1.pk},
        "f2": {"facility": data.f2.pk},
        "country_rs": {"country": "RS"},
    }[params]
    client.force_login(users[who]())

    for name in ("programs:donor_report", "programs:donor_report_export", "programs:donor_report_pdf"):
        assert client.get(reverse(name), {**query, "format": "csv"}).status_code == 404


@pytest.mark.django_db
def test_other_roles_are_refused(client):
    build()
    client.force_login(user_with(Role.TRAINER, organisation=Organisation.objects.create(
        name="VTC", kind="training_centre", country="XK")))

    assert client.get(reverse("programs:donor_report")).status_code == 403


def test_the_donor_reaches_no_personal_page_in_the_matrix():
    """Every URL where the matrix expects a donor to get a page is one of these, which hold no personal data."""
    from tests.test_permission_matrix import MATRIX

    pages = {row.name for row in MATRIX if row.expected("donor") == 200}

    assert pages <= {
        "home", "password_change", "password_change_done", "healthz",
        "certificates:verify",  # public by design: anyone holding a certificate's code
        "programs:funding_action_list", "programs:funding_action_detail",
        "programs:donation_list", "programs:donation_detail",
        "programs:donor_report", "programs:donor_report_export", "programs:donor_report_pdf",
    }


# ---------------------------------------------------------------- every format is suppressed


def _check_rows(rows: dict[tuple[str, str], object]) -> None:
    assert rows[("By gender", "Male")] == "<5"
    assert rows[("By gender", "Female")] == "x"
    assert rows[("By target group", "Staff: Prison service")] == "<5"
    assert rows[("By target group", "Staff: Health institution")] == "x"
    assert rows[("Outcomes in the period", "Completion rate (%)")] == "x"
    assert rows[("Unique participants", "Total")] in (17, "17")


@pytest.mark.django_db
def test_screen_and_its_chart_data_are_suppressed(admin_client):
    data = build()

    response = admin_client.get(reverse("programs:donor_report"), {**PERIOD, "funding_action": data.action.pk})

    html = response.content.decode()
    assert '<tr data-row="M"><th scope="row" class="fw-normal">Male</th><td class="text-end">&lt;5</td></tr>' in html
    gender = response.context["charts"]["gender"]
    assert gender["labels"] == ["Female (x)", "Male (<5)", "Other / not stated"]
    assert gender["datasets"][0]["data"] == [None, None, 0]


@pytest.mark.django_db
def test_csv_is_suppressed(admin_client):
    data = build()

    response = admin_client.get(
        reverse("programs:donor_report_export"), {**PERIOD, "funding_action": data.action.pk, "format": "csv"}
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    _check_rows({(row[0], row[1]): row[2] for row in rows if len(row) == 3})


@pytest.mark.django_db
def test_xlsx_is_suppressed(admin_client):
    data = build()

    response = admin_client.get(
        reverse("programs:donor_report_export"), {**PERIOD, "funding_action": data.action.pk, "format": "xlsx"}
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    _check_rows({(row[0], row[1]): row[2] for row in sheet.iter_rows(values_only=True) if len(row) >= 3 and row[0]})


def _pdf_lines(content: bytes) -> list[str]:
    return [line.strip() for page in PdfReader(io.BytesIO(content)).pages for line in page.extract_text().splitlines()]


@pytest.mark.django_db
def test_pdf_task_run_directly_is_suppressed_and_idempotent(admin_client, django_capture_on_commit_callbacks):
    data = build()
    query = {**PERIOD, "funding_action": data.action.pk}

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(f"{reverse('programs:donor_report_pdf')}?funding_action={data.action.pk}"
                                     f"&date_from=2026-01-01&date_to=2026-12-31")
    assert response.status_code == 302
    assert len(callbacks) == 1  # the render is queued after the commit, never before
    spec = report_spec(
        scope=ReportScope(everything=True),
        filters=ReportFilters(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31),
                              funding_action_id=data.action.pk),
        language="en",
    )
    key = spec_key(spec, today=timezone.localdate())
    assert admin_client.get(reverse("programs:donor_report_pdf"), query).context["status"] == "absent"

    render_donor_report(spec, key)
    first = report_pdf_path(key).stat().st_mtime_ns
    render_donor_report(spec, key)

    assert report_pdf_path(key).stat().st_mtime_ns == first
    assert donor_report_pdf_status(key=key) == ("ready", "")
    download = admin_client.get(reverse("programs:donor_report_pdf_download"), query)
    lines = _pdf_lines(b"".join(download.streaming_content))
    assert "Male <5" in lines
    assert "Female x" in lines
    assert "Staff: Prison service <5" in lines
    assert "Completion rate (%) x" in lines
    assert "Participations that ended 15" in lines


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_pdf(celery_worker_process, client):
    data = build()
    donor = user_with(Role.DONOR, organisation=data.donor)
    client.force_login(donor)
    url = f"{reverse('programs:donor_report_pdf')}?date_from=2026-01-01&date_to=2026-12-31"

    spec = report_spec(
        scope=report_scope(user=donor),
        filters=ReportFilters(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31)),
        language="en",
    )
    key = spec_key(spec, today=timezone.localdate())
    path = report_pdf_path(key)
    try:
        assert client.post(url).status_code == 302
        deadline = time.monotonic() + 90
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert path.exists(), client.get(url).context["status"]

        lines = _pdf_lines(path.read_bytes())
        assert "Male <5" in lines
        assert "Staff: Prison service <5" in lines
    finally:
        for suffix in (".pdf", ".queued", ".failed"):
            path.with_suffix(suffix).unlink(missing_ok=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_donor_opens_the_report_and_the_charts_hold_no_small_count(live_server, desktop):
    data = build()
    donor = user_with(Role.DONOR, organisation=data.donor)

    browser_login(desktop, live_server, donor.username, PASSWORD)
    desktop.goto(f"{live_server.url}{reverse('programs:donor_report')}?date_from=2026-01-01&date_to=2026-12-31")
    desktop.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-gender'))")

    charts = desktop.evaluate(
        """() => ['gender', 'age', 'target', 'sessions'].map(key => {
            const chart = Chart.getChart(document.getElementById('chart-' + key));
            return {labels: chart.data.labels, data: chart.data.datasets[0].data};
        })"""
    )

    assert charts[0] == {"labels": ["Female (x)", "Male (<5)", "Other / not stated"], "data": [None, None, 0]}
    assert charts[2] == {
        "labels": ["Inmates", "Staff: Prison service (<5)", "Staff: Health institution (x)"],
        "data": [9, None, None],
    }
    assert charts[3]["data"] == [6, 1]
    assert desktop.locator("[data-testid=section-participants] [data-row=total] td").inner_text() == "17"
