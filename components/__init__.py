"""redis-filebeat: typed Pulumi components for a redis log buffer and a filebeat DaemonSet.

Import the pieces from here; `components.testing` holds the test kit.
"""

from .config import (
    FilebeatConfig,
    OnDelete,
    RedisConfig,
    RollingUpdate,
    StackConfig,
    Toleration,
    UpdateStrategy,
)
from .daemon_config import NodeDaemonConfig
from .filebeat import Filebeat
from .loading import ConfigError, parse_config
from .node_daemon import NodeDaemon
from .program import Stack, build, main
from .redis import Redis

__all__ = [
    "ConfigError", "Filebeat", "FilebeatConfig", "NodeDaemon", "NodeDaemonConfig", "OnDelete",
    "Redis", "RedisConfig",
    "RollingUpdate", "Stack", "StackConfig", "Toleration", "UpdateStrategy",
    "build", "main", "parse_config",
]
