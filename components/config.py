"""The stack config contract: what `redis-filebeat:*` keys a stack file may hold.

Every model forbids unknown keys, because a misspelt key (`maxSuge`) that
passed silently would deploy the default instead of what the operator wrote.
Each field's docstring gives its default and why; rules that tie several
fields together live in a model validator whose message names every field.
"""

from typing import Any

from pydantic import field_validator, model_validator

from .config_base import CamelModel, KeyedError, default_labels
from .daemon_config import (
    UPDATE_STRATEGY_TYPES,
    ContainerPort,
    HostPathVolume,
    NodeDaemonConfig,
    OnDelete,
    RollingUpdate,
    UpdateStrategy,
)
from .kube_types import (
    AbsolutePath,
    Count,
    DNS1035Label,
    DNS1123Label,
    DNS1123Subdomain,
    EnvVarName,
    Image,
    Labels,
    Port,
)
from .node_selection import (
    NodeAffinity,
    NodeClass,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    PreferredTerm,
)
from .pod_config import ImagePullPolicy, ResourceList, Resources, Toleration

DERIVED_ENV = ("REDIS_HOST", "REDIS_PORT")
"""Env vars the Filebeat component sets from the redis Service itself."""


class RedisConfig(CamelModel):
    """The redis log buffer: one Deployment and the Service in front of it."""

    name: DNS1035Label = "redis"
    """Names the Deployment and the Service, and so the DNS name filebeat
    ships to. Default 'redis'. A DNS-1035 label, because Services need one."""
    image: Image
    """The redis image. Required: no default is right for every cluster."""
    labels: Labels = {}
    """Pod labels, also the Deployment's and the Service's selector. Default
    {app.kubernetes.io/name: <name>}."""
    replicas: Count = 1
    """Default 1. Each replica is an independent buffer, not a cluster; 0 parks it."""
    port: Port = 6379
    """The Service port that filebeat connects to. Default 6379."""
    container_port: Port = 6379
    """The port redis listens on inside the pod. Default 6379, redis' own."""
    image_pull_policy: ImagePullPolicy | None = None
    """Default unset: Kubernetes picks Always for ':latest', else IfNotPresent."""
    resources: Resources = Resources()
    """Default: no requests or limits."""

    @model_validator(mode="before")
    @classmethod
    def _labels_default(cls, data: Any) -> Any:
        return default_labels(data, "redis")


class FilebeatConfig(NodeDaemonConfig):
    """The filebeat DaemonSet that ships each node's logs to redis."""

    name: DNS1123Label = "filebeat"
    """Names the DaemonSet. Default 'filebeat'."""
    container_name: DNS1123Label | None = "filebeat"
    """Default 'filebeat'."""
    env: dict[EnvVarName, str] = {}
    """Extra environment. REDIS_HOST and REDIS_PORT are derived from the redis
    Service and may not be set here. Default none."""
    priority_class_name: DNS1123Label | None = "system-node-critical"
    """Default system-node-critical: a node under memory pressure evicts
    others before the agent that ships its last logs. null leaves it unset."""
    registry_host_path: AbsolutePath | None = "/var/lib/filebeat-data"
    """The node directory that keeps filebeat's registry (how far it has read
    each file), so a restarted pod neither re-ships nor skips logs. Default
    /var/lib/filebeat-data. null keeps it in the pod, where it dies with it."""
    registry_mount_path: AbsolutePath = "/usr/share/filebeat/data"
    """Where the image keeps its data directory. Default: the Elastic image's."""

    @field_validator("env")
    @classmethod
    def _derived_env_untouched(cls, env: dict[str, str]) -> dict[str, str]:
        taken = sorted(set(env) & set(DERIVED_ENV))
        if taken:
            raise ValueError(
                f"must not set {', '.join(taken)}: the component derives it "
                "from the redis Service"
            )
        return env

    def volumes(self) -> list[HostPathVolume]:
        # The registry is a host path like any other, so the generic surge
        # rule sees it: two filebeats on one registry refuse to run together.
        if not self.registry_host_path:
            return list(self.host_paths)
        return [*self.host_paths, HostPathVolume(
            name="registry", path=self.registry_host_path,
            mount_path=self.registry_mount_path, read_only=False,
            type="DirectoryOrCreate", shared_state=True,
        )]


class StackConfig(CamelModel):
    """Everything under the `redis-filebeat:` namespace of a stack file."""

    namespace: DNS1123Label = "default"
    """The namespace for every object. Default 'default', as in the tutorial."""
    create_namespace: bool = False
    """Create the namespace too. Default false: most clusters hand namespaces
    out through their own process."""
    cluster_domain: DNS1123Subdomain = "cluster.local"
    """The cluster's DNS domain, for REDIS_HOST. Default 'cluster.local'."""
    redis: RedisConfig
    filebeat: FilebeatConfig

    @model_validator(mode="after")
    def _namespace_is_creatable(self) -> "StackConfig":
        if self.create_namespace and self.namespace in BUILTIN_NAMESPACES:
            raise KeyedError("createNamespace", (
                f"is true but namespace {self.namespace!r} is built into every "
                "cluster; set createNamespace to false"
            ))
        return self

    @model_validator(mode="after")
    def _selectors_are_disjoint(self) -> "StackConfig":
        # A selector matches every pod that carries all of its labels. If one
        # workload's labels contain the other's, the redis Service would send
        # traffic to filebeat pods, or two controllers would fight over pods.
        redis, filebeat = self.redis.labels.items(), self.filebeat.labels.items()
        if redis <= filebeat or filebeat <= redis:
            raise KeyedError("filebeat.labels", (
                "overlaps redis.labels: one workload's selector would also match the "
                "other's pods; give each a label the other lacks"
            ))
        return self


BUILTIN_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})


def config_aliases() -> set[str]:
    """Every key the config accepts, anywhere, for did-you-mean hints."""
    models = (StackConfig, RedisConfig, FilebeatConfig, RollingUpdate, OnDelete, Resources,
              ResourceList, Toleration, NodeAffinity, NodeSelectorTerm, PreferredTerm,
              NodeSelectorRequirement, HostPathVolume, ContainerPort, NodeClass)
    return {field.alias or name for model in models for name, field in model.model_fields.items()}


__all__ = [
    "UPDATE_STRATEGY_TYPES", "FilebeatConfig", "OnDelete", "RedisConfig", "RollingUpdate",
    "StackConfig", "Toleration", "UpdateStrategy",
]
