import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import CourseRequest, Enrolment
from programs.services.enrolment import cohort_waitlist, enrolment_request
from tests.factories import CohortFactory, EnrolmentFactory, FacilityFactory, InmateFactory, StaffMemberFactory
from tests.factories_cohorts import CourseRequestFactory, director_of, trainer_of

pytestmark = pytest.mark.django_db


def at(day, hour=9):
    return timezone.make_aware(dt.datetime(2026, 1, day, hour))


@pytest.fixture
def cohort():
    return CohortFactory(name="Filigree A", capacity=2)


def url(cohort):
    return reverse("programs:waitlist", kwargs={"pk": cohort.pk})


def test_the_waitlist_lists_requests_for_the_course_and_waitlisted_enrolments_first_asked_first(cohort):
    second = CourseRequestFactory(course=cohort.course, facility=cohort.facility, requested_at=at(5),
                                  inmate__first_name="Blerta", inmate__last_name="Hoxha")
    first = CourseRequestFactory(course=cohort.course, facility=cohort.facility, requested_at=at(2),
                                 inmate__first_name="Arta", inmate__last_name="Berisha")
    waitlisted = EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WAITLISTED,
                                  inmate__first_name="Dita", inmate__last_name="Rexha")
    Enrolment.objects.filter(pk=waitlisted.pk).update(requested_at=at(3))
    # Not on this cohort's list: another course, another facility, someone placed, someone released.
    CourseRequestFactory(facility=cohort.facility)
    CourseRequestFactory(course=cohort.course)
    CourseRequestFactory(course=cohort.course, facility=cohort.facility, status=CourseRequest.Status.PLACED)
    CourseRequestFactory(course=cohort.course, facility=cohort.facility, inmate__status="released")

    entries = cohort_waitlist(cohort=cohort)

    assert [(e.kind, e.pk, e.participant_name) for e in entries] == [
        ("request", first.pk, "Arta Berisha"),
        ("enrolment", waitlisted.pk, "Dita Rexha"),
        ("request", second.pk, "Blerta Hoxha"),
    ]


def test_a_request_recorded_before_any_group_exists_waits_for_the_first_group(cohort):
    arta = InmateFactory(current_facility=cohort.facility, first_name="Arta", last_name="Berisha")
    user = director_of(cohort.facility)

    request = enrolment_request(course=cohort.course, facility=cohort.facility, inmate=arta, note="Asked at the visit", by=user)
    later_group = CohortFactory(course=cohort.course, facility=cohort.facility)

    assert (request.status, request.note, request.recorded_by) == ("open", "Asked at the visit", user)
    assert [e.pk for e in cohort_waitlist(cohort=later_group)] == [request.pk]


def test_a_person_waits_once_per_course(cohort):
    arta = InmateFactory(current_facility=cohort.facility, first_name="Arta", last_name="Berisha")
    enrolment_request(course=cohort.course, facility=cohort.facility, inmate=arta)

    with pytest.raises(Exception) as excinfo:
        enrolment_request(course=cohort.course, facility=cohort.facility, inmate=arta)

    assert excinfo.value.messages == [f"Arta Berisha is already waiting for {cohort.course.title}."]
    assert CourseRequest.objects.count() == 1


def test_the_waitlist_page_shows_enrol_next_when_a_place_is_free(client, cohort):
    first = CourseRequestFactory(course=cohort.course, facility=cohort.facility, requested_at=at(2),
                                 inmate__first_name="Arta", inmate__last_name="Berisha")
    client.force_login(director_of(cohort.facility))

    response = client.get(url(cohort))

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["seats_free"] == 2
    assert "A place is free. Next on the waitlist: Arta Berisha." in page
    assert reverse("programs:waitlist_enrol", args=[cohort.pk, "request", first.pk]) in page


def test_a_full_cohort_shows_no_enrol_next(client, cohort):
    EnrolmentFactory.create_batch(2, cohort=cohort)
    CourseRequestFactory(course=cohort.course, facility=cohort.facility)
    client.force_login(director_of(cohort.facility))

    response = client.get(url(cohort))

    assert response.context["seats_free"] == 0
    assert "Enrol next" not in response.content.decode()


def test_the_waitlist_is_for_managers_only(client, cohort):
    client.force_login(trainer_of(cohort))
    assert client.get(url(cohort)).status_code == 403

    client.force_login(director_of(FacilityFactory()))
    assert client.get(url(cohort)).status_code == 404


def test_adding_a_request_from_the_waitlist_page(client, cohort):
    arta = InmateFactory(current_facility=cohort.facility, first_name="Arta", last_name="Berisha")
    client.force_login(director_of(cohort.facility))

    response = client.post(reverse("programs:waitlist_add", kwargs={"pk": cohort.pk}), {"inmate": arta.pk, "note": "Keen"})

    assert response.status_code == 302
    assert response["Location"] == url(cohort)
    request = CourseRequest.objects.get()
    assert (request.inmate, request.course, request.facility, request.note) == (arta, cohort.course, cohort.facility, "Keen")


@pytest.mark.parametrize("items", [1, 3])
def test_the_waitlist_page_makes_a_constant_number_of_queries(client, django_assert_num_queries, cohort, items):
    for n in range(items):
        CourseRequestFactory(course=cohort.course, facility=cohort.facility, requested_at=at(n + 1))
        EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WAITLISTED)
        CourseRequestFactory(course=cohort.course, facility=cohort.facility, inmate=None,
                             staff_member=StaffMemberFactory())
    client.force_login(director_of(cohort.facility))

    with django_assert_num_queries(8):
        response = client.get(url(cohort))

    assert len(response.context["entries"]) == 3 * items


def test_the_course_overview_counts_who_waits_in_the_users_facilities(client, cohort):
    CourseRequestFactory.create_batch(2, course=cohort.course, facility=cohort.facility)
    CourseRequestFactory(course=cohort.course)  # another facility: not counted
    CourseRequestFactory(course=cohort.course, facility=cohort.facility, status=CourseRequest.Status.CANCELLED)
    client.force_login(director_of(cohort.facility))

    response = client.get(reverse("programs:course_requests"))

    assert response.status_code == 200
    assert [(c.title, c.waiting) for c in response.context["courses"] if c.pk == cohort.course.pk] == [
        (cohort.course.title, 2)
    ]


@pytest.mark.parametrize("items", [1, 3])
def test_the_course_pages_make_a_constant_number_of_queries(client, django_assert_num_queries, cohort, items):
    for n in range(items):
        CourseRequestFactory(course=cohort.course, facility=cohort.facility, requested_at=at(n + 1))
        CourseRequestFactory(facility=cohort.facility)
        CohortFactory(course=cohort.course, facility=cohort.facility)
        InmateFactory(current_facility=cohort.facility)
    client.force_login(director_of(cohort.facility))

    with django_assert_num_queries(4):
        overview = client.get(reverse("programs:course_requests"))
    with django_assert_num_queries(10):
        course_page = client.get(reverse("programs:course_waitlist", kwargs={"pk": cohort.course.pk}))

    assert len(overview.context["courses"]) == items + 1
    assert len(course_page.context["requests"]) == items
