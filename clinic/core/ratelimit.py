"""A fixed-window request counter in Django's cache, for public forms (no third-party service)."""

from __future__ import annotations

import time

from django.core.cache import cache


def hit_and_check(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one hit for `key` in the current window and return True while within `limit`."""
    window = int(time.time() // window_seconds)
    cache_key = f"ratelimit:{scope}:{key}:{window}"
    # add() is atomic: only the first hit of a window creates the counter.
    if cache.add(cache_key, 1, timeout=window_seconds + 5):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The counter expired between add() and incr(); start the window again.
        cache.set(cache_key, 1, timeout=window_seconds + 5)
        count = 1
    return count <= limit
