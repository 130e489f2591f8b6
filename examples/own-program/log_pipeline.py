"""This project's program: redis-filebeat's Redis and Filebeat, and resources of its own.

The redis-filebeat:* keys of the stack file are read and validated exactly as
redis-filebeat's own program reads them, so invalid config stops `pulumi
preview` before anything is registered, with one line per problem.

Ours, around the components:
- `site-fields`, a ConfigMap that every filebeat pod mounts and loads as one
  more config file (`-c`), so each event says which site it was shipped from;
- `log-reader`, where the buffer's reader (admitted by redis.clients in the
  stack file) finds the events, from the components' outputs, never retyped.
"""

import pulumi
from pulumi_kubernetes.core.v1 import ConfigMap, ConfigMapVolumeSourceArgs, VolumeArgs
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs
from redis_filebeat import ConfigError, Mount, PodAdditions, Stack, build, parse_config
from redis_filebeat.workloads.program import runtime_config

READER = "log-reader"
SITE_FIELDS = "site-fields"
SITE_DIR = "/etc/filebeat-site"
SITE = "eu-west-lab"


def program() -> Stack:
    try:
        config = parse_config(runtime_config(), f"Pulumi.{pulumi.get_stack()}.yaml")
    except ConfigError as error:
        raise pulumi.RunError(str(error)) from None
    namespace = config.namespace
    site_fields = ConfigMap(
        SITE_FIELDS,
        metadata=ObjectMetaArgs(name=SITE_FIELDS, namespace=namespace),
        # filebeat merges every -c file into one config; this one adds a field.
        data={"fields.yml": f"fields:\n  site: {SITE}\n"},
    )
    # Redis and Filebeat, wired to each other (the password, the order of a
    # rotation); filebeat's pods also mount our ConfigMap, by name, and are
    # created after it.
    stack = build(config, filebeat_extra=PodAdditions(
        mounts=[Mount(VolumeArgs(name=SITE_FIELDS, config_map=ConfigMapVolumeSourceArgs(
            name=SITE_FIELDS)), SITE_DIR)],
        args=["-c", f"{SITE_DIR}/fields.yml"],
        depends_on=[site_fields],
    ))
    ConfigMap(
        READER,
        metadata=ObjectMetaArgs(name=READER, namespace=namespace,
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
