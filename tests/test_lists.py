"""The programme lists: filters, search, scope, pagination and a constant number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Cohort, Course, Enrolment, Session
from rehab.models import Role
from tests.factories import (
    CohortFactory,
    CourseFactory,
    EnrolmentFactory,
    FacilityFactory,
    InmateFactory,
    SessionFactory,
    StaffMemberFactory,
)
from tests.factories_dashboard import AttendanceFactory, days_ago, director_of, moment, trainer_of, user_with_role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _get(client, name: str, **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return response


def cohort_names(response) -> list[str]:
    return [cohort.name for cohort in response.context["page"]]


# ---------------------------------------------------------------- cohorts


@pytest.fixture
def cohorts():
    facility = FacilityFactory(name="Lipjan")
    filigree = CourseFactory(title="Filigree", kind=Course.Kind.CRAFTS)
    running = CohortFactory(
        facility=facility,
        course=filigree,
        name="Filigree A",
        start_date=days_ago(10),
        end_date=TODAY() + dt.timedelta(days=10),
    )
    planned = CohortFactory(
        facility=facility,
        course=CourseFactory(title="Web basics", kind=Course.Kind.IT),
        name="Web B",
        start_date=TODAY() + dt.timedelta(days=5),
        end_date=TODAY() + dt.timedelta(days=50),
        delivery_mode=Cohort.DeliveryMode.ONLINE,
        meeting_link="https://meet.example.org/web",
    )
    finished = CohortFactory(
        facility=facility, course=filigree, name="Filigree 2025", start_date=days_ago(300), end_date=days_ago(200)
    )
    CohortFactory(name="Somewhere else")
    return facility, running, planned, finished


def test_a_director_sees_the_cohorts_of_their_facility_newest_first(client, cohorts):
    facility, *_ = cohorts
    client.force_login(director_of(facility))

    response = _get(client, "programs:cohort_list")

    assert cohort_names(response) == ["Web B", "Filigree A", "Filigree 2025"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "running"}, ["Filigree A"]),
        ({"status": "planned"}, ["Web B"]),
        ({"status": "finished"}, ["Filigree 2025"]),
        ({"kind": "it"}, ["Web B"]),
        ({"delivery_mode": "online"}, ["Web B"]),
        ({"q": "filigree"}, ["Filigree A", "Filigree 2025"]),
        ({"q": "web basics"}, ["Web B"]),
    ],
)
def test_cohort_filters(client, cohorts, params, expected):
    facility, *_ = cohorts
    client.force_login(director_of(facility))

    assert cohort_names(_get(client, "programs:cohort_list", **params)) == expected


def test_cohorts_filter_by_course_and_facility(client, cohorts):
    facility, running, _planned, _finished = cohorts
    client.force_login(director_of(facility))

    by_course = _get(client, "programs:cohort_list", course=running.course_id, status="running")
    by_facility = _get(client, "programs:cohort_list", facility=facility.pk)

    assert cohort_names(by_course) == ["Filigree A"]
    assert cohort_names(by_facility) == ["Web B", "Filigree A", "Filigree 2025"]


def test_a_facility_out_of_scope_is_not_offered_and_not_listed(client, cohorts):
    facility, *_ = cohorts
    elsewhere = Cohort.objects.get(name="Somewhere else").facility
    client.force_login(director_of(facility))

    response = _get(client, "programs:cohort_list", facility=elsewhere.pk)

    assert list(response.context["filter"].form.fields["facility"].queryset) == [facility]
    assert response.context["filter"].errors["facility"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert "Somewhere else" not in cohort_names(response)


def test_the_cohort_list_shows_places_taken_and_waiting(client, cohorts):
    facility, running, *_ = cohorts
    EnrolmentFactory.create_batch(2, cohort=running)
    EnrolmentFactory(cohort=running, status=Enrolment.Status.WAITLISTED)
    client.force_login(director_of(facility))

    response = _get(client, "programs:cohort_list", status="running")

    row = response.context["page"][0]
    assert (row.enrolled, row.seats, row.waitlisted) == (2, 5, 1)
    page = response.content.decode()
    assert '<td class="text-end">2 / 5</td>' in page
    assert f'<a href="/programs/cohorts/{running.pk}/roster/export/?format=xlsx">XLSX</a>' in page
    assert f'<a href="/programs/cohorts/{running.pk}/register/export/?format=csv">CSV</a>' in page


# ---------------------------------------------------------------- sessions


@pytest.fixture
def sessions():
    facility = FacilityFactory()
    cohort = CohortFactory(
        facility=facility, name="Filigree A", start_date=days_ago(60), end_date=TODAY() + dt.timedelta(days=30)
    )
    other = CohortFactory(
        facility=facility, name="IT B", start_date=days_ago(60), end_date=TODAY() + dt.timedelta(days=30)
    )
    held = SessionFactory(cohort=cohort, date=days_ago(10), status=Session.Status.HELD)
    AttendanceFactory(session=held)
    AttendanceFactory(session=held, status="absent")
    overdue = SessionFactory(cohort=cohort, date=days_ago(4))
    recent = SessionFactory(cohort=other, date=days_ago(1))
    cancelled = SessionFactory(
        cohort=other, date=days_ago(20), status=Session.Status.CANCELLED, cancellation_reason="Lockdown"
    )
    upcoming = SessionFactory(cohort=cohort, date=TODAY() + dt.timedelta(days=3))
    SessionFactory(date=days_ago(4))  # another facility
    return (
        facility,
        cohort,
        {"held": held, "overdue": overdue, "recent": recent, "cancelled": cancelled, "upcoming": upcoming},
    )


def session_pks(response) -> list[int]:
    return [session.pk for session in response.context["page"]]


def test_sessions_newest_first_in_scope(client, sessions):
    facility, _cohort, s = sessions
    client.force_login(director_of(facility))

    response = _get(client, "programs:session_list")

    assert session_pks(response) == [s["upcoming"].pk, s["recent"].pk, s["overdue"].pk, s["held"].pk, s["cancelled"].pk]
    page = response.content.decode()
    assert '<td class="text-end">1 / 2</td>' in page
    assert page.count("register not taken</span>") == 1


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "held"}, ["held"]),
        ({"status": "cancelled"}, ["cancelled"]),
        ({"register_not_taken": "true"}, ["overdue"]),
        ({"date_after": "-12", "date_before": "-2"}, ["overdue", "held"]),
        ({"date_after": "-5"}, ["upcoming", "recent", "overdue"]),
    ],
)
def test_session_filters(client, sessions, params, expected):
    facility, _cohort, s = sessions
    client.force_login(director_of(facility))
    params = {
        key: days_ago(-int(value)).isoformat() if key.startswith("date") else value for key, value in params.items()
    }

    response = _get(client, "programs:session_list", **params)

    assert session_pks(response) == [s[name].pk for name in expected]


def test_sessions_filter_by_cohort(client, sessions):
    facility, cohort, s = sessions
    client.force_login(director_of(facility))

    response = _get(client, "programs:session_list", cohort=cohort.pk)

    assert session_pks(response) == [s["upcoming"].pk, s["overdue"].pk, s["held"].pk]


# ---------------------------------------------------------------- enrolments


@pytest.fixture
def enrolments():
    facility = FacilityFactory()
    filigree = CohortFactory(facility=facility, name="Filigree A")
    it = CohortFactory(facility=facility, name="IT B")
    petrovic = EnrolmentFactory(
        cohort=filigree, inmate=InmateFactory(current_facility=facility, first_name="Јована", last_name="Петровић")
    )
    krasniqi = EnrolmentFactory(
        cohort=filigree,
        inmate=InmateFactory(
            current_facility=facility, first_name="Arta", last_name="Krasniqi", registration_number="KCS-777"
        ),
        status=Enrolment.Status.COMPLETED,
        ended_at=moment(days_ago(30)),
    )
    staff = EnrolmentFactory(
        cohort=it, inmate=None, staff_member=StaffMemberFactory(first_name="Ljubica", last_name="Nikolić")
    )
    EnrolmentFactory()  # another facility
    return facility, filigree, it, {"petrovic": petrovic, "krasniqi": krasniqi, "staff": staff}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["krasniqi", "petrovic", "staff"]),
        ({"status": "completed"}, ["krasniqi"]),
        ({"q": "Petrović"}, ["petrovic"]),
        ({"q": "jovana petrović"}, ["petrovic"]),
        ({"q": "Љубица"}, ["staff"]),
        ({"q": "kcs-777"}, ["krasniqi"]),
    ],
)
def test_enrolment_filters_and_search(client, enrolments, params, expected):
    facility, _filigree, _it, e = enrolments
    client.force_login(director_of(facility))

    response = _get(client, "programs:enrolment_list", **params)

    assert sorted(enrolment.pk for enrolment in response.context["page"]) == sorted(e[name].pk for name in expected)


def test_enrolments_filter_by_cohort_course_and_end_date(client, enrolments):
    facility, filigree, it, e = enrolments
    client.force_login(director_of(facility))

    by_cohort = _get(client, "programs:enrolment_list", cohort=it.pk)
    by_course = _get(client, "programs:enrolment_list", course=filigree.course_id)
    ended = _get(
        client, "programs:enrolment_list", ended_after=days_ago(31).isoformat(), ended_before=days_ago(30).isoformat()
    )
    not_yet = _get(client, "programs:enrolment_list", ended_after=days_ago(29).isoformat())

    assert [x.pk for x in by_cohort.context["page"]] == [e["staff"].pk]
    assert sorted(x.pk for x in by_course.context["page"]) == sorted([e["petrovic"].pk, e["krasniqi"].pk])
    assert [x.pk for x in ended.context["page"]] == [e["krasniqi"].pk]
    assert list(not_yet.context["page"]) == []


def test_the_enrolment_list_shows_the_attendance_rate(client, enrolments):
    facility, filigree, _it, e = enrolments
    for day, status in enumerate(["present", "late", "absent", "present"], start=1):
        AttendanceFactory(
            session=SessionFactory(cohort=filigree, date=days_ago(day), status="held"),
            enrolment=e["krasniqi"],
            status=status,
        )
    client.force_login(director_of(facility))

    response = _get(client, "programs:enrolment_list", q="Krasniqi")

    row = response.context["page"][0]
    assert (row.attended, row.recorded) == (3, 4)
    assert '<td class="text-end">75 %</td>' in response.content.decode()


# ---------------------------------------------------------------- waitlist


def test_the_waitlist_lists_everyone_waiting_in_order_of_request(client):
    facility = FacilityFactory()
    first, second = CohortFactory(facility=facility, name="First"), CohortFactory(facility=facility, name="Second")
    a = EnrolmentFactory(cohort=first, status=Enrolment.Status.WAITLISTED)
    b = EnrolmentFactory(cohort=second, status=Enrolment.Status.REQUESTED)
    c = EnrolmentFactory(cohort=first, status=Enrolment.Status.WAITLISTED, inmate__last_name="Петровић")
    EnrolmentFactory(cohort=first)  # enrolled, not waiting
    EnrolmentFactory(status=Enrolment.Status.WAITLISTED)  # another facility
    for enrolment, days in [(a, 5), (b, 4), (c, 3)]:
        Enrolment.objects.filter(pk=enrolment.pk).update(requested_at=moment(days_ago(days)))
    client.force_login(director_of(facility))

    everyone = _get(client, "programs:waitlist_list")
    searched = _get(client, "programs:waitlist_list", q="Petrović")
    by_cohort = _get(client, "programs:waitlist_list", cohort=first.pk)

    assert [x.pk for x in everyone.context["page"]] == [a.pk, b.pk, c.pk]
    assert [x.pk for x in searched.context["page"]] == [c.pk]
    assert [x.pk for x in by_cohort.context["page"]] == [a.pk, c.pk]
    assert f'<a href="/programs/cohorts/{first.pk}/waitlist/">First</a>' in everyone.content.decode()


def test_a_case_manager_sees_the_lists_without_links_to_cohort_pages(client):
    facility = FacilityFactory()
    cohort = CohortFactory(facility=facility, name="First")
    EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WAITLISTED)
    client.force_login(user_with_role(Role.CASE_MANAGER, facility=facility))

    waitlist = _get(client, "programs:waitlist_list").content.decode()
    cohorts = _get(client, "programs:cohort_list").content.decode()

    assert "<td>First</td>" in waitlist
    assert f"/programs/cohorts/{cohort.pk}/waitlist/" not in waitlist
    assert f'href="/programs/cohorts/{cohort.pk}/"' not in cohorts
    assert f'<a href="/programs/cohorts/{cohort.pk}/">First</a>' not in cohorts


# ---------------------------------------------------------------- scope and roles


@pytest.mark.parametrize(
    "name", ["programs:cohort_list", "programs:session_list", "programs:enrolment_list", "programs:waitlist_list"]
)
def test_a_trainer_gets_403_and_a_visitor_the_login_page(client, name):
    url = reverse(name)

    anonymous = client.get(url)
    client.force_login(trainer_of(CohortFactory()))
    trainer = client.get(url)

    assert (anonymous.status_code, anonymous["Location"]) == (302, f"/accounts/login/?next={url}")
    assert trainer.status_code == 403


def test_lists_paginate_by_50_keeping_the_filters(client):
    facility = FacilityFactory()
    cohort = CohortFactory(facility=facility)
    for day in range(51):
        SessionFactory(cohort=cohort, date=days_ago(day + 1), status="held")
    client.force_login(director_of(facility))

    first = _get(client, "programs:session_list", status="held")
    second = _get(client, "programs:session_list", status="held", page=2)

    assert (len(first.context["page"]), len(second.context["page"])) == (50, 1)
    assert 'href="?status=held&amp;page=2" rel="next"' in first.content.decode()


# ---------------------------------------------------------------- queries


def _arrange(facility, count: int) -> None:
    for n in range(count):
        cohort = CohortFactory(facility=facility, start_date=days_ago(30), end_date=TODAY() + dt.timedelta(days=30))
        enrolment = EnrolmentFactory(cohort=cohort, inmate__current_facility=facility)
        EnrolmentFactory(
            cohort=cohort, inmate=None, staff_member=StaffMemberFactory(), status=Enrolment.Status.WAITLISTED
        )
        AttendanceFactory(
            session=SessionFactory(cohort=cohort, date=days_ago(n + 1), status="held"), enrolment=enrolment
        )


# name → (queries, rows per arranged group). Queries: session, user, role assignments, count, page, and one per
# select of scoped choices. The enrolment list shows the enrolled person and the waiting one.
LIST_QUERIES = {
    "programs:cohort_list": (7, 1),  # + courses, facilities
    "programs:session_list": (7, 1),  # + facilities, cohorts
    "programs:enrolment_list": (8, 2),  # + facilities, cohorts, courses
    "programs:waitlist_list": (8, 1),  # + facilities, cohorts, courses
}


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("name", list(LIST_QUERIES))
def test_each_list_takes_a_constant_number_of_queries(client, django_assert_num_queries, name, count):
    facility = FacilityFactory()
    _arrange(facility, count)
    client.force_login(director_of(facility))
    queries, rows = LIST_QUERIES[name]

    with django_assert_num_queries(queries):
        response = client.get(reverse(name))

    assert len(response.context["page"]) == rows * count
