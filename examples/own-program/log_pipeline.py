"""This project's program: redis-filebeat's Redis and Filebeat, and a resource of its own.

The redis-filebeat:* keys of the stack file are read and validated exactly as
redis-filebeat's own program reads them, so invalid config stops `pulumi
preview` before anything is registered, with one line per problem.
"""

import pulumi
from pulumi_kubernetes.core.v1 import ConfigMap
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs
from redis_filebeat import ConfigError, Stack, build, parse_config
from redis_filebeat.workloads.program import runtime_config

READER = "log-reader"


def program() -> Stack:
    try:
        config = parse_config(runtime_config(), f"Pulumi.{pulumi.get_stack()}.yaml")
    except ConfigError as error:
        raise pulumi.RunError(str(error)) from None
    stack = build(config)  # the Redis and Filebeat components, wired to each other
    # Ours: where the buffer's reader (admitted by redis.clients in the stack
    # file) finds the events, from the components' outputs, never retyped.
    ConfigMap(
        READER,
        metadata=ObjectMetaArgs(name=READER, namespace=config.namespace,
                                labels={"app.kubernetes.io/name": READER}),
        data={
            "REDIS_HOST": stack.redis.host,
            "REDIS_PORT": stack.redis.port.apply(str),
            "REDIS_KEY": config.filebeat.output.key,
        },
        opts=pulumi.ResourceOptions(depends_on=[stack.redis]),
    )
    pulumi.export("redisHost", stack.redis.host)
    pulumi.export("daemonSetNames", stack.filebeat.names)
    return stack
