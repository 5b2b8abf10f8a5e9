"""The inmate list (search in both scripts, filters), a person's record, scope and roles."""

import datetime as dt

import pytest
from django.urls import reverse

from inmates.models import CustodyEvent, Inmate
from programs.models import Attendance, Enrolment, Session
from rehab.models import Gender, Organisation, Role
from tests.factories import (
    CohortFactory,
    CourseFactory,
    EnrolmentFactory,
    FacilityFactory,
    InmateFactory,
    SessionFactory,
)
from tests.factories_dashboard import AttendanceFactory, CustodyEventFactory, director_of, user_with_role

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    # Sorted here: how the database orders Latin against Cyrillic depends on its collation.
    return sorted(inmate.full_name for inmate in response.context["page"])


@pytest.fixture
def people():
    facility = FacilityFactory(name="Niš")
    InmateFactory(current_facility=facility, first_name="Јована", last_name="Петровић", registration_number="NI-001")
    InmateFactory(current_facility=facility, first_name="Marko", last_name="Petrović", gender=Gender.MALE)
    InmateFactory(current_facility=facility, first_name="Ана", last_name="Љубић", status=Inmate.Status.RELEASED)
    enrolled = InmateFactory(current_facility=facility, first_name="Arta", last_name="Krasniqi")
    EnrolmentFactory(inmate=enrolled, cohort=CohortFactory(facility=facility))
    InmateFactory(first_name="Милан", last_name="Петровић")  # another facility
    return facility


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Arta Krasniqi", "Јована Петровић", "Marko Petrović", "Ана Љубић"]),
        ({"q": "Petrović"}, ["Јована Петровић", "Marko Petrović"]),
        ({"q": "Петровић"}, ["Јована Петровић", "Marko Petrović"]),
        ({"q": "jovana petrović"}, ["Јована Петровић"]),
        ({"q": "Ljubić"}, ["Ана Љубић"]),
        ({"q": "ni-001"}, ["Јована Петровић"]),
        ({"status": "released"}, ["Ана Љубић"]),
        ({"gender": "M"}, ["Marko Petrović"]),
        ({"in_programme": "true"}, ["Arta Krasniqi"]),
    ],
)
def test_inmate_search_and_filters(client, people, params, expected):
    client.force_login(director_of(people))

    response = client.get(reverse("inmates:list"), params)

    assert response.status_code == 200
    assert names(response) == sorted(expected)


def test_a_programme_officer_filters_by_facility(client, people):
    other = FacilityFactory(prison_service=people.prison_service, name="Požarevac")
    InmateFactory(current_facility=other, first_name="Petar", last_name="Petrović")
    client.force_login(user_with_role(Role.PROGRAMME_OFFICER, facility=None, organisation=people.prison_service))

    everyone = client.get(reverse("inmates:list"), {"q": "petrović"})
    one_facility = client.get(reverse("inmates:list"), {"q": "petrović", "facility": other.pk})

    assert names(everyone) == sorted(["Јована Петровић", "Marko Petrović", "Petar Petrović"])
    assert names(one_facility) == ["Petar Petrović"]


@pytest.mark.parametrize("count", [1, 3])
def test_the_inmate_list_takes_a_constant_number_of_queries(client, django_assert_num_queries, count):
    facility = FacilityFactory()
    for _ in range(count):
        EnrolmentFactory(inmate=InmateFactory(current_facility=facility), cohort=CohortFactory(facility=facility))
    client.force_login(director_of(facility))

    # session, user, role assignments, the page (fewer than a page: no count; one facility: no facility filter)
    with django_assert_num_queries(4):
        response = client.get(reverse("inmates:list"))

    assert [inmate.programmes for inmate in response.context["page"]] == [1] * count


@pytest.fixture
def arta():
    lipjan = FacilityFactory(name="Lipjan")
    prizren = FacilityFactory(name="Prizren", prison_service=lipjan.prison_service)
    person = InmateFactory(
        current_facility=lipjan,
        first_name="Arta",
        last_name="Krasniqi",
        registration_number="KCS-00042",
        admission_date=dt.date(2024, 1, 10),
        expected_release_date=dt.date(2028, 1, 10),
    )
    CustodyEventFactory(inmate=person, date=dt.date(2024, 1, 10), to_facility=prizren)
    CustodyEventFactory(
        inmate=person,
        kind=CustodyEvent.Kind.TRANSFER,
        date=dt.date(2025, 3, 1),
        from_facility=prizren,
        to_facility=lipjan,
    )
    filigree = CohortFactory(facility=lipjan, name="Filigree A", course=CourseFactory(title="Filigree"))
    enrolment = EnrolmentFactory(
        cohort=filigree, inmate=person, status=Enrolment.Status.COMPLETED, final_result=Enrolment.Result.PASSED
    )
    for day, status in [(2, "present"), (5, "late"), (9, "absent"), (12, "present")]:
        AttendanceFactory(
            session=SessionFactory(cohort=filigree, date=dt.date(2026, 3, day), status=Session.Status.HELD),
            enrolment=enrolment,
            status=status,
        )
    AttendanceFactory(
        session=SessionFactory(
            cohort=filigree, date=dt.date(2026, 3, 16), status="cancelled", cancellation_reason="Lockdown"
        ),
        enrolment=enrolment,
        status=Attendance.Status.ABSENT,
    )
    EnrolmentFactory(
        cohort=CohortFactory(facility=prizren, name="IT 2024", course=CourseFactory(title="Web")),
        inmate=person,
        status=Enrolment.Status.TRANSFERRED,
    )
    return person


def test_the_profile_shows_identity_custody_history_and_training(client, arta):
    client.force_login(director_of(arta.current_facility))

    response = client.get(reverse("inmates:detail", kwargs={"pk": arta.pk}))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<dd class="col-7" data-testid="custody-status">In custody</dd>' in page
    assert [
        (e.get_kind_display(), e.from_facility and e.from_facility.name, e.to_facility.name)
        for e in response.context["custody_events"]
    ] == [
        ("Admission", None, "Prizren"),
        ("Transfer", "Prizren", "Lipjan"),
    ]
    training = [
        (e.cohort.name, str(e.cohort.course), e.get_status_display(), rate, e.get_final_result_display())
        for e, rate in response.context["training"]
    ]
    assert sorted(training) == [
        ("Filigree A", "Filigree", "Completed", 75, "Passed"),
        ("IT 2024", "Web", "Transferred", None, ""),
    ]
    assert '<td class="text-end">75 %</td>' in page


def test_the_profile_shows_no_offences_and_risk_only_to_casework_roles(client, arta):
    # A programme officer reads the profile (training history) but not casework; the facility's director does
    # casework (issue 5) and so sees the risk-and-needs assessments. Nobody sees offences or sentences.
    country = arta.current_facility.prison_service.country
    client.force_login(user_with_role(Role.PROGRAMME_OFFICER, facility=None, country=country))
    officer_page = client.get(reverse("inmates:detail", kwargs={"pk": arta.pk})).content.decode().lower()
    client.force_login(director_of(arta.current_facility))
    director_page = client.get(reverse("inmates:detail", kwargs={"pk": arta.pk})).content.decode().lower()

    for word in ("offence", "sentence", "risk", "screening", "casework"):
        assert word not in officer_page
    for word in ("offence", "sentence"):
        assert word not in director_page
    assert "risk" in director_page
    assert "screening" in director_page


def test_a_director_of_another_facility_gets_404(client, arta):
    client.force_login(director_of(FacilityFactory()))

    assert client.get(reverse("inmates:detail", kwargs={"pk": arta.pk})).status_code == 404


@pytest.mark.parametrize("role", [Role.TRAINER, Role.REGISTRAR, Role.DONOR])
@pytest.mark.parametrize("name", ["inmates:list", "inmates:detail", "inmates:import"])
def test_trainers_registrars_and_donors_get_403(client, arta, role, name):
    organisation = Organisation.objects.create(name=f"Org {role}", kind=Organisation.Kind.NGO, country="XK")
    client.force_login(user_with_role(role, facility=None, organisation=organisation))
    url = reverse(name, kwargs={"pk": arta.pk} if name == "inmates:detail" else None)

    assert client.get(url).status_code == 403


def test_logged_out_visitors_are_sent_to_login(client, arta):
    url = reverse("inmates:detail", kwargs={"pk": arta.pk})

    response = client.get(url)

    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")
