"""Funding actions, donations of equipment, and the PDF of a donor report.

Keyword-only, typed, named <entity>_<action>. Every change runs in one transaction and is validated with the
model's own rules first, so bad input saves nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Cohort, Donation, EquipmentItem, FundingAction, FundingActionCountry
from rehab.models import Facility, Organisation, Room

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------- funding actions


def _save_countries(action: FundingAction, countries: Iterable[str]) -> None:
    wanted = set(countries)
    action.countries.exclude(country__in=wanted).delete()
    existing = set(action.countries.values_list("country", flat=True))
    FundingActionCountry.objects.bulk_create(
        [FundingActionCountry(funding_action=action, country=code) for code in sorted(wanted - existing)]
    )


def funding_action_create(
    *,
    code: str,
    title: str,
    donor: Organisation,
    implementing_partner: Organisation | None,
    start_date: dt.date,
    end_date: dt.date,
    countries: Sequence[str],
    description: str = "",
    by: AbstractBaseUser | None = None,
) -> FundingAction:
    if not countries:
        raise ValidationError({"countries": _("Choose at least one country.")})
    action = FundingAction(
        code=code,
        title=title,
        donor=donor,
        implementing_partner=implementing_partner,
        start_date=start_date,
        end_date=end_date,
        description=description,
    )
    action.full_clean()
    with transaction.atomic():
        action.save()
        _save_countries(action, countries)
    return action


def funding_action_update(
    *,
    action: FundingAction,
    code: str,
    title: str,
    donor: Organisation,
    implementing_partner: Organisation | None,
    start_date: dt.date,
    end_date: dt.date,
    countries: Sequence[str],
    description: str = "",
    by: AbstractBaseUser | None = None,
) -> FundingAction:
    if not countries:
        raise ValidationError({"countries": _("Choose at least one country.")})
    action.code, action.title, action.donor = code, title, donor
    action.implementing_partner = implementing_partner
    action.start_date, action.end_date, action.description = start_date, end_date, description
    action.full_clean()
    with transaction.atomic():
        action.save()
        _save_countries(action, countries)
    return action


def funding_action_set_cohorts(
    *, action: FundingAction, cohorts: Iterable[Cohort], available: Iterable[Cohort], by: AbstractBaseUser | None = None
) -> tuple[int, int]:
    """Link `cohorts` to the action and unlink the other `available` ones (the cohorts the user may change);
    cohorts outside `available` are left alone. Returns (linked, unlinked)."""
    available_ids = {cohort.pk for cohort in available}
    wanted = {cohort.pk for cohort in cohorts}
    if wanted - available_ids:
        raise ValidationError(_("Some of these groups cannot be linked to this action."))
    with transaction.atomic():
        unlinked = Cohort.objects.filter(pk__in=available_ids - wanted, funding_action=action).update(funding_action=None)
        linked = (
            Cohort.objects.filter(pk__in=wanted).exclude(funding_action=action).update(funding_action=action)
        )
    return linked, unlinked


# ---------------------------------------------------------------- donations and inventory


@dataclass(frozen=True)
class ItemSpec:
    kind: str
    name: str
    quantity: int
    condition: str = EquipmentItem.Condition.NEW
    unit_value: Decimal | None = None
    room: Room | None = None
    location_note: str = ""


def donation_record(
    *,
    facility: Facility,
    donor: Organisation,
    date: dt.date,
    items: Sequence[ItemSpec],
    funding_action: FundingAction | None = None,
    note: str = "",
    by: AbstractBaseUser | None = None,
) -> Donation:
    """A donation with its items, which join the facility's inventory (received on the donation's date)."""
    if not items:
        raise ValidationError(_("A donation needs at least one item."))
    if funding_action and not funding_action.countries.filter(country=facility.prison_service.country).exists():
        raise ValidationError({"funding_action": _("This action does not cover the facility's country.")})
    donation = Donation(
        facility=facility,
        donor=donor,
        date=date,
        funding_action=funding_action,
        note=note,
        created_by=by if by and by.is_authenticated else None,
    )
    donation.full_clean()
    equipment = [
        EquipmentItem(
            facility=facility,
            kind=item.kind,
            name=item.name,
            quantity=item.quantity,
            condition=item.condition,
            unit_value=item.unit_value,
            room=item.room,
            location_note=item.location_note,
            received_on=date,
        )
        for item in items
    ]
    for line in equipment:
        line.full_clean(exclude=["donation"])
    with transaction.atomic():
        donation.save()
        for line in equipment:
            line.donation = donation
        EquipmentItem.objects.bulk_create(equipment)
    return donation


def equipment_item_update(
    *,
    item: EquipmentItem,
    quantity: int,
    condition: str,
    room: Room | None,
    location_note: str,
    by: AbstractBaseUser | None = None,
) -> EquipmentItem:
    """Where an item is used and the state it is in change over time; what was donated does not."""
    item.quantity, item.condition, item.room, item.location_note = quantity, condition, room, location_note
    item.full_clean()
    with transaction.atomic():
        item.save(update_fields=["quantity", "condition", "room", "location_note"])
    return item


# ---------------------------------------------------------------- donor report PDFs

# Files under PRIVATE_MEDIA_ROOT/reports, named by the hash of the report's parameters (programs.reports.spec_key):
# <key>.pdf when ready, <key>.failed (the reason) when rendering failed. Never served by URL.
REPORTS_DIR = "reports"


def reports_root() -> Path:
    """Read on every use, so tests can point PRIVATE_MEDIA_ROOT elsewhere."""
    return Path(settings.PRIVATE_MEDIA_ROOT) / REPORTS_DIR


def report_pdf_path(key: str) -> Path:
    if not key.isalnum():
        raise ValueError("A report key is a hexadecimal hash.")
    return reports_root() / f"{key}.pdf"


def _failure_path(key: str) -> Path:
    return report_pdf_path(key).with_suffix(".failed")


def _queued_path(key: str) -> Path:
    return report_pdf_path(key).with_suffix(".queued")


def donor_report_pdf_status(*, key: str) -> tuple[str, str]:
    """("ready", ""), ("failed", reason), ("pending", "") once queued, or ("absent", "") if never asked for."""
    if report_pdf_path(key).exists():
        return "ready", ""
    failure = _failure_path(key)
    if failure.exists():
        return "failed", failure.read_text(encoding="utf-8")
    if _queued_path(key).exists():
        return "pending", ""
    return "absent", ""


def _write_atomic(path: Path, content: bytes) -> None:
    """A reader never sees half a file; writing the same name twice (a task run twice) leaves one file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(temporary, 0o640)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _enqueue_render(spec: dict, key: str) -> None:
    from programs.tasks import render_donor_report

    _write_atomic(_queued_path(key), b"")
    render_donor_report.delay(spec, key)


def donor_report_pdf_request(*, spec: dict, today: dt.date | None = None) -> str:
    """Ask for the PDF of a report; returns its key. Nothing is queued when it is ready already; a failed one is
    tried again. The task is queued after the surrounding transaction commits."""
    from programs.reports import spec_key

    key = spec_key(spec, today=today or timezone.localdate())
    status, _reason = donor_report_pdf_status(key=key)
    if status == "ready":
        return key
    _failure_path(key).unlink(missing_ok=True)
    transaction.on_commit(partial(_enqueue_render, spec, key))
    return key


def donor_report_pdf_render(*, spec: dict, key: str) -> Path:
    """Render the report's PDF (WeasyPrint, charts as SVG) under its key. Idempotent: a ready file is kept."""
    from programs.reports import donor_report_pdf

    path = report_pdf_path(key)
    if path.exists():
        return path
    try:
        content = donor_report_pdf(spec=spec)
    except (OperationalError, InterfaceError):
        raise  # transient: the task tries again
    except Exception as exc:
        logger.exception("Donor report %s could not be rendered", key)
        _write_atomic(_failure_path(key), f"{exc.__class__.__name__}: {exc}".encode())
        _queued_path(key).unlink(missing_ok=True)
        raise
    _write_atomic(path, content)
    _failure_path(key).unlink(missing_ok=True)
    _queued_path(key).unlink(missing_ok=True)
    return path
