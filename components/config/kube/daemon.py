"""What any node daemon is configured with: a log shipper, node-exporter, a storage agent.

`NodeDaemonConfig` is the generic part; `FilebeatConfig` adds filebeat's
defaults and rules on top of it. The node directories it mounts are
`HostPathVolume`s, in host_path.py.
"""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ...conventions import NODE_CLASS_LABEL
from ..base import CamelModel, KeyedError
from .host_path import HostPathVolume
from .names import (
    AbsolutePath,
    ConfigKey,
    DNS1123Label,
    EnvVarName,
    LabelKey,
    LabelValue,
    PortName,
    is_dns1035_label,
)
from .node_selection import NodeAffinity, NodeClass, overlapping_classes
from .numbers import INT32_MAX, Count, is_zero
from .pod import Resources, SELinuxOptions, Toleration
from .rollout import OnDelete, RollingUpdate, UpdateStrategy
from .workload import WorkloadConfig


class ContainerPort(CamelModel):
    name: PortName
    """An IANA service name (at most 15 characters), which Services can target."""
    container_port: Annotated[int, Field(ge=1, le=65535)]
    host_port: Annotated[int, Field(ge=1, le=65535)] | None = None
    """Expose the port on the node's IP. Default unset. Clients then reach
    each node's daemon at <node IP>:<hostPort>."""
    protocol: Literal["TCP", "UDP", "SCTP"] = "TCP"


Expose = Literal["push", "hostPort", "headless", "service"]


class NodeDaemonConfig(WorkloadConfig):
    """A per-node agent: one pod on every node the daemon selects."""

    name: DNS1123Label
    """Names the DaemonSet."""
    container_name: DNS1123Label | None = None
    """Names the container, for `kubectl logs -c`. Default: the daemon's name."""
    env: dict[EnvVarName, str] = {}
    """Extra environment, rendered sorted by name. Default none."""
    args: list[str] = []
    """Container args. Default none: the image's own command runs."""
    ports: list[ContainerPort] = []
    """Ports the daemon listens on. Default none: a push daemon has no clients."""
    expose: Expose = "push"
    """How clients reach the daemon, the four patterns of the DaemonSet docs.
    Default push: the daemon sends, nobody calls it, so no Service.
    hostPort: each node's daemon at <node IP>:<port> (every port gets a hostPort).
    headless: a Service without a cluster IP; DNS returns every daemon pod.
    service: a ClusterIP Service, reaching the daemon of some node."""
    network_policy: bool = True
    """Refuse every connection to the daemon's pods but to its own ports (none
    for a push daemon). Default true."""
    host_paths: list[HostPathVolume] = []
    """Node directories to mount. Default none."""
    update_strategy: UpdateStrategy = RollingUpdate()
    """Default RollingUpdate with maxUnavailable 1 and maxSurge 0."""
    min_ready_seconds: Count | None = None
    """How long a new pod must stay ready before the rollout moves to the next
    node. Default unset (0): a crash-looping image then slips through quickly."""
    revision_history_limit: Count | None = None
    """Old revisions kept for `kubectl rollout undo`. Default unset (10)."""
    rollout_timeout_seconds: Annotated[int, Field(ge=1, le=INT32_MAX)] | None = None
    """How long `pulumi up` waits for the rollout to reach every node before it
    fails. Default unset: pulumi-kubernetes' 10 minutes. A rollout takes about
    ceil(nodes / maxUnavailable) waves of pod start-up plus minReadySeconds.
    Refused with OnDelete, for which Pulumi does not wait at all."""
    node_selector: dict[LabelKey, LabelValue] = {}
    """Run only on nodes with these labels. Default: every node."""
    node_affinity: NodeAffinity | None = None
    """Finer node choice. Default unset."""
    tolerations: list[Toleration] = []
    """Taints to tolerate. Default none, so tainted nodes get no daemon."""
    tolerate_all_taints: bool = False
    """Run on every node whatever its taints, control-plane nodes included.
    Default false: opt in, because it also means nodes being drained."""
    priority_class_name: DNS1123Label | None = None
    """Default unset. Node-critical agents should set system-node-critical so
    that a full node evicts others first. A critical class outside kube-system
    comes with a ResourceQuota `<name>-critical-pods` scoped to it, which
    clusters such as GKE require before they admit such pods there."""
    termination_grace_period_seconds: Count | None = None
    """Time between SIGTERM and SIGKILL. Default unset (30)."""
    run_as_user: Annotated[int, Field(ge=0, le=INT32_MAX)] | None = None
    """The UID the container runs as. Default unset: the image's own user. A
    UID above 0 also sets runAsNonRoot, so a root image is refused to start."""
    se_linux_options: SELinuxOptions | None = None
    """The container's SELinux label. Default unset: the runtime's (container_t
    on SELinux-enforcing nodes such as OpenShift's and RHEL's), which may not
    read the host's files; a daemon that reads host logs there needs a type
    such as spc_t. Prefer it to privileged."""
    privileged: bool = False
    """Run the container privileged: every capability and device of the node,
    and no SELinux confinement. Default false; the last resort, for nodes
    where seLinuxOptions is not enough. It also turns off the container's
    allowPrivilegeEscalation false (Kubernetes refuses the two together),
    carries checkov waivers that name it, and fails the policy pack's
    pod-security rule."""
    read_only_root_filesystem: bool = True
    """Default true: the daemon writes only to its volumes, so a compromised
    process cannot change its own binaries. Turn it off for images that
    write into their own filesystem, such as the tutorial's filebeat 5.6."""
    config_files: dict[ConfigKey, str] = {}
    """Files for the daemon, such as its YAML config: a ConfigMap named
    <name>-config, mounted read-only at configMountPath. Changing a file rolls
    the pods. Default none."""
    config_mount_path: AbsolutePath | None = None
    """Where the config files appear in the container. Default /etc/<name>."""
    node_classes: dict[DNS1123Label, NodeClass] = {}
    """One DaemonSet per kind of node, named <name>-<class>, each with its own
    nodeSelector (merged over the daemon's), resources, env and args. Default
    none: a single DaemonSet. The classes' nodes must not overlap."""

    def object_names(self) -> set[tuple[str, str]]:
        """The namespaced objects named after the daemon that another component
        could also name: kind and name."""
        return {("ConfigMap", self.config_map_name), ("NetworkPolicy", self.name),
                ("Service", self.name), ("ResourceQuota", self.critical_quota_name)}

    def resources_by_key(self) -> dict[str, Resources]:
        return super().resources_by_key() | {
            f"nodeClasses.{name}.resources": node_class.resources
            for name, node_class in self.node_classes.items() if node_class.resources}

    def env_by_key(self) -> dict[str, dict[str, str]]:
        """Each env a container of the daemon is given, by the key that sets it:
        a rule on `env` must hold for every node class's too, or a class is a
        way round it."""
        return {"env": self.env} | {f"nodeClasses.{name}.env": node_class.env
                                    for name, node_class in self.node_classes.items()}

    def args_by_key(self) -> dict[str, list[str]]:
        """Each args list a container of the daemon runs with, by the key that
        sets it; a class without its own runs the daemon's."""
        return {"args": self.args} | {
            f"nodeClasses.{name}.args": node_class.args
            for name, node_class in self.node_classes.items() if node_class.args is not None}

    @property
    def critical_quota_name(self) -> str:
        return f"{self.name}-critical-pods"

    def volumes(self) -> list[HostPathVolume]:
        """Every host path the pod mounts: `hostPaths`, plus any a subclass
        derives from its own settings."""
        return list(self.host_paths)

    def volume_key(self, volume: HostPathVolume) -> str:
        """The key that mounts one of `volumes()`: only the subclass that
        derives a volume knows which of its keys to blame for it."""
        return "hostPaths"

    @model_validator(mode="after")
    def _exposure_has_ports(self) -> "NodeDaemonConfig":
        if self.expose != "push" and not self.ports:
            raise KeyedError("expose", (
                f"expose {self.expose} needs at least one entry in ports: there is nothing "
                "to reach otherwise"), also=("ports",))
        if self.expose in ("headless", "service") and not is_dns1035_label(self.name):
            raise KeyedError("expose", (
                f"expose {self.expose} names a Service after the daemon, and name "
                f"{self.name!r} is not a valid Service name (a DNS-1035 label starts with a "
                "letter)"), also=("name",))
        if self.expose == "hostPort":
            self.ports = [p if p.host_port else p.model_copy(update={"host_port": p.container_port})
                          for p in self.ports]
        return self

    @model_validator(mode="after")
    def _surge_is_safe(self) -> "NodeDaemonConfig":
        strategy = self.update_strategy
        if not isinstance(strategy, RollingUpdate) or is_zero(strategy.max_surge):
            return self
        host_ports = [p.host_port for p in self.ports if p.host_port]
        if host_ports:
            raise KeyedError("updateStrategy.maxSurge", (
                "updateStrategy.maxSurge cannot be combined with ports[].hostPort "
                f"({host_ports[0]}): the surge pod needs the same host port on the same "
                "node, so it never schedules and the rollout hangs; use maxSurge 0"
            ), also=("ports", "expose"))
        shared = [v for v in self.volumes() if v.shared_state]
        if shared:
            key = self.volume_key(shared[0])
            where = "hostPaths[].sharedState" if key == "hostPaths" else key
            raise KeyedError("updateStrategy.maxSurge", (
                f"updateStrategy.maxSurge cannot be used with {where} ({shared[0].path}): "
                "the old and the new pod would share that state on one node, the new one "
                "refuses to start, and the rollout never completes; use maxSurge 0"
            ), also=(key,))
        return self

    @model_validator(mode="after")
    def _classes_are_disjoint(self) -> "NodeDaemonConfig":
        for node_class in self.node_classes:
            if len(f"{self.name}-{node_class}") > 63:
                raise KeyedError(f"nodeClasses.{node_class}", (
                    f"the DaemonSet name '{self.name}-{node_class}' is longer than 63 "
                    "characters"), also=("name",))
        overlaps = overlapping_classes(self.node_classes, self.node_selector)
        if overlaps:
            raise KeyedError("nodeClasses", (
                f"nodeClasses {'; '.join(overlaps)} could select the same node, which would "
                "then run two daemons: give each pair different values for one "
                "nodeSelector label"), also=("nodeSelector",))
        return self

    @model_validator(mode="after")
    def _node_class_label_is_ours(self) -> "NodeDaemonConfig":
        if NODE_CLASS_LABEL in self.pod_labels:
            raise KeyedError(f"podLabels.{NODE_CLASS_LABEL}", (
                "is the label that keeps node classes' selectors apart; pick another key"))
        return self

    @model_validator(mode="after")
    def _timeout_needs_a_rollout(self) -> "NodeDaemonConfig":
        if self.rollout_timeout_seconds is not None and isinstance(self.update_strategy, OnDelete):
            raise KeyedError("rolloutTimeoutSeconds", (
                "rolloutTimeoutSeconds does nothing with updateStrategy OnDelete: Pulumi "
                "does not wait for an OnDelete rollout at all"), also=("updateStrategy.type",))
        return self
