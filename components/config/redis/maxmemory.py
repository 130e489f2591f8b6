"""redis' maxmemory: the cap as given, or derived from the memory limit, and its bounds.

At its memory limit the kernel kills redis, and every buffered log with it,
so a limit always comes with a cap below it: a full redis refuses writes and
filebeat waits, where a killed one loses everything at once. redis reads
`maxmemory 0` as no cap at all, so a cap too small to write is refused here,
whether it was given or derived.
"""

import math
from decimal import Decimal
from typing import Literal

from ..base import KeyedError
from ..kube.memory import MIB, size_text, unit_slip
from ..kube.numbers import quantity_value

MaxmemoryPolicy = Literal[
    "noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru",
    "volatile-lfu", "volatile-random", "volatile-ttl",
]
MAXMEMORY_SHARE = Decimal("0.75")
"""Of the memory limit, when maxmemory is not given. The rest is headroom for
what redis allocates outside its dataset: buffers, fragmentation, and the
copy-on-write pages of an AOF rewrite."""
MIN_MAXMEMORY, MAX_MAXMEMORY = 2**20, 2**50


def maxmemory_bytes(maxmemory: str | None, limit: str | None) -> int | None:
    """The cap redis.conf gets: the configured one, else a share of the limit."""
    if maxmemory is not None:
        return int(quantity_value(maxmemory))
    if limit is None:
        return None
    return int(quantity_value(limit) * MAXMEMORY_SHARE) // 2**20 * 2**20


def maxmemory_text(maxmemory: str | None, cap: int) -> str:
    """The cap of `cap` bytes as a message names it: as given, or as derived."""
    return maxmemory or f"{size_text(cap)}, {MAXMEMORY_SHARE:.0%} of resources.limits.memory"


def check_maxmemory(maxmemory: str | None, limit: str | None) -> None:
    """Raise a `KeyedError` when maxmemory is out of redis' range or not below
    resources.limits.memory (`limit`), or when the cap derived from the limit is."""
    if maxmemory is None:
        return _check_derived(limit)
    wanted = quantity_value(maxmemory)
    if wanted != wanted.to_integral_value() or not MIN_MAXMEMORY <= wanted <= MAX_MAXMEMORY:
        raise KeyedError("maxmemory", (
            f"({maxmemory}) must be a whole number of bytes from 1Mi to 1Pi"
            f"{unit_slip(maxmemory)}"))
    if limit is not None and wanted >= quantity_value(limit):
        raise KeyedError("maxmemory", (
            f"maxmemory ({maxmemory}) must be below resources.limits.memory ({limit}): "
            "redis needs memory beyond its dataset, and at the limit the kernel "
            "kills it and every buffered log with it"
        ), also=("resources.limits.memory",))


def _check_derived(limit: str | None) -> None:
    """Redis reads `maxmemory 0` as no cap at all. `memory_floor` keeps the
    derived cap well above 1Mi; this holds whatever the floor."""
    derived = maxmemory_bytes(None, limit)
    if derived is not None and derived < MIN_MAXMEMORY:
        least = math.ceil(MIN_MAXMEMORY / MAXMEMORY_SHARE / MIB)
        raise KeyedError("resources.limits.memory", (
            f"({limit}) leaves redis a maxmemory of {derived} bytes "
            f"({MAXMEMORY_SHARE:.0%}, in whole MiB), which redis reads as no cap at all; "
            f"give it at least {least}Mi, or set maxmemory"))
