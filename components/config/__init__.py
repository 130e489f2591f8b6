"""The stack-file contract: what `redis-filebeat:*` keys a stack file may hold.

pydantic only, no Pulumi: the models, the rules that span them, parsing raw
engine config into them with one line per problem, and the JSON Schema.

The names below load on first use, so reading a stack file
(`config.stack_file`, which needs no model) refuses hostile input before
pydantic and the models are imported.
"""

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ConfigError": "errors", "Problem": "errors",
    "ContainerPort": "daemon", "HostPathVolume": "daemon", "NodeDaemonConfig": "daemon",
    "FilebeatConfig": "filebeat", "NodeAffinity": "node_selection", "NodeClass": "node_selection",
    "parse_config": "parse", "Resources": "pod", "Toleration": "pod", "RedisConfig": "redis",
    "OnDelete": "rollout", "RollingUpdate": "rollout", "UpdateStrategy": "rollout",
    "StackConfig": "stack",
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
    from .daemon import ContainerPort, HostPathVolume, NodeDaemonConfig
    from .errors import ConfigError, Problem
    from .filebeat import FilebeatConfig
    from .node_selection import NodeAffinity, NodeClass
    from .parse import parse_config
    from .pod import Resources, Toleration
    from .redis import RedisConfig
    from .rollout import OnDelete, RollingUpdate, UpdateStrategy
    from .stack import StackConfig
