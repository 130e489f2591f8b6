"""How many events the buffer holds, and how long that outlasts its reader being down.

The buffer outlasts an outage of `maxmemory` / (bytes an event costs in
redis) / (the cluster's log rate). The middle number is measured, not
derived: it depends on the list setting and on the events, so it comes from
the buffer benchmark's table (docs/buffer.md#sizing) for the setting the
redis.conf holds. Read from the rendered redis.conf and filebeat.yml, so that
a rendered folder (`diff --dir`) says it as a stack does.

That figure is an outage outlasted only while redis keeps the events and
refuses writes when full. A channel keeps nothing, and redis evicts whole
keys, so an `allkeys-*` policy deletes the list, every event in it, at
`maxmemory`: there the line says what is lost instead
(docs/configuration.md#redisconfig).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..conventions import LISTPACK_SIZE_BEFORE_7, REDIS_LIST_DEFAULTS, redis_size
from ..render.manifests import Manifest

if TYPE_CHECKING:
    from .change import Change, Changed

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
FILEBEAT_KEY = "filebeat.yml"
CHANNEL = ("filebeat publishes to a channel (filebeat.output.datatype channel), and redis "
           "passes each event to the readers subscribed at that moment and keeps none: a "
           "reader that is away loses every event sent meanwhile "
           "(docs/configuration.md#redisoutput)")
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2,
          "g": 1000**3, "gb": 1024**3}


@dataclass(frozen=True)
class Capacity:
    maxmemory: int
    """0: no cap, so no capacity to state."""
    depth: int
    size: int
    policy: str = "noeviction"
    datatype: str = "list"
    """The output.redis.datatype of the filebeat.yml in redis' namespace."""

    @property
    def holds(self) -> bool:
        return self.datatype != "channel"

    @property
    def deletes_when_full(self) -> bool:
        # filebeat's list has no TTL, so a volatile-* policy finds nothing to
        # evict and refuses the write, as noeviction does.
        return self.policy.startswith("allkeys-")

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
        """What `render` says: the figure, what it rests on, and what an outage does."""
        if not self.holds:
            return f"{name} holds nothing: {CHANNEL}"
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
        if self.deletes_when_full:
            line += (f"; when full, maxmemory-policy {self.policy} deletes the whole list, "
                     "every event in it at once, instead of refusing the write "
                     "(docs/configuration.md#redisconfig)")
        return line + self.outage(events, rate)

    def outage(self, events: int, rate: int | None, was: int | None = None) -> str:
        """The outage the buffer outlasts or, deleted when full, the one that loses events."""
        if not rate:
            what = ("that loses events" if self.deletes_when_full else "it outlasts")
            return f"; give --log-rate or redis.buffer.expectedRate for the reader outage {what}"
        then = f", was {_minutes(was, rate)}" if was else ""
        if self.deletes_when_full:
            return (f"; at {rate:,} events/s a reader outage longer than "
                    f"{_minutes(events, rate)} loses events{then}")
        return (f"; at {rate:,} events/s it outlasts a reader outage of "
                f"{_minutes(events, rate)}{then}")


def capacities(manifests: Sequence[Manifest]) -> dict[str, Capacity]:
    """Each redis ConfigMap's capacity, by `ConfigMap/<name>`."""
    datatypes = {m.namespace: _datatype(text) for m in manifests
                 if isinstance(text := _data(m, FILEBEAT_KEY), str)}
    return {f"ConfigMap/{m.name}": of_conf(conf, datatypes.get(m.namespace, "list"))
            for m in manifests if isinstance(conf := _data(m, CONFIG_KEY), str)}


def of_conf(conf: str, datatype: str = "list") -> Capacity:
    found: dict[str, str] = {}
    for line in conf.splitlines():
        name, _, value = line.strip().partition(" ")
        if name == LISTPACK_SIZE_BEFORE_7:  # a redis 6 image's
            name = "list-max-listpack-size"
        if name in ("maxmemory", "maxmemory-policy", *REDIS_LIST_DEFAULTS):
            found[name] = value.strip()
    return Capacity(maxmemory=_bytes(found.get("maxmemory", "0")),
                    depth=_int(found.get("list-compress-depth"), "list-compress-depth"),
                    size=_int(found.get("list-max-listpack-size"), "list-max-listpack-size"),
                    policy=found.get("maxmemory-policy", "noeviction").lower(),
                    datatype=datatype)


def change_line(change: "Change", pairs: Sequence["Change"], rate: int | None) -> str | None:
    """What `diff` says when a change moves the figure, or what a full buffer or
    an absent reader does: before, after, and by how much. The line goes with
    redis' ConfigMap, or with filebeat's when only that one changed (its datatype).
    (`change` is imported here: `render` reads only the capacity line, and
    `diff`, this function's caller, has imported it already.)"""
    from .change import Added, Changed, Removed

    if not isinstance(change, Changed) or change.new.kind != "ConfigMap":
        return None
    key = _buffer_moved_by(change, pairs)
    if key is None:
        return None
    old = capacities([p.old for p in pairs if not isinstance(p, Added)]).get(key)
    new = capacities([p.new for p in pairs if not isinstance(p, Removed)]).get(key)
    if old is None or new is None or old == new:
        return None
    if old.holds != new.holds:
        return ("the buffer holds events again: " + new.line("it", rate) if new.holds
                else f"the buffer holds nothing from now: {CHANNEL}")
    if not new.holds:
        return None
    if old.deletes_when_full != new.deletes_when_full and new.maxmemory:
        return ("the buffer stops refusing writes when full: " if new.deletes_when_full
                else "the buffer refuses writes when full again, instead of being deleted "
                "whole: ") + new.line("it", rate)
    if (old.events, new.events) == (None, None) or old.events == new.events:
        return None
    if old.events is None and not old.maxmemory:
        return "the buffer gets a maxmemory, where it had none: " + new.line("it", rate)
    if new.events is None or old.events is None:
        return "the buffer's capacity changes: " + new.line("it", rate)
    ratio = new.events / old.events
    return (f"the buffer holds about {new.events:,} events, was {old.events:,} "
            f"({ratio:.2f}×; {new.bytes_per_event} bytes an event for {new.setting()}, "
            f"measured, docs/buffer.md#sizing)") + new.outage(new.events, rate, old.events)


def _buffer_moved_by(change: "Changed", pairs: Sequence["Change"]) -> str | None:
    """The redis ConfigMap whose line `change` carries: itself, or, for a changed
    filebeat.yml, redis' ConfigMap beside it if that one is unchanged."""
    from .change import Changed

    new = change.new
    if isinstance(_data(new, CONFIG_KEY), str):
        return f"ConfigMap/{new.name}"
    if not isinstance(_data(new, FILEBEAT_KEY), str):
        return None
    return next((f"ConfigMap/{p.new.name}" for p in pairs if isinstance(p, Changed)
                 and p.old.body == p.new.body and p.new.kind == "ConfigMap"
                 and p.new.namespace == new.namespace
                 and isinstance(_data(p.new, CONFIG_KEY), str)), None)


def _data(manifest: Manifest, key: str) -> object:
    if manifest.kind != "ConfigMap":
        return None
    data = manifest.body.get("data")
    return data.get(key) if isinstance(data, dict) else None


def _datatype(filebeat_yml: str) -> str:
    """`output.redis`'s datatype, read from the lines below it as filebeat.yml is
    generated, so that a folder's file is read without trusting it to YAML."""
    inside = False
    for line in filebeat_yml.splitlines():
        if not line.startswith((" ", "-")):
            inside = line.rstrip() == "output.redis:"
        elif inside and line.strip().startswith("datatype:"):
            return line.split(":", 1)[1].strip().strip("'\"") or "list"
    return "list"


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
