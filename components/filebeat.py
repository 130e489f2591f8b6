"""Filebeat: a node daemon that ships each node's logs to redis."""

import pulumi
from pulumi_kubernetes.core.v1 import EnvVarArgs

from .config import FilebeatConfig
from .node_daemon import NodeDaemon


class Filebeat(NodeDaemon):
    """Ships each node's logs to redis.

    REDIS_HOST and REDIS_PORT come from the redis Service's outputs, never
    from hand-typed config, so renaming the Service or the namespace cannot
    leave filebeat shipping into the void.
    """

    def __init__(
        self,
        config: FilebeatConfig,
        namespace: pulumi.Input[str],
        redis_host: pulumi.Input[str],
        redis_port: pulumi.Input[int],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(
            config,
            namespace,
            extra_env=[
                EnvVarArgs(name="REDIS_HOST", value=redis_host),
                EnvVarArgs(name="REDIS_PORT",
                           value=pulumi.Output.from_input(redis_port).apply(str)),
            ],
            type_name="redis-filebeat:components:Filebeat",
            opts=opts,
        )
