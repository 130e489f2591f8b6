"""A generic per-node agent: a DaemonSet built from a `NodeDaemonConfig`.

Filebeat is one; node-exporter or a storage daemon would be others. What
this module knows is how DaemonSets behave under Pulumi, so each daemon
built on it gets that for free. A daemon with wiring of its own (filebeat's
RBAC, its redis env) creates that itself and hands it in as `PodAdditions`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_kubernetes.apps.v1 import DaemonSet, DaemonSetSpecArgs
from pulumi_kubernetes.core.v1 import (
    ConfigMap,
    ConfigMapVolumeSourceArgs,
    ContainerPortArgs,
    EnvVarArgs,
    HostPathVolumeSourceArgs,
    ProbeArgs,
    ResourceQuota,
    Service,
    VolumeArgs,
)
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs
from pulumi_kubernetes.networking.v1 import NetworkPolicy

from ...config.kube.daemon import NodeDaemonConfig
from ..labels import WorkloadLabels
from ..pod import PRIVILEGED_WAIVERS, config_checksum, image_waivers, waiver_annotations
from ..pod_template import Container, Mount, PodMetadata, Scheduling, Sidecar, pod_template
from ..scheduling import affinity_args
from .network_policy import daemon_network_policy
from .plan import (
    DaemonSetPlan,
    await_annotations,
    daemon_set_plans,
    tolerations_args,
    update_strategy_args,
)
from .quota import critical_pods_quota
from .service import daemon_service

CONFIG_VOLUME = "config"


@dataclass(frozen=True)
class InitStep:
    """A command that runs to completion before the daemon starts: an init
    container in the daemon's own image, as its user and with its resources,
    with a read-only root filesystem. The daemon's image is on every node
    already; a second one would be pulled onto each."""

    name: str
    command: Sequence[str]
    args: Sequence[str] = ()
    mounts: Sequence[Mount] = ()


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
    mounts: Sequence[Mount] = ()
    """After the config's host paths and its config files."""
    service_account_name: pulumi.Input[str] | None = None
    """Default unset: the namespace's default account, and no API token mounted."""
    readiness_probe: ProbeArgs | None = None
    liveness_probe: ProbeArgs | None = None
    waivers: Sequence[tuple[str, str]] = ()
    """checkov checks this daemon fails by design, with the reason for each."""
    auth_checksum: pulumi.Input[str] | None = None
    """A digest of a secret the pods read (see `secret_checksum`), so that
    changing it rolls them too."""
    auth_version: str | None = None
    """The version of a Secret the stack did not make, which rolls the pods
    when it changes, as `auth_checksum` does for ours."""
    init_steps: Sequence[InitStep] = ()
    """Run in order before the daemon, each to completion."""
    depends_on: Sequence[pulumi.Resource] = ()
    """What the pods read or talk to (a Secret, the redis they write to): the
    DaemonSets are created, and updated, after them."""


NO_ADDITIONS = PodAdditions()
"""Nothing added: the default, and what a field left unset compares equal to."""


class NodeDaemon(pulumi.ComponentResource):
    """Runs one pod of `config` on every node it selects."""

    daemon_sets: list[DaemonSet]
    """One per node class, or just one."""
    config_map: ConfigMap | None
    """The daemon's config files, when it has any."""
    service: Service | None
    """The headless or ClusterIP Service, when the daemon is exposed through one."""
    network_policy: NetworkPolicy | None
    quota: ResourceQuota | None
    """Admits the pods of a critical priority class outside kube-system."""
    names: pulumi.Output[list[str]]
    """The DaemonSets' names, for `kubectl rollout status ds/<name>`."""

    def __init__(
        self,
        config: NodeDaemonConfig,
        namespace: pulumi.Input[str],
        additions: PodAdditions = NO_ADDITIONS,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("redis-filebeat:components:NodeDaemon", config.name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        labels = WorkloadLabels.of(config)
        files = {**config.config_files, **additions.files}
        self.config_map = ConfigMap(
            config.config_map_name,
            metadata=ObjectMetaArgs(name=config.config_map_name, namespace=namespace,
                                    labels=labels.objects),
            data=files,
            opts=child,
        ) if files else None
        checksum = pulumi.Output.from_input(files).apply(config_checksum) if files else None
        mounts = [*self._host_path_mounts(config), *self._config_mount(config),
                  *additions.mounts]
        # What the pods read is named in the spec as a plain name, and ordered
        # by depends_on. Its output there would make the engine re-create the
        # DaemonSet whenever Pulumi replaces what it reads (a changed ConfigMap
        # is deleted first): to the engine, an input of `spec` could then
        # change anywhere, the immutable selector included.
        after = pulumi.ResourceOptions(parent=self, depends_on=[
            *([self.config_map] if self.config_map else []), *additions.depends_on])
        # Each node class selects its own pods; the daemon's Service and policy all of them.
        plans = [(plan, labels.selecting(plan.labels)) for plan in daemon_set_plans(config)]
        self.daemon_sets = [
            DaemonSet(
                plan.name,
                metadata=ObjectMetaArgs(
                    name=plan.name, namespace=namespace, labels=class_labels.objects,
                    annotations={**await_annotations(config), **waiver_annotations(
                        [*additions.waivers, *(PRIVILEGED_WAIVERS if config.privileged else ()),
                         *image_waivers(config.image, config.image_digest)],
                    )} or None,
                ),
                spec=DaemonSetSpecArgs(
                    selector=LabelSelectorArgs(match_labels=class_labels.selector),
                    update_strategy=update_strategy_args(config.update_strategy),
                    min_ready_seconds=config.min_ready_seconds,
                    revision_history_limit=config.revision_history_limit,
                    template=pod_template(
                        class_labels.pods, _container(config, plan, additions), mounts,
                        checksum=checksum,
                        auth_checksum=additions.auth_checksum,
                        auth_version=additions.auth_version,
                        service_account_name=additions.service_account_name,
                        scheduling=Scheduling(
                            node_selector=plan.node_selector,
                            affinity=affinity_args(config.node_affinity),
                            tolerations=tolerations_args(config),
                            priority_class_name=config.priority_class_name,
                            termination_grace_period_seconds=(
                                config.termination_grace_period_seconds),
                        ),
                        extra=PodMetadata.of(config),
                        init_containers=[_init_container(config, plan, step)
                                         for step in additions.init_steps],
                    ),
                ),
                opts=after,
            )
            for plan, class_labels in plans
        ]
        self.service = daemon_service(config, labels, namespace, child) if config.expose in (
            "headless", "service") else None
        self.network_policy = daemon_network_policy(
            config, labels, namespace, child) if config.network_policy else None
        self.quota = critical_pods_quota(config, labels, namespace, child)
        self.names = pulumi.Output.all(*(ds.metadata.name for ds in self.daemon_sets))
        self.register_outputs({"names": self.names})

    @staticmethod
    def _host_path_mounts(config: NodeDaemonConfig) -> list[Mount]:
        return [Mount(VolumeArgs(name=v.name, host_path=HostPathVolumeSourceArgs(
                    path=v.path, type=v.type or None)),
                      # false is the API's default, which the provider leaves out.
                      mount_path=v.mount_path or v.path, read_only=v.read_only or None)
                for v in config.volumes()]

    def _config_mount(self, config: NodeDaemonConfig) -> list[Mount]:
        if self.config_map is None:
            return []
        return [Mount(VolumeArgs(name=CONFIG_VOLUME, config_map=ConfigMapVolumeSourceArgs(
            name=config.config_map_name)),
                      mount_path=config.config_mount_path or f"/etc/{config.name}")]


def _container(config: NodeDaemonConfig, plan: DaemonSetPlan,
               additions: PodAdditions) -> Container:
    return Container(
        name=config.container_name or config.name,
        image=config.image,
        image_digest=config.image_digest,
        image_pull_policy=config.pull_policy,
        resources=plan.resources,
        run_as_user=config.run_as_user,
        read_only_root_filesystem=config.read_only_root_filesystem,
        privileged=config.privileged,
        se_linux_options=config.se_linux_options,
        args=[*additions.args, *plan.args],
        env=[*additions.env, *(EnvVarArgs(name=k, value=v) for k, v in sorted(plan.env.items()))],
        ports=[ContainerPortArgs(name=p.name, container_port=p.container_port,
                                 host_port=p.host_port, protocol=p.protocol)
               for p in config.ports],
        readiness_probe=additions.readiness_probe,
        liveness_probe=additions.liveness_probe,
    )


def _init_container(config: NodeDaemonConfig, plan: DaemonSetPlan, step: InitStep) -> Sidecar:
    return Sidecar(Container(
        name=step.name,
        image=config.image,
        image_digest=config.image_digest,
        image_pull_policy=config.pull_policy,
        # It runs alone, before the daemon: its requests add nothing to the pod's.
        resources=plan.resources,
        run_as_user=config.run_as_user,
        command=step.command,
        args=step.args,
    ), step.mounts)
