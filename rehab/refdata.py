"""Reference data (organisations, facilities, rooms, courses) kept by each process and attached to the rows that point at it.

Nearly every programme page shows a group's course, facility and room, and they change only when someone edits
them. Joined to a page's main query (select_related), the three cost Django a third of the query's build time and
PostgreSQL more time to plan than to run; the trainer's week, the register and the cohort page each spent over a
millisecond on them. Instead, each process keeps every row of these tables and `attach()` puts them on the page's
rows, as select_related would have.

A change is never missed: every save, delete, update() and bulk write of these models marks them changed in the
shared cache (a new version in Redis, when the change is made and again when its transaction commits), and every
attach() reads that version first, reading the tables again when it moved. When Redis does not answer, or the cache
is not shared between processes (local development without Redis), nothing is kept: the rows are read by key.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models.signals import post_delete, post_save

VERSION_KEY = "rehab:refdata:version"
# Cache backends shared by every process of a deployment: a process-local cache could not tell one process
# about another's change.
SHARED_CACHES = ("rehab.cache.DegradingRedisCache", "django.core.cache.backends.redis.RedisCache")

_registered: set[type[models.Model]] = set()
_lock = threading.Lock()
# (version, {model: (field attnames, {pk: values})}), replaced as a whole when the version moves.
_kept: tuple[str | None, dict] = (None, {})


def changed(**_kwargs) -> None:
    """Mark the reference data changed, now and when the current transaction commits (until then other
    processes still read the old rows, and may keep them under the version set now)."""
    _new_version()
    transaction.on_commit(_new_version)


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    if hasattr(_request, "version"):
        _request.version = _UNREAD  # read again by this request too


class ReferenceQuerySet(models.QuerySet):
    """Writes that send no signal mark the reference data changed too."""

    def update(self, **kwargs) -> int:
        changed()
        return super().update(**kwargs)

    def delete(self):
        changed()
        return super().delete()

    def bulk_create(self, *args, **kwargs):
        changed()
        return super().bulk_create(*args, **kwargs)

    def bulk_update(self, *args, **kwargs):
        changed()
        return super().bulk_update(*args, **kwargs)


def register(*reference_models: type[models.Model]) -> None:
    """Keep these models' rows in each process (their manager must use ReferenceQuerySet)."""
    for model in reference_models:
        assert isinstance(model._default_manager.get_queryset(), ReferenceQuerySet), model
        _registered.add(model)
        post_save.connect(changed, sender=model, dispatch_uid=f"refdata-save-{model._meta.label}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"refdata-delete-{model._meta.label}")


# Within one request the version is read once (a page may attach several times): set up by request_started,
# dropped by request_finished, so that work outside requests (tasks, commands) reads it every time.
_request = threading.local()


def _request_started(**_kwargs) -> None:
    _request.version = _UNREAD


def _request_finished(**_kwargs) -> None:
    _request.__dict__.pop("version", None)


_UNREAD = object()
request_started.connect(_request_started, dispatch_uid="refdata-request-started")
request_finished.connect(_request_finished, dispatch_uid="refdata-request-finished")


def _version() -> str | None:
    """The shared version of the reference data, or None when it cannot be shared (nothing is kept then)."""
    if settings.CACHES["default"]["BACKEND"] not in SHARED_CACHES:
        return None
    version = getattr(_request, "version", None)
    if version is not None and version is not _UNREAD:
        return version
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)  # still None when Redis does not answer
    if hasattr(_request, "version"):
        _request.version = version
    return version


def _rows(model: type[models.Model], version: str) -> tuple[list[str], dict]:
    global _kept
    with _lock:
        kept_version, tables = _kept
        if kept_version != version:
            tables = {}
            _kept = (version, tables)
        if model not in tables:
            names = [field.attname for field in model._meta.concrete_fields]
            key = names.index(model._meta.pk.attname)
            tables[model] = (names, {row[key]: row for row in model._base_manager.order_by().values_list(*names)})
        return tables[model]


def attach(objects: Iterable[models.Model], *fields: str) -> None:
    """Put on each of `objects` the rows its foreign keys `fields` point at (to registered models), as
    select_related(*fields) would have: from the process's rows, each a new instance, or read by key."""
    objects = [obj for obj in objects if obj is not None]
    if not objects:
        return
    version = _version()
    for name in fields:
        field = type(objects[0])._meta.get_field(name)
        target = field.related_model
        keys = {getattr(obj, field.attname) for obj in objects} - {None}
        kept = _rows(target, version) if version is not None and target in _registered else None
        names, rows = kept if kept else ([], {})
        missing = keys - rows.keys()
        # Rows written since the version was read (or anything, without a shared cache): read by key.
        fetched = target._base_manager.in_bulk(missing) if missing else {}
        for obj in objects:
            key = getattr(obj, field.attname)
            if key is None:
                related = None
            elif key in fetched:
                related = fetched[key]
            else:
                related = target.from_db(DEFAULT_DB_ALIAS, names, rows[key])
            field.set_cached_value(obj, related)
