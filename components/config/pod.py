"""Pod-level settings every workload shares: resources, tolerations, pull policy."""

from typing import Literal

from pydantic import model_validator

from .base import CamelModel, KeyedError
from .kube_types import Count, LabelKey, LabelValue, Quantity, quantity_value

ImagePullPolicy = Literal["Always", "IfNotPresent", "Never"]


class ResourceList(CamelModel):
    cpu: Quantity | None = None
    """CPU, e.g. '100m'. Default unset: the namespace's LimitRange applies."""
    memory: Quantity | None = None
    """Memory, e.g. '128Mi'. Default unset: the namespace's LimitRange applies."""


class Resources(CamelModel):
    """Requests and limits for the container. A request above its limit is
    refused, as Kubernetes refuses such a pod."""

    requests: ResourceList = ResourceList()
    limits: ResourceList = ResourceList()

    @model_validator(mode="after")
    def _requests_fit_limits(self) -> "Resources":
        for resource in ("cpu", "memory"):
            request = getattr(self.requests, resource)
            limit = getattr(self.limits, resource)
            if request and limit and quantity_value(request) > quantity_value(limit):
                raise KeyedError(f"requests.{resource}", (
                    f"({request}) is more than limits.{resource} ({limit}); "
                    "Kubernetes refuses such a pod"
                ))
        return self

    def given(self) -> dict[str, dict[str, str]]:
        """The requests and limits that are set, as Kubernetes spells them."""
        rendered = {
            kind: {k: v for k, v in getattr(self, kind).model_dump().items() if v}
            for kind in ("requests", "limits")
        }
        return {kind: values for kind, values in rendered.items() if values}


class Toleration(CamelModel):
    """Lets the daemon run on tainted nodes, which is how "all nodes" is reached."""

    key: LabelKey | None = None
    """Taint key. Default unset, which with operator Exists tolerates every taint."""
    operator: Literal["Exists", "Equal"] = "Equal"
    """Default Equal, as in Kubernetes."""
    value: LabelValue | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    """Default unset: tolerate the taint whatever its effect."""
    toleration_seconds: Count | None = None
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
