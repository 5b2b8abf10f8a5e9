"""Retention: `anonymise_released` removes what identifies people released long ago and keeps the statistics."""

import datetime as dt
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from inmates.instruments import VEP_SCREENING, instruments_seed
from inmates.management.commands.anonymise_released import Command as AnonymiseCommand
from inmates.models import (
    Assessment,
    AssessmentInstrument,
    CustodyEvent,
    FollowUp,
    Inmate,
    PlanGoal,
    PlanReview,
    PlanStep,
    Referral,
    RehabilitationPlan,
    ReleaseTask,
)
from inmates.services import assessment_create
from programs.models import Attendance, Enrolment
from rehab.models import Gender, Role
from tests.factories import CohortFactory, EnrolmentFactory, FacilityFactory, InmateFactory, SessionFactory
from tests.factories_casework import (
    FollowUpFactory,
    PlanGoalFactory,
    PlanReviewFactory,
    PlanStepFactory,
    ReferralFactory,
    RehabilitationPlanFactory,
    ReleaseTaskFactory,
    answers_for,
)
from tests.factories_dashboard import AttendanceFactory, user_with_role

pytestmark = pytest.mark.django_db

NAME = "Vjollca"
SURNAME = "Shala"
NUMBER = "LIP-7731"
NOTE = "Vjollca's sister in Ferizaj will take her in"


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


def released(facility, *, on: dt.date, note: str = "", **fields) -> Inmate:
    inmate = InmateFactory(
        current_facility=None, prison_service=facility.prison_service, status=Inmate.Status.RELEASED,
        admission_date=on - dt.timedelta(days=900), expected_release_date=on, **fields,
    )
    CustodyEvent.objects.create(inmate=inmate, kind=CustodyEvent.Kind.RELEASE, date=on, from_facility=facility,
                                note=note)
    return inmate


@pytest.fixture
def facility():
    return FacilityFactory(name="Lipjan")


@pytest.fixture
def old_case(facility):
    """Released three years ago, with casework and training full of free text."""
    instruments_seed()
    inmate = released(facility, on=years_ago(3), note=NOTE, first_name=NAME, last_name=SURNAME, registration_number=NUMBER,
                      date_of_birth=dt.date(1990, 5, 17), gender=Gender.FEMALE)
    case_manager = user_with_role(Role.CASE_MANAGER, facility=facility)
    vep = AssessmentInstrument.objects.get(code=VEP_SCREENING)
    assessment_create(inmate=inmate, instrument=vep, answers=answers_for(vep, default=1),
                      assessed_on=years_ago(4), by=case_manager, notes=NOTE)
    plan = RehabilitationPlanFactory(inmate=inmate, summary=NOTE, status=RehabilitationPlan.Status.CLOSED)
    goal = PlanGoalFactory(plan=plan, title=f"{NAME} finds a job in jewellery")
    PlanStepFactory(goal=goal, description=NOTE)
    PlanReviewFactory(plan=plan, notes=NOTE)
    ReleaseTaskFactory(inmate=inmate, note=NOTE, status=ReleaseTask.Status.DONE)
    FollowUpFactory(referral=ReferralFactory(inmate=inmate, note=NOTE), note=NOTE, employed=True)
    cohort = CohortFactory(facility=facility)
    enrolment = EnrolmentFactory(cohort=cohort, inmate=inmate, status=Enrolment.Status.COMPLETED, final_note=NOTE)
    AttendanceFactory(enrolment=enrolment, session=SessionFactory(cohort=cohort), status="absent", reason="other",
                      note=NOTE)
    return inmate


def statistics() -> dict:
    return {
        "people": list(Inmate.objects.values("gender", "status").annotate(n=Count("pk")).order_by("gender", "status")),
        "years of birth": sorted(Inmate.objects.values_list("date_of_birth__year", flat=True)),
        "enrolments": list(Enrolment.objects.values("status").annotate(n=Count("pk")).order_by("status")),
        "attendance": list(Attendance.objects.values("status").annotate(n=Count("pk")).order_by("status")),
        "levels": list(Assessment.objects.values("level", "total_score").order_by("pk")),
        "follow-ups": list(FollowUp.objects.values("employed", "month").order_by("pk")),
        "custody events": CustodyEvent.objects.count(),
    }


def test_people_released_long_ago_lose_every_name_and_note_and_the_statistics_stay(old_case, facility):
    recent = released(facility, on=years_ago(1), first_name="Drita", last_name="Gashi")
    in_custody = InmateFactory(current_facility=facility, first_name="Arta", last_name="Berisha")
    before = statistics()

    call_command("anonymise_released", stdout=StringIO())

    old_case.refresh_from_db()
    assert old_case.first_name == "Anonymised"
    assert old_case.registration_number.startswith("ANON-")
    assert old_case.last_name == old_case.registration_number
    assert old_case.date_of_birth == dt.date(1990, 1, 1)
    assert old_case.gender == Gender.FEMALE
    assert old_case.anonymised_on == timezone.localdate()
    assert statistics() == before
    assert Inmate.objects.get(pk=recent.pk).full_name == "Drita Gashi"
    assert Inmate.objects.get(pk=in_custody.pk).full_name == "Arta Berisha"
    # No name, number or note is left anywhere: records, free text or the audit trail.
    for text in (NAME, SURNAME, NUMBER, "Ferizaj"):
        assert not Inmate.objects.filter(Q(first_name__icontains=text) | Q(last_name__icontains=text)
                                         | Q(registration_number__icontains=text)).exists()
        assert not LogEntry.objects.filter(Q(object_repr__icontains=text) | Q(changes__icontains=text)).exists(), text
    texts = [
        *CustodyEvent.objects.filter(inmate=old_case).values_list("note", flat=True),
        *Assessment.objects.filter(inmate=old_case).values_list("notes", flat=True),
        *RehabilitationPlan.objects.filter(inmate=old_case).values_list("summary", flat=True),
        *PlanGoal.objects.filter(plan__inmate=old_case).values_list("title", flat=True),
        *PlanStep.objects.filter(goal__plan__inmate=old_case).values_list("description", flat=True),
        *PlanReview.objects.filter(plan__inmate=old_case).values_list("notes", flat=True),
        *ReleaseTask.objects.filter(inmate=old_case).values_list("note", flat=True),
        *Referral.objects.filter(inmate=old_case).values_list("note", flat=True),
        *FollowUp.objects.filter(referral__inmate=old_case).values_list("note", flat=True),
        *Enrolment.objects.filter(inmate=old_case).values_list("final_note", flat=True),
        *Attendance.objects.filter(enrolment__inmate=old_case).values_list("note", flat=True),
    ]
    assert texts == ["—"] * 11


def test_the_anonymisation_is_in_the_audit_trail_without_the_old_values(old_case):
    call_command("anonymise_released", stdout=StringIO())

    entry = LogEntry.objects.get_for_object(old_case).order_by("-pk").first()
    old_case.refresh_from_db()
    assert entry.additional_data == {"reason": "Retention: anonymised after release"}
    assert entry.changes_dict["first_name"] == ["[removed]", "Anonymised"]
    assert entry.changes_dict["registration_number"] == ["[removed]", old_case.registration_number]


def test_a_dry_run_says_what_would_change_and_changes_nothing(old_case):
    entries = LogEntry.objects.count()
    out = StringIO()

    call_command("anonymise_released", "--dry-run", stdout=out)

    old_case.refresh_from_db()
    assert (old_case.first_name, old_case.registration_number) == (NAME, NUMBER)
    assert old_case.anonymised_on is None
    assert LogEntry.objects.count() == entries
    assert CustodyEvent.objects.get(inmate=old_case).note == NOTE
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"Would anonymise #{old_case.pk} {NUMBER} (released {years_ago(3):%Y-%m-%d}): names,")
    assert lines[0].endswith("date of birth → 1 January, 11 free-text field(s), 1 audit entr(y/ies) of the person")
    assert lines[1].startswith("Dry run: 1 person(s) released before ")
    assert lines[1].endswith("would be anonymised. Nothing was changed.")


def test_years_widens_the_rule_and_a_second_run_changes_nothing(old_case, facility):
    recent = released(facility, on=years_ago(1, days=1), first_name="Drita", last_name="Gashi")

    call_command("anonymise_released", "--years", "1", stdout=StringIO())
    numbers = dict(Inmate.objects.values_list("pk", "registration_number"))
    out = StringIO()
    call_command("anonymise_released", "--years", "1", stdout=out)

    assert Inmate.objects.get(pk=recent.pk).first_name == "Anonymised"
    assert len({numbers[old_case.pk], numbers[recent.pk]}) == 2
    assert dict(Inmate.objects.values_list("pk", "registration_number")) == numbers
    assert "0 person(s) released before" in out.getvalue()


def test_the_help_says_certificates_are_left_alone():
    assert "Certificates are not touched" in AnonymiseCommand.help
