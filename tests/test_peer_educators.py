"""Peer educators: only inmates who completed the programme (or a configured one), held in the same facility; their
held sessions are counted on their record."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from inmates.models import Inmate
from programs.models import Enrolment, Session
from programs.services.peer_educators import (
    peer_educator_assign,
    peer_educator_candidates,
    peer_educator_session_counts,
    peer_educator_set_active,
)
from tests.factories import CohortFactory, EnrolmentFactory, InmateFactory
from tests.factories_cohorts import director_of
from tests.factories_staff import held, mixed_cohort

pytestmark = pytest.mark.django_db


def _graduate(cohort, **fields):
    inmate = InmateFactory(current_facility=cohort.facility)
    EnrolmentFactory(cohort=CohortFactory(course=cohort.course, facility=cohort.facility), inmate=inmate,
                     status=Enrolment.Status.COMPLETED, **fields)
    return inmate


def test_a_graduate_in_custody_in_the_facility_becomes_peer_educator_and_their_held_sessions_count():
    cohort = mixed_cohort()
    inmate = _graduate(cohort)
    sessions = held(cohort, 3)
    Session.objects.filter(pk=sessions[0].pk).update(status=Session.Status.SCHEDULED)

    peer = peer_educator_assign(cohort=cohort, inmate=inmate, assigned_on=cohort.start_date)

    assert peer.source_enrolment.status == Enrolment.Status.COMPLETED
    assert peer_educator_session_counts(inmate_ids=[inmate.pk]) == {inmate.pk: 2}
    peer_educator_set_active(peer_educator=peer, active=False)
    assert peer_educator_session_counts(inmate_ids=[inmate.pk]) == {inmate.pk: 0}


def test_someone_who_did_not_complete_or_failed_cannot_be_peer_educator():
    cohort = mixed_cohort()
    failed = _graduate(cohort, final_result=Enrolment.Result.NOT_PASSED)
    never = InmateFactory(current_facility=cohort.facility)

    for inmate in (failed, never):
        with pytest.raises(ValidationError) as error:
            peer_educator_assign(cohort=cohort, inmate=inmate)
        assert error.value.code == "not_completed"
    assert list(peer_educator_candidates(cohort=cohort)) == []


def test_a_graduate_held_elsewhere_or_released_cannot_be_peer_educator():
    cohort = mixed_cohort()
    inmate = _graduate(cohort)
    Inmate.objects.filter(pk=inmate.pk).update(status=Inmate.Status.RELEASED)
    inmate.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        peer_educator_assign(cohort=cohort, inmate=inmate)
    assert error.value.code == "facility"


def test_a_configured_course_also_qualifies():
    cohort = mixed_cohort()
    other = CohortFactory(facility=cohort.facility)
    inmate = InmateFactory(current_facility=cohort.facility)
    EnrolmentFactory(cohort=other, inmate=inmate, status=Enrolment.Status.COMPLETED)
    cohort.course.peer_educator_courses.add(other.course)

    assert list(peer_educator_candidates(cohort=cohort)) == [inmate]
    assert peer_educator_assign(cohort=cohort, inmate=inmate).cohort == cohort


def test_the_director_assigns_and_the_cohort_page_and_profile_tag_show_the_count(client):
    cohort = mixed_cohort()
    inmate = _graduate(cohort)
    held(cohort, 2)
    client.force_login(director_of(cohort.facility))

    client.post(reverse("programs:cohort_peer_educators", args=[cohort.pk]), {"inmate": inmate.pk})
    response = client.get(reverse("programs:cohort_delivery", args=[cohort.pk]))
    summary = Template("{% load peer_educators %}{% peer_educator_summary inmate %}").render(Context({"inmate": inmate}))

    (peer,) = response.context["peer_educators"]
    assert (peer.inmate, peer.sessions_counted) == (inmate, 0)
    assert "0 sessions as peer educator" in summary
    profile = client.get(reverse("inmates:detail", args=[inmate.pk])).content.decode()
    assert 'data-testid="peer-educator-summary"' in profile
    assert "0 sessions as peer educator" in profile
