"""Enrolments: requests, waitlists, capacity, withdrawals."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inmates.models import Inmate
from programs.models import Cohort, Enrolment, EnrolmentStatusChange
from rehab.models import StaffMember

# ---------------------------------------------------------------- enrolments


def _record_status(*, enrolment: Enrolment, from_status: str, reason: str, by: AbstractBaseUser | None) -> None:
    EnrolmentStatusChange.objects.create(
        enrolment=enrolment, from_status=from_status, to_status=enrolment.status, reason=reason, changed_by=by
    )


def cohort_seats_taken(*, cohort: Cohort) -> int:
    return cohort.enrolments.filter(status__in=Enrolment.SEATED).count()


def enrolment_create(
    *,
    cohort: Cohort,
    inmate: Inmate | None = None,
    staff_member: StaffMember | None = None,
    waitlist_if_full: bool = False,
    by: AbstractBaseUser | None = None,
) -> Enrolment:
    """Enrol a person into a cohort, or put them on its waitlist when it is full and that is asked for.

    The cohort row is locked for the count, so concurrent requests cannot exceed its capacity.
    """
    if (inmate is None) == (staff_member is None):
        raise ValidationError(_("Choose exactly one person: an inmate or a staff member."), code="person")
    if inmate is not None and inmate.status != Inmate.Status.IN_CUSTODY:
        raise ValidationError(_("%(name)s is no longer in custody.") % {"name": inmate.full_name}, code="not_in_custody")
    try:
        with transaction.atomic():
            locked = Cohort.objects.select_for_update(of=("self",)).select_related("room").get(pk=cohort.pk)
            person_filter = {"inmate": inmate} if inmate is not None else {"staff_member": staff_member}
            if locked.enrolments.filter(**person_filter).exists():
                raise ValidationError(
                    _("%(name)s already has an enrolment in %(cohort)s.")
                    % {"name": (inmate or staff_member).full_name, "cohort": locked.name},
                    code="duplicate",
                )
            full = cohort_seats_taken(cohort=locked) >= locked.seat_limit
            if full and not waitlist_if_full:
                raise ValidationError(
                    _("%(cohort)s is full: all %(seats)d places are taken.") % {"cohort": locked.name, "seats": locked.seat_limit},
                    code="full",
                )
            enrolment = Enrolment.objects.create(
                cohort=locked,
                inmate=inmate,
                staff_member=staff_member,
                status=Enrolment.Status.WAITLISTED if full else Enrolment.Status.ENROLLED,
                enrolled_at=None if full else timezone.now(),
            )
            _record_status(enrolment=enrolment, from_status="", reason="", by=by)
            return enrolment
    except IntegrityError as exc:
        # Two requests for the same person raced past the existence check; the constraint decided.
        raise ValidationError(_("This person already has an enrolment in this cohort."), code="duplicate") from exc


