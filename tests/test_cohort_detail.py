import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Attendance, Enrolment, Session
from rehab.models import Role
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    FacilityFactory,
    RoleAssignmentFactory,
    SessionFactory,
    StaffMemberFactory,
    UserFactory,
    WeeklySlotFactory,
)
from tests.factories_cohorts import CourseRequestFactory, director_of, trainer_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return CohortFactory(name="Filigree A", capacity=4, start_date=dt.date(2026, 3, 2), end_date=dt.date(2027, 2, 26))


def url(cohort, tab="cohort_detail"):
    return reverse(f"programs:{tab}", kwargs={"pk": cohort.pk})


def sessions_url(cohort):
    return url(cohort, "cohort_sessions")


def test_the_detail_page_shows_facts_roster_waitlist_and_sessions(client, cohort):
    WeeklySlotFactory(cohort=cohort, weekday=0, start_time=dt.time(9), end_time=dt.time(12))
    cohort.trainers.add(StaffMemberFactory(first_name="Bashkim", last_name="Tejeci", home_city="Prizren"))
    EnrolmentFactory(cohort=cohort, inmate__first_name="Arta", inmate__last_name="Berisha")
    EnrolmentFactory(cohort=cohort, inmate__first_name="Besa", inmate__last_name="Gashi", status=Enrolment.Status.WITHDRAWN,
                     status_reason="Moved to work duty")
    EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WAITLISTED)
    CourseRequestFactory(course=cohort.course, facility=cohort.facility)
    held = SessionFactory(cohort=cohort, date=dt.date(2026, 3, 2), status=Session.Status.HELD)
    Attendance.objects.create(session=held, enrolment=cohort.enrolments.first(), status="present")
    SessionFactory(cohort=cohort, date=dt.date(2026, 3, 9), status=Session.Status.CANCELLED, cancellation_reason="Lockdown")
    SessionFactory(cohort=cohort, date=dt.date(2027, 1, 4))
    client.force_login(director_of(cohort.facility))

    response = client.get(url(cohort))

    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["seats_taken"] == 1
    assert response.context["seats_free"] == 3
    assert response.context["waitlist_count"] == 2
    assert [e.participant_name for e in response.context["roster"]] == ["Arta Berisha", "Besa Gashi"]
    assert "4 places, 3 free" in page
    assert "Bashkim Tejeci" in page
    assert "Moved to work duty" in page
    assert reverse("programs:waitlist", kwargs={"pk": cohort.pk}) in page
    assert reverse("programs:enrol", kwargs={"pk": cohort.pk}) in page
    for tab in ("cohort_detail", "cohort_sessions", "cohort_delivery"):
        assert f'href="{url(cohort, tab)}"' in page
    assert "Lockdown" not in page  # the sessions are on their own tab

    response = client.get(sessions_url(cohort))

    assert response.status_code == 200
    page = response.content.decode()
    assert [(s.date, s.has_register) for s in response.context["past_sessions"]] == [
        (dt.date(2026, 3, 2), True), (dt.date(2026, 3, 9), False),
    ]
    assert [s.date for s in response.context["future_sessions"]] == [dt.date(2027, 1, 4)]
    assert "Monday 09:00–12:00" in page
    assert "Lockdown" in page
    assert f'<a class="nav-link active" aria-current="page" href="{sessions_url(cohort)}">' in page


def test_an_open_request_from_someone_already_in_the_cohort_is_not_counted_on_the_waitlist(client, cohort):
    inside = EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WITHDRAWN)
    CourseRequestFactory(course=cohort.course, facility=cohort.facility, inmate=inside.inmate)
    CourseRequestFactory(course=cohort.course, facility=cohort.facility)
    CourseRequestFactory(course=cohort.course, facility=FacilityFactory())
    client.force_login(director_of(cohort.facility))

    response = client.get(url(cohort))

    assert response.context["waitlist_count"] == 1


def test_a_trainer_sees_the_detail_of_a_cohort_they_deliver_without_manager_links(client, cohort):
    EnrolmentFactory(cohort=cohort, inmate__first_name="Besa", inmate__last_name="Gashi",
                     status=Enrolment.Status.WITHDRAWN, status_reason="Disciplinary measure")
    client.force_login(trainer_of(cohort))

    response = client.get(url(cohort))

    assert response.status_code == 200
    assert response.context["can_manage"] is False
    page = response.content.decode()
    assert "Besa Gashi" in page
    assert "Disciplinary measure" not in page
    assert reverse("programs:waitlist", kwargs={"pk": cohort.pk}) not in page
    assert reverse("programs:cohort_edit", kwargs={"pk": cohort.pk}) not in page


TABS = ["cohort_detail", "cohort_sessions", "cohort_delivery"]


@pytest.mark.parametrize("tab", TABS)
def test_a_trainer_gets_404_for_a_cohort_they_do_not_deliver(client, cohort, tab):
    other = CohortFactory()
    client.force_login(trainer_of(other))

    assert client.get(url(cohort, tab)).status_code == 404
    assert client.get(url(other, tab)).status_code == 200


@pytest.mark.parametrize("tab", TABS)
def test_a_director_of_another_facility_gets_404(client, cohort, tab):
    client.force_login(director_of(FacilityFactory()))

    assert client.get(url(cohort, tab)).status_code == 404


def test_a_user_without_a_programme_role_gets_403(client, cohort):
    user = RoleAssignmentFactory(role=Role.REGISTRAR, facility=None, organisation=cohort.course.issuer
                                 or StaffMemberFactory().organisation).user
    client.force_login(user)

    assert client.get(url(cohort)).status_code == 403


def test_logged_out_visitors_go_to_the_login_page(client, cohort):
    response = client.get(url(cohort))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url(cohort)}"


def test_a_programme_officer_of_the_country_and_an_administrator_see_it(client, cohort):
    officer = RoleAssignmentFactory(role=Role.PROGRAMME_OFFICER, facility=None, country="XK").user
    admin = UserFactory(is_superuser=True)

    client.force_login(officer)
    assert client.get(url(cohort)).status_code == 200
    client.force_login(admin)
    assert client.get(url(cohort)).status_code == 200


@pytest.mark.parametrize("items", [1, 3])
def test_the_detail_page_makes_a_constant_number_of_queries(client, django_assert_num_queries, items):
    cohort = CohortFactory(capacity=10)
    for n in range(items):
        WeeklySlotFactory(cohort=cohort, weekday=n)
        cohort.trainers.add(StaffMemberFactory())
        enrolment = EnrolmentFactory(cohort=cohort)
        session = SessionFactory(cohort=cohort, date=dt.date(2026, 3, 2) + dt.timedelta(days=n))
        Attendance.objects.create(session=session, enrolment=enrolment, status="present")
        CourseRequestFactory(course=cohort.course, facility=cohort.facility)
    client.force_login(director_of(cohort.facility))
    client.get(url(cohort))  # the process reads the reference data once (rehab.refdata)

    # session, user, role assignments, the cohort, its trainers, its enrolments, the open requests
    with django_assert_num_queries(7):
        response = client.get(url(cohort))

    assert response.status_code == 200
    assert len(response.context["roster"]) == items

    # the same three, the cohort with its session counts, trainers, weekly slots, sessions, their trainer places
    with django_assert_num_queries(8):
        response = client.get(sessions_url(cohort))

    assert response.status_code == 200
    assert len(response.context["past_sessions"]) == items


def test_the_page_lists_the_ten_sessions_nearest_today_on_each_side_and_links_to_all_of_them(client):
    today = timezone.localdate()
    cohort = CohortFactory(start_date=today - dt.timedelta(days=30), end_date=today + dt.timedelta(days=30))
    for n in range(1, 13):
        SessionFactory(cohort=cohort, date=today - dt.timedelta(days=n))
        SessionFactory(cohort=cohort, date=today + dt.timedelta(days=n - 1))
    client.force_login(director_of(cohort.facility))

    response = client.get(sessions_url(cohort))

    assert [s.date for s in response.context["past_sessions"]] == [today - dt.timedelta(days=n) for n in range(10, 0, -1)]
    assert [s.date for s in response.context["future_sessions"]] == [today + dt.timedelta(days=n) for n in range(10)]
    assert (response.context["past_count"], response.context["future_count"]) == (12, 12)
    page = response.content.decode()
    assert f'href="{reverse("programs:session_list")}?cohort={cohort.pk}"' in page
    assert "All 24 sessions" in page
    assert "The next 10 are shown." in page
    assert "The 10 most recent are shown." in page


def test_a_trainer_gets_no_link_to_the_session_list(client):
    today = timezone.localdate()
    cohort = CohortFactory(start_date=today, end_date=today + dt.timedelta(days=30))
    SessionFactory(cohort=cohort, date=today)
    client.force_login(trainer_of(cohort))

    response = client.get(sessions_url(cohort))

    assert response.context["all_sessions_url"] == ""
    assert f'href="{reverse("programs:session_list")}?' not in response.content.decode()
    assert [s.date for s in response.context["future_sessions"]] == [today]


def test_the_next_session_of_an_online_cohort_is_found_beyond_the_sessions_listed(client):
    today = timezone.localdate()
    cohort = CohortFactory(delivery_mode="online", start_date=today, end_date=today + dt.timedelta(days=30))
    for n in range(10):
        SessionFactory(cohort=cohort, date=today + dt.timedelta(days=n), status=Session.Status.CANCELLED,
                       cancellation_reason="Lockdown")
    following = SessionFactory(cohort=cohort, date=today + dt.timedelta(days=11))
    client.force_login(director_of(cohort.facility))

    response = client.get(sessions_url(cohort))

    assert response.context["next_session"] == following
    assert len(response.context["future_sessions"]) == 10
    assert following not in response.context["future_sessions"]
