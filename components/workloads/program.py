"""The Pulumi program itself: read config, validate it, build, export.

`__main__.py` runs `main()` under the Pulumi engine; the offline renderer and
the test kit run the very same `main()` under mocks. Nothing else builds
manifests, so what renders offline is what `pulumi up` deploys.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import pulumi
from pulumi.runtime.config import CONFIG, get_config_env, is_config_secret
from pulumi_kubernetes import Provider
from pulumi_kubernetes.core.v1 import Namespace
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from ..config.errors import ConfigError
from ..config.stack.model import StackConfig
from ..config.stack.neighbours import check_neighbours
from ..config.stack.parse import parse_config
from ..project import PROJECT, SECRET_PLACEHOLDER, UNDECRYPTED, RawConfig, stack_file
from .filebeat import Filebeat
from .labels import stack_labels
from .node_daemon import NO_ADDITIONS, PodAdditions
from .ownership import force_conflicts
from .pod import secret_checksum
from .redis import Redis
from .redis.alerts import WatchedList


@dataclass(frozen=True)
class Stack:
    """The components of one stack, for callers that add their own resources."""

    redis: Redis
    filebeat: Filebeat


def build(config: StackConfig, filebeat_extra: PodAdditions = NO_ADDITIONS,
          parent: pulumi.Resource | None = None) -> Stack:
    """Register the stack's resources. `config` must already be validated.
    `filebeat_extra`: what your program adds to filebeat's pods (`Filebeat`'s `extra`).
    `parent`: a component of yours to hold them all (as `redis-filebeat:index:Stack` does)."""
    opts = _stack_options(config, parent)
    namespace: pulumi.Input[str] = config.namespace
    if config.create_namespace:
        # Use the Namespace's output, so Pulumi creates it before its contents.
        namespace = Namespace(
            config.namespace, metadata=ObjectMetaArgs(name=config.namespace,
                                                      labels=stack_labels()),
            opts=opts,
        ).metadata.name
    password = checksum = None
    if config.redis_password is not None:
        secret = config.redis_password.get_secret_value()
        password = pulumi.Output.secret(secret)
        # Declassified on purpose: a slow, salted digest, made to be published.
        # The offline renderer holds no password, so no digest of one either.
        checksum = SECRET_PLACEHOLDER if secret == UNDECRYPTED else secret_checksum(
            secret, f"{PROJECT}/{config.namespace}/{config.redis.name}")
    output = config.filebeat.output
    redis = Redis(config.redis, namespace, config.cluster_domain, password,
                  client_labels=config.filebeat.labels, auth_checksum=checksum,
                  watched=WatchedList(output.db, output.key), opts=opts)
    # filebeat waits for redis, so a rotated password (or a bumped
    # existingSecret.version) rolls redis first;
    # filebeat's old pods retry (holding their place in each file) until
    # their own turn brings the new password.
    filebeat = Filebeat(config.filebeat, namespace, redis.host, redis.port, password,
                        auth_checksum=checksum, existing_secret=config.redis.existing_secret,
                        wait_for=[redis], extra=filebeat_extra, opts=opts)
    return Stack(redis, filebeat)


def _stack_options(config: StackConfig,
                   parent: pulumi.Resource | None) -> pulumi.ResourceOptions | None:
    """What every object of the stack shares, handed down by the components
    to their children. The default Kubernetes provider deploys;
    `renderYamlToDirectory` asks for one that writes files instead. With
    `forceConflicts`, one transformation marks every object for a forced
    apply (ownership.py). With a `parent`, every object is its child."""
    providers: list[pulumi.ProviderResource] = []
    transformations: list[pulumi.ResourceTransformation] = []
    if config.render_yaml_to_directory is not None:
        # kubeconfig="": else the SDK fills it from $KUBECONFIG, and the
        # provider refuses a kubeconfig beside renderYamlToDirectory.
        providers.append(Provider(
            "render-yaml", render_yaml_to_directory=config.render_yaml_to_directory,
            kubeconfig="", opts=pulumi.ResourceOptions(parent=parent)))
    if config.force_conflicts:
        transformations.append(force_conflicts)
    if not providers and not transformations and parent is None:
        return None
    return pulumi.ResourceOptions(parent=parent, providers=providers or None,
                                  transformations=transformations or None)


def runtime_config() -> RawConfig:
    """This project's config as the engine passed it in.

    `pulumi.Config` can only answer for keys we already know, and a typo is
    exactly a key we don't, so list every key the engine set as well.
    """
    keys = set(CONFIG.get()) | set(get_config_env())
    ours = sorted(k for k in keys if k.startswith(f"{PROJECT}:"))
    config = pulumi.Config(PROJECT)
    values = {key: config.get(key.partition(":")[2]) for key in ours}
    values = {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    return RawConfig(values, frozenset(k for k in ours if is_config_secret(k)))


def main(*, compare_neighbours: bool = True) -> Stack:
    """The program: fails before registering anything when the config is invalid.

    `compare_neighbours`: also refuse a filebeat registry that another stack
    file beside this one keeps on the same kube context. The renderer turns it
    off here and checks the file it was given instead: under mocks, the stack
    name need not lead to that file.
    """
    try:
        config = parse_config(runtime_config(), stack_file(pulumi.get_stack()))
        path = Path(stack_file(pulumi.get_stack()))
        if compare_neighbours and path.is_file():
            check_neighbours(config, pulumi.Config("kubernetes").get("context"), path)
    except ConfigError as error:
        # RunError makes the engine print the message alone: no traceback,
        # and since nothing was registered yet, no half-built stack.
        raise pulumi.RunError(str(error)) from None
    stack = build(config)
    pulumi.export("namespace", config.namespace)
    pulumi.export("redisHost", stack.redis.host)
    pulumi.export("redisPort", stack.redis.port)
    pulumi.export("daemonSetNames", stack.filebeat.names)
    if not config.filebeat.node_classes:
        pulumi.export("daemonSetName", stack.filebeat.names.apply(lambda names: names[0]))
    return stack
