"""How long a DaemonSet's rollout takes: its waves, and the least time they need.

docs/rollouts.md's estimate, for the nodes the user names with `diff
--nodes`: a count, taken as the nodes every DaemonSet selects, or a node
inventory, whose nodes each DaemonSet's own rules select (the CLI asks
coverage/ which, so `diff` and `coverage` agree on where a DaemonSet runs).
The waves are `rollout_waves`', which the policy pack and the e2e rollouts
use too: one estimate. Each wave lasts at least minReadySeconds, after its
pods have started and become ready, which only the cluster knows; so the
least time is the waves times minReadySeconds, and is said as a floor.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..conventions import SKIP_AWAIT, TIMEOUT_SECONDS
from .change import Change, Changed
from .rollout import SELECTOR, replaced_at_a_time, rollout_waves
from .shape import get

DEFAULT_TIMEOUT_SECONDS = 600
"""How long pulumi-kubernetes waits for a DaemonSet's rollout unless told otherwise."""


@dataclass(frozen=True)
class Nodes:
    """The nodes a rollout crosses, as the user named them."""

    given: str
    """`--nodes 50`, or the inventory's path."""
    count: Callable[[dict[str, Any]], int]
    """How many of them a DaemonSet (its body) selects."""


@dataclass(frozen=True)
class Waves:
    nodes: int
    waves: int
    at_a_time: int
    min_ready_seconds: int
    timeout_seconds: int | None
    """How long `pulumi up` waits for the rollout; None when it does not wait."""

    @property
    def minimum_seconds(self) -> int:
        return self.waves * self.min_ready_seconds

    def as_dict(self) -> dict[str, int | None]:
        return {"nodes": self.nodes, "waves": self.waves, "atATime": self.at_a_time,
                "minReadySeconds": self.min_ready_seconds,
                "minimumSeconds": self.minimum_seconds, "timeoutSeconds": self.timeout_seconds}

    def line(self, given: str) -> str:
        if not self.nodes:
            return f"rollout over no node ({given}): none of them runs it"
        line = (f"rollout over {_count(self.nodes, 'node')} ({given}): about "
                f"{_count(self.waves, 'wave')}, {_count(self.at_a_time, 'node')} at a time; ")
        if not self.min_ready_seconds:
            return line + ("each as long as its pods take to start and become ready "
                           "(minReadySeconds 0)")
        line += (f"at least {duration(self.minimum_seconds)} ({_count(self.waves, 'wave')} × "
                 f"minReadySeconds {self.min_ready_seconds}), plus the time each wave's pods "
                 "take to start and become ready")
        if self.timeout_seconds is not None and self.minimum_seconds > self.timeout_seconds:
            line += (f"; longer than `pulumi up` waits for it ({duration(self.timeout_seconds)}, "
                     f"{TIMEOUT_SECONDS}): it fails at its timeout")
        return line


def waves(change: Change, nodes: Nodes) -> Waves | None:
    """The waves of a DaemonSet whose pods this change rolls; None for any
    other change (a new DaemonSet starts every pod at once, a replaced one is
    deleted first, and OnDelete replaces only the pods someone deletes)."""
    if not isinstance(change, Changed) or change.moved or change.new.kind != "DaemonSet":
        return None
    old, new = change.old.body, change.new.body
    if get(old, SELECTOR) != get(new, SELECTOR) or (
            get(old, "spec.template") == get(new, "spec.template")):
        return None
    count = nodes.count(new)
    how_many, at_a_time = rollout_waves(new, count), replaced_at_a_time(new, count)
    if how_many is None or at_a_time is None:
        return None
    return Waves(count, how_many, at_a_time, get(new, "spec.minReadySeconds", 0) or 0,
                 await_seconds(new))


def await_seconds(body: dict[str, Any]) -> int | None:
    """How long `up` waits for the object to be ready; None when it does not wait."""
    annotations = get(body, "metadata.annotations", {}) or {}
    if str(annotations.get(SKIP_AWAIT, "")).lower() == "true":
        return None
    given = str(annotations.get(TIMEOUT_SECONDS, ""))
    if given.isascii() and given.isdigit() and len(given) <= 10:
        return int(given)
    return DEFAULT_TIMEOUT_SECONDS  # as the provider does with one it cannot read


def duration(seconds: int) -> str:
    """`50 s`, `1 min 40 s`, `2 h 5 min`: as a person reads a wait."""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else "",
             f"{seconds} s" if seconds and not hours else ""]
    return " ".join(part for part in parts if part) or "0 s"


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"
