"""The audit trail: django-auditlog entries written by services, with the acting user and the reason.

Every app's services use `audit_log` for the changes they make, inside the same transaction as the change, so a
change and its entry are saved or rolled back together. The trail is read in the Django admin (auditlog's
LogEntry admin, read-only) by the system administrator; no screen of the application edits it.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


def audit_log(
    instances: Iterable[models.Model],
    *,
    action: int,
    by: AbstractBaseUser | None,
    reason: str = "",
    before: dict[int, models.Model] | None = None,
) -> None:
    """Write django-auditlog entries for changes made by a service, with who and why.

    Services write their own entries (and switch auditlog's signals off around their writes) because the actor
    must be the user the service was called for, also from a task or a management command, and the reason
    belongs in the entry; bulk writes, which send no signals, are logged the same way. `before` maps a primary
    key to a copy of the instance taken before the change (`copy.copy(instance)`), so the entry holds both the
    old and the new value of every changed field.
    """
    entries = []
    now = timezone.now()
    actor = by if by is not None and by.is_authenticated else None
    for instance in instances:
        old = (before or {}).get(instance.pk)
        # The model's own columns only: reverse relations would cost a query each and are not changes of it.
        fields = [field.name for field in instance._meta.concrete_fields]
        changes = model_instance_diff(old, instance, fields_to_check=fields)
        if not changes:
            continue
        entries.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(instance),
                object_pk=str(instance.pk),
                object_id=instance.pk,
                object_repr=str(instance)[:1000],
                action=action,
                changes=changes,
                actor=actor,
                actor_email=getattr(actor, "email", None) if actor else None,
                additional_data={"reason": reason} if reason else None,
                timestamp=now,
            )
        )
    LogEntry.objects.bulk_create(entries)
