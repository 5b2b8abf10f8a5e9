"""Online and hybrid delivery: where each trainer joins a session from, and the equipment a cohort needs
compared with what its facility has."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from programs.models import Cohort, EquipmentItem, EquipmentNeed, Session, SessionTrainer
from rehab.models import StaffMember

# ---------------------------------------------------------------- trainers and cities


@dataclass(frozen=True)
class TrainerPlace:
    staff_member: StaffMember
    joins_from: str = ""
    is_remote: bool = False


def session_set_trainers(
    *,
    session: Session,
    places: Sequence[TrainerPlace],
    apply_to_upcoming: bool = False,
    by: AbstractBaseUser | None = None,
) -> int:
    """Record who delivers the session and from which city; with `apply_to_upcoming`, the same for every later
    session of the cohort that is still scheduled. Returns the number of sessions written."""
    cohort = session.cohort
    allowed = set(cohort.trainers.values_list("pk", flat=True))
    people = [place.staff_member.pk for place in places]
    if len(people) != len(set(people)):
        raise ValidationError(_("A trainer is listed twice."), code="duplicate")
    outsiders = [place.staff_member.full_name for place in places if place.staff_member.pk not in allowed]
    if outsiders:
        raise ValidationError(
            _("%(names)s is not a trainer of this cohort.") % {"names": ", ".join(outsiders)}, code="not_trainer"
        )
    for place in places:
        if place.is_remote and not place.joins_from.strip():
            raise ValidationError(
                _("Say which city %(name)s joins from.") % {"name": place.staff_member.full_name}, code="city"
            )
    targets = [session]
    if apply_to_upcoming:
        targets += list(
            cohort.sessions.filter(status=Session.Status.SCHEDULED, date__gt=session.date).order_by("date", "start_time")
        )
    try:
        with transaction.atomic():
            for target in targets:
                SessionTrainer.objects.filter(session=target).exclude(staff_member_id__in=people).delete()
                for place in places:
                    SessionTrainer.objects.update_or_create(
                        session=target,
                        staff_member=place.staff_member,
                        defaults={"joins_from": place.joins_from.strip(), "is_remote": place.is_remote},
                    )
    except IntegrityError as exc:
        raise ValidationError(_("Someone else changed these trainers at the same time; try again."), code="race") from exc
    return len(targets)


def session_trainer_places(*, session: Session) -> list[TrainerPlace]:
    """Who delivers the session and from where: what was recorded, else the cohort's trainers from their home
    city (remote when that is not the facility's city and the cohort is not in person)."""
    recorded = list(session.trainer_places.select_related("staff_member__organisation"))
    if recorded:
        return [TrainerPlace(staff_member=p.staff_member, joins_from=p.joins_from, is_remote=p.is_remote) for p in recorded]
    cohort = session.cohort
    online = cohort.delivery_mode != Cohort.DeliveryMode.IN_PERSON
    return [
        TrainerPlace(
            staff_member=trainer,
            joins_from=trainer.home_city,
            is_remote=online and bool(trainer.home_city) and trainer.home_city != cohort.facility.city,
        )
        for trainer in cohort.trainers.select_related("organisation").order_by("last_name", "first_name")
    ]


# ---------------------------------------------------------------- equipment


def cohort_set_equipment_need(
    *, cohort: Cohort, kind: str, quantity: int, session: Session | None = None, by: AbstractBaseUser | None = None
) -> EquipmentNeed | None:
    """Set how many of a kind of equipment the cohort (or one of its sessions) needs; 0 removes the need."""
    if kind not in EquipmentItem.Kind.values:
        raise ValidationError(_("Unknown kind of equipment."), code="kind")
    if quantity < 0:
        raise ValidationError(_("The quantity cannot be negative."), code="quantity")
    if session is not None and session.cohort_id != cohort.pk:
        raise ValidationError(_("The session belongs to another cohort."), code="session")
    with transaction.atomic():
        existing = (
            EquipmentNeed.objects.select_for_update().filter(cohort=cohort, session=session, kind=kind).order_by().first()
        )
        if quantity == 0:
            if existing:
                existing.delete()
            return None
        if existing:
            existing.quantity = quantity
            existing.save(update_fields=["quantity"])
            return existing
        try:
            with transaction.atomic():
                return EquipmentNeed.objects.create(cohort=cohort, session=session, kind=kind, quantity=quantity)
        except IntegrityError as exc:
            raise ValidationError(_("This equipment is already listed; change its quantity instead."), code="duplicate") from exc


@dataclass(frozen=True)
class EquipmentCheck:
    kind: str
    label: str
    needed: int
    available: int

    @property
    def short(self) -> int:
        return max(self.needed - self.available, 0)


def facility_equipment_available(*, facility_id: int) -> dict[str, int]:
    """Usable items of each kind in the facility (written-off and poor items do not count)."""
    rows = (
        EquipmentItem.objects.filter(facility_id=facility_id, condition__in=EquipmentItem.USABLE)
        .values("kind")
        .annotate(n=Sum("quantity"))
        .order_by()
    )
    return {row["kind"]: row["n"] for row in rows}


def cohort_equipment_check(*, cohort: Cohort) -> list[EquipmentCheck]:
    """For each kind of equipment the cohort needs, the most needed at once (the cohort's own need or its
    largest per-session need) against what the facility has. Two queries."""
    needed = {
        row["kind"]: row["n"]
        for row in EquipmentNeed.objects.filter(cohort=cohort).values("kind").annotate(n=Max("quantity")).order_by()
    }
    if not needed:
        return []
    available = facility_equipment_available(facility_id=cohort.facility_id)
    labels = dict(EquipmentItem.Kind.choices)
    return [
        EquipmentCheck(kind=kind, label=str(labels[kind]), needed=n, available=available.get(kind, 0))
        for kind, n in sorted(needed.items())
    ]
