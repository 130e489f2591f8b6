"""A DaemonSet rollout's waves and duration, read from a watch of its pods.

What a wave is. One would like a wave to be a batch: maxUnavailable old
pods deleted together, and the next batch once their nodes' new pods are
ready. The DaemonSet controller does not work in batches (`rollingUpdate`
in pkg/controller/daemon/update.go). Each of its syncs deletes as many old
pods as the budget has room for at that moment, maxUnavailable less the
nodes without an available pod, and a later sync creates their
replacements. New pods become ready one by one, so the next sync finds
only part of the budget free: a rolling window. On kwok, 20 nodes at 25%
(a budget of 5) lost their old pods in batches of 5, 4, 1, 1, 2, 3, 1, 3
in one run and 5, 3, 2, 5, 1, 2, 2 in another, not the four batches of
five that a lock-step reading predicts.

What the controller does guarantee is the budget: never more than
maxUnavailable nodes without an available pod (a deleted pod counts as
gone), and all of it in use when every pod is available, as at the start.
So here a wave is a budget's worth of nodes:

    waves = ceil(nodes replaced / most nodes unavailable at once)

That is ceil(nodes / maxUnavailable), what `diff` and docs/rollouts.md
predict, when the controller used all of the budget and no more. It comes
out higher when fewer nodes were down at once than allowed (a budget read
from the wrong field, a percentage rounded down), lower when more were.

A node is unavailable from the moment its old pod is marked for deletion
until its new pod has been ready for minReadySeconds. Without surge
(maxSurge 0) only: a surge replaces no node's pod before its new one runs.

Which unavailable nodes the budget counts. The controller counts only the
nodes it finds a pod on, terminating or not yet ready (`rollingUpdate`
ranges over the nodes of `getNodesToDaemonPods`). A node whose old pod is
already removed and whose new pod is not yet created is not counted, and
one sync can see such a node in each of its two reads of its pod cache:
with a pod still terminating in `manage`, which therefore creates nothing
(it creates only for a node with no pod at all), and with none in
`rollingUpdate`, which a moment later spends the budget as if the node
were up. One more old pod is then deleted than maxUnavailable allows
(kubernetes v1.34.4, pkg/controller/daemon/update.go and
daemon_controller.go). kwok removes a terminating pod within some 30 ms,
so on kwok that window is open in most waves, and one CI run in many saw
6 nodes down at once under a budget of 5.

So two peaks are kept: `peak_unavailable`, the nodes the budget counts,
which the controller holds to maxUnavailable and which the waves are
read from; and `peak_down`, every node without an available pod, which
can pass the budget by the nodes that sat without any pod.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PodEvent:
    """One watch event of one pod, stamped with the watcher's monotonic clock."""

    seconds: float
    type: str
    """ADDED, MODIFIED or DELETED."""
    name: str
    node: str | None
    image: str | None
    """The image of the container the rollout changes."""
    terminating: bool
    ready: bool


def pod_event(seconds: float, event: Mapping[str, Any], container: str) -> PodEvent:
    """A watch event as kubectl's `--output-watch-events -o json` prints it."""
    pod = event["object"]
    images = [c["image"] for c in pod["spec"]["containers"] if c["name"] == container]
    conditions = pod.get("status", {}).get("conditions", [])
    return PodEvent(
        seconds, event["type"], pod["metadata"]["name"], target_node(pod["spec"]),
        images[0] if images else None, bool(pod["metadata"].get("deletionTimestamp")),
        any(c["type"] == "Ready" and c["status"] == "True" for c in conditions))


def target_node(spec: Mapping[str, Any]) -> str | None:
    """The node a pod is bound to or, not bound yet, the one a DaemonSet made
    it for: the controller counts a pod on its node from the moment it is
    created (util.GetTargetNodeName), before the scheduler binds it."""
    if spec.get("nodeName"):
        return str(spec["nodeName"])
    required = (spec.get("affinity", {}).get("nodeAffinity", {})
                .get("requiredDuringSchedulingIgnoredDuringExecution", {}))
    for term in required.get("nodeSelectorTerms", []):
        for field in term.get("matchFields", []):
            if (field.get("key"), field.get("operator")) == ("metadata.name", "In") \
                    and len(field.get("values", [])) == 1:
                return str(field["values"][0])
    return None


class WatchDecoder:
    """kubectl's JSON watch output, fed line by line: one document per event,
    printed over many lines.

    kubectl indents every line inside a document, so a document can end only
    on a line that starts in the first column (its closing brace, or all of
    a one-line document). Decoding is tried only there, which keeps a long
    watch linear.
    """

    def __init__(self) -> None:
        self._buffer = ""
        self._json = json.JSONDecoder()

    def feed(self, line: str) -> list[Any]:
        """The documents this line completes."""
        self._buffer += line
        if not line.strip() or line[0].isspace():
            return []
        found = []
        while rest := self._buffer.lstrip():
            try:
                document, end = self._json.raw_decode(rest)
            except json.JSONDecodeError:
                break  # not complete yet
            found.append(document)
            self._buffer = rest[end:]
        else:
            self._buffer = ""
        return found


@dataclass(frozen=True)
class Rollout:
    replaced: int
    """Nodes whose old pod was deleted."""
    peak_unavailable: int
    """The most of those nodes without an available pod at one time, of the
    ones the controller's budget counts: those with a pod, terminating or
    not yet available."""
    peak_down: int
    """The most of those nodes without an available pod at one time, with
    or without a pod: above `peak_unavailable` when the controller spent its
    budget while a node had no pod at all (see the module's docstring)."""
    batches: tuple[int, ...]
    """Old pods deleted in a row with no new pod becoming available between
    them: roughly one controller sync each. The evidence of a rolling window."""
    seconds: float | None
    """From the first old pod deleted to the last new pod available; None
    while a node has no available new pod."""
    unfinished: tuple[str, ...]
    """Nodes whose old pod is gone and whose new pod is not available yet."""

    @property
    def waves(self) -> int:
        if not self.peak_unavailable:
            return 0
        return -(-self.replaced // self.peak_unavailable)


def count_waves(events: Iterable[PodEvent], new_image: str,
                min_ready_seconds: float = 0) -> Rollout:
    """The rollout to `new_image` that `events` (in the order they arrived) show."""
    down: dict[str, float] = {}
    up: dict[str, float] = {}
    pods: dict[str, set[str]] = {}  # node: its pods not yet removed
    # (when, order, +1 down or -1 up, +1 or -1 counted by the budget)
    changes: list[tuple[float, int, int, int]] = []
    for order, event in enumerate(events):
        if event.node is None:
            continue
        here = pods.setdefault(event.node, set())
        had_pods = bool(here)
        if event.type == "DELETED":
            here.discard(event.name)
        else:
            here.add(event.name)
        if event.image != new_image:
            if (event.terminating or event.type == "DELETED") and event.node not in down:
                down[event.node] = event.seconds
                changes.append((event.seconds, order, 1, 1))
        elif (event.ready and not event.terminating and event.type != "DELETED"
              and event.node in down and event.node not in up):
            up[event.node] = event.seconds + min_ready_seconds
            changes.append((up[event.node], order, -1, -1))
        if event.node in down and event.node not in up and had_pods != bool(here):
            # Down, and now without any pod (the budget stops counting it) or with one again.
            changes.append((event.seconds, order, 0, 1 if here else -1))
    counted = all_down = peak = peak_down = 0
    batches: list[int] = []
    in_a_row = 0
    for _, _, change, budgeted in sorted(changes):
        all_down += change
        counted += budgeted
        peak, peak_down = max(peak, counted), max(peak_down, all_down)
        if change > 0:
            in_a_row += 1
        elif change < 0 and in_a_row:
            batches.append(in_a_row)
            in_a_row = 0
    if in_a_row:
        batches.append(in_a_row)
    unfinished = tuple(sorted(set(down) - set(up)))
    seconds = max(up.values()) - min(down.values()) if down and not unfinished else None
    return Rollout(len(down), peak, peak_down, tuple(batches), seconds, unfinished)
