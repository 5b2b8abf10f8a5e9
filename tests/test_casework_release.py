"""The pre-release checklist: when it opens, its due dates, idempotence; Upcoming releases with readiness."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from inmates.casework_selectors import add_months
from inmates.models import ReleaseTask
from inmates.release import release_checklist_open, release_checklist_start
from inmates.support import referral_create
from rehab.models import Role
from tests.factories import FacilityFactory, InmateFactory, StaffMemberFactory
from tests.factories_casework import ProbationServiceFactory, ReleaseTaskFactory
from tests.factories_dashboard import director_of, user_with_role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def six_months(settings):
    settings.PRE_RELEASE_MONTHS = 6


@pytest.fixture
def facility():
    return FacilityFactory(name="Lipjan")


def _due_dates(inmate) -> dict[str, dt.date]:
    return dict(inmate.release_tasks.values_list("kind", "due_date"))


def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)
    assert add_months(dt.date(2027, 6, 15), -6) == dt.date(2026, 12, 15)


def test_the_checklist_opens_six_months_before_release_with_exact_due_dates(facility):
    inmate = InmateFactory(current_facility=facility, expected_release_date=dt.date(2027, 6, 15))

    before = release_checklist_open(inmate=inmate, today=dt.date(2026, 12, 14))
    opened = release_checklist_open(inmate=inmate, today=dt.date(2026, 12, 15))
    again = release_checklist_open(inmate=inmate, today=dt.date(2026, 12, 20))

    assert release_checklist_start(inmate=inmate) == dt.date(2026, 12, 15)
    assert (before, opened, again) == (0, 5, 0)
    assert _due_dates(inmate) == {
        "identity_documents": dt.date(2027, 3, 15),
        "accommodation": dt.date(2027, 4, 15),
        "family_contact": dt.date(2027, 4, 15),
        "employment": dt.date(2027, 5, 15),
        "probation_referral": dt.date(2027, 5, 15),
    }
    assert set(inmate.release_tasks.values_list("status", flat=True)) == {ReleaseTask.Status.OPEN}


def test_the_window_follows_the_setting(facility, settings):
    settings.PRE_RELEASE_MONTHS = 2
    inmate = InmateFactory(current_facility=facility, expected_release_date=dt.date(2027, 6, 15))

    assert release_checklist_open(inmate=inmate, today=dt.date(2027, 4, 14)) == 0
    assert release_checklist_open(inmate=inmate, today=dt.date(2027, 4, 15)) == 5
    # Tasks normally due earlier than the window are due the day the checklist opens.
    assert _due_dates(inmate)["identity_documents"] == dt.date(2027, 4, 15)
    assert _due_dates(inmate)["employment"] == dt.date(2027, 5, 15)


def test_a_checklist_opened_late_is_never_due_in_the_past(facility):
    inmate = InmateFactory(current_facility=facility, expected_release_date=dt.date(2027, 6, 15))

    release_checklist_open(inmate=inmate, today=dt.date(2027, 4, 1))

    assert _due_dates(inmate)["identity_documents"] == dt.date(2027, 4, 1)
    assert _due_dates(inmate)["accommodation"] == dt.date(2027, 4, 15)


def test_no_checklist_without_a_release_date_or_after_release(facility):
    undated = InmateFactory(current_facility=facility, expected_release_date=None)
    released = InmateFactory(current_facility=facility, expected_release_date=dt.date(2027, 1, 1))
    released.status, released.current_facility = "released", None
    released.save()

    assert release_checklist_open(inmate=undated, today=dt.date(2026, 12, 1)) == 0
    assert release_checklist_open(inmate=released, today=dt.date(2026, 12, 1)) == 0


def test_the_management_command_opens_every_checklist_in_the_window(facility):
    due = InmateFactory(current_facility=facility, expected_release_date=TODAY() + dt.timedelta(days=60))
    later = InmateFactory(current_facility=facility, expected_release_date=TODAY() + dt.timedelta(days=400))
    out = StringIO()

    call_command("open_release_checklists", stdout=out)
    call_command("open_release_checklists", stdout=out)

    assert (due.release_tasks.count(), later.release_tasks.count()) == (5, 0)
    assert out.getvalue().splitlines()[0].startswith("5 release tasks created")
    assert out.getvalue().splitlines()[1].startswith("0 release tasks created")


def test_a_referral_to_the_probation_service_completes_its_task(facility):
    inmate = InmateFactory(current_facility=facility, expected_release_date=TODAY() + dt.timedelta(days=60))
    release_checklist_open(inmate=inmate, today=TODAY())

    referral_create(inmate=inmate, organisation=ProbationServiceFactory(), referred_on=TODAY())

    task = inmate.release_tasks.get(kind=ReleaseTask.Kind.PROBATION_REFERRAL)
    assert (task.status, task.completed_on) == (ReleaseTask.Status.DONE, TODAY())


def test_editing_a_task_sets_owner_due_date_and_completion(client, facility):
    task = ReleaseTaskFactory(inmate=InmateFactory(current_facility=facility), owner=None)
    owner = StaffMemberFactory(organisation=facility.prison_service)
    client.force_login(user_with_role(Role.CASE_MANAGER, facility=facility))

    response = client.post(reverse("programs:release_task_edit", args=[task.pk]),
                           {"owner": owner.pk, "due_date": "2027-02-01", "status": "done", "note": "ID card issued"})

    task.refresh_from_db()
    assert response.status_code == 302
    assert (task.owner, task.due_date, task.status, task.completed_on, task.note) == (
        owner, dt.date(2027, 2, 1), "done", TODAY(), "ID card issued"
    )


def test_the_release_page_opens_the_checklist_and_hides_other_facilities(client, facility):
    inmate = InmateFactory(current_facility=facility, expected_release_date=TODAY() + dt.timedelta(days=60))
    client.force_login(user_with_role(Role.CASE_MANAGER, facility=facility))

    response = client.get(reverse("programs:release_checklist", args=[inmate.pk]))
    client.force_login(user_with_role(Role.CASE_MANAGER, facility=FacilityFactory()))
    hidden = client.get(reverse("programs:release_checklist", args=[inmate.pk]))

    assert response.status_code == 200
    assert len(response.context["tasks"]) == 5
    assert hidden.status_code == 404


# ---------------------------------------------------------------- upcoming releases


def test_upcoming_releases_lists_people_of_my_facilities_with_readiness_and_overdue(client, facility):
    soon = InmateFactory(current_facility=facility, last_name="Soon", expected_release_date=TODAY() + dt.timedelta(days=40))
    later = InmateFactory(current_facility=facility, last_name="Later",
                          expected_release_date=TODAY() + dt.timedelta(days=150))
    InmateFactory(current_facility=facility, expected_release_date=TODAY() + dt.timedelta(days=400))
    InmateFactory(current_facility=FacilityFactory(), expected_release_date=TODAY() + dt.timedelta(days=40))
    release_checklist_open(inmate=soon, today=TODAY())
    soon.release_tasks.filter(kind__in=["identity_documents", "accommodation"]).update(status="done")
    soon.release_tasks.filter(kind="employment").update(due_date=TODAY() - dt.timedelta(days=1))
    client.force_login(director_of(facility))

    response = client.get(reverse("programs:upcoming_releases"))

    rows = [(p.last_name, p.tasks_done, p.tasks_total, p.tasks_overdue) for p in response.context["people"]]
    assert rows == [("Soon", 2, 5, 1), ("Later", 0, 5, 0)]
    assert later.release_tasks.count() == 5
    assert 'class="table-danger"' in response.content.decode()


def test_upcoming_releases_over_more_months_shows_checklists_not_open_yet(client, facility):
    InmateFactory(current_facility=facility, expected_release_date=TODAY() + dt.timedelta(days=300))
    client.force_login(director_of(facility))

    response = client.get(reverse("programs:upcoming_releases"), {"months": 12})

    assert [(p.tasks_total) for p in response.context["people"]] == [0]
    assert "Checklist not open yet" in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_upcoming_releases_takes_a_constant_number_of_queries(client, facility, count, django_assert_num_queries):
    for _ in range(count):
        inmate = InmateFactory(current_facility=facility, expected_release_date=TODAY() + dt.timedelta(days=40))
        release_checklist_open(inmate=inmate, today=TODAY())
    client.force_login(director_of(facility))

    with django_assert_num_queries(7):
        response = client.get(reverse("programs:upcoming_releases"))

    assert len(response.context["people"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_the_release_page_takes_a_constant_number_of_queries(client, facility, count, django_assert_num_queries):
    inmate = InmateFactory(current_facility=facility, expected_release_date=TODAY() + dt.timedelta(days=60))
    release_checklist_open(inmate=inmate, today=TODAY())
    for index in range(count):
        referral_create(inmate=inmate, organisation=ProbationServiceFactory(name=f"Probation {index}"),
                        referred_on=TODAY())
    client.force_login(user_with_role(Role.CASE_MANAGER, facility=facility))

    with django_assert_num_queries(7):
        response = client.get(reverse("programs:release_checklist", args=[inmate.pk]))

    assert (len(response.context["tasks"]), len(response.context["referrals"])) == (5, count)
