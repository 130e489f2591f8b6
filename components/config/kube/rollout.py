"""How a DaemonSet replaces its pods when the template changes: RollingUpdate or OnDelete."""

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Tag, model_validator

from ..base import CamelModel
from .numbers import IntOrPercent, is_zero


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
    tag = value.get("type", "RollingUpdate") if isinstance(value, dict) else getattr(
        value, "type", None)
    return tag if isinstance(tag, str) else None


UpdateStrategy = Annotated[
    Annotated[RollingUpdate, Tag("RollingUpdate")] | Annotated[OnDelete, Tag("OnDelete")],
    Discriminator(
        _strategy_tag,
        custom_error_type="unknown_strategy",
        custom_error_message="unknown update strategy type; use RollingUpdate or OnDelete",
    ),
]
UPDATE_STRATEGY_TYPES = ("RollingUpdate", "OnDelete")
