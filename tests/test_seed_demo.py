import re
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from inmates.models import CustodyEvent, Inmate
from programs.models import Attendance, Cohort, Course, Enrolment, EnrolmentStatusChange, Session, WeeklySlot
from rehab.models import Facility, Organisation, PublicHoliday, RoleAssignment, Room, StaffMember

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

User = get_user_model()

MODELS = [
    Organisation,
    Facility,
    Room,
    PublicHoliday,
    StaffMember,
    User,
    RoleAssignment,
    Inmate,
    CustodyEvent,
    Course,
    Cohort,
    WeeklySlot,
    Session,
    Enrolment,
    EnrolmentStatusChange,
    Attendance,
    LogEntry,
]

DEMO_USERS = {
    # username: (role, facility code, organisation short name, country)
    "admin": ("system_administrator", None, None, ""),
    "director": ("director", "lipjan", None, ""),
    "trainer": ("trainer", None, "VTC Prizren", ""),
    "registrar": ("registrar", None, "VTC Prizren", ""),
    "casemanager": ("case_manager", "lipjan", None, ""),
    "probation": ("probation_officer", None, "KPS", ""),
    "officer": ("programme_officer", None, None, "XK"),
    "donor": ("donor", None, "EU/CoE", ""),
}



@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    # seed_demo renders certificate PDFs; keep them out of the project's var/.
    settings.PRIVATE_MEDIA_ROOT = tmp_path


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", force=True, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def enrolments(cohort_name: str, **filters) -> int:
    return Enrolment.objects.filter(cohort__name=cohort_name, **filters).count()


def test_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=StringIO())

    assert Organisation.objects.count() == 0


def test_seeds_the_people_and_groups_of_the_seed_articles():
    output = seed()

    assert {
        name: model.objects.count()
        for name, model in [
            ("organisations", Organisation),
            ("facilities", Facility),
            ("rooms", Room),
            ("staff", StaffMember),
            ("inmates", Inmate),
            ("courses", Course),
            ("cohorts", Cohort),
            ("enrolments", Enrolment),
        ]
    } == {
        "organisations": 9,
        "facilities": 4,
        "rooms": 4,
        "staff": 32,
        "inmates": 82,
        "courses": 4,
        "cohorts": 9,
        "enrolments": 54,
    }
    assert "Enrolments" in output and "54" in output
    lipjan = Facility.objects.get(code="lipjan")
    assert (lipjan.kind, lipjan.city, lipjan.prison_service.name) == ("women", "Lipjan", "Kosovo Correctional Service")
    # About 40 women, one of them transferred to Dubrava ten days ago (the demo's custody movement).
    assert Inmate.objects.filter(current_facility=lipjan, gender="F", status="in_custody").count() == 39
    assert Inmate.objects.filter(current_facility__code="dubrava", registration_number="LIP-0008").count() == 1
    assert Inmate.objects.filter(current_facility=lipjan).exclude(gender="F").count() == 0
    assert Inmate.objects.filter(current_facility__code="kpz-nis", gender="M").count() == 20
    assert Inmate.objects.filter(first_name="Јелена", last_name="Петровић", current_facility=lipjan).exists()
    assert Inmate.objects.filter(status="released", current_facility=None).count() == 2

    # Eight women in filigree, in groups of at most five, on Mondays and Thursdays with three coaches from Prizren.
    assert enrolments("Filigree – group A", status="enrolled") == enrolments("Filigree – group A") == 5
    assert enrolments("Filigree – group B", status="enrolled") == 2
    assert enrolments("Filigree – group B", status="transferred") == 1
    assert enrolments("Filigree – group B") == 3
    for name in ("Filigree – group A", "Filigree – group B"):
        cohort = Cohort.objects.get(name=name)
        assert sorted(cohort.weekly_slots.values_list("weekday", flat=True)) == [0, 3]
        assert cohort.room.capacity == 5
        assert sorted(cohort.trainers.values_list("home_city", "organisation__short_name")) == [
            ("Prizren", "VTC Prizren")
        ] * 3
        assert cohort.trainers.filter(first_name="Bashkim", last_name="Tejeci", user__username="trainer").exists()
    assert enrolments("IT basics – group 2", status="enrolled") == 5
    assert enrolments("IT basics – group 2", status="waitlisted") == 2

    # Seven prisoners and four prison employees online with trainers in three cities.
    workshop = Cohort.objects.get(name="Anger management – online workshop")
    assert (workshop.facility.code, workshop.delivery_mode, workshop.meeting_link, workshop.capacity) == (
        "kpz-nis",
        "online",
        "https://meet.example.org/nis-anger",
        12,
    )
    assert (workshop.course.kind, workshop.course.audience) == ("psychosocial", "mixed")
    assert enrolments(workshop.name, inmate__isnull=False) == 7
    assert enrolments(workshop.name, staff_member__isnull=False) == 4
    assert sorted(workshop.trainers.values_list("home_city", flat=True)) == ["Belgrade", "Niš", "Novi Sad"]

    # Registers were taken, but not for every past session: the director has something to chase.
    today = timezone.localdate()
    running = Session.objects.filter(cohort__end_date__gte=today, date__lt=today)
    assert running.filter(status="held").exists()
    assert running.filter(status="scheduled", register_taken_at=None).exists()
    assert Session.objects.filter(status="cancelled").exclude(cancellation_reason="").exists()


def test_demo_users_log_in_with_the_demo_password_and_have_one_role_each():
    seed()

    users = User.objects.filter(username__in=DEMO_USERS)
    assert sorted(users.values_list("username", flat=True)) == sorted(DEMO_USERS)
    for user in users:
        assert user.check_password("rehab-demo"), user.username
        assert user.first_name and user.last_name, user.username
    roles = {
        ra.user.username: (ra.role, ra.facility and ra.facility.code, ra.organisation and ra.organisation.short_name, ra.country)
        for ra in RoleAssignment.objects.select_related("user", "facility", "organisation")
    }
    assert roles == DEMO_USERS
    admin = User.objects.get(username="admin")
    assert (admin.is_superuser, admin.is_staff) == (True, True)
    assert not User.objects.filter(username__in=set(DEMO_USERS) - {"admin"}, is_staff=True).exists()
    assert User.objects.get(username="trainer").staff_member.full_name == "Bashkim Tejeci"


def test_finished_cohorts_have_a_complete_register_and_final_results():
    seed()

    finished = Cohort.objects.filter(end_date__lt=timezone.localdate())
    assert sorted(finished.values_list("name", flat=True)) == [
        "Anger management – first workshop",
        "Anger management – online workshop",
        "Filigree – first group",
        "IT basics – group 1",
        "Occupational therapy – cascade training",
        "Occupational therapy – training of trainers",
    ]
    for cohort in finished:
        people = set(cohort.enrolments.values_list("pk", flat=True))
        held = cohort.sessions.filter(status="held")
        assert held.exists(), cohort.name
        assert not cohort.sessions.filter(status="scheduled").exists(), cohort.name
        for session in held:
            assert set(session.attendance.values_list("enrolment_id", flat=True)) == people, session
        assert Attendance.objects.filter(session__cohort=cohort).count() == held.count() * len(people)
        assert not Attendance.objects.filter(session__cohort=cohort, session__status="cancelled").exists()
        assert set(cohort.enrolments.values_list("status", flat=True)) == {"completed"}
        assert not cohort.enrolments.filter(final_result="").exists()
    results = set(Enrolment.objects.filter(cohort__in=finished).values_list("final_result", flat=True))
    assert results == {"passed", "not_passed"}


def test_running_it_twice_changes_nothing():
    seed()
    first = counts()

    seed()

    assert counts() == first


def test_the_demo_issues_and_renders_certificates_for_finished_cohorts_once():
    from certificates.models import Certificate

    seed()
    first = list(Certificate.objects.order_by("serial").values_list("serial", "status", "enrolment__cohort__name"))
    seed()

    assert list(Certificate.objects.order_by("serial").values_list("serial", "status", "enrolment__cohort__name")) == first
    cohorts = {name for _serial, _status, name in first}
    assert cohorts == {"Filigree – first group", "IT basics – group 1"}
    assert {status for _serial, status, _name in first} == {"ready"}
    assert all(re.fullmatch(r"VTC-PZ-\d{4}-\d{6}", serial) for serial, _status, _name in first)
    assert len(first) == 7
