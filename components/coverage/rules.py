"""Would a DaemonSet run a pod on a node? Kubernetes' own decision, and every reason it says no.

This follows the DaemonSet controller of the Kubernetes we build
(pkg/controller/daemon: `NodeShouldRunDaemonPod` and its `predicates`), on
plain dicts: the pod's nodeName, its required node affinity (`nodeSelector`
and `requiredDuringSchedulingIgnoredDuringExecution`, as
`nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)` reads them), and its
tolerations against the node's NoSchedule and NoExecute taints, after the
controller has added its own tolerations to the pod
(pkg/controller/daemon/util: `AddOrUpdateDaemonPodTolerations`). A
PreferNoSchedule taint never keeps a daemon pod off a node; it is reported.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

DAEMON_TOLERATIONS: tuple[dict[str, str], ...] = (
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
)
"""What the controller adds to every daemon pod, so node problems never evict it."""
HOST_NETWORK_TOLERATION = {"key": "node.kubernetes.io/network-unavailable",
                           "operator": "Exists", "effect": "NoSchedule"}
"""Added too, but only to pods with hostNetwork."""
BLOCKING_EFFECTS = ("NoSchedule", "NoExecute")


@dataclass(frozen=True)
class Node:
    name: str
    labels: Mapping[str, str]
    taints: Sequence[Mapping[str, str]]


class Verdict(NamedTuple):
    runs: bool
    reasons: tuple[str, ...]
    """Why not, one line each; empty when it runs."""
    notes: tuple[str, ...] = ()
    """What does not keep it off the node but is worth saying (PreferNoSchedule)."""


class DaemonPod:
    """One DaemonSet's pod template, read once and asked about many nodes."""

    __slots__ = ("node_name", "selector", "terms", "tolerations")

    def __init__(self, pod: Mapping[str, Any]):
        self.node_name: str | None = pod.get("nodeName") or None
        self.selector = tuple(sorted((pod.get("nodeSelector") or {}).items()))
        required = (((pod.get("affinity") or {}).get("nodeAffinity") or {})
                    .get("requiredDuringSchedulingIgnoredDuringExecution")) or {}
        self.terms: list[Mapping[str, Any]] = list(required.get("nodeSelectorTerms") or [])
        added = [*DAEMON_TOLERATIONS, *([HOST_NETWORK_TOLERATION] if pod.get("hostNetwork")
                                        else [])]
        self.tolerations = (*(pod.get("tolerations") or []), *added)

    def verdict(self, node: Node) -> Verdict:
        """Would a pod of this DaemonSet run on `node`, and why not."""
        reasons: list[str] = []
        if self.node_name and self.node_name != node.name:
            reasons.append(f"the pod names node {self.node_name!r}")
        labels = node.labels
        for key, wanted in self.selector:
            have = labels.get(key)
            if have != wanted:
                reasons.append(f"nodeSelector {key}={wanted}: the node has "
                               + (f"{key}={have}" if key in labels else f"no label {key}"))
        if self.terms:
            reasons += _affinity_reasons(self.terms, node)
        if not node.taints:
            return Verdict(not reasons, tuple(reasons))
        for taint in node.taints:
            if taint.get("effect", "") in BLOCKING_EFFECTS and not any(
                    tolerates(t, taint) for t in self.tolerations):
                reasons.append(f"taint {show_taint(taint)} is not tolerated")
        notes = tuple(f"taint {show_taint(t)} is ignored: PreferNoSchedule keeps no daemon "
                      "pod away" for t in node.taints if t.get("effect") == "PreferNoSchedule")
        return Verdict(not reasons, tuple(reasons), notes)


def verdict(pod: Mapping[str, Any], node: Node) -> Verdict:
    """Would a DaemonSet with pod spec `pod` run a pod on `node`, and why not."""
    return DaemonPod(pod).verdict(node)


def tolerates(toleration: Mapping[str, Any], taint: Mapping[str, str]) -> bool:
    """Kubernetes' `Toleration.ToleratesTaint`: an empty effect matches every
    effect, an empty key with Exists matches every taint."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if key and key != taint.get("key"):
        return False
    if toleration.get("operator") == "Exists":
        return True
    return bool(key) and (toleration.get("value") or "") == (taint.get("value") or "")


def _affinity_reasons(terms: Sequence[Mapping[str, Any]], node: Node) -> list[str]:
    failures = [f for f in (_term_failure(term, node) for term in terms) if f is not None]
    if len(failures) < len(terms):
        return []  # the terms are ORed: one is enough
    return [f"required node affinity: no term matches ({'; '.join(failures)})"]


def _term_failure(term: Mapping[str, Any], node: Node) -> str | None:
    """None when the term matches; else the first requirement that fails."""
    expressions = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not expressions and not fields:
        return "an empty term matches no node"
    for requirement in expressions:
        why = _requirement_failure(requirement, node.labels)
        if why:
            return why
    for requirement in fields:
        values = requirement.get("values") or []
        if requirement.get("key") != "metadata.name":
            return f"matchFields {requirement.get('key')}: only metadata.name is supported"
        matched = node.name in values
        if matched != (requirement.get("operator") == "In"):
            return f"metadata.name {requirement.get('operator')} {values}"
    return None


def _requirement_failure(requirement: Mapping[str, Any], labels: Mapping[str, str]) -> str | None:
    key, operator = requirement.get("key", ""), requirement.get("operator", "")
    values = list(requirement.get("values") or [])
    has, value = key in labels, labels.get(key)
    shown = f"{key} {operator}" + (f" {values}" if values else "")
    if operator == "In":
        ok = has and value in values
    elif operator == "NotIn":
        ok = not has or value not in values
    elif operator == "Exists":
        ok = has
    elif operator == "DoesNotExist":
        ok = not has
    elif operator in ("Gt", "Lt"):
        ok = has and len(values) == 1 and _compare(value, values[0], operator)
    else:
        return f"{shown}: unknown operator"
    if ok:
        return None
    return f"{shown}: the node has " + (f"{key}={value}" if has else f"no label {key}")


def _compare(value: str | None, bound: str, operator: str) -> bool:
    try:
        number, limit = int(value or ""), int(bound)
    except ValueError:
        return False  # Kubernetes: a label that is no integer matches neither
    return number > limit if operator == "Gt" else number < limit


def show_taint(taint: Mapping[str, str]) -> str:
    value = taint.get("value")
    return f"{taint.get('key')}{'=' + value if value else ''}:{taint.get('effect')}"
