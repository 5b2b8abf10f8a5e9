"""Request → waitlist → enrol (with suitability warnings) → withdraw, through services and pages."""

import datetime as dt
import threading

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from programs.models import CourseRequest, Enrolment, EnrolmentStatusChange
from programs.services.enrolment import (
    cohort_waitlist,
    enrolment_create,
    enrolment_enrol_from_waitlist,
    enrolment_request,
    enrolment_suitability,
    enrolment_withdraw,
)
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    FacilityFactory,
    InmateFactory,
    SessionFactory,
    StaffMemberFactory,
)
from tests.factories_cohorts import CourseRequestFactory, director_of

T = dt.time


@pytest.fixture
def cohort():
    return CohortFactory(name="Filigree A", capacity=2, start_date=dt.date(2030, 3, 1), end_date=dt.date(2030, 12, 20))


def arta_in(facility, **kwargs):
    kwargs.setdefault("expected_release_date", dt.date(2035, 1, 1))
    return InmateFactory(current_facility=facility, first_name="Arta", last_name="Berisha", **kwargs)


# ---------------------------------------------------------------- suitability


@pytest.mark.django_db
def test_no_warning_for_a_suitable_person(cohort):
    assert enrolment_suitability(cohort=cohort, inmate=arta_in(cohort.facility)) == []


@pytest.mark.django_db
def test_release_before_the_cohort_ends(cohort):
    arta = arta_in(cohort.facility, expected_release_date=dt.date(2030, 9, 1))

    assert enrolment_suitability(cohort=cohort, inmate=arta) == [
        "Arta Berisha is expected to be released on Sept. 1, 2030, before the cohort ends on Dec. 20, 2030."
    ]


@pytest.mark.django_db
def test_an_overlapping_cohort(cohort):
    arta = arta_in(cohort.facility)
    SessionFactory(cohort=cohort, date=dt.date(2030, 3, 4), start_time=T(9), end_time=T(12))
    SessionFactory(cohort=cohort, date=dt.date(2030, 3, 11), start_time=T(9), end_time=T(12))
    it_group = CohortFactory(facility=cohort.facility, name="IT A")
    EnrolmentFactory(cohort=it_group, inmate=arta)
    SessionFactory(cohort=it_group, date=dt.date(2030, 3, 4), start_time=T(11), end_time=T(13))
    SessionFactory(cohort=it_group, date=dt.date(2030, 3, 11), start_time=T(10), end_time=T(11))
    SessionFactory(cohort=it_group, date=dt.date(2030, 3, 18), start_time=T(10), end_time=T(11))  # ours has none
    SessionFactory(cohort=it_group, date=dt.date(2030, 3, 4), start_time=T(12), end_time=T(13))  # touches only

    assert enrolment_suitability(cohort=cohort, inmate=arta) == [
        "Arta Berisha is enrolled in IT A, which has 2 sessions at the same time as this cohort (first on March 4, 2030)."
    ]


@pytest.mark.django_db
def test_already_completed_this_course(cohort):
    arta = arta_in(cohort.facility)
    earlier = CohortFactory(course=cohort.course, facility=cohort.facility, name="Filigree 2028",
                            start_date=dt.date(2028, 1, 10), end_date=dt.date(2028, 12, 15))
    EnrolmentFactory(cohort=earlier, inmate=arta, status=Enrolment.Status.COMPLETED)

    assert enrolment_suitability(cohort=cohort, inmate=arta) == [
        "Arta Berisha has already completed this course (Filigree 2028, ended Dec. 15, 2028)."
    ]


@pytest.mark.django_db
def test_held_in_another_facility(cohort):
    arta = arta_in(FacilityFactory(name="Dubrava"))

    assert enrolment_suitability(cohort=cohort, inmate=arta) == [f"Arta Berisha is held in Dubrava, not in {cohort.facility.name}."]


# ---------------------------------------------------------------- enrolling from the page


def enrol_url(cohort):
    return reverse("programs:enrol", kwargs={"pk": cohort.pk})


@pytest.mark.django_db
def test_enrolling_a_suitable_person(client, cohort):
    arta = arta_in(cohort.facility)
    director = director_of(cohort.facility)
    client.force_login(director)

    response = client.post(enrol_url(cohort), {"inmate": arta.pk})

    assert response.status_code == 302
    assert response["Location"] == reverse("programs:cohort_detail", kwargs={"pk": cohort.pk})
    enrolment = Enrolment.objects.get(inmate=arta)
    assert (enrolment.cohort, enrolment.status) == (cohort, "enrolled")
    assert list(enrolment.history.values_list("to_status", "changed_by")) == [("enrolled", director.pk)]


@pytest.mark.django_db
def test_warnings_are_shown_and_must_be_confirmed(client, cohort):
    arta = arta_in(cohort.facility, expected_release_date=dt.date(2030, 9, 1))
    client.force_login(director_of(cohort.facility))

    first = client.post(enrol_url(cohort), {"inmate": arta.pk})

    assert first.status_code == 200
    assert first.context["warnings"] == [
        "Arta Berisha is expected to be released on Sept. 1, 2030, before the cohort ends on Dec. 20, 2030."
    ]
    assert "Arta Berisha is expected to be released on Sept. 1, 2030" in first.content.decode()
    assert not Enrolment.objects.exists()

    confirmed = client.post(enrol_url(cohort), {"inmate": arta.pk, "acknowledge": "on"})

    assert confirmed.status_code == 302
    assert Enrolment.objects.get().status == "enrolled"


@pytest.mark.django_db
def test_a_full_cohort_refuses_with_the_clear_message_and_saves_nothing(client, cohort):
    EnrolmentFactory.create_batch(2, cohort=cohort)
    arta = arta_in(cohort.facility, expected_release_date=dt.date(2030, 9, 1))
    client.force_login(director_of(cohort.facility))

    response = client.post(enrol_url(cohort), {"inmate": arta.pk, "acknowledge": "on"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Filigree A is full: all 2 places are taken."]
    assert "Filigree A is full: all 2 places are taken." in response.content.decode()
    assert not Enrolment.objects.filter(inmate=arta).exists()


@pytest.mark.django_db
def test_only_people_of_the_cohorts_facility_can_be_chosen(client, cohort):
    elsewhere = arta_in(FacilityFactory())
    client.force_login(director_of(cohort.facility))

    response = client.post(enrol_url(cohort), {"inmate": elsewhere.pk})

    assert response.context["form"].errors == {
        "inmate": ["Select a valid choice. That choice is not one of the available choices."]
    }


# ---------------------------------------------------------------- request → waitlist → enrol


@pytest.mark.django_db
def test_request_then_waitlist_order_then_enrol_the_first(client, cohort):
    director = director_of(cohort.facility)
    arta = arta_in(cohort.facility)
    besa = InmateFactory(current_facility=cohort.facility, first_name="Besa", last_name="Gashi",
                         expected_release_date=dt.date(2035, 1, 1))
    first = enrolment_request(course=cohort.course, facility=cohort.facility, inmate=besa, by=director,
                              requested_at=timezone.now() - dt.timedelta(days=3))
    second = enrolment_request(course=cohort.course, facility=cohort.facility, inmate=arta, by=director)
    assert [e.pk for e in cohort_waitlist(cohort=cohort)] == [first.pk, second.pk]
    client.force_login(director)

    page = client.get(reverse("programs:waitlist_enrol", args=[cohort.pk, "request", first.pk]))
    assert page.status_code == 200
    assert page.context["warnings"] == []
    response = client.post(reverse("programs:waitlist_enrol", args=[cohort.pk, "request", first.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("programs:waitlist", kwargs={"pk": cohort.pk})
    first.refresh_from_db()
    assert (first.status, first.enrolment.inmate, first.enrolment.status) == ("placed", besa, "enrolled")
    assert [e.pk for e in cohort_waitlist(cohort=cohort)] == [second.pk]
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Besa Gashi is enrolled."]


@pytest.mark.django_db
def test_enrolling_from_the_waitlist_into_a_full_cohort_is_refused(client, cohort):
    EnrolmentFactory.create_batch(2, cohort=cohort)
    waiting = CourseRequestFactory(course=cohort.course, facility=cohort.facility)
    client.force_login(director_of(cohort.facility))

    response = client.post(reverse("programs:waitlist_enrol", args=[cohort.pk, "request", waiting.pk]))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Filigree A is full: all 2 places are taken."]
    waiting.refresh_from_db()
    assert (waiting.status, waiting.enrolment) == ("open", None)
    assert Enrolment.objects.filter(cohort=cohort).count() == 2


@pytest.mark.django_db
def test_a_person_waitlisted_on_the_cohort_is_enrolled_when_a_place_frees_up(cohort):
    director = director_of(cohort.facility)
    waiting = EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WAITLISTED)

    enrolment = enrolment_enrol_from_waitlist(cohort=cohort, enrolment=waiting, by=director)

    assert (enrolment.status, enrolment.enrolled_at is not None) == ("enrolled", True)
    assert list(enrolment.history.values_list("from_status", "to_status", "changed_by")) == [
        ("waitlisted", "enrolled", director.pk)
    ]


@pytest.mark.django_db
def test_a_direct_enrolment_closes_the_persons_open_request_for_the_course(cohort):
    request = CourseRequestFactory(course=cohort.course, facility=cohort.facility)

    enrolment = enrolment_create(cohort=cohort, inmate=request.inmate)

    request.refresh_from_db()
    assert (request.status, request.enrolment) == ("placed", enrolment)


@pytest.mark.django_db
def test_recording_a_request_for_a_course_before_any_group_exists(client):
    facility = FacilityFactory()
    course = CohortFactory(facility=FacilityFactory()).course  # only a group elsewhere, out of scope
    arta = arta_in(facility)
    client.force_login(director_of(facility))
    url = reverse("programs:course_waitlist", kwargs={"pk": course.pk})

    response = client.post(url, {"facility": facility.pk, "inmate": arta.pk, "note": "Asked for filigree"})

    assert response.status_code == 302
    request = CourseRequest.objects.get()
    assert (request.course, request.facility, request.inmate, request.note, request.status) == (
        course, facility, arta, "Asked for filigree", "open"
    )
    page = client.get(url)
    assert [r.pk for r in page.context["requests"]] == [request.pk]
    assert list(page.context["cohorts"]) == []


# ---------------------------------------------------------------- withdrawing


@pytest.mark.django_db
def test_withdrawing_needs_a_reason_and_keeps_the_history(cohort):
    director = director_of(cohort.facility)
    enrolment = EnrolmentFactory(cohort=cohort)

    with pytest.raises(ValidationError) as excinfo:
        enrolment_withdraw(enrolment=enrolment, reason="  ", by=director)
    assert excinfo.value.messages == ["Give a reason for the withdrawal."]

    withdrawn = enrolment_withdraw(enrolment=enrolment, reason="Moved to work duty", by=director)

    assert (withdrawn.status, withdrawn.status_reason, withdrawn.ended_at is not None) == ("withdrawn", "Moved to work duty", True)
    change = EnrolmentStatusChange.objects.get(enrolment=enrolment)
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        "enrolled", "withdrawn", "Moved to work duty", director
    )
    assert change.changed_at is not None


@pytest.mark.django_db
def test_withdrawing_from_a_full_cohort_leads_to_the_waitlist_with_enrol_next(client, cohort):
    leaving, _staying = EnrolmentFactory.create_batch(2, cohort=cohort)
    waiting = CourseRequestFactory(course=cohort.course, facility=cohort.facility,
                                   inmate__first_name="Besa", inmate__last_name="Gashi")
    client.force_login(director_of(cohort.facility))
    url = reverse("programs:enrolment_withdraw", kwargs={"pk": leaving.pk})

    missing = client.post(url, {"reason": ""})
    assert missing.context["form"].errors == {"reason": ["This field is required."]}

    response = client.post(url, {"reason": "Transferred to work duty"}, follow=True)

    assert response.redirect_chain == [(reverse("programs:waitlist", kwargs={"pk": cohort.pk}), 302)]
    page = response.content.decode()
    assert "A place is free. Next on the waitlist: Besa Gashi." in page
    assert reverse("programs:waitlist_enrol", args=[cohort.pk, "request", waiting.pk]) in page
    leaving.refresh_from_db()
    assert (leaving.status, leaving.status_reason) == ("withdrawn", "Transferred to work duty")


@pytest.mark.django_db
def test_withdrawing_is_for_managers_of_the_facility(client, cohort):
    enrolment = EnrolmentFactory(cohort=cohort)
    client.force_login(director_of(FacilityFactory()))

    assert client.post(reverse("programs:enrolment_withdraw", kwargs={"pk": enrolment.pk}), {"reason": "x"}).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == "enrolled"


# ---------------------------------------------------------------- concurrency


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_six_people_enrolled_from_the_waitlist_at_once_into_two_places():
    cohort = CohortFactory(name="Filigree A", capacity=2)
    requests = [CourseRequestFactory(course=cohort.course, facility=cohort.facility) for _ in range(6)]
    requests.append(CourseRequestFactory(course=cohort.course, facility=cohort.facility, inmate=None,
                                         staff_member=StaffMemberFactory()))
    barrier = threading.Barrier(len(requests))
    outcomes: list[str] = []
    lock = threading.Lock()

    def enrol(course_request):
        try:
            barrier.wait()
            enrolment_enrol_from_waitlist(cohort=cohort, course_request=course_request)
            result = "enrolled"
        except ValidationError as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=enrol, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["enrolled"] * 2 + ["full"] * 5
    assert Enrolment.objects.filter(cohort=cohort, status="enrolled").count() == 2
    assert CourseRequest.objects.filter(status="placed").count() == 2


@pytest.mark.django_db
def test_removing_a_request_from_the_waitlist_needs_a_reason(client, cohort):
    waiting = CourseRequestFactory(course=cohort.course, facility=cohort.facility)
    client.force_login(director_of(cohort.facility))
    url = reverse("programs:course_request_cancel", kwargs={"pk": waiting.pk})

    response = client.post(url, {"reason": "Changed her mind"})

    assert response.status_code == 302
    assert response["Location"] == reverse("programs:course_waitlist", kwargs={"pk": cohort.course.pk})
    waiting.refresh_from_db()
    assert (waiting.status, waiting.status_reason) == ("cancelled", "Changed her mind")
    assert cohort_waitlist(cohort=cohort) == []
