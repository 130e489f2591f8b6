"""How many events the buffer holds, and how long that outlasts its reader being down.

The buffer outlasts an outage of `maxmemory` / (bytes an event costs in
redis) / (the cluster's log rate). The middle number is measured, not
derived: it depends on the list setting and on the events, so it comes from
the buffer benchmark's table (docs/buffer.md#sizing) for the setting the
redis.conf holds. Read from the rendered redis.conf, so that a rendered
folder (`diff --dir`) says it as a stack does.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..conventions import LISTPACK_SIZE_BEFORE_7, REDIS_LIST_DEFAULTS, redis_size
from ..render.manifests import Manifest

if TYPE_CHECKING:
    from .change import Change

MEASURED_BYTES = {
    (0, -2): 1911, (0, -3): 1907, (0, -4): 1848, (0, -5): 1819,
    (1, -2): 641, (1, -3): 484, (1, -4): 420, (1, -5): 387,
    (2, -2): 647, (2, -3): 488, (2, -4): 420, (2, -5): 390,
}
"""Bytes of `used_memory` per event, by list-compress-depth and
list-max-listpack-size: the buffer benchmark's medians (docs/buffer.md#sizing)
for events with the kubernetes block every stack's filebeat adds. Without
it they are about half as big, and a buffer holds about twice as many."""
MEASURED_ON = "events of about 1.8 kB with their kubernetes metadata, from a mixed corpus"
CONFIG_KEY = "redis.conf"
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2,
          "g": 1000**3, "gb": 1024**3}


@dataclass(frozen=True)
class Capacity:
    maxmemory: int
    """0: no cap, so no capacity to state."""
    depth: int
    size: int

    @property
    def bytes_per_event(self) -> int | None:
        # Past depth 2 only more end nodes stay whole: a few of thousands.
        return MEASURED_BYTES.get((min(self.depth, 2), self.size))

    @property
    def events(self) -> int | None:
        each = self.bytes_per_event
        return self.maxmemory // each if each and self.maxmemory else None

    def setting(self) -> str:
        return f"list-compress-depth {self.depth}, list-max-listpack-size {self.size}"

    def line(self, name: str, rate: int | None) -> str:
        """What `render` says: the figure, what it rests on, and the outage it outlasts."""
        if not self.maxmemory:
            return (f"{name}: no maxmemory, so the buffer grows until the container or the "
                    "node runs out of memory; set redis.maxmemory or a memory limit to size it")
        events = self.events
        if events is None:
            return (f"{name}: no measured bytes per event for {self.setting()}; the "
                    "capacity is not estimated (docs/buffer.md#sizing)")
        line = (f"{name} holds about {events:,} events in maxmemory {redis_size(self.maxmemory)}, "
                f"at {self.bytes_per_event} bytes an event as measured for {self.setting()} "
                f"with {MEASURED_ON} (docs/buffer.md#sizing)")
        if rate:
            return (line + f"; at {rate:,} events/s it outlasts a reader outage of "
                    f"{_minutes(events, rate)}")
        return line + ("; give --log-rate or redis.buffer.expectedRate for the reader "
                       "outage it outlasts")


def capacities(manifests: Sequence[Manifest]) -> dict[str, Capacity]:
    """Each redis ConfigMap's capacity, by `ConfigMap/<name>`."""
    return {f"ConfigMap/{m.name}": of_conf(conf) for m in manifests if m.kind == "ConfigMap"
            and isinstance(conf := (m.body.get("data") or {}).get(CONFIG_KEY), str)}


def of_conf(conf: str) -> Capacity:
    found: dict[str, str] = {}
    for line in conf.splitlines():
        name, _, value = line.strip().partition(" ")
        if name == LISTPACK_SIZE_BEFORE_7:  # a redis 6 image's
            name = "list-max-listpack-size"
        if name in ("maxmemory", *REDIS_LIST_DEFAULTS):
            found[name] = value.strip()
    return Capacity(maxmemory=_bytes(found.get("maxmemory", "0")),
                    depth=_int(found.get("list-compress-depth"), "list-compress-depth"),
                    size=_int(found.get("list-max-listpack-size"), "list-max-listpack-size"))


def change_line(change: "Change", rate: int | None) -> str | None:
    """What `diff` says when a change moves the figure: before, after, and by how much.
    (`change` is imported here: `render` reads only the capacity line, and
    `diff`, this function's caller, has imported it already.)"""
    from .change import Changed

    if not isinstance(change, Changed) or change.new.kind != "ConfigMap":
        return None
    old, new = (capacities([m]).get(f"ConfigMap/{m.name}") for m in (change.old, change.new))
    if old is None or new is None or (old.events, new.events) == (None, None) or \
            old.events == new.events:
        return None
    if old.events is None and not old.maxmemory:
        return "the buffer gets a maxmemory, where it had none: " + new.line("it", rate)
    if new.events is None or old.events is None:
        return "the buffer's capacity changes: " + new.line("it", rate)
    ratio = new.events / old.events
    line = (f"the buffer holds about {new.events:,} events, was {old.events:,} "
            f"({ratio:.2f}×; {new.bytes_per_event} bytes an event for {new.setting()}, "
            f"measured, docs/buffer.md#sizing)")
    if rate:
        line += (f"; at {rate:,} events/s it outlasts a reader outage of "
                 f"{_minutes(new.events, rate)}, was {_minutes(old.events, rate)}")
    return line


def _minutes(events: int, rate: int) -> str:
    minutes = events / rate / 60
    if minutes < 1:
        return f"about {events / rate:.0f} s"
    if minutes < 120:
        return f"about {minutes:.0f} minutes"
    return f"about {minutes / 60:.1f} hours"


def _bytes(text: str) -> int:
    match = re.fullmatch(r"(\d+)([a-z]*)", text.lower())
    if not match or match.group(2) not in _UNITS:
        return 0
    return int(match.group(1)) * _UNITS[match.group(2)]


def _int(text: str | None, name: str) -> int:
    if text is None or not re.fullmatch(r"-?\d+", text):
        return REDIS_LIST_DEFAULTS[name]
    return int(text)
