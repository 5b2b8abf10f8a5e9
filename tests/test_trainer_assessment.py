"""The final assessment page and the completion button."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, timezone
from pytest_django.asserts import assertContains, assertNotContains

from programs.models import Enrolment, EnrolmentStatusChange
from tests.factories import EnrolmentFactory, InmateFactory
from tests.factories_trainer import make_director, make_trainer, running_cohort

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return running_cohort(name="Filigree A")


@pytest.fixture
def people(cohort):
    return [
        EnrolmentFactory(cohort=cohort, inmate=InmateFactory(current_facility=cohort.facility, first_name=first, last_name=last))
        for first, last in [("Arta", "Gashi"), ("Besa", "Hoxha")]
    ]


def url(cohort):
    return reverse("programs:final_assessment", args=[cohort.pk])


def test_the_trainer_records_everyones_result_in_one_request(client, cohort, people):
    a, b = people
    client.force_login(make_trainer(cohort))

    response = client.post(
        url(cohort),
        {f"result_{a.pk}": "passed", f"score_{a.pk}": "92.5", f"note_{a.pk}": "Ring and brooch",
         f"result_{b.pk}": "not_passed", f"score_{b.pk}": "", f"note_{b.pk}": ""},
    )

    assert response.status_code == 302
    assert response["Location"] == url(cohort)
    assert list(Enrolment.objects.order_by("pk").values_list("final_result", "final_score", "final_note")) == [
        ("passed", Decimal("92.50"), "Ring and brooch"),
        ("not_passed", None, ""),
    ]
    assertContains(client.get(url(cohort)), "Final assessments saved: 2 changed.")


def test_the_page_shows_saved_results_and_no_sensitive_details(client, cohort, people):
    a, _ = people
    Enrolment.objects.filter(pk=a.pk).update(final_result="passed", final_score=Decimal("80.00"))
    client.force_login(make_trainer(cohort))

    response = client.get(url(cohort))

    assert [(row.enrolment.participant_name, row.values["result"]) for row in response.context["rows"]] == [
        ("Arta Gashi", "passed"),
        ("Besa Hoxha", ""),
    ]
    assertContains(response, f'name="score_{a.pk}" id="score_{a.pk}" value="80.00"')
    assertNotContains(response, a.inmate.registration_number)


def test_errors_are_shown_per_person_and_nothing_is_saved(client, cohort, people):
    a, b = people
    client.force_login(make_trainer(cohort))

    response = client.post(
        url(cohort),
        {f"result_{a.pk}": "passed", f"score_{a.pk}": "150", f"note_{a.pk}": "",
         f"result_{b.pk}": "", f"score_{b.pk}": "40", f"note_{b.pk}": ""},
    )

    assert response.status_code == 200
    assert [(row.pk, row.errors) for row in response.context["rows"]] == [
        (a.pk, ["The score must be between 0 and 100."]),
        (b.pk, []),
    ]
    assert Enrolment.objects.exclude(final_result="").count() == 0

    response = client.post(
        url(cohort),
        {f"result_{a.pk}": "passed", f"score_{a.pk}": "90", f"note_{a.pk}": "",
         f"result_{b.pk}": "", f"score_{b.pk}": "40", f"note_{b.pk}": ""},
    )

    assert [(row.pk, row.errors) for row in response.context["rows"]] == [
        (a.pk, []),
        (b.pk, ["Choose passed or not passed to record a score."]),
    ]
    assertContains(response, "Nothing was saved: 1 person needs attention.")
    assert Enrolment.objects.exclude(final_result="").count() == 0


def test_before_the_end_date_the_completion_button_is_not_offered_and_a_post_is_refused(client, cohort, people):
    client.force_login(make_trainer(cohort))

    page = client.get(url(cohort))
    response = client.post(reverse("programs:cohort_complete", args=[cohort.pk]), follow=True)

    end = formats.date_format(cohort.end_date, "DATE_FORMAT")
    assertContains(page, f"After the group ends on {end}, you can mark the participants as completed here.")
    assertNotContains(page, "Mark participants as completed</button>")
    assertContains(response, f"Participants can be marked as completed only after the group ends on {end}.")
    assert Enrolment.objects.filter(status="completed").count() == 0


def test_after_the_end_date_the_director_marks_participants_as_completed(client, people):
    cohort = people[0].cohort
    cohort.start_date = timezone.localdate() - dt.timedelta(days=60)
    cohort.end_date = timezone.localdate() - dt.timedelta(days=1)
    cohort.save()
    director = make_director(cohort.facility)
    client.force_login(director)

    page = client.get(url(cohort))
    response = client.post(reverse("programs:cohort_complete", args=[cohort.pk]), follow=True)
    again = client.post(reverse("programs:cohort_complete", args=[cohort.pk]), follow=True)

    assertContains(page, "2 participants are still enrolled and will be marked as completed.")
    assertContains(page, "Mark participants as completed</button>")
    assertContains(response, "2 participants marked as completed.")
    assertContains(response, "Every participant is marked as completed.")
    assertContains(again, "0 participants marked as completed.")
    assert EnrolmentStatusChange.objects.filter(to_status="completed", changed_by=director).count() == 2


def test_completion_answers_404_outside_the_scope_and_needs_a_post(client, cohort, people):
    client.force_login(make_trainer(running_cohort()))

    assert client.post(reverse("programs:cohort_complete", args=[cohort.pk])).status_code == 404
    assert client.get(reverse("programs:cohort_complete", args=[cohort.pk])).status_code == 405


@pytest.mark.parametrize("count", [1, 3])
def test_the_final_assessment_page_uses_a_constant_number_of_queries(client, django_assert_num_queries, cohort, count):
    for _ in range(count):
        EnrolmentFactory(cohort=cohort)
    client.force_login(make_trainer(cohort))

    # session, user, roles, the cohort, the participants
    with django_assert_num_queries(5):
        response = client.get(url(cohort))

    assert len(response.context["rows"]) == count
