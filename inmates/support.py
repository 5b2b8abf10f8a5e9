"""Post-release support: referrals to the probation service, the ministry's reintegration division or an NGO,
and the follow-ups at 1, 3, 6 and 12 months after release."""

from __future__ import annotations

import copy
import datetime as dt

from auditlog.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from inmates.casework_selectors import REFERRAL_KINDS, add_months
from inmates.models import CustodyEvent, FollowUp, Inmate, Referral, ReleaseTask
from inmates.release import release_task_complete
from rehab.audit import audit_log
from rehab.models import Organisation

FOLLOW_UP_MONTHS = (1, 3, 6, 12)
OUTCOMES = ("employed", "in_training", "housed", "contact_kept", "returned_to_custody")


def release_date_of(*, inmate: Inmate) -> dt.date | None:
    """The day the person was released (their last release movement) or, still in custody, is expected out."""
    if inmate.status != Inmate.Status.IN_CUSTODY:
        released = (
            CustodyEvent.objects.filter(inmate=inmate, kind=CustodyEvent.Kind.RELEASE)
            .order_by("-date", "-pk")
            .values_list("date", flat=True)
            .first()
        )
        if released is not None:
            return released
    return inmate.expected_release_date


def referral_create(
    *,
    inmate: Inmate,
    organisation: Organisation,
    referred_on: dt.date,
    note: str = "",
    by: AbstractBaseUser | None = None,
) -> Referral:
    """Refer a person for support after release, with their four follow-ups due 1, 3, 6 and 12 months after the
    release date (the actual one, or the expected one while still in custody). A referral to a probation
    service completes the probation-referral task of the pre-release checklist."""
    if organisation.kind not in REFERRAL_KINDS:
        raise ValidationError(
            _("A person can be referred only to a probation service, a ministry or an NGO."), code="organisation"
        )
    release_on = release_date_of(inmate=inmate)
    if release_on is None:
        raise ValidationError(
            _("%(name)s has no release date yet: record the expected release date first.") % {"name": inmate.full_name},
            code="release_date",
        )
    with transaction.atomic():
        if Referral.objects.select_for_update().filter(
            inmate=inmate, organisation=organisation, status__in=(Referral.Status.OPEN, Referral.Status.ACCEPTED)
        ).exists():
            raise ValidationError(
                _("%(name)s already has an open referral to %(organisation)s.")
                % {"name": inmate.full_name, "organisation": organisation.name},
                code="duplicate",
            )
        referral = Referral.objects.create(
            inmate=inmate, organisation=organisation, referred_on=referred_on, referred_by=by, note=note.strip()
        )
        for month in FOLLOW_UP_MONTHS:
            FollowUp.objects.create(referral=referral, month=month, due_on=add_months(release_on, month))
        if organisation.kind == Organisation.Kind.PROBATION:
            release_task_complete(inmate=inmate, kind=ReleaseTask.Kind.PROBATION_REFERRAL, today=referred_on)
    return referral


def follow_ups_reschedule(*, inmate: Inmate, by: AbstractBaseUser | None = None, reason: str = "") -> list[FollowUp]:
    """Move the follow-ups not yet done to 1, 3, 6 and 12 months after the person's release date as it is now,
    and return those that moved. Call it in the transaction that changes the date (a release recorded on
    another day than expected, a corrected release movement or expected release date), with `inmate` as saved.

    Follow-ups already recorded keep their date: they happened. Referrals made before the person's current
    stay in custody began belong to an earlier release and are left alone. Running it again changes nothing.
    """
    release_on = release_date_of(inmate=inmate)
    if release_on is None:
        return []
    with transaction.atomic():
        # Locked, so a follow-up recorded meanwhile is either seen as done or recorded after the move.
        pending = FollowUp.objects.select_for_update().filter(
            referral__inmate=inmate, referral__referred_on__gte=inmate.admission_date, done_on__isnull=True
        )
        moved, before = [], {}
        for follow_up in pending.order_by("pk"):
            due_on = add_months(release_on, follow_up.month)
            if follow_up.due_on != due_on:
                before[follow_up.pk] = copy.copy(follow_up)
                follow_up.due_on = due_on
                moved.append(follow_up)
        # One write, audited here with the reason (bulk_update sends no signals, whoever the caller is).
        FollowUp.objects.bulk_update(moved, ["due_on"])
        audit_log(moved, action=LogEntry.Action.UPDATE, by=by, reason=reason, before=before)
    return moved


def referral_status_set(*, referral: Referral, status: str, by: AbstractBaseUser | None = None) -> Referral:
    if status not in Referral.Status.values:
        raise ValidationError(_("Choose a valid status."), code="status")
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        current.status = status
        current.save()
    return current


def follow_up_record(
    *,
    follow_up: FollowUp,
    done_on: dt.date,
    today: dt.date,
    outcomes: dict[str, bool | None],
    note: str = "",
    by: AbstractBaseUser | None = None,
) -> FollowUp:
    """Record what the follow-up found: employment, training, housing, contact kept, returned to custody."""
    if done_on is None:
        raise ValidationError(_("Give the date of the follow-up."), code="done_on")
    if done_on > today:
        raise ValidationError(_("A follow-up cannot be recorded for a future date."), code="future")
    unknown = set(outcomes) - set(OUTCOMES)
    if unknown:
        raise ValidationError(_("Unknown outcome."), code="outcome")
    with transaction.atomic():
        current = FollowUp.objects.select_for_update().select_related("referral__inmate").get(pk=follow_up.pk)
        release_on = release_date_of(inmate=current.referral.inmate)
        if release_on is not None and done_on < release_on:
            raise ValidationError(
                _("A follow-up happens after the release (%(date)s).") % {"date": date_format(release_on)},
                code="before_release",
            )
        current.done_on = done_on
        for name in OUTCOMES:
            setattr(current, name, outcomes.get(name))
        current.note = note.strip()
        current.recorded_by = by if by is not None and by.is_authenticated else None
        current.save()
    return current
