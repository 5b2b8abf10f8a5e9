"""Demo casework: a few assessments of Lipjan's women, recorded by the demo case manager (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from inmates.instruments import RISK_NEEDS, VEP_SCREENING, instruments_seed
from inmates.models import AssessmentInstrument, AssessmentItem, Inmate
from inmates.services import assessment_create

DEMO_FACILITY = "lipjan"
DEMO_ASSESSOR = "casemanager"
# (instrument, days before today, score of each item by position: cycled over the items). One screening is
# old enough to be overdue for reassessment, so "Assessments due" has something to show.
DEMO_ASSESSMENTS = [
    [(RISK_NEEDS, 40, [1, 0, 2, 1]), (VEP_SCREENING, 40, [0])],
    [(RISK_NEEDS, 95, [2, 1, 1, 2, 0])],
    [(RISK_NEEDS, 200, [0, 1]), (VEP_SCREENING, 200, [0, 0, 1])],
]


def _answers(instrument: AssessmentInstrument, pattern: list[int]) -> dict[int, int]:
    items = AssessmentItem.objects.filter(domain__instrument=instrument).prefetch_related("scale__options")
    items = items.order_by("domain__order", "order", "pk")
    return {
        item.pk: next(o.pk for o in item.scale.options.all() if o.score == pattern[index % len(pattern)])
        for index, item in enumerate(items)
    }


def demo_assessments_seed(*, today: dt.date) -> int:
    """Assess the first Lipjan women without an assessment; a second run adds nothing. Returns how many."""
    instruments_seed()
    assessor = get_user_model().objects.filter(username=DEMO_ASSESSOR).first()
    people = list(
        Inmate.objects.filter(current_facility__code=DEMO_FACILITY, status=Inmate.Status.IN_CUSTODY).order_by(
            "registration_number"
        )[: len(DEMO_ASSESSMENTS)]
    )
    instruments = {instrument.code: instrument for instrument in AssessmentInstrument.objects.all()}
    created = 0
    for inmate, plan in zip(people, DEMO_ASSESSMENTS, strict=False):
        for code, days_ago, pattern in plan:
            instrument = instruments[code]
            assessed_on = max(today - dt.timedelta(days=days_ago), inmate.admission_date)
            if inmate.assessments.filter(instrument=instrument).exists():
                continue
            assessment_create(
                inmate=inmate,
                instrument=instrument,
                answers=_answers(instrument, pattern),
                assessed_on=assessed_on,
                by=assessor,
                notes="",
            )
            created += 1
    return created
