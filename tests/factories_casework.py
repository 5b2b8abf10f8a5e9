"""Factories for casework records (assessments, plans, release preparation, post-release support).

`InstrumentFactory` builds a small complete instrument: one domain, `items` items on a 0/1/2 scale and bands
LOW 0–1, MEDIUM 2–3, HIGH 4–(2 × items) by default; override what a test is about.
"""

import datetime as dt

import factory

from inmates.models import (
    AnswerOption,
    AnswerScale,
    Assessment,
    AssessmentAnswer,
    AssessmentDomain,
    AssessmentInstrument,
    AssessmentItem,
    AssessmentLevel,
    FollowUp,
    NeedArea,
    PlanGoal,
    PlanIntervention,
    PlanReview,
    PlanStep,
    Referral,
    RehabilitationPlan,
    ReleaseTask,
    ScoringBand,
    SensitiveRead,
)
from rehab.models import Country, Organisation
from tests.factories import CourseFactory, InmateFactory, StaffMemberFactory, UserFactory


class AnswerScaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnswerScale
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"scale-{n}")
    name = factory.Sequence(lambda n: f"Scale {n}")

    @factory.post_generation
    def options(self, create, extracted, **kwargs):
        """Options as (label, score) pairs; by default No 0, Partly 1, Yes 2."""
        if not create:
            return
        pairs = extracted if extracted is not None else [("No", 0), ("Partly", 1), ("Yes", 2)]
        for order, (label, score) in enumerate(pairs, start=1):
            AnswerOption.objects.create(scale=self, order=order, label=label, score=score)


class AnswerOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnswerOption

    scale = factory.SubFactory(AnswerScaleFactory, options=[])
    order = factory.Sequence(lambda n: n)
    label = factory.Sequence(lambda n: f"Option {n}")
    score = 0


class AssessmentInstrumentFactory(factory.django.DjangoModelFactory):
    """An instrument without domains, items or bands (see InstrumentFactory for a complete one)."""

    class Meta:
        model = AssessmentInstrument

    code = factory.Sequence(lambda n: f"instrument-{n}")
    name = factory.Sequence(lambda n: f"Instrument {n}")
    kind = AssessmentInstrument.Kind.RISK_NEEDS
    reassess_after_months = 6


class AssessmentDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentDomain

    instrument = factory.SubFactory(AssessmentInstrumentFactory)
    order = factory.Sequence(lambda n: n)
    code = factory.Sequence(lambda n: f"domain-{n}")
    name = factory.Sequence(lambda n: f"Domain {n}")


class AssessmentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentItem

    domain = factory.SubFactory(AssessmentDomainFactory)
    order = factory.Sequence(lambda n: n)
    code = factory.Sequence(lambda n: f"item-{n}")
    text = factory.Sequence(lambda n: f"Question {n}")
    scale = factory.SubFactory(AnswerScaleFactory)


class ScoringBandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoringBand

    instrument = factory.SubFactory(AssessmentInstrumentFactory)
    min_score = 0
    max_score = 10
    level = AssessmentLevel.LOW


class InstrumentFactory(AssessmentInstrumentFactory):
    """A complete instrument: one domain, `items` items (default 3) on a 0–2 scale, and covering bands."""

    class Meta:
        model = AssessmentInstrument
        skip_postgeneration_save = True

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        if not create:
            return
        count = 3 if extracted is None else extracted
        scale = AnswerScaleFactory()
        domain = AssessmentDomainFactory(instrument=self, order=1, code="general", name="General")
        for number in range(1, count + 1):
            AssessmentItemFactory(domain=domain, order=number, code=f"q{number}", text=f"Question {number}", scale=scale)
        top = 2 * count
        bands = [(0, 1, AssessmentLevel.LOW), (2, 3, AssessmentLevel.MEDIUM), (4, max(top, 4), AssessmentLevel.HIGH)]
        for low, high, level in bands:
            ScoringBand.objects.create(instrument=self, min_score=low, max_score=high, level=level, label=level.label)


class AssessmentFactory(factory.django.DjangoModelFactory):
    """An assessment row without answers (use inmates.services.assessment_create for a scored one)."""

    class Meta:
        model = Assessment

    inmate = factory.SubFactory(InmateFactory)
    instrument = factory.SubFactory(InstrumentFactory)
    assessor = factory.SubFactory(UserFactory)
    assessed_on = dt.date(2026, 3, 2)
    total_score = 0
    level = AssessmentLevel.LOW
    reassessment_due = factory.LazyAttribute(lambda a: a.assessed_on + dt.timedelta(days=182))
    notes = ""


class AssessmentAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentAnswer

    assessment = factory.SubFactory(AssessmentFactory)
    item = factory.SubFactory(AssessmentItemFactory)
    option = factory.LazyAttribute(lambda a: a.item.scale.options.order_by("order").first())
    score = factory.LazyAttribute(lambda a: a.option.score)


class SensitiveReadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SensitiveRead

    user = factory.SubFactory(UserFactory)
    inmate = factory.SubFactory(InmateFactory)
    record_type = "assessment"
    record_id = 1
    path = "/"


class RehabilitationPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RehabilitationPlan

    inmate = factory.SubFactory(InmateFactory)
    status = RehabilitationPlan.Status.ACTIVE
    started_on = dt.date(2026, 3, 2)
    summary = "Work towards a job in jewellery making after release."
    created_by = factory.SubFactory(UserFactory)
    next_review_on = dt.date(2026, 6, 1)


class PlanGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanGoal

    plan = factory.SubFactory(RehabilitationPlanFactory)
    order = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Goal {n}")
    need_area = NeedArea.EMPLOYMENT
    status = PlanGoal.Status.OPEN


class PlanStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanStep

    goal = factory.SubFactory(PlanGoalFactory)
    description = factory.Sequence(lambda n: f"Step {n}")
    owner = factory.SubFactory(StaffMemberFactory)
    target_date = dt.date(2026, 5, 1)
    status = PlanStep.Status.OPEN


class PlanInterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanIntervention

    plan = factory.SubFactory(RehabilitationPlanFactory)
    goal = factory.SubFactory(PlanGoalFactory, plan=factory.SelfAttribute("..plan"))
    course = factory.SubFactory(CourseFactory)
    description = ""
    status = PlanIntervention.Status.PLANNED


class PlanReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanReview

    plan = factory.SubFactory(RehabilitationPlanFactory)
    reviewed_on = dt.date(2026, 4, 1)
    reviewer = factory.SubFactory(UserFactory)
    outcome = PlanReview.Outcome.ON_TRACK
    notes = ""
    next_review_on = dt.date(2026, 7, 1)


class ReleaseTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReleaseTask

    inmate = factory.SubFactory(InmateFactory)
    kind = ReleaseTask.Kind.IDENTITY_DOCUMENTS
    owner = factory.SubFactory(StaffMemberFactory)
    due_date = dt.date(2027, 9, 1)
    status = ReleaseTask.Status.OPEN


class ProbationServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Probation Service {n}")
    kind = Organisation.Kind.PROBATION
    country = Country.KOSOVO


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    inmate = factory.SubFactory(InmateFactory)
    organisation = factory.SubFactory(ProbationServiceFactory)
    referred_on = dt.date(2026, 3, 2)
    referred_by = factory.SubFactory(UserFactory)
    status = Referral.Status.OPEN


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    referral = factory.SubFactory(ReferralFactory)
    month = FollowUp.Month.ONE
    due_on = factory.LazyAttribute(lambda f: f.referral.referred_on + dt.timedelta(days=30))


def answers_for(instrument: AssessmentInstrument, scores: dict[str, int] | None = None, default: int = 0) -> dict[int, int]:
    """An answer sheet for `assessment_create`: item id → the option scoring `scores[item code]` (else `default`)."""
    items = AssessmentItem.objects.filter(domain__instrument=instrument).prefetch_related("scale__options")
    sheet = {}
    for item in items:
        wanted = (scores or {}).get(item.code, default)
        sheet[item.pk] = next(option.pk for option in item.scale.options.all() if option.score == wanted)
    return sheet
