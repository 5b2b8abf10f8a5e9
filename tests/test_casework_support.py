"""Post-release support: referrals and follow-up dates, probation's view limited to its organisation, recording
follow-ups, and the outcomes report by programme completed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inmates.models import FollowUp
from inmates.support import referral_create
from programs.models import Enrolment
from rehab.models import Country, Organisation, Role
from tests.factories import CohortFactory, CourseFactory, EnrolmentFactory, FacilityFactory, InmateFactory
from tests.factories_casework import (
    PlanGoalFactory,
    ProbationServiceFactory,
    RehabilitationPlanFactory,
)
from tests.factories_dashboard import CustodyEventFactory, director_of, user_with_role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def facility():
    return FacilityFactory(name="Lipjan")


@pytest.fixture
def kps():
    return ProbationServiceFactory(name="Kosovo Probation Service")


@pytest.fixture
def officer(kps):
    return user_with_role(Role.PROBATION_OFFICER, facility=None, organisation=kps)


def released(facility, *, on: dt.date, **kwargs):
    inmate = InmateFactory(current_facility=facility, expected_release_date=on + dt.timedelta(days=5), **kwargs)
    CustodyEventFactory(inmate=inmate, kind="admission", date=dt.date(2024, 1, 10), to_facility=facility)
    CustodyEventFactory(inmate=inmate, kind="release", date=on, from_facility=facility, to_facility=None)
    inmate.status, inmate.current_facility = "released", None
    inmate.save()
    return inmate


def _ngo(name="Help"):
    return Organisation.objects.create(name=name, kind=Organisation.Kind.NGO, country=Country.KOSOVO)


# ---------------------------------------------------------------- referrals and follow-up dates


def test_a_referral_schedules_follow_ups_1_3_6_12_months_after_the_release(facility, kps):
    inmate = released(facility, on=dt.date(2026, 1, 31))

    referral = referral_create(inmate=inmate, organisation=kps, referred_on=dt.date(2026, 1, 20))

    assert list(referral.follow_ups.order_by("month").values_list("month", "due_on", "done_on")) == [
        (1, dt.date(2026, 2, 28), None),
        (3, dt.date(2026, 4, 30), None),
        (6, dt.date(2026, 7, 31), None),
        (12, dt.date(2027, 1, 31), None),
    ]


def test_a_person_still_in_custody_is_followed_up_from_the_expected_release(facility, kps):
    inmate = InmateFactory(current_facility=facility, expected_release_date=dt.date(2027, 3, 10))

    referral = referral_create(inmate=inmate, organisation=kps, referred_on=dt.date(2027, 1, 5))

    assert referral.follow_ups.get(month=1).due_on == dt.date(2027, 4, 10)


def test_referrals_only_to_probation_ministry_or_ngo_and_only_with_a_release_date(facility, kps):
    donor = Organisation.objects.create(name="Donor", kind=Organisation.Kind.DONOR, country=Country.KOSOVO)
    inmate = InmateFactory(current_facility=facility)
    undated = InmateFactory(current_facility=facility, expected_release_date=None)

    with pytest.raises(ValidationError) as wrong_kind:
        referral_create(inmate=inmate, organisation=donor, referred_on=TODAY())
    with pytest.raises(ValidationError) as no_date:
        referral_create(inmate=undated, organisation=kps, referred_on=TODAY())

    assert wrong_kind.value.code == "organisation" and no_date.value.code == "release_date"
    assert FollowUp.objects.count() == 0


def test_the_case_manager_refers_through_the_form(client, facility, kps):
    inmate = released(facility, on=TODAY() - dt.timedelta(days=10))
    client.force_login(user_with_role(Role.CASE_MANAGER, facility=facility))

    response = client.post(reverse("programs:referral_create", args=[inmate.pk]),
                           {"organisation": kps.pk, "referred_on": TODAY().isoformat(), "note": "Needs housing"})

    referral = inmate.referrals.get()
    assert response.status_code == 302
    assert (referral.organisation, referral.note, referral.follow_ups.count()) == (kps, "Needs housing", 4)


# ---------------------------------------------------------------- probation's view


def test_my_referrals_lists_only_my_organisations_referrals(client, facility, kps, officer):
    mine = released(facility, on=TODAY() - dt.timedelta(days=40), last_name="Mine")
    theirs = released(facility, on=TODAY() - dt.timedelta(days=40), last_name="Theirs")
    referral_create(inmate=mine, organisation=kps, referred_on=TODAY())
    referral_create(inmate=theirs, organisation=_ngo(), referred_on=TODAY())
    client.force_login(officer)

    response = client.get(reverse("programs:my_referrals"))

    assert [r.inmate.last_name for r in response.context["page"]] == ["Mine"]
    assert response.context["page"][0].next_due == mine.referrals.get().follow_ups.get(month=1).due_on


def test_probation_sees_names_release_and_follow_ups_but_no_plan_or_other_referral(client, facility, kps, officer):
    inmate = released(facility, on=dt.date(2026, 6, 30), first_name="Lirije")
    referral_create(inmate=inmate, organisation=kps, referred_on=dt.date(2026, 6, 20))
    referral_create(inmate=inmate, organisation=_ngo("Secret NGO"), referred_on=dt.date(2026, 6, 20))
    PlanGoalFactory(plan=RehabilitationPlanFactory(inmate=inmate), title="Confidential goal")
    client.force_login(officer)

    response = client.get(reverse("programs:support_detail", args=[inmate.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Lirije" in html and "Kosovo Probation Service" in html
    assert [r.organisation.name for r in response.context["referrals"]] == ["Kosovo Probation Service"]
    assert len(response.context["referrals"][0].follow_ups.all()) == 4
    assert "Secret NGO" not in html and "Confidential goal" not in html
    assert "Rehabilitation plan" not in html and "ssessment" not in html
    assert response.context["can_refer"] is False


def test_probation_gets_404_on_a_person_referred_elsewhere(client, facility, officer):
    inmate = released(facility, on=TODAY() - dt.timedelta(days=40))
    referral = referral_create(inmate=inmate, organisation=_ngo(), referred_on=TODAY())
    client.force_login(officer)

    page = client.get(reverse("programs:support_detail", args=[inmate.pk]))
    follow_up = client.get(reverse("programs:follow_up_record", args=[referral.follow_ups.get(month=1).pk]))

    assert (page.status_code, follow_up.status_code) == (404, 404)


@pytest.mark.parametrize("role", [Role.TRAINER, Role.DONOR, Role.REGISTRAR, Role.PROGRAMME_OFFICER])
def test_other_roles_get_403_on_support(client, facility, kps, role):
    inmate = released(facility, on=TODAY() - dt.timedelta(days=40))
    referral_create(inmate=inmate, organisation=kps, referred_on=TODAY())
    client.force_login(user_with_role(role, facility=facility))

    assert client.get(reverse("programs:support_detail", args=[inmate.pk])).status_code == 403
    assert client.get(reverse("programs:my_referrals")).status_code == 403


def test_probation_records_a_follow_up_with_outcomes(client, facility, kps, officer):
    inmate = released(facility, on=TODAY() - dt.timedelta(days=40))
    referral = referral_create(inmate=inmate, organisation=kps, referred_on=TODAY() - dt.timedelta(days=50))
    follow_up = referral.follow_ups.get(month=1)
    client.force_login(officer)

    response = client.post(reverse("programs:follow_up_record", args=[follow_up.pk]), {
        "done_on": (TODAY() - dt.timedelta(days=2)).isoformat(), "employed": "yes", "in_training": "no",
        "housed": "yes", "contact_kept": "yes", "returned_to_custody": "", "note": "Works in a filigree workshop",
    })

    follow_up.refresh_from_db()
    assert response.status_code == 302
    assert (follow_up.done_on, follow_up.employed, follow_up.in_training, follow_up.housed, follow_up.contact_kept,
            follow_up.returned_to_custody, follow_up.recorded_by) == (
        TODAY() - dt.timedelta(days=2), True, False, True, True, None, officer
    )


def test_a_follow_up_in_the_future_is_refused_and_nothing_saved(client, facility, kps, officer):
    inmate = released(facility, on=TODAY() - dt.timedelta(days=40))
    follow_up = referral_create(inmate=inmate, organisation=kps, referred_on=TODAY()).follow_ups.get(month=1)
    client.force_login(officer)

    response = client.post(reverse("programs:follow_up_record", args=[follow_up.pk]),
                           {"done_on": (TODAY() + dt.timedelta(days=1)).isoformat(), "employed": "yes"})

    follow_up.refresh_from_db()
    assert response.status_code == 200
    assert "future date" in response.content.decode()
    assert (follow_up.done_on, follow_up.employed) == (None, None)


@pytest.mark.parametrize("count", [1, 3])
def test_my_referrals_takes_a_constant_number_of_queries(client, facility, kps, officer, count,
                                                         django_assert_num_queries):
    for _ in range(count):
        referral_create(inmate=released(facility, on=TODAY() - dt.timedelta(days=40)), organisation=kps,
                        referred_on=TODAY())
    client.force_login(officer)

    with django_assert_num_queries(5):
        response = client.get(reverse("programs:my_referrals"))

    assert len(response.context["page"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_the_support_page_takes_a_constant_number_of_queries(client, facility, officer, count,
                                                              django_assert_num_queries):
    inmate = released(facility, on=TODAY() - dt.timedelta(days=40))
    for index in range(count):
        referral_create(inmate=inmate, organisation=ProbationServiceFactory(name=f"KPS {index}") if index else
                        officer.role_assignments.get().organisation, referred_on=TODAY())
    client.force_login(director_of(facility))

    with django_assert_num_queries(8):
        response = client.get(reverse("programs:support_detail", args=[inmate.pk]))

    assert len(response.context["referrals"]) == count


# ---------------------------------------------------------------- outcomes by programme completed


def _followed_up(facility, kps, course, *, month_outcomes: dict[int, dict]):
    inmate = released(facility, on=TODAY() - dt.timedelta(days=400))
    if course is not None:
        EnrolmentFactory(cohort=CohortFactory(course=course, facility=facility), inmate=inmate,
                         status=Enrolment.Status.COMPLETED)
    referral = referral_create(inmate=inmate, organisation=kps, referred_on=TODAY() - dt.timedelta(days=410))
    for month, outcomes in month_outcomes.items():
        FollowUp.objects.filter(referral=referral, month=month).update(done_on=TODAY() - dt.timedelta(days=1),
                                                                        **outcomes)
    return inmate


def test_outcomes_are_counted_by_course_completed_at_each_month(client, facility, kps):
    filigree, it = CourseFactory(title="Filigree"), CourseFactory(title="IT basics")
    _followed_up(facility, kps, filigree, month_outcomes={1: {"employed": True, "housed": True},
                                                           3: {"employed": True, "returned_to_custody": False}})
    _followed_up(facility, kps, filigree, month_outcomes={1: {"employed": False, "contact_kept": True}})
    _followed_up(facility, kps, it, month_outcomes={1: {"in_training": True}})
    _followed_up(facility, kps, None, month_outcomes={1: {"returned_to_custody": True}})
    _followed_up(FacilityFactory(), kps, filigree, month_outcomes={1: {"employed": True}})  # not my facility
    client.force_login(director_of(facility))

    response = client.get(reverse("programs:outcomes_report"))

    report = dict(response.context["report"])
    as_tuples = {m: [(r.label, r.people, *r.cells) for r in rows] for m, rows in report.items()}
    # columns: people, employed, in training, housed, contact kept, returned to custody
    assert as_tuples[1] == [
        ("Filigree", 2, 1, 0, 1, 1, 0),
        ("IT basics", 1, 0, 1, 0, 0, 0),
        ("No programme completed", 1, 0, 0, 0, 0, 1),
        ("Everyone followed up", 4, 1, 1, 1, 1, 1),
    ]
    assert as_tuples[3] == [
        ("Filigree", 1, 1, 0, 0, 0, 0),
        ("No programme completed", 0, 0, 0, 0, 0, 0),
        ("Everyone followed up", 1, 1, 0, 0, 0, 0),
    ]
    assert as_tuples[12] == [("No programme completed", 0, 0, 0, 0, 0, 0), ("Everyone followed up", 0, 0, 0, 0, 0, 0)]


def test_outcomes_report_is_for_managers_only(client, facility, officer):
    client.force_login(officer)
    assert client.get(reverse("programs:outcomes_report")).status_code == 403
    client.force_login(user_with_role(Role.CASE_MANAGER, facility=facility))
    assert client.get(reverse("programs:outcomes_report")).status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_the_outcomes_report_takes_a_constant_number_of_queries(client, facility, kps, count,
                                                                django_assert_num_queries):
    for _ in range(count):
        _followed_up(facility, kps, CourseFactory(), month_outcomes={1: {"employed": True}, 3: {"housed": True}})
    client.force_login(director_of(facility))

    with django_assert_num_queries(8):
        response = client.get(reverse("programs:outcomes_report"))

    assert dict(response.context["report"])[1][-1].people == count
