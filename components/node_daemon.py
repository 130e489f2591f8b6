"""A generic per-node agent: a DaemonSet built from a `NodeDaemonConfig`.

Filebeat is one; node-exporter or a storage daemon would be others. What
this module knows is how DaemonSets behave under Pulumi, so each daemon
built on it gets that for free.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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
    ProbeArgs,
    Service,
    ServicePortArgs,
    ServiceSpecArgs,
    TolerationArgs,
    VolumeArgs,
    VolumeMountArgs,
)
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs
from pulumi_kubernetes.networking.v1 import NetworkPolicy

from .daemon_config import NodeDaemonConfig, OnDelete, UpdateStrategy
from .kube_types import pinned
from .network_policy import daemon_network_policy
from .pod_config import Resources
from .pod_security import CHECKSUM_ANNOTATION, config_checksum, container_security, pod_security
from .waivers import image_waivers, waiver_annotations

SKIP_AWAIT = "pulumi.com/skipAwait"
TIMEOUT_SECONDS = "pulumi.com/timeoutSeconds"
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


@dataclass(frozen=True)
class PodAdditions:
    """What a daemon built on NodeDaemon adds to every pod, beyond its config:
    values derived from other resources, and the wiring its image needs."""

    env: Sequence[EnvVarArgs] = ()
    """Comes first, before the config's own env sorted by name."""
    files: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Join the config's files in the ConfigMap (and in its checksum)."""
    args: Sequence[str] = ()
    """Come before the config's args."""
    volumes: Sequence[VolumeArgs] = ()
    volume_mounts: Sequence[VolumeMountArgs] = ()
    service_account_name: pulumi.Input[str] | None = None
    """Default unset: the namespace's default account, and no API token mounted."""
    readiness_probe: ProbeArgs | None = None
    liveness_probe: ProbeArgs | None = None
    waivers: Sequence[tuple[str, str]] = ()
    """checkov checks this daemon fails by design, with the reason for each."""


class NodeDaemon(pulumi.ComponentResource):
    """Runs one pod of `config` on every node it selects."""

    daemon_sets: list[DaemonSet]
    """One per node class, or just one."""
    config_map: ConfigMap | None
    """The daemon's config files, when it has any."""
    service: Service | None
    """The headless or ClusterIP Service, when the daemon is exposed through one."""
    network_policy: NetworkPolicy | None
    names: pulumi.Output[list[str]]
    """The DaemonSets' names, for `kubectl rollout status ds/<name>`."""

    def __init__(
        self,
        config: NodeDaemonConfig,
        namespace: pulumi.Input[str],
        additions: PodAdditions = PodAdditions(),
        type_name: str = "redis-filebeat:components:NodeDaemon",
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`additions` is how a wrapper such as Filebeat hands in what it derives."""
        super().__init__(type_name, config.name, None, opts)
        self._config, self._namespace = config, namespace
        self._additions = additions = self.pod_additions(additions)
        files = {**config.config_files, **additions.files}
        self.config_map = ConfigMap(
            config.config_map_name,
            metadata=ObjectMetaArgs(name=config.config_map_name, namespace=namespace,
                                    labels=config.labels),
            data=files,
            opts=pulumi.ResourceOptions(parent=self),
        ) if files else None
        checksum = pulumi.Output.from_input(files).apply(config_checksum) if files else None
        self.daemon_sets = [self._daemon_set(plan, checksum) for plan in daemon_set_plans(config)]
        self.service = daemon_service(config, namespace, self) if config.expose in (
            "headless", "service") else None
        self.network_policy = daemon_network_policy(
            config, namespace, pulumi.ResourceOptions(parent=self)
        ) if config.network_policy else None
        self.names = pulumi.Output.all(*(ds.metadata.name for ds in self.daemon_sets))
        self.register_outputs({"names": self.names})

    def pod_additions(self, given: PodAdditions) -> PodAdditions:
        """A hook for subclasses: create what the pods need, as children of
        `self` (the component exists by now), and return the additions."""
        return given

    def _daemon_set(self, plan: DaemonSetPlan, checksum: pulumi.Output[str] | None) -> DaemonSet:
        config, additions = self._config, self._additions
        env = [*additions.env,
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
        mounts += additions.volume_mounts
        volumes += additions.volumes
        return DaemonSet(
            plan.name,
            metadata=ObjectMetaArgs(
                name=plan.name, namespace=self._namespace, labels=plan.labels,
                annotations={**await_annotations(config), **waiver_annotations(
                    [*additions.waivers, *image_waivers(config.image, config.image_digest)],
                )} or None,
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
                        service_account_name=additions.service_account_name,
                        # Only a daemon that talks to the API needs a token.
                        automount_service_account_token=additions.service_account_name
                        is not None,
                        security_context=pod_security(config.run_as_user),
                        termination_grace_period_seconds=config.termination_grace_period_seconds,
                        priority_class_name=config.priority_class_name,
                        node_selector=plan.node_selector or None,
                        affinity=affinity_args(config),
                        tolerations=tolerations_args(config),
                        containers=[ContainerArgs(
                            name=config.container_name or config.name,
                            image=pinned(config.image, config.image_digest),
                            image_pull_policy=config.image_pull_policy,
                            args=[*additions.args, *plan.args] or None,
                            env=env or None,
                            ports=[ContainerPortArgs(**p.model_dump(exclude_none=True))
                                   for p in config.ports] or None,
                            resources=plan.resources.to_kubernetes(),
                            volume_mounts=mounts or None,
                            security_context=container_security(
                                config.read_only_root_filesystem, config.run_as_user),
                            readiness_probe=additions.readiness_probe,
                            liveness_probe=additions.liveness_probe,
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
