"""The shared cache: Redis, and the database's cache table while Redis cannot be reached.

The cache holds what must hold across web processes: the rate limits of signing in, claiming
and password resets, and the two-factor codes already used. Failing open when Redis is down
would lift those limits (and let a used code be replayed) for as long as the outage lasts, and
answering 500 would take sign-in down with Redis. So a command that cannot reach Redis (refused,
timed out, reset) is run on the database's cache table instead, which every web process shares
as well; the process then leaves Redis alone for ``RETRY_AFTER`` seconds, so that a Redis host
that drops packets costs one short time-out per process and interval, not one per request.

What was counted in one store is not in the other: a switch restarts the short counting windows
of the rate limits, nothing more.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("edubadges.cache")

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

# Per process, by Redis location: Django builds one cache object per thread, and every thread
# should learn from the first that waited in vain. The value is a ``time.monotonic()`` moment.
_redis_skipped_until: dict[str, float] = {}


def _without_password(location: str) -> str:
    parts = urlsplit(location)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


class RedisWithDatabaseFallback(BaseCache):
    """``LOCATION`` is the Redis URL; ``OPTIONS`` go to Redis's connection pool (time-outs);
    ``FALLBACK_TABLE`` is the cache table (``createcachetable``); ``RETRY_AFTER`` the seconds
    a process leaves Redis alone after it could not be reached."""

    def __init__(self, location: str, params: dict) -> None:
        super().__init__(params)
        shared = {
            name: params[name]
            for name in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION")
            if name in params
        }
        self._location = location
        self._retry_after = float(params.get("RETRY_AFTER", 30))
        self._redis = RedisCache(location, {**shared, "OPTIONS": params.get("OPTIONS", {})})
        self._database = DatabaseCache(params["FALLBACK_TABLE"], shared)

    def _run(self, method: str, *args, **kwargs):
        now = time.monotonic()
        if now >= _redis_skipped_until.get(self._location, 0.0):
            try:
                result = getattr(self._redis, method)(*args, **kwargs)
            except UNREACHABLE as error:
                _redis_skipped_until[self._location] = now + self._retry_after
                logger.warning(
                    "The cache's Redis at %s cannot be reached (%s); the database cache stands "
                    "in for the next %.0f s",
                    _without_password(self._location),
                    error,
                    self._retry_after,
                )
            else:
                if _redis_skipped_until.pop(self._location, None) is not None:
                    logger.warning(
                        "The cache's Redis at %s answers again", _without_password(self._location)
                    )
                return result
        return getattr(self._database, method)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._run("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._run("delete", key, version)

    def get_many(self, keys, version=None):
        return self._run("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._run("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._run("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._run("delete_many", keys, version)

    def clear(self):
        return self._run("clear")

    def close(self, **kwargs) -> None:
        self._redis.close(**kwargs)
        self._database.close(**kwargs)
