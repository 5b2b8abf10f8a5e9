"""Peer educators: inmates who completed a programme and help deliver it to a cohort; their sessions count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from inmates.models import Inmate
from programs.models import Cohort, Enrolment, PeerEducator, Session


def peer_educator_qualifying_courses(*, cohort: Cohort) -> list[int]:
    """Courses whose completion lets an inmate be a peer educator in this cohort: its own, and those configured."""
    return [cohort.course_id, *cohort.course.peer_educator_courses.values_list("pk", flat=True)]


def _qualifying_enrolments(*, cohort: Cohort) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        cohort__course_id__in=peer_educator_qualifying_courses(cohort=cohort),
        status=Enrolment.Status.COMPLETED,
        inmate__isnull=False,
    ).exclude(final_result=Enrolment.Result.NOT_PASSED)


def peer_educator_candidates(*, cohort: Cohort) -> QuerySet[Inmate]:
    """Inmates in custody in the cohort's facility who completed a qualifying programme and are not yet peer
    educators or participants of this cohort."""
    return (
        Inmate.objects.filter(
            status=Inmate.Status.IN_CUSTODY,
            current_facility_id=cohort.facility_id,
            pk__in=_qualifying_enrolments(cohort=cohort).values("inmate_id"),
        )
        .exclude(peer_educator_roles__cohort=cohort)
        .exclude(enrolments__cohort=cohort)
        .order_by("last_name", "first_name")
    )


def peer_educator_assign(
    *, cohort: Cohort, inmate: Inmate, by: AbstractBaseUser | None = None, assigned_on: dt.date | None = None
) -> PeerEducator:
    """Assign an inmate as peer educator of a cohort, after checking they completed a qualifying programme and
    are held in the cohort's facility."""
    if inmate.status != Inmate.Status.IN_CUSTODY or inmate.current_facility_id != cohort.facility_id:
        raise ValidationError(
            _("%(name)s is not in custody in %(facility)s.") % {"name": inmate.full_name, "facility": cohort.facility.name},
            code="facility",
        )
    source = _qualifying_enrolments(cohort=cohort).filter(inmate=inmate).order_by("-ended_at", "-pk").first()
    if source is None:
        raise ValidationError(
            _("%(name)s has not completed this programme (or one that qualifies peer educators for it).")
            % {"name": inmate.full_name},
            code="not_completed",
        )
    if cohort.enrolments.filter(inmate=inmate).exists():
        raise ValidationError(
            _("%(name)s is a participant of this cohort.") % {"name": inmate.full_name}, code="participant"
        )
    try:
        with transaction.atomic():
            return PeerEducator.objects.create(
                cohort=cohort,
                inmate=inmate,
                source_enrolment=source,
                assigned_on=assigned_on or timezone.localdate(),
                assigned_by=by,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("%(name)s is already a peer educator in this cohort.") % {"name": inmate.full_name}, code="duplicate"
        ) from exc


def peer_educator_set_active(*, peer_educator: PeerEducator, active: bool, by: AbstractBaseUser | None = None) -> PeerEducator:
    if peer_educator.active != active:
        peer_educator.active = active
        peer_educator.save(update_fields=["active"])
    return peer_educator


def _held_since_assignment() -> Q:
    return Q(
        cohort__peer_educators__active=True,
        status=Session.Status.HELD,
        date__gte=F("cohort__peer_educators__assigned_on"),
    )


def peer_educator_session_counts(*, inmate_ids: Iterable[int]) -> dict[int, int]:
    """Held sessions (from the day they were assigned) of cohorts where each inmate is an active peer educator."""
    ids = list(inmate_ids)
    if not ids:
        return {}
    rows = (
        Session.objects.filter(_held_since_assignment(), cohort__peer_educators__inmate_id__in=ids)
        .values("cohort__peer_educators__inmate_id")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    counts = {row["cohort__peer_educators__inmate_id"]: row["n"] for row in rows}
    return {pk: counts.get(pk, 0) for pk in ids}


def cohort_peer_educators(*, cohort: Cohort) -> list[PeerEducator]:
    """The cohort's peer educators, each with `sessions_counted`: their held sessions across all cohorts.

    The counts are a second query, made only when the cohort has peer educators: most have none, and the
    counting subquery cost more to prepare than the list takes to read."""
    peers = list(
        cohort.peer_educators.select_related("inmate", "source_enrolment__cohort__course").order_by(
            "-active", "inmate__last_name", "inmate__first_name"
        )
    )
    counts = peer_educator_session_counts(inmate_ids={peer.inmate_id for peer in peers})
    for peer in peers:
        peer.sessions_counted = counts[peer.inmate_id]
    return peers
