"""The trainer's Today and Week pages and the register: who may open them, what they show, saving."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import formats, timezone
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from programs.models import Attendance, Cohort, Enrolment, Session
from rehab.models import Role
from tests.factories import (
    EnrolmentFactory,
    FacilityFactory,
    InmateFactory,
    SessionFactory,
    StaffMemberFactory,
)
from tests.factories_trainer import (
    AttendanceFactory,
    make_director,
    make_trainer,
    make_user_with_role,
    running_cohort,
)

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def cohort():
    return running_cohort(name="Filigree Lipjan A", facility=FacilityFactory(name="Lipjan"))


@pytest.fixture
def trainer(cohort):
    return make_trainer(cohort, username="coach", first_name="Drita", last_name="Berisha")


@pytest.fixture
def session(cohort, today):
    session = SessionFactory(cohort=cohort, date=today, start_time=dt.time(9, 0), end_time=dt.time(12, 0))
    session.people = [
        EnrolmentFactory(cohort=cohort, inmate=InmateFactory(current_facility=cohort.facility, first_name=first, last_name=last))
        for first, last in [("Arta", "Gashi"), ("Besa", "Hoxha"), ("Cela", "Krasniqi")]
    ]
    return session


def register_url(session):
    return reverse("programs:register", args=[session.pk])


def register_data(session, topics="Soldering", **overrides):
    data = {"topics_covered": topics}
    for person in session.people:
        data[f"status_{person.pk}"] = "present"
        data[f"reason_{person.pk}"] = ""
        data[f"note_{person.pk}"] = ""
    data.update(overrides)
    return data


def saved_rows():
    return list(Attendance.objects.order_by("enrolment_id").values_list("enrolment_id", "status", "reason", "note"))


# ---------------------------------------------------------------- who may open what


def role_users(cohort):
    """One user per case in the brief: name → (user or None for logged out)."""
    return {
        "trainer of the cohort": lambda: make_trainer(cohort),
        "another trainer": lambda: make_trainer(running_cohort()),
        "director of the facility": lambda: make_director(cohort.facility),
        "director of another facility": lambda: make_director(FacilityFactory()),
        "system administrator": lambda: make_user_with_role(Role.SYSTEM_ADMINISTRATOR),
        "registrar": lambda: make_user_with_role(Role.REGISTRAR),
        "donor": lambda: make_user_with_role(Role.DONOR),
        "logged out": lambda: None,
    }


OBJECT_PAGE_STATUS = {
    "trainer of the cohort": 200,
    "another trainer": 404,
    "director of the facility": 200,
    "director of another facility": 404,
    "system administrator": 200,
    "registrar": 403,
    "donor": 403,
    "logged out": 302,
}


@pytest.mark.parametrize("who", list(OBJECT_PAGE_STATUS))
@pytest.mark.parametrize("page", ["register", "session_cancel", "final_assessment"])
def test_object_pages_answer_each_role_as_the_brief_says(client, session, who, page):
    user = role_users(session.cohort)[who]()
    if user is not None:
        client.force_login(user)
    url = reverse(f"programs:{page}", args=[session.cohort.pk if page == "final_assessment" else session.pk])

    response = client.get(url)

    assert response.status_code == OBJECT_PAGE_STATUS[who]
    if who == "logged out":
        assert response["Location"] == f"/accounts/login/?next={url}"


LIST_PAGE_STATUS = {
    "trainer of the cohort": 200,
    "director of the facility": 200,
    "system administrator": 200,
    "registrar": 403,
    "donor": 403,
    "logged out": 302,
}


@pytest.mark.parametrize("who", list(LIST_PAGE_STATUS))
@pytest.mark.parametrize("page", ["today", "week"])
def test_today_and_week_answer_each_role_as_the_brief_says(client, cohort, who, page):
    user = role_users(cohort)[who]()
    if user is not None:
        client.force_login(user)
    url = reverse(f"programs:{page}")

    response = client.get(url)

    assert response.status_code == LIST_PAGE_STATUS[who]
    if who == "logged out":
        assert response["Location"] == f"/accounts/login/?next={url}"


# ---------------------------------------------------------------- today and this week


def test_today_lists_the_trainers_sessions_in_both_prisons_and_nothing_else(client, cohort, trainer, today):
    other_prison = running_cohort(name="IT Nis", facility=FacilityFactory(name="Nis"), meeting_link="https://meet.example.org/it", delivery_mode="online", room=None, capacity=8)
    other_prison.trainers.add(trainer.staff_member)
    morning = SessionFactory(cohort=cohort, date=today, start_time=dt.time(9, 0), end_time=dt.time(12, 0))
    afternoon = SessionFactory(cohort=other_prison, date=today, start_time=dt.time(14, 0), end_time=dt.time(15, 30))
    SessionFactory(cohort=cohort, date=today + dt.timedelta(days=1))  # tomorrow
    SessionFactory(cohort=running_cohort(name="Not mine"), date=today)
    client.force_login(trainer)

    response = client.get(reverse("programs:today"))

    assert [s.pk for s in response.context["sessions"]] == [morning.pk, afternoon.pk]
    assertContains(response, "09:00–12:00")
    assertContains(response, "14:00–15:30")
    assertContains(response, f"Lipjan, Lipjan · {cohort.room.name}")
    assertContains(response, 'href="https://meet.example.org/it"')
    assertContains(response, "Take the register", count=2)
    assertContains(response, f'href="{register_url(morning)}"')
    assertContains(response, "Register not taken", count=2)
    assertNotContains(response, "Not mine")


def test_today_shows_a_cancelled_session_with_its_reason_and_no_register_button(client, cohort, trainer, today):
    SessionFactory(cohort=cohort, date=today, status=Session.Status.CANCELLED, cancellation_reason="Lockdown after an incident")
    client.force_login(trainer)

    response = client.get(reverse("programs:today"))

    assertContains(response, "Cancelled</span>")
    assertContains(response, "Reason: Lockdown after an incident")
    assertContains(response, "No register for a cancelled session.")
    assertNotContains(response, "Take the register")


def test_today_says_when_the_register_is_taken_with_the_count(client, session, trainer):
    AttendanceFactory(session=session, enrolment=session.people[0], status="present")
    AttendanceFactory(session=session, enrolment=session.people[1], status="late")
    AttendanceFactory(session=session, enrolment=session.people[2], status="absent")
    Session.objects.filter(pk=session.pk).update(status=Session.Status.HELD, register_taken_at=timezone.now())
    client.force_login(trainer)

    response = client.get(reverse("programs:today"))

    assertContains(response, "Register taken · 2 of 3 attended")
    assertContains(response, "Edit the register")
    assertNotContains(response, "Cancel this session")


def test_the_week_pages_by_start_date_and_shows_the_monday_to_sunday_week(client, cohort, trainer):
    monday = dt.date(2026, 3, 2)
    cohort.start_date, cohort.end_date = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    cohort.save()
    inside = [SessionFactory(cohort=cohort, date=monday + dt.timedelta(days=d)) for d in (0, 3, 6)]
    SessionFactory(cohort=cohort, date=monday - dt.timedelta(days=1))
    SessionFactory(cohort=cohort, date=monday + dt.timedelta(days=7))
    client.force_login(trainer)

    response = client.get(reverse("programs:week"), {"start": "2026-03-04"})  # a Wednesday

    assert response.context["start"] == monday
    assert [s.pk for _, sessions in response.context["days"] for s in sessions] == [s.pk for s in inside]
    assertContains(response, 'href="/programs/week/?start=2026-02-23"')
    assertContains(response, 'href="/programs/week/?start=2026-03-09"')


def test_the_week_links_the_final_assessment_of_running_and_recently_ended_groups(client, trainer, cohort, today):
    ended = running_cohort(name="Ended last month", start_date=today - dt.timedelta(days=200), end_date=today - dt.timedelta(days=30))
    long_ago = running_cohort(name="Ended long ago", start_date=today - dt.timedelta(days=400), end_date=today - dt.timedelta(days=300))
    ended.trainers.add(trainer.staff_member)
    long_ago.trainers.add(trainer.staff_member)
    client.force_login(trainer)

    response = client.get(reverse("programs:week"))

    assert [c.name for c in response.context["cohorts"]] == ["Ended last month", "Filigree Lipjan A"]
    assertContains(response, f'href="{reverse("programs:final_assessment", args=[cohort.pk])}"')


def test_the_week_starts_this_week_when_the_start_is_missing_or_nonsense(client, trainer, today):
    client.force_login(trainer)

    response = client.get(reverse("programs:week"), {"start": "not-a-date"})

    assert response.context["start"] == today - dt.timedelta(days=today.weekday())


def test_a_future_session_in_the_week_has_no_register_button_yet(client, cohort, trainer, today):
    SessionFactory(cohort=cohort, date=today + dt.timedelta(days=7))
    client.force_login(trainer)

    response = client.get(reverse("programs:week"), {"start": (today + dt.timedelta(days=7)).isoformat()})

    assertContains(response, "The register opens on the day of the session.")
    assertNotContains(response, "Take the register")
    assertContains(response, "Cancel this session")


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("page", ["today", "week"])
def test_today_and_week_use_a_constant_number_of_queries(client, django_assert_num_queries, trainer, today, count, page):
    for n in range(count):
        cohort = running_cohort()
        cohort.trainers.add(trainer.staff_member)
        session = SessionFactory(cohort=cohort, date=today, start_time=dt.time(8 + n, 0), end_time=dt.time(9 + n, 0))
        AttendanceFactory(session=session)
    client.force_login(trainer)
    client.get(reverse(f"programs:{page}"))  # the process reads the reference data once (rehab.refdata)

    # session, user, role assignments; the keys of the trainer's cohorts, their sessions of those days, those
    # cohorts with their course, facility and room, and the sessions' register counts
    with django_assert_num_queries(7):
        response = client.get(reverse(f"programs:{page}"))

    assert response.status_code == 200
    sessions = response.context["sessions"] if page == "today" else [s for _day, day in response.context["days"] for s in day]
    assert [(s.marked, s.attended, s.register_taken) for s in sessions] == [(1, 1, True)] * count


def test_the_week_lists_a_session_kept_outside_its_groups_dates(client, trainer, today):
    """A group shortened after a session was held keeps that session: the trainer's week still shows it."""
    cohort = running_cohort()
    cohort.trainers.add(trainer.staff_member)
    monday = today - dt.timedelta(days=today.weekday())
    kept = SessionFactory(cohort=cohort, date=monday - dt.timedelta(days=70), start_time=dt.time(9, 0), end_time=dt.time(10, 0))
    Cohort.objects.filter(pk=cohort.pk).update(start_date=monday - dt.timedelta(days=7), end_date=monday + dt.timedelta(days=60))
    client.force_login(trainer)

    response = client.get(reverse("programs:week"), {"start": kept.date.isoformat()})

    assert [s.pk for _day, sessions in response.context["days"] for s in sessions] == [kept.pk]
    assert response.context["days"][kept.date.weekday()][1][0].cohort.name == cohort.name
    assert response.context["cohorts"] == []


# ---------------------------------------------------------------- the register page


def test_the_register_lists_everyone_expected_as_present_by_default(client, session, trainer):
    client.force_login(trainer)

    response = client.get(register_url(session))

    assertTemplateUsed(response, "programs/trainer/register.html")
    assert [(row.enrolment.participant_name, row.values["status"]) for row in response.context["rows"]] == [
        ("Arta Gashi", "present"),
        ("Besa Hoxha", "present"),
        ("Cela Krasniqi", "present"),
    ]
    for person in session.people:
        assertContains(
            response,
            f'<input type="radio" class="btn-check" name="status_{person.pk}" id="status_{person.pk}_present" '
            f'value="present" autocomplete="off" data-status checked>',
            html=False,
        )
        assertNotContains(response, person.inmate.registration_number)
    assertContains(response, "The register has not been taken yet.")
    assertContains(response, f'hx-post="{register_url(session)}"')
    assertContains(response, '<script src="/static/js/register.js"></script>')


def test_the_register_never_shows_sensitive_inmate_details(client, session, trainer):
    person = session.people[0].inmate
    client.force_login(trainer)

    response = client.get(register_url(session))

    for detail in (person.registration_number, "1990", person.get_gender_display()):
        assertNotContains(response, detail)


def test_people_whose_enrolment_ended_appear_only_with_a_saved_row_and_a_badge(client, session, trainer):
    marked, unmarked = session.people[1], session.people[2]
    AttendanceFactory(session=session, enrolment=marked, status="absent")
    Enrolment.objects.filter(pk=marked.pk).update(status=Enrolment.Status.WITHDRAWN)
    Enrolment.objects.filter(pk=unmarked.pk).update(status=Enrolment.Status.TRANSFERRED)
    staff = EnrolmentFactory(cohort=session.cohort, inmate=None, staff_member=StaffMemberFactory(first_name="Zana", last_name="Staff"))
    client.force_login(trainer)

    response = client.get(register_url(session))

    assert [(row.enrolment.pk, row.values["status"]) for row in response.context["rows"]] == [
        (session.people[0].pk, "present"),
        (marked.pk, "absent"),
        (staff.pk, "present"),
    ]
    assertContains(response, '<span class="badge rounded-pill text-bg-dark" data-testid="enrolment-status">Withdrawn</span>', html=False)
    assertContains(response, '<span class="badge rounded-pill text-bg-info">Staff</span>', html=False)
    assertNotContains(response, "Krasniqi")


def test_a_future_session_has_no_register_and_says_why(client, cohort, trainer, today):
    tomorrow = today + dt.timedelta(days=1)
    session = SessionFactory(cohort=cohort, date=tomorrow)
    client.force_login(trainer)

    response = client.get(register_url(session))

    assertContains(response, f"The register opens on the day of the session ({formats.date_format(tomorrow, 'DATE_FORMAT')}).")
    assertNotContains(response, "<form method=\"post\" action")


def test_a_cancelled_session_has_no_register_and_says_why(client, cohort, trainer, today):
    session = SessionFactory(cohort=cohort, date=today, status=Session.Status.CANCELLED, cancellation_reason="Lockdown")
    client.force_login(trainer)

    response = client.get(register_url(session))

    assertContains(response, "This session was cancelled; it has no register.")
    assertContains(response, "Reason: Lockdown")
    assertNotContains(response, "<form method=\"post\" action")

    post = client.post(register_url(session), {"topics_covered": ""})
    assert post.status_code == 403
    assert Attendance.objects.count() == 0


@pytest.mark.parametrize("count", [1, 3])
def test_the_register_page_uses_a_constant_number_of_queries(client, django_assert_num_queries, cohort, trainer, today, count):
    session = SessionFactory(cohort=cohort, date=today)
    for _ in range(count):
        AttendanceFactory(session=session, enrolment=EnrolmentFactory(cohort=cohort), recorded_by=trainer)
    client.force_login(trainer)
    client.get(register_url(session))  # the process reads the reference data once (rehab.refdata)

    # session, user, roles, the session (with whether the user trains its group), the people, their rows
    with django_assert_num_queries(6):
        response = client.get(register_url(session))

    assert len(response.context["rows"]) == count


# ---------------------------------------------------------------- saving the register


def test_a_plain_post_saves_the_whole_register_and_redirects_back_with_a_message(client, session, trainer):
    a, b, c = session.people
    client.force_login(trainer)

    response = client.post(
        register_url(session),
        register_data(session, **{f"status_{b.pk}": "absent", f"reason_{b.pk}": "sick", f"status_{c.pk}": "late", f"note_{c.pk}": " bus "}),
    )

    assert response.status_code == 302
    assert response["Location"] == register_url(session)
    assert saved_rows() == [(a.pk, "present", "", ""), (b.pk, "absent", "sick", ""), (c.pk, "late", "", "bus")]
    assert set(Attendance.objects.values_list("recorded_by", flat=True)) == {trainer.pk}
    session.refresh_from_db()
    assert (session.status, session.topics_covered, session.register_taken_by) == ("held", "Soldering", trainer)
    page = client.get(response["Location"])
    assertContains(page, "Register saved: 1 present, 1 late, 1 absent, 0 excused.")
    assertContains(page, "Taken by Drita Berisha at")


def test_an_htmx_post_answers_with_the_panel_fragment_and_a_confirmation(client, session, trainer):
    a, b, c = session.people
    client.force_login(trainer)

    response = client.post(register_url(session), register_data(session, **{f"status_{a.pk}": "excused", f"reason_{a.pk}": "court"}), **HX)

    assert response.status_code == 200
    assertTemplateUsed(response, "programs/trainer/_register_panel.html")
    assert "base.html" not in [t.name for t in response.templates]
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="register-panel" data-testid="register-panel">')
    assertContains(
        response,
        '<div class="alert alert-success py-2 mb-2" role="status" data-testid="register-saved">'
        "Register saved: 2 present, 0 late, 0 absent, 1 excused.</div>",
        html=False,
    )
    assertContains(response, "Save changes")
    assert saved_rows() == [(a.pk, "excused", "court", ""), (b.pk, "present", "", ""), (c.pk, "present", "", "")]


def test_submitting_the_same_register_twice_keeps_one_row_each_and_their_stamps(client, session, trainer):
    client.force_login(trainer)
    data = register_data(session, **{f"status_{session.people[0].pk}": "absent"})
    client.post(register_url(session), data)
    first = list(Attendance.objects.order_by("pk").values_list("pk", "enrolment_id", "status", "recorded_at"))
    taken_at = Session.objects.get(pk=session.pk).register_taken_at

    response = client.post(register_url(session), data, **HX)

    assert response.status_code == 200
    assert list(Attendance.objects.order_by("pk").values_list("pk", "enrolment_id", "status", "recorded_at")) == first
    assert Attendance.objects.count() == 3
    assert Session.objects.get(pk=session.pk).register_taken_at == taken_at


def test_a_correction_by_the_director_shows_who_took_and_who_last_changed_it(client, session, trainer):
    director = make_director(session.cohort.facility, first_name="Vjosa", last_name="Director")
    client.force_login(trainer)
    client.post(register_url(session), register_data(session))
    client.force_login(director)

    client.post(register_url(session), register_data(session, **{f"status_{session.people[2].pk}": "late"}))

    session.refresh_from_db()
    changed = Attendance.objects.get(enrolment=session.people[2])
    assert (changed.status, changed.recorded_by) == ("late", director)
    assert set(Attendance.objects.exclude(pk=changed.pk).values_list("recorded_by", flat=True)) == {trainer.pk}
    response = client.get(register_url(session))
    taken = formats.date_format(timezone.localtime(session.register_taken_at), "SHORT_DATETIME_FORMAT")
    last = formats.date_format(timezone.localtime(changed.recorded_at), "SHORT_DATETIME_FORMAT")
    assertContains(response, f"Taken by Drita Berisha at {taken}; last changed by Vjosa Director at {last}.")
    assertContains(response, f"Changed by Vjosa Director at {last}", count=1)


def test_errors_are_shown_per_person_and_nothing_is_saved(client, session, trainer):
    a, b, c = session.people
    client.force_login(trainer)
    data = register_data(
        session, **{f"status_{a.pk}": "excused", f"status_{b.pk}": "absent", f"reason_{b.pk}": "other", f"note_{b.pk}": " "}
    )

    response = client.post(register_url(session), data)

    assert response.status_code == 200
    assert [(row.pk, row.errors) for row in response.context["rows"]] == [
        (a.pk, ["An excused absence needs a reason."]),
        (b.pk, ["Describe the reason when choosing “Other”."]),
        (c.pk, []),
    ]
    assertContains(response, "Nothing was saved: 2 people need attention.")
    assert Attendance.objects.count() == 0
    session.refresh_from_db()
    assert (session.status, session.register_taken_at) == ("scheduled", None)


def test_errors_through_htmx_come_back_in_the_fragment(client, session, trainer):
    a = session.people[0]
    client.force_login(trainer)

    response = client.post(register_url(session), register_data(session, **{f"status_{a.pk}": "maybe"}), **HX)

    assert response.status_code == 200
    assertTemplateUsed(response, "programs/trainer/_register_panel.html")
    assertContains(response, "Nothing was saved: 1 person needs attention.")
    assertContains(response, f'data-testid="errors-{a.pk}"')
    assertContains(response, "Choose present, late, absent or excused.")
    assert Attendance.objects.count() == 0


def test_a_person_enrolled_after_the_page_was_opened_must_be_marked_too(client, session, trainer):
    data = register_data(session)
    newcomer = EnrolmentFactory(cohort=session.cohort)
    client.force_login(trainer)

    response = client.post(register_url(session), data)

    assert [(row.pk, row.errors) for row in response.context["rows"] if row.errors] == [
        (newcomer.pk, ["Choose present, late, absent or excused."])
    ]
    assert Attendance.objects.count() == 0


# ---------------------------------------------------------------- the seven-day window


def test_the_trainer_may_still_save_on_the_seventh_day_after_the_session(client, cohort, trainer, today):
    session = SessionFactory(cohort=cohort, date=today - dt.timedelta(days=7))
    session.people = [EnrolmentFactory(cohort=cohort)]
    client.force_login(trainer)

    response = client.post(register_url(session), register_data(session))

    assert response.status_code == 302
    assert Attendance.objects.count() == 1


def test_on_the_eighth_day_the_trainer_sees_a_read_only_register_and_cannot_save(client, cohort, trainer, today):
    session = SessionFactory(cohort=cohort, date=today - dt.timedelta(days=8))
    person = EnrolmentFactory(cohort=cohort, inmate=InmateFactory(current_facility=cohort.facility, first_name="Arta", last_name="Gashi"))
    AttendanceFactory(session=session, enrolment=person, status="absent", reason="sick")
    session.people = [person]
    deadline = formats.date_format(today - dt.timedelta(days=1), "DATE_FORMAT")
    message = (
        f"Trainers can change a register for 7 days after the session (until {deadline}). "
        "Ask the facility director to change it."
    )
    client.force_login(trainer)

    page = client.get(register_url(session))
    response = client.post(register_url(session), register_data(session))

    assertContains(page, f'<div class="alert alert-secondary" role="status" data-testid="register-locked">{message}</div>', html=False)
    assertNotContains(page, 'name="status_')
    assertContains(page, "Sick")
    assert response.status_code == 403
    assertContains(response, message, status_code=403)
    assert saved_rows() == [(person.pk, "absent", "sick", "")]


def test_on_the_eighth_day_the_director_may_still_change_the_register(client, cohort, today):
    session = SessionFactory(cohort=cohort, date=today - dt.timedelta(days=8))
    person = EnrolmentFactory(cohort=cohort)
    AttendanceFactory(session=session, enrolment=person, status="absent", reason="sick")
    session.people = [person]
    director = make_director(cohort.facility)
    client.force_login(director)

    response = client.post(register_url(session), register_data(session), **HX)

    assert response.status_code == 200
    assertContains(response, "Register saved: 1 present, 0 late, 0 absent, 0 excused.")
    assert saved_rows() == [(person.pk, "present", "", "")]
    assert Attendance.objects.get().recorded_by == director


def test_htmx_refusal_on_the_eighth_day_comes_back_as_a_fragment(client, cohort, trainer, today):
    session = SessionFactory(cohort=cohort, date=today - dt.timedelta(days=8))
    session.people = [EnrolmentFactory(cohort=cohort)]
    client.force_login(trainer)

    response = client.post(register_url(session), register_data(session), **HX)

    assert response.status_code == 200
    assertContains(response, 'data-testid="register-locked"')
    assert Attendance.objects.count() == 0


def test_an_online_session_card_says_who_joins_from_which_city(client):
    from programs.models import Cohort, SessionTrainer

    cohort = running_cohort(delivery_mode=Cohort.DeliveryMode.ONLINE, meeting_link="https://meet.example.org/anger")
    user = make_trainer(cohort, first_name="Marija", last_name="Nikolić")
    colleague = StaffMemberFactory(first_name="Jovan", last_name="Ilić")
    cohort.trainers.add(colleague)
    session = SessionFactory(cohort=cohort, date=timezone.localdate())
    SessionTrainer.objects.create(session=session, staff_member=user.staff_member, joins_from="Niš")
    SessionTrainer.objects.create(session=session, staff_member=colleague, joins_from="Novi Sad", is_remote=True)
    client.force_login(user)

    page = client.get(reverse("programs:today")).content.decode()

    assert "Trainers joining from: Jovan Ilić (Novi Sad, remote), Marija Nikolić (Niš)" in " ".join(page.split())
