"""What a node daemon's config asks of Kubernetes, before any resource exists.

The pure half of `NodeDaemon`: each function turns config into the values
the DaemonSet carries (its update strategy, the annotations Pulumi's await
logic reads, tolerations, and one plan per node class), so
each rule can be read and tested without registering anything.
"""

from dataclasses import dataclass

from pulumi_kubernetes.apps.v1 import DaemonSetUpdateStrategyArgs, RollingUpdateDaemonSetArgs
from pulumi_kubernetes.core.v1 import TolerationArgs

from ...config.kube.daemon import NodeDaemonConfig
from ...config.kube.pod import Resources
from ...config.kube.rollout import OnDelete, UpdateStrategy
from ...conventions import NODE_CLASS_LABEL, SKIP_AWAIT, TIMEOUT_SECONDS
from ..scheduling import tolerations_args as shared_tolerations_args


def update_strategy_args(strategy: UpdateStrategy) -> DaemonSetUpdateStrategyArgs:
    """The strategy exactly as configured: OnDelete carries no rollingUpdate block
    (the API server would keep one, unused), RollingUpdate carries both knobs."""
    if isinstance(strategy, OnDelete):
        return DaemonSetUpdateStrategyArgs(type="OnDelete")
    return DaemonSetUpdateStrategyArgs(
        type="RollingUpdate",
        rolling_update=RollingUpdateDaemonSetArgs(
            max_unavailable=strategy.max_unavailable,
            max_surge=strategy.max_surge,
        ),
    )


def await_annotations(config: NodeDaemonConfig) -> dict[str, str]:
    """How long Pulumi should wait for the rollout, if at all.

    Since v4.12 pulumi-kubernetes waits until every selected node runs the new
    template. Under OnDelete nothing is replaced until someone deletes the
    pods, so that wait can only time out and fail `pulumi up`: skip it, and
    roll the pods by hand (see docs/rollouts.md).
    """
    if isinstance(config.update_strategy, OnDelete):
        return {SKIP_AWAIT: "true"}
    if config.rollout_timeout_seconds is not None:
        return {TIMEOUT_SECONDS: str(config.rollout_timeout_seconds)}
    return {}


def tolerations_args(config: NodeDaemonConfig) -> list[TolerationArgs] | None:
    tolerations = shared_tolerations_args(config.tolerations)
    if config.tolerate_all_taints:
        # An empty key with Exists matches every taint, NoExecute included.
        tolerations.append(TolerationArgs(operator="Exists"))
    return tolerations or None


@dataclass(frozen=True)
class DaemonSetPlan:
    """One DaemonSet of a daemon: the whole daemon, or one of its node classes."""

    name: str
    labels: dict[str, str]
    node_selector: dict[str, str]
    env: dict[str, str]
    args: list[str]
    resources: Resources


def daemon_set_plans(config: NodeDaemonConfig) -> list[DaemonSetPlan]:
    """The DaemonSets a config asks for, in a stable order.

    Each class's pods carry a `node-class` label, so the classes' selectors
    are disjoint from each other, while all of them still match the daemon's
    own labels, which its Service (if any) selects on.
    """
    if not config.node_classes:
        return [DaemonSetPlan(config.name, config.labels, config.node_selector, config.env,
                              config.args, config.resources)]
    return [
        DaemonSetPlan(
            name=f"{config.name}-{name}",
            labels={**config.labels, NODE_CLASS_LABEL: name},
            node_selector={**config.node_selector, **node_class.node_selector},
            env={**config.env, **node_class.env},
            args=config.args if node_class.args is None else node_class.args,
            resources=node_class.resources or config.resources,
        )
        for name, node_class in sorted(config.node_classes.items())
    ]
