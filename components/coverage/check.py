"""Which of a stack's DaemonSets run on each node, and the summary an operator acts on.

A node run by none of them is a log gap; one run by two ships every line
twice. Some nodes need no log shipper (control-plane nodes, say): an
expectation declares them by label, and they are reported apart.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..render.manifests import Manifest
from .rules import DaemonPod, Node, Verdict


@dataclass(frozen=True)
class Expectation:
    """Nodes that need no daemon, chosen like a label selector: `key`, `!key`,
    `key=value` (or `==`), `key!=value`."""

    text: str
    requirements: tuple[tuple[str, str, str | None], ...]
    """(key, operator, value): `exists` and `!exists` take no value; `!=`, as
    in Kubernetes, also matches a node without the label."""

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(_holds(operator, labels.get(key), value)
                   for key, operator, value in self.requirements)


def _holds(operator: str, label: str | None, value: str | None) -> bool:
    if operator == "exists":
        return label is not None
    if operator == "!exists":
        return label is None
    if operator == "=":
        return label == value
    return label != value


_REQUIREMENT = re.compile(r"(?P<absent>!)?(?P<key>[^=!\s]+)"
                          r"(?:(?P<operator>==|=|!=)(?P<value>[^=!\s]*))?")


def parse_expectation(text: str) -> Expectation:
    """`node-role.kubernetes.io/control-plane`, `pool=infra,!gpu`; ValueError says why not.

    Each part is matched whole: a partition on the first `=` read the `!=`
    kubectl users write as a key ending in `!` (and `==` as a value starting
    with `=`), which no node has: the expectation silently matched nothing.
    """
    requirements: list[tuple[str, str, str | None]] = []
    for part in text.split(","):
        found = _REQUIREMENT.fullmatch(part.strip())
        if not found or (found["absent"] and found["operator"]):
            raise ValueError(f"{text!r}: write key, !key, key=value (or key==value) or "
                             "key!=value, joined by commas")
        key, operator = found["key"], found["operator"]
        if operator is None:
            requirements.append((key, "!exists" if found["absent"] else "exists", None))
        else:
            requirements.append((key, "=" if operator == "==" else operator, found["value"]))
    return Expectation(text, tuple(requirements))


@dataclass(frozen=True)
class NodeCoverage:
    node: Node
    daemon_sets: tuple[str, ...]
    """Ours that would run a pod there."""
    reasons: Mapping[str, tuple[str, ...]]
    """Why each of the others would not."""
    notes: tuple[str, ...] = ()
    expected: Expectation | None = None
    """The expectation that says this node needs no daemon."""

    @property
    def status(self) -> str:
        if len(self.daemon_sets) > 1:
            return "doubled"
        if self.daemon_sets:
            return "covered"
        return "expected" if self.expected else "uncovered"


@dataclass(frozen=True)
class Coverage:
    nodes: tuple[NodeCoverage, ...]
    daemon_sets: tuple[str, ...]
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.counts.get("uncovered") or self.counts.get("doubled"))


def coverage(manifests: Sequence[Manifest], nodes: Sequence[Node],
             expectations: Sequence[Expectation] = ()) -> Coverage:
    daemon_sets = [(m.name, DaemonPod(_pod_spec(m.body))) for m in manifests
                   if m.kind == "DaemonSet"]
    results = []
    for node in nodes:
        verdicts: dict[str, Verdict] = {name: pod.verdict(node) for name, pod in daemon_sets}
        running = tuple(name for name, v in verdicts.items() if v.runs)
        notes = tuple(dict.fromkeys(n for v in verdicts.values() for n in v.notes))
        expected = next((e for e in expectations if e.matches(node.labels)), None)
        results.append(NodeCoverage(
            node, running, {name: v.reasons for name, v in verdicts.items() if not v.runs},
            notes, expected if not running else None))
    counts = {status: sum(r.status == status for r in results)
              for status in ("covered", "uncovered", "doubled", "expected")}
    return Coverage(tuple(results), tuple(name for name, _ in daemon_sets), counts)


def selected_nodes(nodes: Sequence[Node]) -> Callable[[Mapping[str, Any]], int]:
    """How many of `nodes` a DaemonSet (its body) runs a pod on, by the rules
    `coverage` reports with: the nodes its rollout crosses (`diff --nodes FILE`)."""
    def count(daemon_set: Mapping[str, Any]) -> int:
        pod = DaemonPod(_pod_spec(daemon_set))
        return sum(pod.verdict(node).runs for node in nodes)

    return count


def _pod_spec(daemon_set: Mapping[str, Any]) -> Mapping[str, Any]:
    spec = ((daemon_set.get("spec") or {}).get("template") or {}).get("spec") or {}
    return spec if isinstance(spec, Mapping) else {}
