"""The two assessment instruments rehab ships with, as data: a VEP screening tool and a risk-and-needs assessment.

`instruments_seed()` creates or updates them (idempotent: a second run changes nothing). It runs from the data
migration `0003_seed_instruments`, from `manage.py seed_instruments` and from `seed_demo`, so every database
(and every test that flushed the database) can have them. Texts are stored in English and marked with
gettext_noop so the screens can show them translated; an administrator may add instruments in the admin.

The wording follows the structured-professional-judgement tools used in the region's prison services: items are
observations a trained case manager records, not labels for the person. A screening result is a prompt for a
fuller assessment and a plan, never a conclusion on its own.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps as django_apps
from django.utils.translation import gettext_noop

VEP_SCREENING = "vep-screening"
RISK_NEEDS = "risk-needs"

SCALES = {
    "vep-indicator": (
        gettext_noop("Indicator of concern"),
        [(gettext_noop("Not observed"), 0), (gettext_noop("Some indication"), 1), (gettext_noop("Clear indication"), 2)],
    ),
    "need-level": (
        gettext_noop("Level of need"),
        [(gettext_noop("No need"), 0), (gettext_noop("Some need"), 1), (gettext_noop("Significant need"), 2)],
    ),
}

# code: (name, kind, reassess after months, description, scale, [(domain code, name, [(item code, text)])],
#        [(min, max, level, label)])
INSTRUMENTS = {
    VEP_SCREENING: (
        gettext_noop("VEP screening"),
        "vep_screening",
        6,
        gettext_noop(
            "Screening for signs of radicalisation to violent extremism. Record what has been observed in custody "
            "and in the file over the last six months; a medium or higher result calls for a full assessment by "
            "a trained specialist."
        ),
        "vep-indicator",
        [
            ("ideology", gettext_noop("Beliefs and ideology"), [
                ("ideology-harm", gettext_noop("Holds beliefs that present harm to others as justified or necessary")),
                ("ideology-enemy", gettext_noop("Describes a group of people as an enemy or as less than human")),
                ("ideology-institutions", gettext_noop("Rejects the law and democratic institutions as illegitimate")),
            ]),
            ("affiliation", gettext_noop("Affiliation and identity"), [
                ("affiliation-group", gettext_noop("Identifies strongly with an extremist group or movement")),
                ("affiliation-belonging", gettext_noop("Finds belonging, status or purpose mainly through such a group")),
            ]),
            ("behaviour", gettext_noop("Behaviour in custody"), [
                ("behaviour-influence", gettext_noop("Tries to influence or pressure other prisoners towards extremist views")),
                ("behaviour-material", gettext_noop("Keeps or shares extremist material")),
                ("behaviour-withdrawal", gettext_noop("Refuses contact with staff or programmes for ideological reasons")),
            ]),
            ("contacts", gettext_noop("Contacts outside"), [
                ("contacts-network", gettext_noop("Keeps in contact with people involved in violent extremism")),
                ("contacts-visits", gettext_noop("Receives visits, letters or calls that promote extremist views")),
            ]),
            ("violence", gettext_noop("Attitudes to violence"), [
                ("violence-justifies", gettext_noop("Justifies or praises violence used for a cause")),
                ("violence-intent", gettext_noop("Says they are willing to use violence for a cause")),
                ("violence-history", gettext_noop("Has used or prepared violence linked to an ideology")),
            ]),
        ],
        [
            (0, 5, "low", gettext_noop("No further action beyond the usual plan")),
            (6, 12, "medium", gettext_noop("Refer for a full assessment by a specialist")),
            (13, 19, "high", gettext_noop("Full assessment and a case conference")),
            (20, 26, "very_high", gettext_noop("Full assessment and a case conference without delay")),
        ],
    ),
    RISK_NEEDS: (
        gettext_noop("Risk and needs assessment"),
        "risk_needs",
        6,
        gettext_noop(
            "The person's needs in eight areas that the rehabilitation plan works on. Talk with the person and "
            "check the file; score each statement for how far it applies now."
        ),
        "need-level",
        [
            ("education", gettext_noop("Education"), [
                ("education-level", gettext_noop("Has not completed basic or secondary education")),
                ("education-literacy", gettext_noop("Has difficulty with reading, writing or numbers")),
            ]),
            ("employment", gettext_noop("Employment"), [
                ("employment-history", gettext_noop("Was out of work before custody")),
                ("employment-skills", gettext_noop("Has no vocational skills or work experience to build on")),
            ]),
            ("accommodation", gettext_noop("Accommodation"), [
                ("accommodation-none", gettext_noop("Has no stable place to live after release")),
                ("accommodation-risk", gettext_noop("Housing after release depends on people linked to offending")),
            ]),
            ("family", gettext_noop("Family and relationships"), [
                ("family-contact", gettext_noop("Has little or no contact with family")),
                ("family-conflict", gettext_noop("Family relationships are a source of conflict or stress")),
            ]),
            ("substance_use", gettext_noop("Substance use"), [
                ("substance-daily", gettext_noop("Uses alcohol or drugs in a way that affects daily life")),
                ("substance-offence", gettext_noop("Alcohol or drug use played a part in the offence")),
            ]),
            ("mental_health", gettext_noop("Mental health and well-being"), [
                ("mental-symptoms", gettext_noop("Shows signs of anxiety, depression or trauma that affect daily life")),
                ("mental-support", gettext_noop("Needs health or psychosocial support that is not yet in place")),
            ]),
            ("attitudes", gettext_noop("Attitudes"), [
                ("attitudes-offence", gettext_noop("Minimises or justifies the offence")),
                ("attitudes-motivation", gettext_noop("Shows little motivation to change")),
            ]),
            ("peers", gettext_noop("Peers and associates"), [
                ("peers-offending", gettext_noop("Most friends or associates are involved in offending")),
                ("peers-prosocial", gettext_noop("Has few contacts outside prison who support a life without offending")),
            ]),
        ],
        [
            (0, 8, "low", gettext_noop("The usual programme offer meets the needs")),
            (9, 16, "medium", gettext_noop("Plan goals in the areas that score 2")),
            (17, 24, "high", gettext_noop("Plan goals in every high-need area, with support")),
            (25, 32, "very_high", gettext_noop("Intensive support; review the plan every three months")),
        ],
    ),
}


def instruments_seed(get_model: Callable = django_apps.get_model) -> int:
    """Create or update the shipped scales and instruments; return how many rows were created.

    `get_model` is the app registry's, or a migration's historical one: the function only uses fields, so it
    works with both.
    """
    AnswerScale = get_model("inmates", "AnswerScale")
    AnswerOption = get_model("inmates", "AnswerOption")
    Instrument = get_model("inmates", "AssessmentInstrument")
    Domain = get_model("inmates", "AssessmentDomain")
    Item = get_model("inmates", "AssessmentItem")
    Band = get_model("inmates", "ScoringBand")
    created = 0

    scales = {}
    for code, (name, options) in SCALES.items():
        scale, new = AnswerScale.objects.update_or_create(code=code, defaults={"name": name})
        created += new
        for order, (label, score) in enumerate(options, start=1):
            created += AnswerOption.objects.update_or_create(
                scale=scale, label=label, defaults={"order": order, "score": score}
            )[1]
        scales[code] = scale

    for code, (name, kind, months, description, scale_code, domains, bands) in INSTRUMENTS.items():
        instrument, new = Instrument.objects.update_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "reassess_after_months": months, "description": description},
        )
        created += new
        for domain_order, (domain_code, domain_name, items) in enumerate(domains, start=1):
            domain, new = Domain.objects.update_or_create(
                instrument=instrument, code=domain_code, defaults={"name": domain_name, "order": domain_order}
            )
            created += new
            for item_order, (item_code, text) in enumerate(items, start=1):
                created += Item.objects.update_or_create(
                    domain=domain,
                    code=item_code,
                    defaults={"text": text, "order": item_order, "scale": scales[scale_code]},
                )[1]
        for min_score, max_score, level, label in bands:
            created += Band.objects.update_or_create(
                instrument=instrument,
                domain=None,
                level=level,
                defaults={"min_score": min_score, "max_score": max_score, "label": label},
            )[1]
    return created
