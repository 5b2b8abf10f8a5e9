"""Staff as participants: enrolling several staff members of different organisations in staff and mixed cohorts,
capacity, inmate-only screens without staff, a mixed cohort through to real certificate PDFs; online delivery
(trainers per city) and equipment needs against the facility's inventory."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from certificates.models import Certificate
from certificates.services import certificates_render, cohort_issue_certificates
from certificates.storage import private_storage
from programs.models import Course, Enrolment, EquipmentItem, SessionTrainer
from programs.services.delivery import (
    TrainerPlace,
    cohort_equipment_check,
    cohort_set_equipment_need,
    session_set_trainers,
)
from programs.services.enrolment import enrolment_create_staff
from rehab.models import Organisation, Role
from tests.factories import CohortFactory, EnrolmentFactory, InmateFactory, RoleAssignmentFactory, SessionFactory
from tests.factories_certificates import IssuerFactory, certified_cohort, finish, graduate
from tests.factories_cohorts import director_of
from tests.factories_staff import EquipmentItemFactory, mixed_cohort, staff_enrolment, staff_of

pytestmark = pytest.mark.django_db

ORG_KINDS = [
    Organisation.Kind.PRISON_SERVICE,
    Organisation.Kind.HEALTH,
    Organisation.Kind.PROBATION,
    Organisation.Kind.HEALTH,  # the forensic psychiatry institute
]


def test_four_employees_of_four_organisations_join_seven_prisoners_in_a_mixed_workshop():
    cohort = mixed_cohort(capacity=11)
    for _ in range(7):
        EnrolmentFactory(cohort=cohort)
    staff = [staff_of(kind) for kind in ORG_KINDS]

    enrolled = enrolment_create_staff(cohort=cohort, staff_members=staff, by=None)

    assert [e.staff_member for e in enrolled] == staff
    assert cohort.enrolments.filter(status=Enrolment.Status.ENROLLED, inmate__isnull=False).count() == 7
    assert cohort.enrolments.filter(status=Enrolment.Status.ENROLLED, staff_member__isnull=False).count() == 4
    assert all(e.history.get().to_status == Enrolment.Status.ENROLLED for e in enrolled)


def test_a_list_larger_than_the_free_places_enrols_nobody():
    cohort = mixed_cohort(capacity=3)
    EnrolmentFactory(cohort=cohort)
    staff = [staff_of(kind) for kind in ORG_KINDS[:3]]

    with pytest.raises(ValidationError) as error:
        enrolment_create_staff(cohort=cohort, staff_members=staff, by=None)

    assert error.value.messages == [f"Only 2 places are free in {cohort.name}; you chose 3 people."]
    assert cohort.enrolments.count() == 1


def test_an_inmates_only_course_refuses_staff():
    cohort = CohortFactory(capacity=5)

    with pytest.raises(ValidationError) as error:
        enrolment_create_staff(cohort=cohort, staff_members=[staff_of(Organisation.Kind.HEALTH)], by=None)

    assert error.value.code == "audience"
    assert cohort.enrolments.count() == 0


def test_the_director_enrols_staff_from_the_staff_page(client):
    cohort = mixed_cohort(capacity=5)
    nurse = staff_of(Organisation.Kind.HEALTH, first_name="Arbenita", last_name="Hajdari")
    officer = staff_of(Organisation.Kind.PROBATION, first_name="Shqipe", last_name="Hoxha")
    client.force_login(director_of(cohort.facility))
    url = reverse("programs:cohort_staff", args=[cohort.pk])

    response = client.post(url, {"staff_members": [nurse.pk, officer.pk]}, follow=True)

    assert response.status_code == 200
    assert list(cohort.enrolments.order_by("staff_member__last_name").values_list("staff_member__last_name", flat=True)) == [
        "Hajdari", "Hoxha",
    ]
    assert [e.staff_member.full_name for e in response.context["enrolments"]] == ["Arbenita Hajdari", "Shqipe Hoxha"]


def test_staff_of_a_mixed_cohort_never_show_on_the_inmate_list(client):
    cohort = mixed_cohort()
    EnrolmentFactory(cohort=cohort, inmate=InmateFactory(current_facility=cohort.facility, last_name="Krasniqi"))
    staff_enrolment(cohort, staff_of(Organisation.Kind.HEALTH, last_name="Zzstaffname"))
    client.force_login(director_of(cohort.facility))

    page = client.get(reverse("inmates:list")).content.decode()

    assert "Krasniqi" in page
    assert "Zzstaffname" not in page


@pytest.mark.parametrize("items", [1, 3])
def test_the_staff_list_makes_a_constant_number_of_queries(client, django_assert_num_queries, items):
    cohort = mixed_cohort()
    for kind in ORG_KINDS[:items]:
        staff_enrolment(cohort, staff_of(kind))
    client.force_login(director_of(cohort.facility))

    with django_assert_num_queries(5):
        response = client.get(reverse("programs:staff_list"))

    assert response.status_code == 200
    assert len(response.context["people"]) == items


def test_the_staff_record_is_hidden_outside_the_directors_cohorts(client):
    cohort = mixed_cohort()
    member = staff_enrolment(cohort).staff_member
    client.force_login(director_of(CohortFactory().facility))

    assert client.get(reverse("programs:staff_detail", args=[member.pk])).status_code == 404


# ---------------------------------------------------------------- mixed cohorts through to certificates


def test_a_staff_member_in_a_mixed_cohort_gets_a_real_certificate_like_the_prisoners(private_media):
    issuer = IssuerFactory(organisation__name="Centre for Human Rights Training")
    cohort, sessions = certified_cohort(issuer=issuer, sessions=4)
    Course.objects.filter(pk=cohort.course_id).update(audience=Course.Audience.MIXED, language="en")
    cohort.course.refresh_from_db()
    graduate(cohort, sessions, first_name="Marko", last_name="Jovanović")
    (enrolment,) = enrolment_create_staff(
        cohort=cohort, staff_members=[staff_of(Organisation.Kind.PRISON_SERVICE, first_name="Ivana", last_name="Cvetković")]
    )
    finish(enrolment, sessions, attended=4)

    batch = cohort_issue_certificates(cohort=cohort, by=None, today=dt.date(2026, 7, 1), enqueue=False)
    certificates_render(certificate_ids=list(batch.certificates.values_list("pk", flat=True)))

    staff_certificate = Certificate.objects.get(enrolment=enrolment)
    assert staff_certificate.status == Certificate.Status.READY
    assert Certificate.objects.filter(enrolment__cohort=cohort, status=Certificate.Status.READY).count() == 2
    with private_storage().open(staff_certificate.pdf.name, "rb") as handle:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert "Ivana Cvetković" in text


# ---------------------------------------------------------------- online delivery and equipment


def test_trainers_join_a_session_from_two_cities_and_the_next_sessions_follow():
    cohort = mixed_cohort(delivery_mode="online", meeting_link="https://meet.example.org/x")
    ana, stefan = staff_of(Organisation.Kind.NGO, home_city="Niš"), staff_of(Organisation.Kind.NGO, home_city="Belgrade")
    cohort.trainers.add(ana, stefan)
    first = SessionFactory(cohort=cohort, date=dt.date(2026, 3, 3))
    second = SessionFactory(cohort=cohort, date=dt.date(2026, 3, 4))

    written = session_set_trainers(
        session=first,
        places=[TrainerPlace(ana, "Niš", True), TrainerPlace(stefan, "Belgrade", True)],
        apply_to_upcoming=True,
    )

    assert written == 2
    assert sorted(SessionTrainer.objects.filter(session=second).values_list("joins_from", "is_remote")) == [
        ("Belgrade", True), ("Niš", True),
    ]


def test_only_the_cohorts_trainers_can_be_placed_and_a_remote_one_needs_a_city():
    cohort = mixed_cohort()
    trainer = staff_of(Organisation.Kind.NGO)
    cohort.trainers.add(trainer)
    session = SessionFactory(cohort=cohort)

    with pytest.raises(ValidationError):
        session_set_trainers(session=session, places=[TrainerPlace(staff_of(Organisation.Kind.NGO))])
    with pytest.raises(ValidationError):
        session_set_trainers(session=session, places=[TrainerPlace(trainer, "", True)])
    assert SessionTrainer.objects.count() == 0


def test_the_cohort_page_warns_when_the_facility_has_fewer_usable_tablets_than_needed(client):
    cohort = mixed_cohort()
    EquipmentItemFactory(facility=cohort.facility, quantity=5)
    EquipmentItemFactory(facility=cohort.facility, quantity=1, condition=EquipmentItem.Condition.GOOD)
    EquipmentItemFactory(facility=cohort.facility, quantity=4, condition=EquipmentItem.Condition.WRITTEN_OFF)
    EquipmentItemFactory(facility=cohort.facility, kind="laptop", quantity=2)
    cohort_set_equipment_need(cohort=cohort, kind="tablet", quantity=7)
    cohort_set_equipment_need(cohort=cohort, kind="laptop", quantity=1)
    client.force_login(director_of(cohort.facility))

    response = client.get(reverse("programs:cohort_delivery", args=[cohort.pk]))

    checks = {(c.kind, c.needed, c.available, c.short) for c in cohort_equipment_check(cohort=cohort)}
    assert checks == {("tablet", 7, 6, 1), ("laptop", 1, 2, 0)}
    assert response.content.decode().count('data-testid="equipment-warning"') == 1
    assert "Tablet: 7 needed, 6 usable in the facility." in response.content.decode()


def test_setting_a_need_to_zero_removes_it():
    cohort = mixed_cohort()
    cohort_set_equipment_need(cohort=cohort, kind="tablet", quantity=3)

    assert cohort_set_equipment_need(cohort=cohort, kind="tablet", quantity=0) is None
    assert cohort.equipment_needs.count() == 0


def test_a_registrar_cannot_open_the_staff_page(client):
    cohort = mixed_cohort()
    registrar = RoleAssignmentFactory(role=Role.REGISTRAR, facility=None, organisation=cohort.facility.prison_service).user
    client.force_login(registrar)

    assert client.get(reverse("programs:cohort_staff", args=[cohort.pk])).status_code == 403


DELIVERY_QUERIES = 13
SESSIONS_QUERIES = 8


@pytest.mark.parametrize("items", [1, 3])
def test_the_cohort_page_with_modules_peers_equipment_and_trainer_places_has_constant_queries(
    client, django_assert_num_queries, items
):
    from programs.services.peer_educators import peer_educator_assign
    from tests.factories_staff import CourseModuleFactory, held

    cohort = mixed_cohort(delivery_mode="online", meeting_link="https://meet.example.org/x", start_date=dt.date(2026, 3, 2))
    for n in range(items):
        module = CourseModuleFactory(course=cohort.course, order=n + 1)
        (session,) = held(cohort, 1, module=module, start=n)
        trainer = staff_of(Organisation.Kind.NGO, home_city=f"City {n}")
        cohort.trainers.add(trainer)
        SessionTrainer.objects.create(session=session, staff_member=trainer, joins_from=f"City {n}", is_remote=True)
        staff_enrolment(cohort)
        graduate_inmate = InmateFactory(current_facility=cohort.facility)
        EnrolmentFactory(cohort=CohortFactory(course=cohort.course, facility=cohort.facility), inmate=graduate_inmate,
                         status=Enrolment.Status.COMPLETED)
        peer_educator_assign(cohort=cohort, inmate=graduate_inmate)
        cohort_set_equipment_need(cohort=cohort, kind=EquipmentItem.Kind.values[n], quantity=2)
    client.force_login(director_of(cohort.facility))
    client.get(reverse("programs:cohort_delivery", args=[cohort.pk]))  # reads the reference data (rehab.refdata)

    # The peer educators' session counts are a query of their own, made only when there are peer educators.
    with django_assert_num_queries(DELIVERY_QUERIES):
        response = client.get(reverse("programs:cohort_delivery", args=[cohort.pk]))

    assert response.status_code == 200
    assert len(response.context["peer_educators"]) == len(response.context["module_progress"].rows) == items

    with django_assert_num_queries(SESSIONS_QUERIES):
        response = client.get(reverse("programs:cohort_sessions", args=[cohort.pk]))

    assert response.status_code == 200
    assert len(response.context["past_sessions"]) == items


def test_an_inmates_profile_shows_no_staff_member_of_their_mixed_cohort(client):
    cohort = mixed_cohort()
    inmate = InmateFactory(current_facility=cohort.facility)
    EnrolmentFactory(cohort=cohort, inmate=inmate)
    staff_enrolment(cohort, staff_of(Organisation.Kind.HEALTH, last_name="Zzstaffname"))
    client.force_login(director_of(cohort.facility))

    response = client.get(reverse("inmates:detail", args=[inmate.pk]))

    assert response.status_code == 200
    assert "Zzstaffname" not in response.content.decode()


def test_the_cohorts_own_trainers_and_donor_staff_are_not_offered_as_participants():
    from programs.staff_selectors import staff_enrol_candidates

    cohort = mixed_cohort()
    trainer = staff_of(Organisation.Kind.NGO)
    cohort.trainers.add(trainer)
    donor = staff_of(Organisation.Kind.DONOR)
    nurse = staff_of(Organisation.Kind.HEALTH)
    staff_enrolment(cohort)

    assert list(staff_enrol_candidates(cohort=cohort)) == [nurse]
    assert donor.pk != nurse.pk
