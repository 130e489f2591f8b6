"""The stack config contract: what `redis-filebeat:*` keys a stack file may hold.

Every model forbids unknown keys, because a misspelt key (`maxSuge`) that
passed silently would deploy the default instead of what the operator wrote.
Each field's docstring gives its default and why; rules that tie several
fields together live in a model validator whose message names every field.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator
from pydantic.alias_generators import to_camel

from .kube_types import (
    DNS1035Label,
    DNS1123Label,
    DNS1123Subdomain,
    EnvVarName,
    Image,
    IntOrPercent,
    LabelKey,
    Labels,
    LabelValue,
    Port,
    Quantity,
    is_zero,
    quantity_value,
)

DERIVED_ENV = ("REDIS_HOST", "REDIS_PORT")
"""Env vars the Filebeat component sets from the redis Service itself."""


class CamelModel(BaseModel):
    """camelCase keys in YAML, snake_case in Python, and no unknown keys.

    Strict, so YAML's `replicas: "1"` or `labels: {tier: 1}` is an error
    rather than a silent coercion: Kubernetes would refuse the second anyway.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        strict=True,
    )


class RollingUpdate(CamelModel):
    """Replace pods node by node as soon as the pod template changes."""

    type: Literal["RollingUpdate"] = "RollingUpdate"
    max_unavailable: IntOrPercent = 1
    """Nodes that may be without a daemon pod during the rollout. Default 1:
    the Kubernetes default, and the gentlest one that still makes progress."""
    max_surge: IntOrPercent = 0
    """Nodes that may briefly run an old and a new pod side by side. Default 0:
    a surge pod collides with the old one on hostPorts and shared host state."""

    @model_validator(mode="after")
    def _exactly_one_nonzero(self) -> "RollingUpdate":
        # apps/v1 DaemonSet validation: a rollout either takes a node's pod
        # down first (maxUnavailable) or starts the new one beside it first
        # (maxSurge). It cannot do both, and with neither it never progresses.
        unavailable, surge = not is_zero(self.max_unavailable), not is_zero(self.max_surge)
        if not unavailable and not surge:
            raise ValueError(
                "maxUnavailable and maxSurge cannot both be zero: the rollout "
                "could never replace a pod"
            )
        if unavailable and surge:
            raise ValueError(
                "maxUnavailable and maxSurge cannot both be non-zero: Kubernetes "
                "refuses it; set maxUnavailable to 0 to surge, or maxSurge to 0"
            )
        return self


class OnDelete(CamelModel):
    """Replace a pod only when someone deletes it: the operator rolls by hand."""

    type: Literal["OnDelete"]


def _strategy_tag(value: Any) -> str | None:
    # Kubernetes defaults the type to RollingUpdate, so `{maxUnavailable: 2}`
    # alone means a rolling update here too.
    if isinstance(value, dict):
        return value.get("type", "RollingUpdate")
    return getattr(value, "type", None)


UpdateStrategy = Annotated[
    Annotated[RollingUpdate, Tag("RollingUpdate")] | Annotated[OnDelete, Tag("OnDelete")],
    Discriminator(
        _strategy_tag,
        custom_error_type="unknown_strategy",
        custom_error_message="unknown update strategy type; use RollingUpdate or OnDelete",
    ),
]
UPDATE_STRATEGY_TYPES = ("RollingUpdate", "OnDelete")


class ResourceList(CamelModel):
    cpu: Quantity | None = None
    """CPU, e.g. '100m'. Default unset: the namespace's LimitRange applies."""
    memory: Quantity | None = None
    """Memory, e.g. '128Mi'. Default unset: the namespace's LimitRange applies."""


class Resources(CamelModel):
    """Requests and limits for the container."""

    requests: ResourceList = ResourceList()
    limits: ResourceList = ResourceList()

    @model_validator(mode="after")
    def _requests_fit_limits(self) -> "Resources":
        for resource in ("cpu", "memory"):
            request = getattr(self.requests, resource)
            limit = getattr(self.limits, resource)
            if request and limit and quantity_value(request) > quantity_value(limit):
                raise ValueError(
                    f"requests.{resource} ({request}) is more than limits.{resource} "
                    f"({limit}); Kubernetes refuses such a pod"
                )
        return self

    def to_kubernetes(self) -> dict[str, dict[str, str]] | None:
        rendered = {
            kind: {k: v for k, v in getattr(self, kind).model_dump().items() if v}
            for kind in ("requests", "limits")
        }
        rendered = {kind: values for kind, values in rendered.items() if values}
        return rendered or None


class Toleration(CamelModel):
    """Lets the daemon run on tainted nodes, which is how "all nodes" is reached."""

    key: LabelKey | None = None
    """Taint key. Default unset, which with operator Exists tolerates every taint."""
    operator: Literal["Exists", "Equal"] = "Equal"
    """Default Equal, as in Kubernetes."""
    value: LabelValue | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    """Default unset: tolerate the taint whatever its effect."""
    toleration_seconds: Annotated[int, Field(ge=0)] | None = None
    """How long to stay on a node after a NoExecute taint appears."""

    @model_validator(mode="after")
    def _kubernetes_rules(self) -> "Toleration":
        if self.key is None and self.operator != "Exists":
            raise ValueError("a toleration without key must use operator Exists")
        if self.operator == "Exists" and self.value:
            raise ValueError("a toleration with operator Exists must not set value")
        if self.toleration_seconds is not None and self.effect != "NoExecute":
            raise ValueError("tolerationSeconds applies only to effect NoExecute")
        return self


ImagePullPolicy = Literal["Always", "IfNotPresent", "Never"]


def _default_labels(data: Any, default_name: str) -> Any:
    """Pod labels default to the workload's name, so two stacks' workloads never
    share a selector by accident."""
    if isinstance(data, dict) and "labels" not in data:
        name = data.get("name", default_name)
        if isinstance(name, str):
            return {**data, "labels": {"app.kubernetes.io/name": name}}
    return data


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
    replicas: Annotated[int, Field(ge=0)] = 1
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
        return _default_labels(data, "redis")


class FilebeatConfig(CamelModel):
    """The filebeat DaemonSet that ships each node's logs to redis."""

    name: DNS1123Label = "filebeat"
    """Names the DaemonSet. Default 'filebeat'."""
    image: Image
    """The filebeat image. Required: no default is right for every cluster."""
    container_name: DNS1123Label = "filebeat"
    """Names the container, for `kubectl logs -c`. Default 'filebeat'."""
    labels: Labels = {}
    """Pod labels, also the DaemonSet's selector. Default
    {app.kubernetes.io/name: <name>}."""
    env: dict[EnvVarName, str] = {}
    """Extra environment. REDIS_HOST and REDIS_PORT are derived from the redis
    Service and may not be set here. Default none."""
    args: list[str] = []
    """Container args. Default none: the image's own command runs."""
    image_pull_policy: ImagePullPolicy | None = None
    """Default unset: Kubernetes picks Always for ':latest', else IfNotPresent."""
    resources: Resources = Resources()
    """Default: no requests or limits."""
    update_strategy: UpdateStrategy = RollingUpdate()
    """Default RollingUpdate with maxUnavailable 1 and maxSurge 0."""
    node_selector: dict[LabelKey, LabelValue] = {}
    """Run only on nodes with these labels. Default: every node."""
    tolerations: list[Toleration] = []
    """Taints to tolerate. Default none, so tainted nodes get no daemon."""

    @model_validator(mode="before")
    @classmethod
    def _labels_default(cls, data: Any) -> Any:
        return _default_labels(data, "filebeat")

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
            raise ValueError(
                f"createNamespace is true but namespace {self.namespace!r} is built "
                "into every cluster; set createNamespace to false"
            )
        return self

    @model_validator(mode="after")
    def _selectors_are_disjoint(self) -> "StackConfig":
        # A selector matches every pod that carries all of its labels. If one
        # workload's labels contain the other's, the redis Service would send
        # traffic to filebeat pods, or two controllers would fight over pods.
        redis, filebeat = self.redis.labels.items(), self.filebeat.labels.items()
        if redis <= filebeat or filebeat <= redis:
            raise ValueError(
                "redis.labels and filebeat.labels overlap: one workload's selector "
                "would also match the other's pods; give each a label the other lacks"
            )
        return self


BUILTIN_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})


def config_aliases() -> set[str]:
    """Every key the config accepts, anywhere, for did-you-mean hints."""
    models = (StackConfig, RedisConfig, FilebeatConfig, RollingUpdate, OnDelete,
              Resources, ResourceList, Toleration)
    return {field.alias or name for model in models for name, field in model.model_fields.items()}


__all__ = [
    "CamelModel", "FilebeatConfig", "OnDelete", "RedisConfig", "Resources",
    "ResourceList", "RollingUpdate", "StackConfig", "Toleration", "UpdateStrategy",
]
