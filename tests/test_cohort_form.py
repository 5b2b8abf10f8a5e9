"""Creating and editing a cohort: preview first (nothing saved), then confirm (one transaction)."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from programs.models import Attendance, Cohort, Session, WeeklySlot
from rehab.models import PublicHoliday
from tests.factories import (
    CohortFactory,
    CourseFactory,
    EnrolmentFactory,
    FacilityFactory,
    RoomFactory,
    SessionFactory,
    StaffMemberFactory,
    WeeklySlotFactory,
)
from tests.factories_cohorts import director_of, trainer_of

pytestmark = pytest.mark.django_db

T = dt.time


@pytest.fixture
def facility():
    return FacilityFactory(name="Lipjan", city="Lipjan")


@pytest.fixture
def room(facility):
    return RoomFactory(facility=facility, name="Workshop", capacity=5)


@pytest.fixture
def director(facility):
    return director_of(facility)


@pytest.fixture
def coach():
    return StaffMemberFactory(first_name="Bashkim", last_name="Tejeci")


def form_data(*, course, room, trainers=(), slots=((0, "09:00", "12:00"),), extra_rows=3, **overrides):
    data = {
        "course": course.pk,
        "name": "Filigree A",
        "delivery_mode": "in_person",
        "room": room.pk if room else "",
        "capacity": "",
        "meeting_link": "",
        "start_date": "2030-03-01",
        "end_date": "2030-03-31",
        "trainers": [t.pk for t in trainers],
        "slots-TOTAL_FORMS": str(len(slots) + extra_rows),
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "1000",
    }
    for index, (weekday, start, end) in enumerate(slots):
        data[f"slots-{index}-weekday"] = str(weekday)
        data[f"slots-{index}-start_time"] = start
        data[f"slots-{index}-end_time"] = end
    for index in range(len(slots), len(slots) + extra_rows):
        data.update({f"slots-{index}-weekday": "", f"slots-{index}-start_time": "", f"slots-{index}-end_time": ""})
    data.update(overrides)
    return data


def create_url(facility):
    return reverse("programs:cohort_create") + f"?facility={facility.pk}"


def confirm(client, url, data, **extra):
    """Preview, then press Save with the digest of what was previewed."""
    preview = client.post(url, {**data, "preview": "1"})
    assert preview.status_code == 200
    return client.post(url, {**data, "confirm": "1", "preview_digest": preview.context["preview"]["digest"], **extra})


def test_the_empty_form_offers_three_slot_rows_that_work_without_javascript(client, facility, director):
    client.force_login(director)

    response = client.get(create_url(facility))

    assert response.status_code == 200
    assert response.context["slot_formset"].total_form_count() == 3
    assert 'name="slots-TOTAL_FORMS" value="3"' in response.content.decode()
    assert "js/cohort_form.js" in response.content.decode()


def test_the_preview_shows_sessions_and_skipped_holidays_and_saves_nothing(client, facility, room, director):
    PublicHoliday.objects.create(country="XK", date=dt.date(2030, 3, 18), name="Test holiday")
    client.force_login(director)

    response = client.post(create_url(facility), {**form_data(course=CourseFactory(), room=room), "preview": "1"})

    assert response.status_code == 200
    preview = response.context["preview"]
    assert [day for day, _start, _end in preview["change"].new] == [dt.date(2030, 3, 4), dt.date(2030, 3, 11), dt.date(2030, 3, 25)]
    assert preview["plan"].holidays_skipped == [(dt.date(2030, 3, 18), "Test holiday")]
    assert preview["clashes"] == []
    page = response.content.decode()
    assert "3 sessions will be generated, from March 4, 2030 to March 25, 2030." in page
    assert "March 18, 2030 — Test holiday" in page
    assert (Cohort.objects.count(), WeeklySlot.objects.count(), Session.objects.count()) == (0, 0, 0)


def test_confirming_creates_the_cohort_its_slots_and_the_exact_sessions(client, facility, room, director, coach):
    PublicHoliday.objects.create(country="XK", date=dt.date(2030, 3, 18), name="Test holiday")
    client.force_login(director)
    course = CourseFactory()
    data = form_data(course=course, room=room, trainers=[coach], slots=((0, "09:00", "12:00"), (3, "13:00", "16:00")))

    response = confirm(client, create_url(facility), data)

    cohort = Cohort.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:cohort_detail", kwargs={"pk": cohort.pk})
    assert (cohort.facility, cohort.course, cohort.room, cohort.capacity, cohort.seat_limit) == (facility, course, room, None, 5)
    assert list(cohort.trainers.all()) == [coach]
    assert list(cohort.weekly_slots.values_list("weekday", "start_time", "end_time")) == [(0, T(9), T(12)), (3, T(13), T(16))]
    assert list(cohort.sessions.values_list("date", "start_time")) == [
        (dt.date(2030, 3, 4), T(9)), (dt.date(2030, 3, 7), T(13)), (dt.date(2030, 3, 11), T(9)),
        (dt.date(2030, 3, 14), T(13)), (dt.date(2030, 3, 21), T(13)), (dt.date(2030, 3, 25), T(9)),
        (dt.date(2030, 3, 28), T(13)),
    ]
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["7 sessions generated."]


def test_clashes_must_be_acknowledged_before_saving(client, facility, room, director, coach):
    other = CohortFactory(facility=facility, room=room, name="Group A")
    SessionFactory(cohort=other, date=dt.date(2030, 3, 4), start_time=T(10), end_time=T(11))
    client.force_login(director)
    data = form_data(course=CourseFactory(), room=room)

    refused = confirm(client, create_url(facility), data)

    assert refused.status_code == 200
    assert [c.message for c in refused.context["preview"]["clashes"]] == [
        "Workshop is booked for Group A on March 4, 2030, 10:00–11:00."
    ]
    assert refused.context["confirm_form"].errors == {
        "acknowledge_clashes": ["Tick “I have checked the clashes” to save despite them."]
    }
    assert Cohort.objects.filter(name="Filigree A").count() == 0

    accepted = confirm(client, create_url(facility), data, acknowledge_clashes="on")

    assert accepted.status_code == 302
    assert Cohort.objects.get(name="Filigree A").sessions.count() == 4


def test_a_form_changed_after_the_preview_is_previewed_again_before_saving(client, facility, room, director):
    client.force_login(director)
    data = form_data(course=CourseFactory(), room=room)
    preview = client.post(create_url(facility), {**data, "preview": "1"})

    response = client.post(
        create_url(facility),
        {**data, "end_date": "2030-06-30", "confirm": "1", "preview_digest": preview.context["preview"]["digest"]},
    )

    assert response.status_code == 200
    assert response.context["stale"] is True
    assert Cohort.objects.count() == 0


def test_invalid_input_shows_clear_errors_and_saves_nothing(client, facility, room, director):
    client.force_login(director)
    CohortFactory(facility=facility, name="Filigree A")

    response = client.post(
        create_url(facility),
        {**form_data(course=CourseFactory(), room=room, slots=((0, "12:00", "09:00"),), end_date="2030-02-01"), "preview": "1"},
    )

    assert response.status_code == 200
    assert response.context["preview"] is None
    assert response.context["form"].errors == {
        "name": ["Another cohort in this facility already has this name."],
        "end_date": ["The cohort must end on or after its start date."],
    }
    assert response.context["slot_formset"].errors[0] == {"end_time": ["The slot must end after it starts."]}
    assert Cohort.objects.count() == 1


def test_a_cohort_needs_at_least_one_weekly_slot(client, facility, room, director):
    client.force_login(director)

    response = client.post(create_url(facility), {**form_data(course=CourseFactory(), room=room, slots=()), "preview": "1"})

    assert response.context["slot_formset"].non_form_errors() == ["Add at least one weekly slot."]


def test_editing_a_schedule_keeps_past_sessions_and_sessions_with_a_register(client, facility, room, director):
    cohort = CohortFactory(facility=facility, room=room, name="Filigree A",
                           start_date=dt.date(2020, 1, 6), end_date=dt.date(2030, 3, 31))
    WeeklySlotFactory(cohort=cohort, weekday=0, start_time=T(9), end_time=T(12))
    SessionFactory(cohort=cohort, date=dt.date(2020, 1, 6))  # past
    SessionFactory(cohort=cohort, date=dt.date(2020, 1, 13))  # past
    registered = SessionFactory(cohort=cohort, date=dt.date(2030, 3, 4))  # future, but its register was taken
    Attendance.objects.create(session=registered, enrolment=EnrolmentFactory(cohort=cohort), status="present")
    SessionFactory(cohort=cohort, date=dt.date(2030, 3, 11))  # future Monday: goes when the slot moves
    client.force_login(director)
    url = reverse("programs:cohort_edit", kwargs={"pk": cohort.pk})
    # The Monday slot moves to Tuesday; the cohort now runs in March 2030 only (past dates stay history).
    data = form_data(course=cohort.course, room=room, slots=((1, "09:00", "12:00"),),
                     start_date="2030-03-01", end_date="2030-03-31")

    preview = client.post(url, {**data, "preview": "1"})
    assert "3 sessions kept because they are in the past or have a register." in preview.content.decode()
    assert Session.objects.filter(cohort=cohort).count() == 4

    response = confirm(client, url, data)

    assert response.status_code == 302
    assert list(cohort.sessions.values_list("date", flat=True)) == [
        dt.date(2020, 1, 6), dt.date(2020, 1, 13), dt.date(2030, 3, 4), dt.date(2030, 3, 5), dt.date(2030, 3, 12),
        dt.date(2030, 3, 19), dt.date(2030, 3, 26),
    ]
    assert registered.attendance.count() == 1
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "4 sessions generated.", "3 sessions kept because they are in the past or have a register.",
    ]


def test_capacity_cannot_drop_below_the_people_enrolled(client, facility, room, director):
    cohort = CohortFactory(facility=facility, room=room, name="Filigree A", capacity=3,
                           start_date=dt.date(2030, 3, 1), end_date=dt.date(2030, 3, 31))
    EnrolmentFactory.create_batch(3, cohort=cohort)
    client.force_login(director)

    response = confirm(client, reverse("programs:cohort_edit", kwargs={"pk": cohort.pk}),
                       form_data(course=cohort.course, room=room, capacity="2"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "capacity": ["3 people are already enrolled: the cohort needs at least 3 places."]
    }
    cohort.refresh_from_db()
    assert (cohort.capacity, cohort.sessions.count(), cohort.weekly_slots.count()) == (3, 0, 0)


def test_the_edit_form_starts_from_the_saved_cohort(client, facility, room, director):
    cohort = CohortFactory(facility=facility, room=room)
    WeeklySlotFactory(cohort=cohort, weekday=3, start_time=T(13), end_time=T(16))
    client.force_login(director)

    response = client.get(reverse("programs:cohort_edit", kwargs={"pk": cohort.pk}))

    assert response.status_code == 200
    formset = response.context["slot_formset"]
    assert formset.total_form_count() == 4
    assert formset.forms[0].initial == {"weekday": 3, "start_time": T(13), "end_time": T(16)}


def test_permissions_per_role(client, facility, room):
    cohort = CohortFactory(facility=facility, room=room)
    edit = reverse("programs:cohort_edit", kwargs={"pk": cohort.pk})

    assert client.get(edit)["Location"] == f"/accounts/login/?next={edit}"

    client.force_login(director_of(FacilityFactory()))
    assert client.get(edit).status_code == 404
    assert client.get(create_url(facility)).status_code == 404

    client.force_login(trainer_of(cohort))
    assert client.get(edit).status_code == 403
    assert client.get(create_url(facility)).status_code == 403
    assert client.get(reverse("programs:cohort_detail", kwargs={"pk": cohort.pk})).status_code == 200


def test_a_director_of_one_facility_goes_straight_to_its_form(client, facility, director):
    client.force_login(director)

    response = client.get(reverse("programs:cohort_create"))

    assert response.status_code == 302
    assert response["Location"] == create_url(facility)


def test_the_cohort_is_linked_to_a_funding_action_of_its_country_and_no_other(client, facility, room, director):
    from tests.factories_funding import FundingActionFactory

    kosovo = FundingActionFactory(title="EU/CoE Horizontal Facility", countries=["XK"])
    serbia = FundingActionFactory(title="Serbian action", countries=["RS"])
    client.force_login(director)
    page = client.get(create_url(facility))
    assert list(page.context["form"].fields["funding_action"].queryset) == [kosovo]

    refused = client.post(create_url(facility), {**form_data(course=CourseFactory(), room=room),
                                                  "funding_action": serbia.pk, "preview": "1"})
    assert "funding_action" in refused.context["form"].errors
    response = confirm(client, create_url(facility), form_data(course=CourseFactory(), room=room,
                                                               funding_action=kosovo.pk))

    assert response.status_code == 302
    assert Cohort.objects.get().funding_action == kosovo
