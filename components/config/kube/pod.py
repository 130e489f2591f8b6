"""Pod-level settings every workload shares: resources, tolerations, pull policy."""

import re
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, model_validator

from ..base import CamelModel, KeyedError
from .memory import MemoryFloor, MemoryQuantity, below_floor
from .names import LabelKey, LabelValue
from .numbers import Count, Quantity, quantity_value

ImagePullPolicy = Literal["Always", "IfNotPresent", "Never"]


class ResourceList(CamelModel):
    cpu: Quantity | None = None
    """CPU, e.g. '100m'. Default unset: the namespace's LimitRange applies."""
    memory: MemoryQuantity | None = None
    """Memory, e.g. '128Mi' (`m` is thousandths of a byte, a bare number
    bytes). Default unset: the namespace's LimitRange applies. Refused below
    the container's floor: 16Mi for redis and its exporter, 32Mi for filebeat,
    1Mi for any other daemon."""


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
                    f"requests.{resource} ({request}) is more than limits.{resource} "
                    f"({limit}); Kubernetes refuses such a pod"), also=(f"limits.{resource}",))
        return self

    def memory_below(self, floor: MemoryFloor) -> tuple[str, str] | None:
        """The key and the problem of the first of the memory limit and
        request that is below `floor`, if either is."""
        for kind in ("limits", "requests"):
            quantity = getattr(self, kind).memory
            problem = quantity and below_floor(quantity, floor)
            if problem:
                return f"{kind}.memory", problem
        return None

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


def _label_part(colons: bool) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not value or re.search(r"\s", value) or (":" in value and not colons):
            raise ValueError("must be one word" + ("" if colons else (
                ", without ':' (it separates the parts of a label)")))
        return value
    return check


SELinuxLabelPart = Annotated[str, AfterValidator(_label_part(colons=False))]
"""A user, role or type: one word, no colons (they separate the parts)."""
SELinuxLevel = Annotated[str, AfterValidator(_label_part(colons=True))]
"""A level such as s0:c123,c456, which holds colons of its own."""


class SELinuxOptions(CamelModel):
    """An SELinux label for a container, as Kubernetes' SELinuxOptions. Parts
    left unset are the container runtime's."""

    user: SELinuxLabelPart | None = None
    """Default unset."""
    role: SELinuxLabelPart | None = None
    """Default unset."""
    type: SELinuxLabelPart | None = None
    """Default unset. spc_t is the type commonly given on OpenShift and RHEL to
    log collectors that read the host's logs."""
    level: SELinuxLevel | None = None
    """Default unset, e.g. s0:c123,c456 (a level may hold colons)."""

    @model_validator(mode="after")
    def _says_something(self) -> "SELinuxOptions":
        if not any((self.user, self.role, self.type, self.level)):
            raise ValueError("is empty; set at least one of user, role, type and level, "
                             "or leave seLinuxOptions out")
        return self
