"""Rows for assessments (issue 5): the assessment form, an assessment, and the case manager's "Assessments due".

Assessments are read and recorded by the case managers and directors of the person's facility and by
administrators; trainers, registrars, programme officers, probation and donors never reach them (403), and
staff of another facility get 404.
"""

from django.contrib.auth import get_user_model

from inmates.instruments import VEP_SCREENING
from inmates.models import AssessmentInstrument
from inmates.services import assessment_create
from tests.factories_casework import answers_for
from tests.matrix import ADMIN, CASEWORK, DIRECTOR, Row, SimpleNamespace, _s

CASEWORKERS = _s(ADMIN, DIRECTOR, CASEWORK)


def demo_extras(demo: SimpleNamespace) -> dict:
    instrument = AssessmentInstrument.objects.get(code=VEP_SCREENING)
    answers = answers_for(instrument)
    admin = get_user_model().objects.get(username="admin")
    return {
        "vep": instrument,
        "lipjan_assessment": assessment_create(
            inmate=demo.lipjan_inmate, instrument=instrument, answers=answers, assessed_on=demo.today, by=admin
        ),
        "nis_assessment": assessment_create(
            inmate=demo.nis_inmate, instrument=instrument, answers=answers, assessed_on=demo.today, by=admin
        ),
    }


ROWS: list[Row] = [
    Row("inmates:assessments_due", ok=CASEWORKERS),
    Row("inmates:assessment_create", lambda d: {"pk": d.lipjan_inmate.pk, "instrument": d.vep.code}, ok=CASEWORKERS),
    # An empty answer sheet comes back with its errors; nothing is saved.
    Row("inmates:assessment_create", lambda d: {"pk": d.lipjan_inmate.pk, "instrument": d.vep.code}, method="post",
        ok=CASEWORKERS),
    Row("inmates:assessment_create", lambda d: {"pk": d.nis_inmate.pk, "instrument": d.vep.code}, ok=_s(ADMIN),
        hidden=_s(DIRECTOR, CASEWORK)),
    Row("inmates:assessment_detail", lambda d: {"pk": d.lipjan_assessment.pk}, ok=CASEWORKERS),
    Row("inmates:assessment_detail", lambda d: {"pk": d.nis_assessment.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, CASEWORK)),
]
