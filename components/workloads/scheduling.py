"""Scheduling config as Kubernetes spells it, for every workload of ours.

Redis and the node daemons take the same config types for tolerations, node
affinity and topology spread; this is the one place they become API objects.
"""

from collections.abc import Mapping, Sequence

from pulumi_kubernetes.core.v1 import (
    AffinityArgs,
    NodeAffinityArgs,
    NodeSelectorArgs,
    NodeSelectorRequirementArgs,
    NodeSelectorTermArgs,
    PreferredSchedulingTermArgs,
    TolerationArgs,
    TopologySpreadConstraintArgs,
)
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs

from ..config.kube.node_selection import NodeAffinity, NodeSelectorTerm, TopologySpread
from ..config.kube.pod import Toleration


def tolerations_args(tolerations: Sequence[Toleration]) -> list[TolerationArgs]:
    return [
        TolerationArgs(
            key=t.key,
            operator=t.operator,
            value=t.value,
            effect=t.effect,
            toleration_seconds=t.toleration_seconds,
        )
        for t in tolerations
    ]


def affinity_args(affinity: NodeAffinity | None) -> AffinityArgs | None:
    if affinity is None or not (affinity.required_terms or affinity.preferred_terms):
        return None
    required = [_term_args(t) for t in affinity.required_terms]
    preferred = [PreferredSchedulingTermArgs(weight=t.weight, preference=_term_args(t))
                 for t in affinity.preferred_terms]
    return AffinityArgs(node_affinity=NodeAffinityArgs(
        required_during_scheduling_ignored_during_execution=(
            NodeSelectorArgs(node_selector_terms=required) if required else None),
        preferred_during_scheduling_ignored_during_execution=preferred or None,
    ))


def _term_args(term: NodeSelectorTerm) -> NodeSelectorTermArgs:
    return NodeSelectorTermArgs(match_expressions=[
        # Exists and DoesNotExist take no values: leave the field out, as people write it.
        NodeSelectorRequirementArgs(key=e.key, operator=e.operator, values=e.values or None)
        for e in term.match_expressions
    ])


def spread_args(spreads: Sequence[TopologySpread], labels: Mapping[str, str],
                ) -> list[TopologySpreadConstraintArgs] | None:
    """Each constraint counts the workload's own pods: its selector's labels."""
    return [
        TopologySpreadConstraintArgs(
            max_skew=s.max_skew,
            topology_key=s.topology_key,
            when_unsatisfiable=s.when_unsatisfiable,
            label_selector=LabelSelectorArgs(match_labels=dict(labels)),
        )
        for s in spreads
    ] or None
