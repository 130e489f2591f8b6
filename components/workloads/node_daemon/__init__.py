"""A generic per-node agent: the DaemonSet component and the plan it follows."""

from .component import NodeDaemon, PodAdditions

__all__ = ["NodeDaemon", "PodAdditions"]
