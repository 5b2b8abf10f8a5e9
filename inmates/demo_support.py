"""Demo casework after release, for `manage.py seed_demo`: the released Lipjan women referred for support, one to
the Kosovo Probation Service with her 1-month follow-up done, one to an NGO; pre-release checklists opened.

Idempotent: a second run finds what the first made and adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from inmates.models import FollowUp, Inmate, Referral, ReleaseTask
from inmates.release import release_checklists_open
from inmates.support import referral_create, release_date_of
from rehab.models import Organisation

PROBATION = "Kosovo Probation Service"
NGO = "Help – Hilfe zur Selbsthilfe"


def _refer(inmate: Inmate, organisation: Organisation, *, days_before_release: int, by) -> Referral:
    existing = Referral.objects.filter(inmate=inmate, organisation=organisation).first()
    if existing is not None:
        return existing
    release_on = release_date_of(inmate=inmate)
    return referral_create(
        inmate=inmate,
        organisation=organisation,
        referred_on=release_on - dt.timedelta(days=days_before_release),
        note="Referred by the case manager before release.",
        by=by,
    )


def _record(referral: Referral, month: int, *, today: dt.date, **outcomes) -> None:
    follow_up = referral.follow_ups.get(month=month)
    if follow_up.done_on is not None or follow_up.due_on > today:
        return
    follow_up.done_on = min(follow_up.due_on + dt.timedelta(days=2), today)
    for name, value in outcomes.items():
        setattr(follow_up, name, value)
    follow_up.note = "Met at the probation office."
    follow_up.save()


def demo_support_seed(*, today: dt.date) -> dict[str, int]:
    released = list(
        Inmate.objects.filter(
            prison_service__name="Kosovo Correctional Service",
            status=Inmate.Status.RELEASED,
            custody_events__kind="release",
            custody_events__from_facility__code="lipjan",
        )
        .distinct()
        .order_by("registration_number")
    )
    casemanager = get_user_model().objects.filter(username="casemanager").first()
    probation = Organisation.objects.filter(name=PROBATION).first()
    ngo = Organisation.objects.filter(name=NGO).first()
    if released and probation is not None:
        referral = _refer(released[0], probation, days_before_release=14, by=casemanager)
        _record(referral, 1, today=today, employed=True, in_training=False, housed=True, contact_kept=True,
                returned_to_custody=False)
    if len(released) > 1 and ngo is not None:
        referral = _refer(released[1], ngo, days_before_release=21, by=casemanager)
        _record(referral, 1, today=today, employed=False, in_training=True, housed=True, contact_kept=True,
                returned_to_custody=False)
        _record(referral, 3, today=today, employed=True, in_training=False, housed=True, contact_kept=True,
                returned_to_custody=False)
    release_checklists_open(today=today)
    return {
        "Referrals": Referral.objects.count(),
        "Follow-ups recorded": FollowUp.objects.filter(done_on__isnull=False).count(),
        "Release tasks": ReleaseTask.objects.count(),
    }
