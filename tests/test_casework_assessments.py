"""Assessments: instruments as data, scoring bands → level, reassessment dates, all-or-nothing saving, the read
log on every view, and who may see them (case managers and directors of the facility; never trainers)."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inmates.instruments import RISK_NEEDS, VEP_SCREENING, instruments_seed
from inmates.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentInstrument,
    AssessmentLevel,
    ScoringBand,
    SensitiveRead,
)
from inmates.services import assessment_create
from rehab.models import Role
from tests.factories import CohortFactory, EnrolmentFactory, FacilityFactory, InmateFactory, SessionFactory, UserFactory
from tests.factories_casework import (
    AnswerScaleFactory,
    AssessmentFactory,
    AssessmentItemFactory,
    InstrumentFactory,
    ScoringBandFactory,
    answers_for,
)
from tests.factories_dashboard import director_of, trainer_of, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def vep():
    instruments_seed()  # idempotent: the data migration seeded them unless a transactional test flushed them
    return AssessmentInstrument.objects.get(code=VEP_SCREENING)


@pytest.fixture
def facility():
    return FacilityFactory(name="Lipjan")


@pytest.fixture
def inmate(facility):
    return InmateFactory(current_facility=facility, first_name="Arta", last_name="Krasniqi")


@pytest.fixture
def case_manager(facility):
    return user_with_role(Role.CASE_MANAGER, facility=facility)


def scores_totalling(instrument: AssessmentInstrument, total: int) -> dict[str, int]:
    """Item code → score (0–2), filling items in order until `total` is reached."""
    scores = {}
    for domain in instrument.domains.order_by("order"):
        for item in domain.items.order_by("order"):
            scores[item.code] = min(2, total)
            total -= scores[item.code]
    assert total == 0
    return scores


# ------------------------------------------------------------------------------------------------ the instruments


def test_seeded_instruments_have_their_domains_items_and_covering_bands():
    instruments_seed()
    instruments_seed()  # a second run changes nothing

    vep = AssessmentInstrument.objects.get(code=VEP_SCREENING)
    risk = AssessmentInstrument.objects.get(code=RISK_NEEDS)
    assert list(vep.domains.values_list("code", flat=True)) == [
        "ideology", "affiliation", "behaviour", "contacts", "violence",
    ]
    assert list(risk.domains.values_list("code", flat=True)) == [
        "education", "employment", "accommodation", "family", "substance_use", "mental_health", "attitudes", "peers",
    ]
    assert vep.score_range() == (0, 26)
    assert risk.score_range() == (0, 32)
    assert vep.band_problems() == []
    assert risk.band_problems() == []
    assert list(vep.bands.values_list("min_score", "max_score", "level")) == [
        (0, 5, "low"), (6, 12, "medium"), (13, 19, "high"), (20, 26, "very_high"),
    ]
    assert AssessmentInstrument.objects.filter(code__in=[VEP_SCREENING, RISK_NEEDS]).count() == 2
    assert ScoringBand.objects.filter(instrument__in=[vep, risk]).count() == 8


def test_band_problems_name_every_gap_and_overlap():
    instrument = InstrumentFactory(items=3)  # scores 0..6
    assert instrument.band_problems([(0, 1), (2, 3), (4, 6)]) == []
    assert instrument.band_problems([(0, 1), (3, 6)]) == ["No band covers the scores 2 to 2."]
    assert instrument.band_problems([(0, 3), (2, 6)]) == ["Bands overlap from 2 to 3."]
    assert instrument.band_problems([(1, 6)]) == ["No band covers the scores 0 to 0."]
    assert instrument.band_problems([(0, 4)]) == ["No band covers the scores 5 to 6."]


def _instrument_admin_post(client, instrument, bands):
    url = reverse("admin:inmates_assessmentinstrument_change", args=[instrument.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data |= {"is_active": "on", "domains-TOTAL_FORMS": "0", "domains-INITIAL_FORMS": "0"}
    saved = list(instrument.bands.order_by("min_score"))
    data |= {"bands-TOTAL_FORMS": str(len(bands)), "bands-INITIAL_FORMS": str(len(saved))}
    for index, (low, high, level) in enumerate(bands):
        data |= {f"bands-{index}-min_score": low, f"bands-{index}-max_score": high, f"bands-{index}-level": level,
                 f"bands-{index}-instrument": instrument.pk, f"bands-{index}-label": ""}
        if index < len(saved):
            data[f"bands-{index}-id"] = saved[index].pk
    return client.post(url, data)


def test_the_admin_refuses_bands_with_a_gap_and_accepts_a_reshuffle_in_one_save(client):
    instrument = InstrumentFactory(items=3)  # bands 0–1, 2–3, 4–6
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    gap = _instrument_admin_post(client, instrument, [(0, 1, "low"), (3, 3, "medium"), (4, 6, "high")])
    reshuffle = _instrument_admin_post(client, instrument, [(0, 2, "low"), (3, 4, "medium"), (5, 6, "high")])

    assert gap.status_code == 200
    assert "No band covers the scores 2 to 2." in gap.context["inline_admin_formsets"][1].formset.non_form_errors()
    assert reshuffle.status_code == 302
    assert list(instrument.bands.order_by("min_score").values_list("min_score", "max_score")) == [(0, 2), (3, 4), (5, 6)]


def test_a_band_overlapping_another_is_refused_by_clean():
    instrument = InstrumentFactory(items=3)  # bands 0–1, 2–3, 4–6
    band = ScoringBandFactory.build(instrument=instrument, min_score=3, max_score=5, level=AssessmentLevel.HIGH)

    with pytest.raises(ValidationError) as error:
        band.full_clean()

    assert error.value.messages == ["This band overlaps the band 2–3: Medium."]


# ------------------------------------------------------------------------------------------------ scoring


@pytest.mark.parametrize(
    ("total", "level"),
    [
        (0, "low"), (5, "low"), (6, "medium"), (12, "medium"), (13, "high"), (19, "high"), (20, "very_high"),
        (26, "very_high"),
    ],
)
def test_score_falls_in_exactly_one_band(vep, inmate, case_manager, total, level):
    answers = answers_for(vep, scores_totalling(vep, total))

    assessment = assessment_create(
        inmate=inmate, instrument=vep, answers=answers, assessed_on=dt.date(2026, 3, 2), by=case_manager
    )

    assert (assessment.total_score, assessment.level) == (total, level)
    assert assessment.answers.count() == 13
    assert sum(assessment.answers.values_list("score", flat=True)) == total


@pytest.mark.parametrize(
    ("assessed_on", "due"),
    [
        (dt.date(2026, 3, 2), dt.date(2026, 9, 2)),
        (dt.date(2025, 8, 31), dt.date(2026, 2, 28)),
        (dt.date(2025, 12, 15), dt.date(2026, 6, 15)),
    ],
)
def test_reassessment_is_due_after_the_instruments_months(vep, inmate, case_manager, assessed_on, due):
    assessment = assessment_create(
        inmate=inmate, instrument=vep, answers=answers_for(vep), assessed_on=assessed_on, by=case_manager
    )

    assert assessment.reassessment_due == due


def test_an_unanswered_item_saves_nothing(vep, inmate, case_manager):
    answers = answers_for(vep)
    missing = vep.domains.get(code="violence").items.get(code="violence-intent")
    del answers[missing.pk]
    entries = LogEntry.objects.count()

    with pytest.raises(ValidationError) as error:
        assessment_create(inmate=inmate, instrument=vep, answers=answers, assessed_on=dt.date(2026, 3, 2), by=case_manager)

    assert error.value.messages == ["Answer every question: 1 is missing (violence-intent)."]
    assert Assessment.objects.count() == 0
    assert AssessmentAnswer.objects.count() == 0
    assert LogEntry.objects.count() == entries


def test_an_answer_from_another_scale_is_refused(vep, inmate, case_manager):
    answers = answers_for(vep)
    item = vep.domains.get(code="ideology").items.get(code="ideology-harm")
    foreign = AnswerScaleFactory(options=[("Elsewhere", 0)]).options.get()
    answers[item.pk] = foreign.pk

    with pytest.raises(ValidationError) as error:
        assessment_create(inmate=inmate, instrument=vep, answers=answers, assessed_on=dt.date(2026, 3, 2), by=case_manager)

    assert error.value.messages == ["ideology-harm: choose one of the answers offered."]
    assert Assessment.objects.count() == 0


def test_answers_to_another_instruments_items_are_refused(vep, inmate, case_manager):
    answers = answers_for(vep)
    stray = AssessmentItemFactory()
    answers[stray.pk] = stray.scale.options.first().pk

    with pytest.raises(ValidationError) as error:
        assessment_create(inmate=inmate, instrument=vep, answers=answers, assessed_on=dt.date(2026, 3, 2), by=case_manager)

    assert error.value.messages == ["Some answers are for questions that are not part of VEP screening."]


def test_a_future_date_and_an_inactive_instrument_are_refused(vep, inmate, case_manager):
    vep.is_active = False
    vep.save()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    with pytest.raises(ValidationError) as error:
        assessment_create(inmate=inmate, instrument=vep, answers=answers_for(vep), assessed_on=tomorrow, by=case_manager)

    assert error.value.messages == [
        "VEP screening is no longer in use.", "The assessment date cannot be in the future.",
    ]


def test_a_score_outside_every_band_is_refused(inmate, case_manager):
    instrument = InstrumentFactory(items=3)
    ScoringBand.objects.filter(instrument=instrument, level=AssessmentLevel.HIGH).delete()

    with pytest.raises(ValidationError) as error:
        assessment_create(
            inmate=inmate, instrument=instrument, answers=answers_for(instrument, default=2),
            assessed_on=dt.date(2026, 3, 2), by=case_manager,
        )

    assert error.value.messages[0].startswith("No scoring band of")
    assert Assessment.objects.count() == 0


def test_saving_writes_the_audit_trail_with_actor_and_reason(vep, inmate, case_manager):
    assessment = assessment_create(
        inmate=inmate, instrument=vep, answers=answers_for(vep, default=1), assessed_on=dt.date(2026, 3, 2),
        by=case_manager,
    )

    entry = LogEntry.objects.get_for_object(assessment).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == case_manager
    assert entry.additional_data == {"reason": "Assessment recorded"}
    assert entry.changes_dict["total_score"] == ["None", "13"]
    assert entry.changes_dict["level"] == ["None", "high"]
    assert LogEntry.objects.filter(content_type__model="assessmentanswer").count() == 13


# ------------------------------------------------------------------------------------------------ screens


def test_the_form_saves_an_assessment_and_opens_it(client, vep, inmate, case_manager):
    client.force_login(case_manager)
    data = {f"item_{item_id}": option_id for item_id, option_id in answers_for(vep, default=1).items()}
    data |= {"assessed_on": "2026-03-02", "notes": "Calm, engaged in the filigree group."}

    response = client.post(reverse("inmates:assessment_create", args=[inmate.pk, vep.code]), data)

    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("inmates:assessment_detail", args=[assessment.pk])
    assert (assessment.total_score, assessment.level, assessment.assessor) == (13, "high", case_manager)
    assert assessment.notes == "Calm, engaged in the filigree group."


def test_the_form_with_a_missing_answer_shows_it_and_saves_nothing(client, vep, inmate, case_manager):
    client.force_login(case_manager)
    answers = answers_for(vep)
    first = next(iter(answers))
    data = {f"item_{item_id}": option_id for item_id, option_id in answers.items() if item_id != first}
    data |= {"assessed_on": "2026-03-02"}

    response = client.post(reverse("inmates:assessment_create", args=[inmate.pk, vep.code]), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {f"item_{first}": ["Choose an answer."]}
    assert b"Nothing was saved" in response.content
    assert Assessment.objects.count() == 0


def test_the_form_groups_items_by_domain(client, vep, inmate, case_manager):
    client.force_login(case_manager)

    response = client.get(reverse("inmates:assessment_create", args=[inmate.pk, vep.code]))

    grouped = response.context["form"].grouped()
    assert [domain.code for domain, _fields in grouped] == ["ideology", "affiliation", "behaviour", "contacts", "violence"]
    assert [len(fields) for _domain, fields in grouped] == [3, 2, 3, 2, 3]
    assert response.content.count(b'type="radio"') == 13 * 3


def test_every_view_of_an_assessment_is_logged(client, vep, inmate, case_manager):
    assessment = assessment_create(
        inmate=inmate, instrument=vep, answers=answers_for(vep), assessed_on=dt.date(2026, 3, 2), by=case_manager
    )
    director = director_of(inmate.current_facility)
    url = reverse("inmates:assessment_detail", args=[assessment.pk])

    client.force_login(case_manager)
    client.get(url)
    client.get(url)
    client.force_login(director)
    response = client.get(url)

    assert response.status_code == 200
    reads = list(SensitiveRead.objects.order_by("pk").values_list("user", "inmate", "record_type", "record_id", "path"))
    assert reads == [
        (case_manager.pk, inmate.pk, "assessment", assessment.pk, url),
        (case_manager.pk, inmate.pk, "assessment", assessment.pk, url),
        (director.pk, inmate.pk, "assessment", assessment.pk, url),
    ]


def test_a_refused_view_logs_no_read(client, vep, inmate, case_manager):
    assessment = AssessmentFactory(inmate=inmate, instrument=vep)
    other = user_with_role(Role.CASE_MANAGER, facility=FacilityFactory())
    client.force_login(other)

    response = client.get(reverse("inmates:assessment_detail", args=[assessment.pk]))

    assert response.status_code == 404
    assert SensitiveRead.objects.count() == 0


def test_trainers_get_403_on_every_casework_url(client, vep, inmate):
    assessment = AssessmentFactory(inmate=inmate, instrument=vep)
    trainer = trainer_of(CohortFactory(facility=inmate.current_facility))
    client.force_login(trainer)
    urls = [
        reverse("inmates:assessment_detail", args=[assessment.pk]),
        reverse("inmates:assessment_create", args=[inmate.pk, vep.code]),
        reverse("inmates:assessments_due"),
        reverse("inmates:detail", args=[inmate.pk]),
    ]

    assert [client.get(url).status_code for url in urls] == [403, 403, 403, 403]
    assert SensitiveRead.objects.count() == 0


def test_a_case_manager_of_another_facility_gets_404(client, vep, inmate):
    assessment = AssessmentFactory(inmate=inmate, instrument=vep)
    client.force_login(user_with_role(Role.CASE_MANAGER, facility=FacilityFactory()))

    assert client.get(reverse("inmates:assessment_detail", args=[assessment.pk])).status_code == 404
    assert client.get(reverse("inmates:assessment_create", args=[inmate.pk, vep.code])).status_code == 404


def test_the_profile_shows_casework_to_the_case_manager_with_overdue_highlighted(client, vep, inmate, case_manager):
    AssessmentFactory(
        inmate=inmate, instrument=vep, assessed_on=dt.date(2025, 1, 6), reassessment_due=dt.date(2025, 7, 6),
        level=AssessmentLevel.MEDIUM, total_score=7,
    )
    client.force_login(case_manager)

    response = client.get(reverse("inmates:detail", args=[inmate.pk]))

    assert response.context["casework"] is True
    assert [a.level for a in response.context["assessments"]] == ["medium"]
    assert b'data-testid="casework"' in response.content
    assert b"table-warning" in response.content
    assert b"Overdue" in response.content
    assert b"No plan yet." in response.content or b"plans-heading" in response.content


def test_the_profile_hides_casework_from_a_programme_officer(client, vep, inmate):
    AssessmentFactory(inmate=inmate, instrument=vep, level=AssessmentLevel.HIGH)
    officer = user_with_role(Role.PROGRAMME_OFFICER, country="XK", facility=None)
    client.force_login(officer)

    response = client.get(reverse("inmates:detail", args=[inmate.pk]))

    assert response.status_code == 200
    assert response.context["casework"] is False
    assert b'data-testid="casework"' not in response.content
    assert b"High" not in response.content


def test_assessments_due_lists_the_latest_due_per_person_and_instrument(client, vep, facility, case_manager):
    today = timezone.localdate()
    overdue = InmateFactory(current_facility=facility, last_name="Berisha")
    AssessmentFactory(inmate=overdue, instrument=vep, assessed_on=today - dt.timedelta(days=400),
                      reassessment_due=today - dt.timedelta(days=200))
    reassessed = InmateFactory(current_facility=facility, last_name="Gashi")
    AssessmentFactory(inmate=reassessed, instrument=vep, assessed_on=today - dt.timedelta(days=400),
                      reassessment_due=today - dt.timedelta(days=200))
    AssessmentFactory(inmate=reassessed, instrument=vep, assessed_on=today, reassessment_due=today + dt.timedelta(days=180))
    soon = InmateFactory(current_facility=facility, last_name="Hoxha")
    AssessmentFactory(inmate=soon, instrument=vep, assessed_on=today - dt.timedelta(days=170),
                      reassessment_due=today + dt.timedelta(days=10))
    never = InmateFactory(current_facility=facility, last_name="Morina")
    InmateFactory(last_name="Elsewhere")  # another facility
    client.force_login(case_manager)

    response = client.get(reverse("inmates:assessments_due"))

    assert [a.inmate.last_name for a in response.context["due"]] == ["Berisha", "Hoxha"]
    assert [i.last_name for i in response.context["never"]] == ["Morina"]
    assert never.pk


@pytest.mark.parametrize("count", [1, 3])
def test_assessments_due_runs_a_constant_number_of_queries(client, vep, facility, case_manager, count,
                                                         django_assert_num_queries):
    today = timezone.localdate()
    for _ in range(count):
        AssessmentFactory(inmate=InmateFactory(current_facility=facility), instrument=vep,
                          assessed_on=today - dt.timedelta(days=200), reassessment_due=today - dt.timedelta(days=10))
        InmateFactory(current_facility=facility)
    client.force_login(case_manager)
    client.get(reverse("inmates:assessments_due"))  # warm the session and the role cache

    with django_assert_num_queries(5):
        response = client.get(reverse("inmates:assessments_due"))

    assert len(response.context["due"]) == count
    assert len(response.context["never"]) == count


def test_trainer_pages_and_exports_show_nothing_of_casework(client, vep, facility, case_manager):
    today = timezone.localdate()
    cohort = CohortFactory(facility=facility, start_date=today - dt.timedelta(days=7), end_date=today + dt.timedelta(days=60))
    session = SessionFactory(cohort=cohort, date=today)
    enrolment = EnrolmentFactory(cohort=cohort, inmate=InmateFactory(current_facility=facility, last_name="Rexhepi"))
    assessment_create(
        inmate=enrolment.inmate, instrument=vep, answers=answers_for(vep, default=2), assessed_on=today,
        by=case_manager, notes="Observed handing out leaflets in the yard.",
    )
    client.force_login(trainer_of(cohort))
    urls = [
        reverse("programs:today"),
        reverse("programs:week"),
        reverse("programs:register", args=[session.pk]),
        reverse("programs:cohort_detail", args=[cohort.pk]),
        reverse("programs:final_assessment", args=[cohort.pk]),
        reverse("programs:cohort_roster_export", args=[cohort.pk]) + "?format=csv",
        reverse("programs:cohort_register_export", args=[cohort.pk]) + "?format=csv",
    ]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if "register" in url or "roster" in url:
            assert b"Rexhepi" in content, url  # the trainer sees the person…
        for secret in (b"VEP", b"screening", b"Very high", b"leaflets", b"Reassessment", b"risk"):
            assert secret not in content, (url, secret)  # …and nothing of her casework
