"""The stack-file contract: what `redis-filebeat:*` keys a stack file may hold.

pydantic only, no Pulumi: the models, the rules that span them, parsing raw
engine config into them with one line per problem, and the JSON Schema.
"""

from .daemon import ContainerPort, HostPathVolume, NodeDaemonConfig
from .errors import ConfigError, Problem
from .filebeat import FilebeatConfig
from .node_selection import NodeAffinity, NodeClass
from .parse import parse_config
from .pod import Resources, Toleration
from .redis import RedisConfig
from .rollout import OnDelete, RollingUpdate, UpdateStrategy
from .stack import StackConfig

__all__ = [
    "ConfigError", "ContainerPort", "FilebeatConfig", "HostPathVolume", "NodeAffinity",
    "NodeClass", "NodeDaemonConfig", "OnDelete", "Problem", "RedisConfig", "Resources",
    "RollingUpdate", "StackConfig", "Toleration", "UpdateStrategy", "parse_config",
]
