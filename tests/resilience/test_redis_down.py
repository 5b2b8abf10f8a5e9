"""Redis stopped → every page of the permission matrix still answers as it does with Redis up.

Redis holds the cache and the Celery queue; sessions and everything else live in PostgreSQL. The test points this
process at a private Redis, proves it is used, stops it, and walks the permission matrix.
"""

import time

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerOperationalError

from programs.tasks import generate_sessions
from tests.matrix import ROLES
from tests.test_permission_matrix import MATRIX, demo, private_media  # noqa: F401 - fixtures used by name

# A page may try Redis (cache, queueing a task) and give up; it must not hang on it.
SLOWEST_PAGE_SECONDS = 10


def test_the_cache_degrades_to_misses_while_redis_is_stopped(private_redis, point_at_redis):
    point_at_redis(private_redis.url)
    cache.set("greeting", "hello")
    assert cache.get("greeting") == "hello"

    private_redis.stop()

    assert cache.get("greeting") is None
    assert cache.get("greeting", "fallback") == "fallback"
    assert cache.get_or_set("computed", lambda: 42) == 42
    assert cache.add("lock", 1) is False
    assert cache.get_many(["greeting", "computed"]) == {}
    cache.set("greeting", "again")
    cache.delete("greeting")
    with pytest.raises(ValueError):
        cache.incr("counter")

    private_redis.start()

    assert cache.get("greeting") == "hello"  # the append-only file kept it; the write while down was dropped


@pytest.mark.slow
@pytest.mark.postgres
def test_every_page_works_while_redis_is_stopped(demo, private_redis, point_at_redis,  # noqa: F811
                                                  django_capture_on_commit_callbacks):
    point_at_redis(private_redis.url)
    cache.set("probe", "up")
    assert cache.get("probe") == "up"
    users = {user.username: user for user in get_user_model().objects.filter(username__in=ROLES)}
    private_redis.stop()

    mismatches, slow = [], []
    for row in MATRIX:
        query = row.query.format(lipjan=demo.lipjan.pk)
        url = reverse(row.name, kwargs=row.kwargs(demo)) + (f"?{query}" if query else "")
        # The role that gets furthest into the page: an allowed one, else one the record is hidden from.
        role = None if row.public else min(ROLES, key=row.expected)
        client = Client()
        if role:
            client.force_login(users[role])
        started = time.monotonic()
        # Run what the view queues after its commit (certificate rendering…), as it would outside a test.
        with django_capture_on_commit_callbacks(execute=True):
            response = getattr(client, row.method)(url)
        elapsed = time.monotonic() - started
        if response.status_code != row.expected(role):
            mismatches.append(f"{row.name} {url} as {role}: {response.status_code} != {row.expected(role)}")
        if elapsed > SLOWEST_PAGE_SECONDS:
            slow.append(f"{row.name} as {role}: {elapsed:.1f} s")

    assert cache.get("probe") is None  # Redis really was away for the whole walk
    assert "\n".join(mismatches) == ""
    assert slow == []


def test_queueing_a_task_while_redis_is_stopped_gives_up_within_seconds(private_redis, point_at_redis):
    point_at_redis(private_redis.url)
    private_redis.stop()

    started = time.monotonic()
    # What a web request does: send and forget (nobody waits for the result), so only the broker is asked.
    with pytest.raises(BrokerOperationalError):
        generate_sessions.apply_async((0,), ignore_result=True)
    forgotten = time.monotonic() - started
    started = time.monotonic()
    # Asking for a result also subscribes to the result store, which fails differently (Celery's RuntimeError).
    with pytest.raises((BrokerOperationalError, RuntimeError)):
        generate_sessions.delay(0)
    awaited = time.monotonic() - started

    assert forgotten < 3
    assert awaited < 3
