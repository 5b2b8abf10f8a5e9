"""Cancelling one session, and a facility's sessions during a lockdown: services and views."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from programs.models import Attendance, Session
from programs.services.cancellation import facility_cancel_sessions, facility_cancellation_preview, session_cancel
from rehab.models import Country, Role
from tests.factories import CohortFactory, FacilityFactory, RoleAssignmentFactory, SessionFactory, UserFactory
from tests.factories_trainer import AttendanceFactory, make_director, make_trainer, make_user_with_role

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


def statuses(*sessions):
    return [Session.objects.values_list("status", "cancellation_reason").get(pk=s.pk) for s in sessions]


# ---------------------------------------------------------------- one session


def test_a_session_is_cancelled_with_its_reason():
    session = SessionFactory(date=DAY)

    session_cancel(session=session, reason="  Trainer ill ", by=UserFactory())

    assert statuses(session) == [("cancelled", "Trainer ill")]


def test_a_session_needs_a_reason_to_be_cancelled():
    session = SessionFactory(date=DAY)

    with pytest.raises(ValidationError) as excinfo:
        session_cancel(session=session, reason="   ", by=None)

    assert excinfo.value.message_dict == {"reason": ["Give a reason for the cancellation."]}
    assert statuses(session) == [("scheduled", "")]


def test_a_session_whose_register_is_taken_cannot_be_cancelled():
    session = SessionFactory(date=DAY)
    AttendanceFactory(session=session)

    with pytest.raises(ValidationError) as excinfo:
        session_cancel(session=session, reason="Lockdown", by=None)

    assert excinfo.value.messages == [
        "The register for this session is already taken, so it took place and cannot be cancelled."
    ]
    assert statuses(session) == [("scheduled", "")]


def test_a_cancelled_session_is_not_cancelled_twice():
    session = SessionFactory(date=DAY, status=Session.Status.CANCELLED, cancellation_reason="Holiday")

    with pytest.raises(ValidationError) as excinfo:
        session_cancel(session=session, reason="Lockdown", by=None)

    assert excinfo.value.code == "already_cancelled"
    assert statuses(session) == [("cancelled", "Holiday")]


# ---------------------------------------------------------------- a lockdown


@pytest.fixture
def lockdown():
    """A facility with two groups and sessions around a 2-13 March lockdown, and a neighbouring prison."""
    facility = FacilityFactory(name="Lipjan")
    a = CohortFactory(facility=facility, name="A filigree")
    b = CohortFactory(facility=facility, name="B IT")
    taken = SessionFactory(cohort=a, date=DAY)
    AttendanceFactory(session=taken, status="present")
    Session.objects.filter(pk=taken.pk).update(status=Session.Status.HELD, register_taken_at=timezone.now())
    return {
        "facility": facility,
        "a": a,
        "b": b,
        "taken": taken,
        "to_cancel": [
            SessionFactory(cohort=a, date=dt.date(2026, 3, 5)),
            SessionFactory(cohort=a, date=dt.date(2026, 3, 9)),
            SessionFactory(cohort=a, date=dt.date(2026, 3, 12)),
            SessionFactory(cohort=b, date=dt.date(2026, 3, 3)),
            SessionFactory(cohort=b, date=dt.date(2026, 3, 13)),
        ],
        "already": SessionFactory(cohort=b, date=dt.date(2026, 3, 10), status="cancelled", cancellation_reason="Holiday"),
        "after": SessionFactory(cohort=a, date=dt.date(2026, 3, 16)),
        "elsewhere": SessionFactory(cohort=CohortFactory(), date=dt.date(2026, 3, 5)),
    }


def test_a_lockdown_cancels_every_session_in_the_range_except_those_with_a_register(lockdown):
    result = facility_cancel_sessions(
        facility=lockdown["facility"], start=DAY, end=dt.date(2026, 3, 13), reason="Lockdown", by=UserFactory()
    )

    assert sorted(s.pk for s in result.cancelled) == sorted(s.pk for s in lockdown["to_cancel"])
    assert [s.pk for s in result.skipped] == [lockdown["taken"].pk]
    assert [(cohort.name, n) for cohort, n in result.cancelled_by_cohort()] == [("A filigree", 3), ("B IT", 2)]
    assert statuses(*lockdown["to_cancel"]) == [("cancelled", "Lockdown")] * 5
    assert statuses(lockdown["taken"], lockdown["already"], lockdown["after"], lockdown["elsewhere"]) == [
        ("held", ""),
        ("cancelled", "Holiday"),
        ("scheduled", ""),
        ("scheduled", ""),
    ]
    assert list(Attendance.objects.values_list("session_id", "status")) == [(lockdown["taken"].pk, "present")]


def test_running_the_lockdown_again_cancels_nothing_more(lockdown):
    args = {"facility": lockdown["facility"], "start": DAY, "end": dt.date(2026, 3, 13), "reason": "Lockdown", "by": None}
    facility_cancel_sessions(**args)

    again = facility_cancel_sessions(**args)

    assert (len(again.cancelled), len(again.skipped)) == (0, 1)


def test_the_preview_counts_the_same_sessions_and_changes_nothing(lockdown):
    preview = facility_cancellation_preview(facility=lockdown["facility"], start=DAY, end=dt.date(2026, 3, 13))

    assert (len(preview.cancelled), len(preview.skipped)) == (5, 1)
    assert Session.objects.filter(status="cancelled").count() == 1


def test_a_lockdown_range_must_not_end_before_it_starts(lockdown):
    with pytest.raises(ValidationError) as excinfo:
        facility_cancel_sessions(facility=lockdown["facility"], start=DAY, end=DAY - dt.timedelta(days=1), reason="x", by=None)

    assert excinfo.value.message_dict == {"end": ["The end date must be on or after the start date."]}


# ---------------------------------------------------------------- views: one session


def test_the_trainer_cancels_a_session_and_goes_back_where_they_came_from(client):
    session = SessionFactory(date=DAY)
    client.force_login(make_trainer(session.cohort))
    url = reverse("programs:session_cancel", args=[session.pk])

    response = client.post(url, {"reason": "Trainer ill", "next": "/programs/today/"})

    assert response.status_code == 302
    assert response["Location"] == "/programs/today/"
    assert statuses(session) == [("cancelled", "Trainer ill")]


def test_cancelling_refuses_an_outside_next_address(client):
    session = SessionFactory(date=DAY)
    client.force_login(make_director(session.cohort.facility))

    response = client.post(reverse("programs:session_cancel", args=[session.pk]), {"reason": "Lockdown", "next": "https://evil.example/"})

    assert response["Location"] == "/programs/week/?start=2026-03-02"


def test_cancelling_a_session_with_a_register_is_refused_with_a_clear_message(client):
    session = SessionFactory(date=DAY)
    AttendanceFactory(session=session)
    client.force_login(make_trainer(session.cohort))
    url = reverse("programs:session_cancel", args=[session.pk])

    page = client.get(url)
    response = client.post(url, {"reason": "Lockdown"})

    message = "The register for this session is already taken, so it took place and cannot be cancelled."
    assertContains(page, message)
    assertNotContains(page, 'name="reason"')
    assert response.status_code == 200
    assertContains(response, message)
    assert statuses(session) == [("scheduled", "")]


def test_a_blank_reason_is_asked_for_again(client):
    session = SessionFactory(date=DAY)
    client.force_login(make_trainer(session.cohort))

    response = client.post(reverse("programs:session_cancel", args=[session.pk]), {"reason": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["Give a reason for the cancellation."]}
    assert statuses(session) == [("scheduled", "")]


# ---------------------------------------------------------------- views: a lockdown


def lockdown_roles(facility):
    return {
        "director of the facility": (lambda: make_director(facility), 200),
        "director of another facility": (lambda: make_director(FacilityFactory()), 404),
        "programme officer of the country": (
            lambda: RoleAssignmentFactory(role=Role.PROGRAMME_OFFICER, facility=None, country=Country.KOSOVO).user,
            200,
        ),
        "programme officer of another country": (
            lambda: RoleAssignmentFactory(role=Role.PROGRAMME_OFFICER, facility=None, country=Country.SERBIA).user,
            404,
        ),
        "system administrator": (lambda: make_user_with_role(Role.SYSTEM_ADMINISTRATOR), 200),
        "trainer": (lambda: make_trainer(CohortFactory(facility=facility)), 403),
        "registrar": (lambda: make_user_with_role(Role.REGISTRAR), 403),
        "donor": (lambda: make_user_with_role(Role.DONOR), 403),
    }


@pytest.mark.parametrize(
    "who",
    [
        "director of the facility",
        "director of another facility",
        "programme officer of the country",
        "programme officer of another country",
        "system administrator",
        "trainer",
        "registrar",
        "donor",
    ],
)
def test_the_lockdown_page_answers_each_role(client, who):
    facility = FacilityFactory()
    make_user, expected = lockdown_roles(facility)[who]
    client.force_login(make_user())

    response = client.get(reverse("programs:facility_cancel", args=[facility.pk]))

    assert response.status_code == expected


def test_the_lockdown_page_sends_visitors_to_log_in(client):
    url = reverse("programs:facility_cancel", args=[FacilityFactory().pk])

    response = client.get(url)

    assert response["Location"] == f"/accounts/login/?next={url}"


def test_the_lockdown_preview_lists_counts_per_group_and_the_sessions_kept(client, lockdown):
    client.force_login(make_director(lockdown["facility"]))
    url = reverse("programs:facility_cancel", args=[lockdown["facility"].pk])

    response = client.post(url, {"start": "2026-03-02", "end": "2026-03-13", "reason": "Lockdown"})

    assertContains(response, "5 sessions would be cancelled in 2 group(s).")
    assert [(c.name, n) for c, n in response.context["result"].cancelled_by_cohort()] == [("A filigree", 3), ("B IT", 2)]
    assertContains(response, "<td>A filigree</td>", html=False)
    assertContains(response, "Kept because the register is already taken")
    assertContains(response, 'name="confirm"')
    assertContains(response, "Cancel 5 sessions")
    assert Session.objects.filter(status="cancelled").count() == 1


def test_confirming_the_lockdown_cancels_and_reports_what_was_kept(client, lockdown):
    client.force_login(make_director(lockdown["facility"]))
    url = reverse("programs:facility_cancel", args=[lockdown["facility"].pk])

    response = client.post(url, {"start": "2026-03-02", "end": "2026-03-13", "reason": "Lockdown", "confirm": "1"})

    assertContains(response, "5 sessions cancelled in 2 group(s).")
    assert [s.pk for s in response.context["result"].skipped] == [lockdown["taken"].pk]
    assert Session.objects.filter(status="cancelled", cancellation_reason="Lockdown").count() == 5
    assert statuses(lockdown["taken"]) == [("held", "")]


def test_the_lockdown_form_refuses_a_range_that_ends_before_it_starts(client, lockdown):
    client.force_login(make_director(lockdown["facility"]))
    url = reverse("programs:facility_cancel", args=[lockdown["facility"].pk])

    response = client.post(url, {"start": "2026-03-13", "end": "2026-03-02", "reason": "Lockdown", "confirm": "1"})

    assert response.context["form"].errors == {"end": ["The end date must be on or after the start date."]}
    assert Session.objects.filter(status="cancelled").count() == 1
