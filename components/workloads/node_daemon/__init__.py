"""A generic per-node agent: the DaemonSet component and the plan it follows."""

from .component import NO_ADDITIONS, InitStep, NodeDaemon, PodAdditions

__all__ = ["NO_ADDITIONS", "InitStep", "NodeDaemon", "PodAdditions"]
