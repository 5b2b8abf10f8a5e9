"""The pre-release programme: a checklist per person that opens settings.PRE_RELEASE_MONTHS months before the
expected release date.

The checklist is opened (its five tasks created) by `release_checklist_open`, which is idempotent: the release
page and the "Upcoming releases" page call it for the people they show, and `manage.py open_release_checklists`
calls it for everyone in the window (run it daily from cron so checklists open even when nobody looks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inmates.casework_selectors import add_months
from inmates.models import Inmate, ReleaseTask
from rehab.models import StaffMember

# How long before the release each task should be done, in months. A task created late (the person was admitted
# close to release, or nobody opened the checklist on time) is never due before the day it is created.
MONTHS_BEFORE_RELEASE = {
    ReleaseTask.Kind.IDENTITY_DOCUMENTS: 3,
    ReleaseTask.Kind.ACCOMMODATION: 2,
    ReleaseTask.Kind.FAMILY_CONTACT: 2,
    ReleaseTask.Kind.EMPLOYMENT: 1,
    ReleaseTask.Kind.PROBATION_REFERRAL: 1,
}
FINISHED = (ReleaseTask.Status.DONE, ReleaseTask.Status.NOT_APPLICABLE)


def pre_release_months() -> int:
    return int(getattr(settings, "PRE_RELEASE_MONTHS", 6))


def release_checklist_start(*, inmate: Inmate) -> dt.date | None:
    """The day the person's checklist opens, or None without an expected release date."""
    if inmate.expected_release_date is None:
        return None
    return add_months(inmate.expected_release_date, -pre_release_months())


def release_task_due_date(*, kind: str, release_on: dt.date, opened_on: dt.date) -> dt.date:
    due = add_months(release_on, -MONTHS_BEFORE_RELEASE[kind])
    return min(max(due, opened_on), release_on)


def release_checklist_open(*, inmate: Inmate, today: dt.date, existing: Iterable[str] | None = None) -> int:
    """Create the tasks the person's checklist is missing once it has opened; return how many were created.

    `existing` (the kinds already there) saves a query when the caller has them. Nothing happens for people not
    in custody, without an expected release date or before the checklist's start.
    """
    start = release_checklist_start(inmate=inmate)
    if inmate.status != Inmate.Status.IN_CUSTODY or start is None or today < start:
        return 0
    have = set(existing) if existing is not None else set(inmate.release_tasks.values_list("kind", flat=True))
    missing = [kind for kind in ReleaseTask.Kind.values if kind not in have]
    created = 0
    for kind in missing:
        with transaction.atomic():
            _task, was_created = ReleaseTask.objects.get_or_create(
                inmate=inmate,
                kind=kind,
                defaults={
                    "due_date": release_task_due_date(
                        kind=kind, release_on=inmate.expected_release_date, opened_on=today
                    ),
                },
            )
        created += was_created
    return created


def release_checklists_open(*, today: dt.date, inmates: Iterable[Inmate] | None = None) -> int:
    """Open the checklists of the given people (default: everyone in custody whose window has started)."""
    if inmates is None:
        inmates = Inmate.objects.filter(
            status=Inmate.Status.IN_CUSTODY,
            expected_release_date__gte=today,
            expected_release_date__lte=add_months(today, pre_release_months()),
        )
    inmates = list(inmates)
    kinds: dict[int, set[str]] = {inmate.pk: set() for inmate in inmates}
    for inmate_id, kind in ReleaseTask.objects.filter(inmate__in=[i.pk for i in inmates]).values_list(
        "inmate_id", "kind"
    ):
        kinds[inmate_id].add(kind)
    created = 0
    for inmate in inmates:
        if len(kinds[inmate.pk]) < len(ReleaseTask.Kind.values):
            created += release_checklist_open(inmate=inmate, today=today, existing=kinds[inmate.pk])
    return created


def release_task_update(
    *,
    task: ReleaseTask,
    owner: StaffMember | None,
    due_date: dt.date,
    status: str,
    note: str,
    today: dt.date,
    by: AbstractBaseUser | None = None,
) -> ReleaseTask:
    """Change a task's owner, due date, status or note; a task marked done records the day."""
    if due_date is None:
        raise ValidationError(_("Give a due date."), code="due_date")
    if status not in ReleaseTask.Status.values:
        raise ValidationError(_("Choose a valid status."), code="status")
    with transaction.atomic():
        current = ReleaseTask.objects.select_for_update().get(pk=task.pk)
        current.owner = owner
        current.due_date = due_date
        current.note = note.strip()
        if status == ReleaseTask.Status.DONE and current.status != ReleaseTask.Status.DONE:
            current.completed_on = today
        elif status != ReleaseTask.Status.DONE:
            current.completed_on = None
        current.status = status
        current.save()
    return current


def release_task_complete(*, inmate: Inmate, kind: str, today: dt.date) -> None:
    """Mark one open task of the person's checklist done (a referral made elsewhere completes its task)."""
    with transaction.atomic():
        for task in ReleaseTask.objects.select_for_update().filter(inmate=inmate, kind=kind).exclude(
            status__in=FINISHED
        ):
            task.status = ReleaseTask.Status.DONE
            task.completed_on = today
            task.save()
