"""Funding actions, donations of equipment, and the PDF of a donor report.

Keyword-only, typed, named <entity>_<action>. Every change runs in one transaction and is validated with the
model's own rules first, so bad input saves nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError

from programs.models import Cohort, Donation, EquipmentItem, FundingAction, FundingActionCountry
from rehab.models import Facility, Organisation, Room
from rehab.storage import private_storage

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

# Files in the private storage (rehab.storage: a folder or a bucket), under reports/, named by the hash of the
# report's parameters (programs.reports.spec_key): <key>.pdf when ready, <key>.failed (the reason) when rendering
# failed, <key>.queued while a task is on its way. Never served by URL.
REPORTS_DIR = "reports"

# A broker that does not answer: the request gives up after about a second and says so, rather than hanging.
BROKER_ERRORS = (KombuOperationalError, ConnectionError, OSError)
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


def report_pdf_name(key: str) -> str:
    if not key.isalnum():
        raise ValueError("A report key is a hexadecimal hash.")
    return f"{REPORTS_DIR}/{key}.pdf"


def report_pdf_path(key: str) -> Path:
    """Where the PDF lies when the private storage is a folder (tests, a single machine)."""
    return Path(private_storage().path(report_pdf_name(key)))


def _failure_name(key: str) -> str:
    return report_pdf_name(key).removesuffix(".pdf") + ".failed"


def _queued_name(key: str) -> str:
    return report_pdf_name(key).removesuffix(".pdf") + ".queued"


def donor_report_pdf_status(*, key: str) -> tuple[str, str]:
    """("ready", ""), ("failed", reason), ("pending", "") once queued, or ("absent", "") if never asked for."""
    storage = private_storage()
    if storage.exists(report_pdf_name(key)):
        return "ready", ""
    if storage.exists(_failure_name(key)):
        with storage.open(_failure_name(key), "rb") as handle:
            return "failed", handle.read().decode("utf-8")
    if storage.exists(_queued_name(key)):
        return "pending", ""
    return "absent", ""


def donor_report_pdf_open(*, key: str):
    """The ready PDF, opened for reading; FileNotFoundError when there is none."""
    name = report_pdf_name(key)
    if not private_storage().exists(name):
        raise FileNotFoundError(name)
    return private_storage().open(name, "rb")


def _enqueue_render(spec: dict, key: str) -> None:
    from programs.tasks import render_donor_report

    storage = private_storage()
    storage.write_atomic(_queued_name(key), b"")
    try:
        render_donor_report.apply_async((spec, key), retry=True, retry_policy=PUBLISH_RETRY_POLICY, ignore_result=True)
    except BROKER_ERRORS as exc:
        logger.warning("Broker unreachable, donor report %s not queued: %r", key, exc)
        storage.delete(_queued_name(key))
        storage.write_atomic(
            _failure_name(key), _("The task queue cannot be reached just now. Ask again in a few minutes.").encode()
        )


def donor_report_pdf_request(*, spec: dict, today: dt.date | None = None) -> str:
    """Ask for the PDF of a report; returns its key. Nothing is queued when it is ready already; a failed one is
    tried again. The task is queued after the surrounding transaction commits."""
    from programs.reports import spec_key

    key = spec_key(spec, today=today or timezone.localdate())
    status, _reason = donor_report_pdf_status(key=key)
    if status == "ready":
        return key
    private_storage().delete(_failure_name(key))
    transaction.on_commit(partial(_enqueue_render, spec, key))
    return key


def donor_report_pdf_render(*, spec: dict, key: str) -> str:
    """Render the report's PDF (WeasyPrint, charts as SVG) under its key and return its name in the private
    storage. Idempotent: a ready file is kept."""
    from programs.reports import donor_report_pdf

    storage = private_storage()
    name = report_pdf_name(key)
    if storage.exists(name):
        return name
    try:
        content = donor_report_pdf(spec=spec)
    except (OperationalError, InterfaceError):
        raise  # transient: the task tries again
    except Exception as exc:
        logger.exception("Donor report %s could not be rendered", key)
        storage.write_atomic(_failure_name(key), f"{exc.__class__.__name__}: {exc}".encode())
        storage.delete(_queued_name(key))
        raise
    storage.write_atomic(name, content)
    storage.delete(_failure_name(key))
    storage.delete(_queued_name(key))
    return name
