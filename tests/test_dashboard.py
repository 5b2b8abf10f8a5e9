"""The facility dashboard: every number on a small arranged dataset, the charts' data, scope and queries."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from inmates.models import Inmate
from programs.dashboard import facilities_key_numbers
from programs.models import Attendance, Course, CourseRequest, Enrolment, Session
from rehab.models import Gender, Organisation, Role
from tests.factories import (
    CohortFactory,
    CourseFactory,
    EnrolmentFactory,
    FacilityFactory,
    InmateFactory,
    PrisonServiceFactory,
    RoomFactory,
    SessionFactory,
    StaffMemberFactory,
)
from tests.factories_dashboard import AttendanceFactory, days_ago, director_of, trainer_of, user_with_role

pytestmark = pytest.mark.django_db


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@pytest.fixture
def lipjan():
    """A facility with people, groups, sessions and registers arranged so every number is known.

    In custody: Arta (F, enrolled), Blerta (F, completed), Cen (M, enrolled), Dren (M, waiting) = 4, 2 enrolled.
    Running groups: filigree (5 places, 3 seated) and IT (2 places: Arta and a staff member) = 2 groups, 2 free places.
    Attendance in the last 4 weeks: 3 of 5 marks present or late = 60 %.
    Completions this year: Blerta (filigree) and a staff member (old group) = 2; one from last year not counted.
    Waiting for a place in a group: Dren in both running groups (waitlisted, requested) = 2.
    Open course requests: Cen for filigree and a staff member for IT = 2 (one cancelled not counted).
    Registers not taken 48 h after the end: 2.
    """
    today = timezone.localdate()
    facility = FacilityFactory(name="Lipjan")
    arta = InmateFactory(current_facility=facility, first_name="Arta", gender=Gender.FEMALE)
    blerta = InmateFactory(current_facility=facility, first_name="Blerta", gender=Gender.FEMALE)
    cen = InmateFactory(current_facility=facility, first_name="Cen", gender=Gender.MALE)
    dren = InmateFactory(current_facility=facility, first_name="Dren", gender=Gender.MALE)
    InmateFactory(current_facility=facility, status=Inmate.Status.RELEASED)

    filigree = CohortFactory(
        facility=facility,
        course=CourseFactory(kind=Course.Kind.CRAFTS),
        capacity=5,
        start_date=days_ago(60),
        end_date=today + dt.timedelta(days=30),
    )
    it = CohortFactory(
        facility=facility,
        course=CourseFactory(kind=Course.Kind.IT),
        capacity=None,
        room=RoomFactory(facility=facility, capacity=2),
        start_date=today,
        end_date=today + dt.timedelta(days=60),
    )
    old = CohortFactory(facility=facility, start_date=days_ago(200), end_date=days_ago(100))
    CohortFactory(facility=facility, start_date=today + dt.timedelta(days=10), end_date=today + dt.timedelta(days=40))

    now = timezone.now()
    last_year = timezone.make_aware(dt.datetime(today.year - 1, 6, 1, 12))
    a = EnrolmentFactory(cohort=filigree, inmate=arta)
    c = EnrolmentFactory(cohort=filigree, inmate=cen)
    b = EnrolmentFactory(cohort=filigree, inmate=blerta, status=Enrolment.Status.COMPLETED, ended_at=now)
    EnrolmentFactory(cohort=filigree, inmate=dren, status=Enrolment.Status.WAITLISTED)
    EnrolmentFactory(cohort=it, inmate=arta)
    EnrolmentFactory(cohort=it, inmate=None, staff_member=StaffMemberFactory())
    EnrolmentFactory(cohort=it, inmate=dren, status=Enrolment.Status.REQUESTED)
    EnrolmentFactory(
        cohort=old, inmate=None, staff_member=StaffMemberFactory(), status=Enrolment.Status.COMPLETED, ended_at=now
    )
    EnrolmentFactory(cohort=old, inmate=blerta, status=Enrolment.Status.COMPLETED, ended_at=last_year)
    EnrolmentFactory(cohort=old, inmate=cen, status=Enrolment.Status.WITHDRAWN, ended_at=now)

    CourseRequest.objects.create(course=filigree.course, facility=facility, inmate=cen)
    CourseRequest.objects.create(course=it.course, facility=facility, staff_member=StaffMemberFactory())
    CourseRequest.objects.create(
        course=it.course, facility=facility, inmate=blerta, status=CourseRequest.Status.CANCELLED
    )

    week1 = SessionFactory(cohort=filigree, date=days_ago(7), status=Session.Status.HELD)
    AttendanceFactory(session=week1, enrolment=a, status=Attendance.Status.PRESENT)
    AttendanceFactory(session=week1, enrolment=c, status=Attendance.Status.LATE)
    AttendanceFactory(session=week1, enrolment=b, status=Attendance.Status.ABSENT)
    week2 = SessionFactory(cohort=filigree, date=days_ago(14), status=Session.Status.HELD)
    AttendanceFactory(session=week2, enrolment=a, status=Attendance.Status.EXCUSED, reason=Attendance.Reason.SICK)
    AttendanceFactory(session=week2, enrolment=c, status=Attendance.Status.PRESENT)
    long_ago = SessionFactory(cohort=filigree, date=days_ago(40), status=Session.Status.HELD)
    AttendanceFactory(session=long_ago, enrolment=a, status=Attendance.Status.PRESENT)
    cancelled = SessionFactory(
        cohort=filigree, date=days_ago(5), status=Session.Status.CANCELLED, cancellation_reason="Lockdown"
    )
    AttendanceFactory(session=cancelled, enrolment=a, status=Attendance.Status.ABSENT)

    SessionFactory(cohort=filigree, date=days_ago(3))  # register not taken
    SessionFactory(cohort=old, date=days_ago(120))  # register not taken
    SessionFactory(cohort=filigree, date=days_ago(1))  # ended less than 48 h ago
    SessionFactory(cohort=filigree, date=today + dt.timedelta(days=2))  # still to come

    # Another facility's records never leak into Lipjan's numbers.
    other = CohortFactory(start_date=days_ago(10), end_date=today + dt.timedelta(days=10))
    InmateFactory(current_facility=other.facility)
    EnrolmentFactory(cohort=other, status=Enrolment.Status.WAITLISTED)
    CourseRequest.objects.create(
        course=other.course, facility=other.facility, inmate=InmateFactory(current_facility=other.facility)
    )
    AttendanceFactory(
        session=SessionFactory(cohort=other, date=days_ago(2), status=Session.Status.HELD), status="absent"
    )
    SessionFactory(cohort=other, date=days_ago(9))
    return facility


def test_key_numbers_of_the_arranged_facility(lipjan):
    numbers = facilities_key_numbers(facilities=[lipjan])[0]

    assert (numbers.in_custody, numbers.participating, numbers.participation_percent) == (4, 2, 50)
    assert (numbers.active_cohorts, numbers.free_places) == (2, 2)
    assert (numbers.attended_rows, numbers.attendance_rows, numbers.attendance_percent) == (3, 5, 60)
    assert numbers.completions == 2
    assert numbers.waitlisted == 2
    assert numbers.course_requests == 2
    assert numbers.registers_overdue == 2


def test_a_facility_without_records_has_zeros_and_no_percentages():
    numbers = facilities_key_numbers(facilities=[FacilityFactory()])[0]

    assert (numbers.in_custody, numbers.active_cohorts, numbers.free_places, numbers.completions) == (0, 0, 0, 0)
    assert (numbers.waitlisted, numbers.registers_overdue) == (0, 0)
    assert (numbers.participation_percent, numbers.attendance_percent) == (None, None)


def test_the_dashboard_shows_each_number_linked_to_the_list_behind_it(client, lipjan):
    client.force_login(director_of(lipjan))
    year = timezone.localdate().year
    start, end = days_ago(27).isoformat(), timezone.localdate().isoformat()

    response = client.get(reverse("programs:dashboard", kwargs={"pk": lipjan.pk}))

    assert response.status_code == 200
    page = response.content.decode()
    for testid, value in [
        ("in-custody", "4"),
        ("participation", "50 %"),
        ("active-cohorts", "2"),
        ("attendance", "60 %"),
        ("completions", "2"),
        ("waitlisted", "2"),
        ("course-requests", "2"),
        ("registers-overdue", "2"),
    ]:
        assert f'<p class="dashboard-number mb-0" data-testid="{testid}">{value}</p>' in page
    assert "2 free places" in page
    assert '<a class="stretched-link" href="/programs/requests/">' in page
    assert "3 of 5 marks present or late" in page
    assert response.context["links"] == {
        "in_custody": f"/inmates/?facility={lipjan.pk}&status=in_custody",
        "participating": f"/inmates/?facility={lipjan.pk}&status=in_custody&in_programme=true",
        "active_cohorts": f"/programs/cohorts/?facility={lipjan.pk}&status=running",
        "attendance": f"/programs/sessions/?facility={lipjan.pk}&status=held&date_after={start}&date_before={end}",
        "completions": f"/programs/enrolments/?facility={lipjan.pk}&status=completed&ended_after={year}-01-01&ended_before={year}-12-31",
        "waitlisted": f"/programs/waitlist/?facility={lipjan.pk}",
        "registers_overdue": f"/programs/sessions/?facility={lipjan.pk}&register_not_taken=true",
    }
    for url in response.context["links"].values():
        assert f'href="{url.replace("&", "&amp;")}"' in page


def test_each_link_lists_exactly_the_records_counted(client, lipjan):
    client.force_login(director_of(lipjan))
    links = client.get(reverse("programs:dashboard", kwargs={"pk": lipjan.pk})).context["links"]

    counts = {name: client.get(url).context["page"].paginator.count for name, url in links.items()}

    assert counts == {
        "in_custody": 4,
        "participating": 2,
        "active_cohorts": 2,
        "attendance": 2,  # the two held sessions in the window
        "completions": 2,
        "waitlisted": 2,
        "registers_overdue": 2,
    }


def test_the_chart_data_is_passed_as_json(client, lipjan):
    client.force_login(director_of(lipjan))
    this_monday = monday_of(timezone.localdate())
    weeks = [this_monday - dt.timedelta(weeks=n) for n in range(11, -1, -1)]
    expected_rates = {monday_of(days_ago(7)): 67, monday_of(days_ago(14)): 50, monday_of(days_ago(40)): 100}

    response = client.get(reverse("programs:dashboard", kwargs={"pk": lipjan.pk}))

    page = response.content.decode()
    attendance = json.loads(
        page.split('<script id="chart-attendance-data" type="application/json">')[1].split("</script>")[0]
    )
    assert attendance["type"] == "line"
    assert len(attendance["labels"]) == 12
    assert attendance["datasets"][0]["data"] == [expected_rates.get(week) for week in weeks]
    kinds = response.context["charts"]["kinds"]
    assert kinds["labels"] == ["Vocational", "IT", "Crafts", "Occupational therapy", "Psychosocial", "Staff training"]
    assert kinds["datasets"][0]["data"] == [0, 1, 2, 0, 0, 0]
    genders = response.context["charts"]["genders"]
    assert genders["labels"] == ["Female", "Male", "Other / not stated"]
    assert [dataset["data"] for dataset in genders["datasets"]] == [[1, 1, 0], [1, 1, 0]]
    assert '<canvas id="chart-attendance" data-chart="chart-attendance-data"' in page
    assert "/static/vendor/chartjs-4.5.1/chart.umd.min.js" in page
    assert "/static/js/charts.js" in page


def test_the_index_sends_a_director_of_one_facility_to_its_dashboard(client):
    facility = FacilityFactory()
    client.force_login(director_of(facility))

    response = client.get(reverse("programs:dashboards"))

    assert response.status_code == 302
    assert response["Location"] == f"/programs/facilities/{facility.pk}/dashboard/"


def test_the_index_lists_a_programme_officers_facilities_with_their_numbers(client, lipjan):
    service = lipjan.prison_service
    niš = FacilityFactory(prison_service=service, name="Niš")
    InmateFactory(current_facility=niš)
    FacilityFactory(name="Elsewhere")  # another prison service
    client.force_login(user_with_role(Role.PROGRAMME_OFFICER, facility=None, organisation=service))

    response = client.get(reverse("programs:dashboards"))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(numbers.facility.name, numbers.in_custody, numbers.waitlisted) for numbers, _links in rows] == [
        ("Lipjan", 4, 2),
        ("Niš", 1, 0),
    ]
    assert f'<a href="/programs/facilities/{niš.pk}/dashboard/">Niš</a>' in response.content.decode()


def test_a_director_of_another_facility_gets_404(client, lipjan):
    client.force_login(director_of(FacilityFactory()))

    response = client.get(reverse("programs:dashboard", kwargs={"pk": lipjan.pk}))

    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.TRAINER, Role.REGISTRAR, Role.DONOR])
def test_roles_without_a_dashboard_get_403(client, role):
    facility = FacilityFactory()
    organisation = Organisation.objects.create(name=f"Org {role}", kind=Organisation.Kind.NGO, country="XK")
    client.force_login(user_with_role(role, facility=None, organisation=organisation))

    assert client.get(reverse("programs:dashboard", kwargs={"pk": facility.pk})).status_code == 403
    assert client.get(reverse("programs:dashboards")).status_code == 403


def test_a_trainer_of_a_group_in_the_facility_still_gets_403(client, lipjan):
    cohort = lipjan.cohorts.first()
    client.force_login(trainer_of(cohort))

    assert client.get(reverse("programs:dashboard", kwargs={"pk": lipjan.pk})).status_code == 403


def test_logged_out_visitors_are_sent_to_login(client):
    facility = FacilityFactory()
    url = reverse("programs:dashboard", kwargs={"pk": facility.pk})

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def _arrange(facility, count: int) -> None:
    today = timezone.localdate()
    for n in range(count):
        cohort = CohortFactory(
            facility=facility,
            course=CourseFactory(kind=Course.Kind.choices[n][0]),
            start_date=days_ago(30),
            end_date=today + dt.timedelta(days=30),
        )
        enrolment = EnrolmentFactory(cohort=cohort, inmate__gender=Gender.choices[n][0])
        EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WAITLISTED)
        CourseRequest.objects.create(
            course=cohort.course, facility=facility, inmate=InmateFactory(current_facility=facility)
        )
        EnrolmentFactory(cohort=cohort, status=Enrolment.Status.COMPLETED, ended_at=timezone.now())
        AttendanceFactory(
            session=SessionFactory(cohort=cohort, date=days_ago(7 * (n + 1)), status="held"), enrolment=enrolment
        )
        SessionFactory(cohort=cohort, date=days_ago(3 + n))


@pytest.mark.parametrize("count", [1, 3])
def test_the_dashboard_takes_a_constant_number_of_queries(client, django_assert_num_queries, count):
    facility = FacilityFactory(prison_service=PrisonServiceFactory())
    _arrange(facility, count)
    client.force_login(director_of(facility))
    url = reverse("programs:dashboard", kwargs={"pk": facility.pk})

    # session, user, role assignments, facility, 6 key-number queries, 3 chart queries
    with django_assert_num_queries(13):
        response = client.get(url)

    assert response.status_code == 200
    assert response.context["numbers"].waitlisted == count


@pytest.mark.parametrize("count", [1, 3])
def test_the_index_takes_a_constant_number_of_queries(client, django_assert_num_queries, count):
    service = PrisonServiceFactory()
    facilities = [FacilityFactory(prison_service=service) for _ in range(count + 1)]
    for facility in facilities:
        _arrange(facility, count)
    client.force_login(user_with_role(Role.PROGRAMME_OFFICER, facility=None, organisation=service))

    # session, user, role assignments, facilities, 6 key-number queries
    with django_assert_num_queries(10):
        response = client.get(reverse("programs:dashboards"))

    assert len(response.context["rows"]) == count + 1


def test_certificates_issued_this_year_count_live_certificates_only():
    from certificates.services import certificate_revoke, cohort_issue_certificates
    from tests.factories_certificates import certified_cohort, graduate

    cohort, sessions = certified_cohort(sessions=4, start_date=dt.date(2025, 9, 1), end_date=dt.date(2025, 12, 20))
    people = [graduate(cohort, sessions, first_name="Arta", last_name=f"Gashi{i}") for i in range(4)]
    # Two issued in December 2025, two in March 2026; one of this year's is revoked.
    cohort_issue_certificates(cohort=cohort, by=None, enrolment_ids=[p.pk for p in people[:2]],
                              today=dt.date(2025, 12, 22), enqueue=False)
    batch = cohort_issue_certificates(cohort=cohort, by=None, enrolment_ids=[p.pk for p in people[2:]],
                                      today=dt.date(2026, 3, 2), enqueue=False)
    certificate_revoke(certificate=batch.certificates.first(), reason="Issued to the wrong person", by=None)

    [numbers] = facilities_key_numbers(facilities=[cohort.facility], today=dt.date(2026, 11, 22))

    assert (numbers.certificates, numbers.completions) == (1, 0)
