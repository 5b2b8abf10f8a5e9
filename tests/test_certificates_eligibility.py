"""Eligibility per enrolment: completed, attendance over held sessions (cancelled ones not counted), final
assessment where required; overrides need a reason and are recorded."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from certificates.models import EligibilityOverride
from certificates.selectors import cohort_eligibility, enrolment_attendance_rate, enrolment_eligibility
from certificates.services import eligibility_override_create
from programs.models import Enrolment
from tests.factories import CourseFactory, EnrolmentFactory, UserFactory
from tests.factories_certificates import IssuerFactory, certified_cohort, finish, graduate

pytestmark = pytest.mark.django_db


def test_a_completed_enrolment_with_enough_attendance_and_a_pass_is_eligible():
    cohort, sessions = certified_cohort(sessions=10)
    enrolment = graduate(cohort, sessions, first_name="Arta", last_name="Krasniqi", attended=8)

    row = enrolment_eligibility(enrolment=enrolment)

    assert row.eligible is True
    assert row.reasons == []
    assert row.attendance_rate == Decimal("80.0")
    assert (row.attended_sessions, row.held_sessions) == (8, 10)


def test_cancelled_sessions_do_not_count_and_late_counts_as_attended():
    cohort, sessions = certified_cohort(sessions=5, cancelled=3)
    enrolment = graduate(cohort, sessions, first_name="Drita", last_name="Gashi", attended=4, late=2)

    assert enrolment_attendance_rate(enrolment=enrolment) == Decimal("80.0")
    assert enrolment_eligibility(enrolment=enrolment).eligible is True


def test_each_unmet_rule_is_given_as_a_reason():
    cohort, sessions = certified_cohort(sessions=10)
    enrolment = EnrolmentFactory(cohort=cohort)
    finish(enrolment, sessions, attended=7, result=Enrolment.Result.NOT_PASSED, status=Enrolment.Status.WITHDRAWN)

    row = enrolment_eligibility(enrolment=enrolment)

    assert row.eligible is False
    assert row.reasons == [
        "Not completed (status: Withdrawn).",
        "Attended 70.0% of held sessions; 80% needed.",
        "Final assessment not passed.",
    ]


def test_the_course_minimum_and_a_missing_assessment():
    issuer = IssuerFactory()
    course = CourseFactory(issuer=issuer.organisation, min_attendance_percent=100, final_assessment_required=True)
    cohort, sessions = certified_cohort(issuer=issuer, course=course, sessions=4)
    enrolment = graduate(cohort, sessions, first_name="Edona", last_name="Berisha", attended=3, result="")

    assert enrolment_eligibility(enrolment=enrolment).reasons == [
        "Attended 75.0% of held sessions; 100% needed.",
        "No final assessment recorded.",
    ]


def test_no_assessment_is_needed_when_the_course_does_not_require_one():
    issuer = IssuerFactory()
    course = CourseFactory(issuer=issuer.organisation, final_assessment_required=False)
    cohort, sessions = certified_cohort(issuer=issuer, course=course, sessions=4)
    enrolment = graduate(cohort, sessions, first_name="Fatime", last_name="Morina", result="")

    assert enrolment_eligibility(enrolment=enrolment).eligible is True


def test_a_cohort_with_no_held_session_has_no_rate():
    cohort, _ = certified_cohort(sessions=0)
    enrolment = graduate(cohort, [], first_name="Hana", last_name="Bytyqi")

    row = enrolment_eligibility(enrolment=enrolment)

    assert row.attendance_rate is None
    assert row.reasons == ["No session of this cohort has been held."]


def test_an_override_makes_an_enrolment_eligible_and_records_who_why_and_the_unmet_rules():
    cohort, sessions = certified_cohort(sessions=10)
    enrolment = graduate(cohort, sessions, first_name="Gentiana", last_name="Shala", attended=6)
    registrar = UserFactory(username="lindita")

    override = eligibility_override_create(
        enrolment=enrolment, reason="Missed four sessions for court hearings; made them up in the workshop.", by=registrar
    )

    row = enrolment_eligibility(enrolment=enrolment)
    assert row.meets_rules is False
    assert row.eligible is True
    assert row.override == override
    assert override.unmet_rules == ["Attended 60.0% of held sessions; 80% needed."]
    entry = LogEntry.objects.get_for_object(override).get()
    assert entry.actor == registrar
    assert entry.action == LogEntry.Action.CREATE
    assert entry.additional_data == {"reason": "Missed four sessions for court hearings; made them up in the workshop."}


def test_an_override_needs_a_reason_and_is_refused_when_not_needed():
    cohort, sessions = certified_cohort(sessions=10)
    short = graduate(cohort, sessions, first_name="Ilirjana", last_name="Kastrati", attended=5)
    fine = graduate(cohort, sessions, first_name="Jehona", last_name="Hasani")

    with pytest.raises(ValidationError) as blank:
        eligibility_override_create(enrolment=short, reason="   ", by=None)
    with pytest.raises(ValidationError) as needless:
        eligibility_override_create(enrolment=fine, reason="Just because", by=None)

    assert blank.value.messages == ["Give the reason for the override."]
    assert needless.value.messages == ["This enrolment already meets the rules; no override is needed."]
    assert EligibilityOverride.objects.count() == 0


def test_cohort_eligibility_lists_everyone_seated_or_gone_but_not_requests(django_assert_num_queries):
    cohort, sessions = certified_cohort(sessions=2)
    graduate(cohort, sessions, first_name="Kaltrina", last_name="Rexhepi")
    graduate(cohort, sessions, first_name="Liridona", last_name="Kelmendi", attended=0)
    EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WAITLISTED)

    with django_assert_num_queries(4):
        rows = cohort_eligibility(cohort=cohort)

    assert [(r.enrolment.participant_name, r.eligible) for r in rows] == [
        ("Liridona Kelmendi", False),
        ("Kaltrina Rexhepi", True),
    ]
