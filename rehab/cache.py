"""A Redis cache that degrades to "no cache" when Redis does not answer.

The cache only ever holds copies (dashboard aggregates and the like), so a Redis outage must cost speed, not
pages: every read is a miss, every write is dropped, and one warning is logged per failing call.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _degrade(default_factory):
    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as exc:
                logger.warning("Redis cache unavailable during %s: %s", method.__name__, exc)
                return default_factory(*args, **kwargs)

        return wrapper

    return decorator


def _get_default(key, default=None, version=None):
    return default


class _ReusingClient(RedisCacheClient):
    """Django's client makes a new redis.Redis for every call (it copies the reply callbacks each time: as long as
    the call itself on this machine); one per connection pool serves every call, from any thread."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class DegradingRedisCache(RedisCache):
    """Django's RedisCache; when Redis is down, reads miss and writes are dropped instead of raising."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _ReusingClient

    get = _degrade(_get_default)(RedisCache.get)
    # add() reports "not stored": callers that use it as a lock then skip the guarded work, never do it twice.
    add = _degrade(lambda *a, **k: False)(RedisCache.add)
    set = _degrade(lambda *a, **k: None)(RedisCache.set)
    touch = _degrade(lambda *a, **k: False)(RedisCache.touch)
    delete = _degrade(lambda *a, **k: False)(RedisCache.delete)
    get_many = _degrade(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _degrade(lambda *a, **k: False)(RedisCache.has_key)
    set_many = _degrade(lambda data, *a, **k: list(data))(RedisCache.set_many)
    delete_many = _degrade(lambda *a, **k: None)(RedisCache.delete_many)
    clear = _degrade(lambda *a, **k: False)(RedisCache.clear)

    def incr(self, key, delta=1, version=None):
        # A missing counter is a ValueError in Django's contract; an unreachable one must not pass for zero.
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as exc:
            logger.warning("Redis cache unavailable during incr: %s", exc)
            raise ValueError(f"Key '{key}' not found (Redis unavailable)") from exc
