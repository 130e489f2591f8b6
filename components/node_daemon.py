"""A generic per-node agent: a DaemonSet built from a `NodeDaemonConfig`.

Filebeat is one; node-exporter or a storage daemon would be others. What
this module knows is how DaemonSets behave under Pulumi, so each daemon
built on it gets that for free.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_kubernetes.apps.v1 import (
    DaemonSet,
    DaemonSetSpecArgs,
    DaemonSetUpdateStrategyArgs,
    RollingUpdateDaemonSetArgs,
)
from pulumi_kubernetes.core.v1 import (
    AffinityArgs,
    ConfigMap,
    ConfigMapVolumeSourceArgs,
    ContainerArgs,
    ContainerPortArgs,
    EnvVarArgs,
    HostPathVolumeSourceArgs,
    NodeAffinityArgs,
    NodeSelectorArgs,
    PodSpecArgs,
    PodTemplateSpecArgs,
    Service,
    ServicePortArgs,
    ServiceSpecArgs,
    TolerationArgs,
    VolumeArgs,
    VolumeMountArgs,
)
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs

from .daemon_config import NodeDaemonConfig, OnDelete, UpdateStrategy
from .pod_config import Resources

SKIP_AWAIT = "pulumi.com/skipAwait"
TIMEOUT_SECONDS = "pulumi.com/timeoutSeconds"
CHECKSUM_ANNOTATION = "checksum/config"
NODE_CLASS_LABEL = "node-class"
CONFIG_VOLUME = "config"


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
    roll the pods by hand (see the README).
    """
    if isinstance(config.update_strategy, OnDelete):
        return {SKIP_AWAIT: "true"}
    if config.rollout_timeout_seconds is not None:
        return {TIMEOUT_SECONDS: str(config.rollout_timeout_seconds)}
    return {}


def tolerations_args(config: NodeDaemonConfig) -> list[TolerationArgs] | None:
    tolerations = [TolerationArgs(**t.model_dump(exclude_none=True)) for t in config.tolerations]
    if config.tolerate_all_taints:
        # An empty key with Exists matches every taint, NoExecute included.
        tolerations.append(TolerationArgs(operator="Exists"))
    return tolerations or None


def affinity_args(config: NodeDaemonConfig) -> AffinityArgs | None:
    affinity = config.node_affinity
    if affinity is None or not (affinity.required_terms or affinity.preferred_terms):
        return None

    def expressions(term):
        return [e.model_dump(exclude_defaults=True) for e in term.match_expressions]

    required = [{"matchExpressions": expressions(t)} for t in affinity.required_terms]
    preferred = [{"weight": t.weight, "preference": {"matchExpressions": expressions(t)}}
                 for t in affinity.preferred_terms]
    return AffinityArgs(node_affinity=NodeAffinityArgs(
        required_during_scheduling_ignored_during_execution=(
            NodeSelectorArgs(node_selector_terms=required) if required else None),
        preferred_during_scheduling_ignored_during_execution=preferred or None,
    ))


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


def config_checksum(data: dict[str, str]) -> str:
    """A digest of exactly what the pods read: the ConfigMap's data."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


class NodeDaemon(pulumi.ComponentResource):
    """Runs one pod of `config` on every node it selects."""

    daemon_sets: list[DaemonSet]
    """One per node class, or just one."""
    config_map: ConfigMap | None
    """The daemon's config files, when it has any."""
    service: Service | None
    """The headless or ClusterIP Service, when the daemon is exposed through one."""
    names: pulumi.Output[list[str]]
    """The DaemonSets' names, for `kubectl rollout status ds/<name>`."""

    def __init__(
        self,
        config: NodeDaemonConfig,
        namespace: pulumi.Input[str],
        extra_env: Sequence[EnvVarArgs] = (),
        extra_files: Mapping[str, pulumi.Input[str]] | None = None,
        type_name: str = "redis-filebeat:components:NodeDaemon",
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`extra_env` comes first, before the config's own env sorted by name,
        and `extra_files` join the config's files: that is how a wrapper such
        as Filebeat hands in values derived from other resources."""
        super().__init__(type_name, config.name, None, opts)
        self._config, self._namespace, self._extra_env = config, namespace, list(extra_env)
        files = {**config.config_files, **(extra_files or {})}
        self.config_map = ConfigMap(
            f"{config.name}-config",
            metadata=ObjectMetaArgs(name=f"{config.name}-config", namespace=namespace,
                                    labels=config.labels),
            data=files,
            opts=pulumi.ResourceOptions(parent=self),
        ) if files else None
        # Pods read the files, but a changed ConfigMap alone restarts nothing.
        # A digest in the pod template makes a content change a template
        # change, which the update strategy then rolls out like any other.
        checksum = pulumi.Output.from_input(files).apply(config_checksum) if files else None
        self.daemon_sets = [self._daemon_set(plan, checksum) for plan in daemon_set_plans(config)]
        self.service = daemon_service(config, namespace, self) if config.expose in (
            "headless", "service") else None
        self.names = pulumi.Output.all(*(ds.metadata.name for ds in self.daemon_sets))
        self.register_outputs({"names": self.names})

    def _daemon_set(self, plan: DaemonSetPlan, checksum: pulumi.Output[str] | None) -> DaemonSet:
        config = self._config
        env = [*self._extra_env,
               *(EnvVarArgs(name=k, value=v) for k, v in sorted(plan.env.items()))]
        host_paths = config.volumes()
        mounts = [VolumeMountArgs(name=v.name, mount_path=v.mount_path or v.path,
                                  read_only=v.read_only) for v in host_paths]
        volumes = [VolumeArgs(name=v.name, host_path=HostPathVolumeSourceArgs(
            path=v.path, type=v.type or None)) for v in host_paths]
        if self.config_map is not None:
            mounts.append(VolumeMountArgs(name=CONFIG_VOLUME, read_only=True,
                                          mount_path=config.config_mount_path
                                          or f"/etc/{config.name}"))
            volumes.append(VolumeArgs(name=CONFIG_VOLUME, config_map=ConfigMapVolumeSourceArgs(
                name=self.config_map.metadata.name)))
        return DaemonSet(
            plan.name,
            metadata=ObjectMetaArgs(
                name=plan.name, namespace=self._namespace, labels=plan.labels,
                annotations=await_annotations(config) or None,
            ),
            spec=DaemonSetSpecArgs(
                selector=LabelSelectorArgs(match_labels=plan.labels),
                update_strategy=update_strategy_args(config.update_strategy),
                min_ready_seconds=config.min_ready_seconds,
                revision_history_limit=config.revision_history_limit,
                template=PodTemplateSpecArgs(
                    metadata=ObjectMetaArgs(
                        labels=plan.labels,
                        annotations={CHECKSUM_ANNOTATION: checksum} if checksum else None,
                    ),
                    spec=PodSpecArgs(
                        # A DaemonSet refuses any other restart policy.
                        restart_policy="Always",
                        # Otherwise the kubelet adds docker-link variables for
                        # every Service in the namespace (one named redis brings
                        # REDIS_SERVICE_HOST, REDIS_PORT_6379_TCP, ...), which a
                        # daemon's own ${VAR} expansion could pick up by mistake.
                        enable_service_links=False,
                        priority_class_name=config.priority_class_name,
                        node_selector=plan.node_selector or None,
                        affinity=affinity_args(config),
                        tolerations=tolerations_args(config),
                        containers=[ContainerArgs(
                            name=config.container_name or config.name,
                            image=config.image,
                            image_pull_policy=config.image_pull_policy,
                            args=plan.args or None,
                            env=env or None,
                            ports=[ContainerPortArgs(**p.model_dump(exclude_none=True))
                                   for p in config.ports] or None,
                            resources=plan.resources.to_kubernetes(),
                            volume_mounts=mounts or None,
                        )],
                        volumes=volumes or None,
                    ),
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )


def daemon_service(config: NodeDaemonConfig, namespace: pulumi.Input[str],
                   parent: pulumi.Resource) -> Service:
    """A Service with the DaemonSet's own selector, so it reaches exactly its pods.

    Headless (clusterIP None): DNS answers with one A record per daemon pod,
    for clients that must talk to every node's daemon. ClusterIP: one virtual
    IP that reaches the daemon of some node, for clients that need any one.
    """
    return Service(
        config.name,
        metadata=ObjectMetaArgs(name=config.name, namespace=namespace, labels=config.labels),
        spec=ServiceSpecArgs(
            type="ClusterIP",
            cluster_ip="None" if config.expose == "headless" else None,
            selector=config.labels,
            ports=[ServicePortArgs(name=p.name, port=p.container_port, target_port=p.name,
                                   protocol=p.protocol) for p in config.ports],
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )
