"""The stack-file contract: what `redis-filebeat:*` keys a stack file may hold.

pydantic only, no Pulumi: the models, the rules that span them, parsing raw
engine config into them with one line per problem, and the JSON Schema.

The names below load on first use, so reading a stack file
(`config.files.stack_file`, which needs no model) refuses hostile input before
pydantic and the models are imported.
"""

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ConfigError": "errors", "Problem": "errors",
    "ContainerPort": "kube.daemon", "HostPathVolume": "kube.host_path",
    "NodeDaemonConfig": "kube.daemon", "FilebeatConfig": "filebeat.model",
    "NodeAffinity": "kube.node_selection", "NodeClass": "kube.node_selection",
    "parse_config": "stack.parse", "Resources": "kube.pod", "Toleration": "kube.pod",
    "RedisConfig": "redis.model", "OnDelete": "kube.rollout", "RollingUpdate": "kube.rollout",
    "UpdateStrategy": "kube.rollout", "StackConfig": "stack.model",
}
__all__ = [
    "ConfigError", "ContainerPort", "FilebeatConfig", "HostPathVolume", "NodeAffinity",
    "NodeClass", "NodeDaemonConfig", "OnDelete", "Problem", "RedisConfig", "Resources",
    "RollingUpdate", "StackConfig", "Toleration", "UpdateStrategy", "parse_config",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from .errors import ConfigError, Problem
    from .filebeat.model import FilebeatConfig
    from .kube.daemon import ContainerPort, NodeDaemonConfig
    from .kube.host_path import HostPathVolume
    from .kube.node_selection import NodeAffinity, NodeClass
    from .kube.pod import Resources, Toleration
    from .kube.rollout import OnDelete, RollingUpdate, UpdateStrategy
    from .redis.model import RedisConfig
    from .stack.model import StackConfig
    from .stack.parse import parse_config
