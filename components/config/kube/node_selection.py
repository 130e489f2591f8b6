"""Which nodes a daemon runs on: affinity terms, and node classes.

Node classes follow the DaemonSet docs' advice for mixed hardware: "multiple
DaemonSets for each daemon type, with different flags and/or different
memory/CPU requests". Each class is its own DaemonSet on its own nodes.
"""

import itertools
from collections import defaultdict
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..base import CamelModel
from .names import EnvVarName, LabelKey, LabelValue
from .pod import Resources


class NodeSelectorRequirement(CamelModel):
    """One condition on a node's labels, as in Kubernetes' nodeSelectorTerms."""

    key: LabelKey
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]
    values: list[LabelValue] = []
    """Default none. In and NotIn need some; Exists and DoesNotExist take none;
    Gt and Lt take exactly one integer."""

    @model_validator(mode="after")
    def _values_fit_operator(self) -> "NodeSelectorRequirement":
        if self.operator in ("In", "NotIn") and not self.values:
            raise ValueError(f"operator {self.operator} needs at least one value")
        if self.operator in ("Exists", "DoesNotExist") and self.values:
            raise ValueError(f"operator {self.operator} takes no values")
        if self.operator in ("Gt", "Lt") and (
            len(self.values) != 1 or not self.values[0].lstrip("-").isdigit()
        ):
            raise ValueError(f"operator {self.operator} takes exactly one integer value")
        return self


class NodeSelectorTerm(CamelModel):
    match_expressions: Annotated[list[NodeSelectorRequirement], Field(min_length=1)]
    """All must hold for a node to match the term."""


class PreferredTerm(NodeSelectorTerm):
    weight: Annotated[int, Field(ge=1, le=100)]
    """How much the scheduler prefers nodes matching this term, 1-100."""


class NodeAffinity(CamelModel):
    """Richer node choice than nodeSelector: sets of values, negations, preferences."""

    required_terms: list[NodeSelectorTerm] = []
    """A node must match at least one term. Default none: no requirement."""
    preferred_terms: list[PreferredTerm] = []
    """Terms the scheduler favours. Default none. A DaemonSet pod is bound to
    its node already, so these only order preemption; most daemons leave them out."""


class NodeClass(CamelModel):
    """One kind of node and how the daemon runs there."""

    node_selector: Annotated[dict[LabelKey, LabelValue], Field(min_length=1)]
    """The nodes of this class. Required: a class without one would take every
    node, including the other classes'."""
    resources: Resources | None = None
    """Replaces the daemon's resources on these nodes. Default: the daemon's."""
    env: dict[EnvVarName, str] = {}
    """Added to the daemon's env, winning on equal names. A name the daemon's
    env may not hold, this may not either. Default none."""
    args: list[str] | None = None
    """Replaces the daemon's args on these nodes, under the rules of the
    daemon's args. Default: the daemon's."""


def overlapping_classes(classes: dict[str, NodeClass], common: dict[str, str]) -> list[str]:
    """Pairs of classes that could select the same node, as 'a and b'.

    Two nodeSelectors are surely disjoint when they require different values
    for the same label key; otherwise some node could carry both sets of
    labels, run two daemon pods, and ship its logs twice.
    """
    selectors = {name: {**common, **c.node_selector} for name, c in classes.items()}
    return [
        f"{a} and {b}" for a, b in _pairs_to_check(selectors)
        if not any(selectors[b].get(k, v) != v for k, v in selectors[a].items())
    ]


def _pairs_to_check(selectors: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    """Every pair of names, in order, except those a shared key already keeps apart.

    Classes usually split one label (a pool, an instance type) that all of
    them select on. Two classes with different values for it cannot meet, so
    only classes with equal values need the pairwise check: a thousand
    classes make 1,000 groups of one instead of 499,500 pairs.
    """
    names = sorted(selectors)
    shared = set.intersection(*(set(s) for s in selectors.values())) if selectors else set()
    if not shared:
        return list(itertools.combinations(names, 2))
    key = max(sorted(shared), key=lambda k: len({s[k] for s in selectors.values()}))
    groups: dict[str, list[str]] = defaultdict(list)
    for name in names:
        groups[selectors[name][key]].append(name)
    return sorted(pair for group in groups.values() for pair in itertools.combinations(group, 2))


class TopologySpread(CamelModel):
    """Spread the workload's pods across zones or nodes, as Kubernetes'
    topologySpreadConstraints. The constraint counts the workload's own pods
    (its `labels`)."""

    topology_key: LabelKey
    """The node label that names a domain, e.g. topology.kubernetes.io/zone."""
    max_skew: Annotated[int, Field(ge=1, le=2**31 - 1)] = 1
    """How many more pods one domain may hold than another. Default 1."""
    when_unsatisfiable: Literal["DoNotSchedule", "ScheduleAnyway"] = "ScheduleAnyway"
    """Default ScheduleAnyway: a preference. DoNotSchedule leaves a pod
    pending rather than break the spread, which for a one-pod buffer means
    no buffer at all."""
