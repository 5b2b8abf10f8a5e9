"""Reference data (organisations, facilities, rooms, courses) kept by each process and attached to the rows that
point at it.

Nearly every programme page shows a group's course, facility and room, and they change only when someone edits
them. Joined to a page's main query (select_related), the three cost Django a third of the query's build time and
PostgreSQL more time to plan than to run; the trainer's week, the register and the cohort page each spent over a
millisecond on them. Instead, each process keeps every row of these tables and `attach()` puts them on the page's
rows, as select_related would have.

A change is not missed:
- every save, delete, update() and bulk write of these models marks them changed in the shared cache (a new version
  in Redis, when the change is made and again when its transaction commits), and each request reads that version
  once, reading the tables again when it moved;
- a request that changed them drops the process's rows when it ends (its transaction may have rolled back);
- kept rows are read again after KEEP_SECONDS whatever the version says, in case a change was made while Redis did
  not answer;
- when Redis does not answer, or the cache is not shared between processes (local development without Redis),
  nothing is kept: the rows are read by key.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models.signals import post_delete, post_save

# Cache backends shared by every process of a deployment: a process-local cache could not tell one process
# about another's change.
SHARED_CACHES = ("rehab.cache.DegradingRedisCache", "django.core.cache.backends.redis.RedisCache")
# The longest a process serves rows it read, should a change have been made while Redis did not answer.
KEEP_SECONDS = 60

_registered: set[type[models.Model]] = set()
_lock = threading.Lock()
# (version, read at (monotonic seconds), {model: (field attnames, {pk: values})}), replaced as a whole.
_kept: tuple[str | None, float, dict] = (None, 0.0, {})


def version_key() -> str:
    """The cache key of the version: per database, so that test runs and deployments sharing a Redis keep apart."""
    return f"rehab:refdata:{settings.DATABASES['default']['NAME']}:version"


def changed(**_kwargs) -> None:
    """Mark the reference data changed, now and when the current transaction commits (until then other
    processes still read the old rows, and may keep them under the version set now)."""
    _new_version()
    transaction.on_commit(_new_version)
    if hasattr(_request, "version"):
        _request.changed = True


def _new_version() -> None:
    global _kept
    cache.set(version_key(), uuid.uuid4().hex, None)
    _kept = (None, 0.0, {})  # this process reads them again, even if Redis did not take the new version
    if hasattr(_request, "version"):
        _request.version = _UNREAD  # read again by this request too


class ReferenceQuerySet(models.QuerySet):
    """Writes that send no signal mark the reference data changed too (once written, so that a process reading
    the new version cannot read the rows as they were)."""

    def update(self, **kwargs) -> int:
        result = super().update(**kwargs)
        changed()
        return result

    def delete(self):
        result = super().delete()
        changed()
        return result

    def bulk_create(self, *args, **kwargs):
        result = super().bulk_create(*args, **kwargs)
        changed()
        return result

    def bulk_update(self, *args, **kwargs):
        result = super().bulk_update(*args, **kwargs)
        changed()
        return result


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
_UNREAD = object()


def _request_started(**_kwargs) -> None:
    _request.version = _UNREAD


def _request_finished(**_kwargs) -> None:
    global _kept
    _request.__dict__.pop("version", None)
    if _request.__dict__.pop("changed", False):
        # Rows this request read after its change may be ones its transaction then rolled back.
        _kept = (None, 0.0, {})


request_started.connect(_request_started, dispatch_uid="refdata-request-started")
request_finished.connect(_request_finished, dispatch_uid="refdata-request-finished")


def _version() -> str | None:
    """The shared version of the reference data, or None when it cannot be shared or Redis does not answer
    (nothing is kept then). Read once per request: when Redis is down, a page waits for it once."""
    if settings.CACHES["default"]["BACKEND"] not in SHARED_CACHES:
        return None
    version = getattr(_request, "version", _UNREAD)
    if version is not _UNREAD:
        return version
    version = cache.get(version_key())
    if version is None and cache.add(version_key(), uuid.uuid4().hex, None):
        version = cache.get(version_key())
    if hasattr(_request, "version"):
        _request.version = version
    return version


def _rows(model: type[models.Model], version: str) -> tuple[list[str], dict]:
    global _kept
    with _lock:
        kept_version, read_at, tables = _kept
        if kept_version != version or time.monotonic() - read_at > KEEP_SECONDS:
            tables = {}
            _kept = (version, time.monotonic(), tables)
        if model not in tables:
            names = [field.attname for field in model._meta.concrete_fields]
            key = names.index(model._meta.pk.attname)
            tables[model] = (names, {row[key]: row for row in model._base_manager.order_by().values_list(*names)})
        return tables[model]


def _instance(model: type[models.Model], names: list[str], row: tuple) -> models.Model:
    # A JSON field's value is a dict or a list: each page gets its own copy.
    values = [copy.deepcopy(value) if isinstance(value, dict | list) else value for value in row]
    return model.from_db(DEFAULT_DB_ALIAS, names, values)


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
                related = _instance(target, names, rows[key])
            field.set_cached_value(obj, related)
