"""redis-filebeat: typed Pulumi components for a redis log buffer and a filebeat DaemonSet.

Import the pieces from here; `components.testing` holds the test kit. The
names load on first use, so a caller that needs only `diff` (in
`components.review`) never imports Pulumi or the config models.

The packages, each importing only those before it: `config` (the stack-file
contract), `workloads` (the Pulumi components and the program), `render`
(the program under mocks, and the test kit), `review` (`diff`, on plain
manifests); `project` and `conventions` are leaves all of them share.
"""

import importlib
from typing import TYPE_CHECKING, Any

from .project import VERSION

__version__ = VERSION
"""The package's version, written once in `project.py` (see `VERSION` there)."""

_EXPORTS = {
    "ConfigError": "config.errors",
    "FilebeatConfig": "config.filebeat.model",
    "NodeDaemonConfig": "config.kube.daemon",
    "OnDelete": "config.kube.rollout",
    "RedisConfig": "config.redis.model",
    "RollingUpdate": "config.kube.rollout",
    "StackConfig": "config.stack.model",
    "Toleration": "config.kube.pod",
    "UpdateStrategy": "config.kube.rollout",
    "parse_config": "config.stack.parse",
    "Filebeat": "workloads.filebeat",
    "InitStep": "workloads.node_daemon",
    "Mount": "workloads.pod_template",
    "NodeDaemon": "workloads.node_daemon",
    "PodAdditions": "workloads.node_daemon",
    "Redis": "workloads.redis",
    "Stack": "workloads.program",
    "build": "workloads.program",
    "main": "workloads.program",
}
__all__ = [
    "ConfigError",
    "Filebeat",
    "FilebeatConfig",
    "InitStep",
    "Mount",
    "NodeDaemon",
    "NodeDaemonConfig",
    "OnDelete",
    "PodAdditions",
    "Redis",
    "RedisConfig",
    "RollingUpdate",
    "Stack",
    "StackConfig",
    "Toleration",
    "UpdateStrategy",
    "build",
    "main",
    "parse_config",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


if TYPE_CHECKING:
    from .config.errors import ConfigError
    from .config.filebeat.model import FilebeatConfig
    from .config.kube.daemon import NodeDaemonConfig
    from .config.kube.pod import Toleration
    from .config.kube.rollout import OnDelete, RollingUpdate, UpdateStrategy
    from .config.redis.model import RedisConfig
    from .config.stack.model import StackConfig
    from .config.stack.parse import parse_config
    from .workloads.filebeat import Filebeat
    from .workloads.node_daemon import InitStep, NodeDaemon, PodAdditions
    from .workloads.pod_template import Mount
    from .workloads.program import Stack, build, main
    from .workloads.redis import Redis
