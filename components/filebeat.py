"""The filebeat DaemonSet: one log shipper on every selected node, pushing to redis."""

import pulumi
from pulumi_kubernetes.apps.v1 import (
    DaemonSet,
    DaemonSetSpecArgs,
    DaemonSetUpdateStrategyArgs,
    RollingUpdateDaemonSetArgs,
)
from pulumi_kubernetes.core.v1 import (
    ContainerArgs,
    EnvVarArgs,
    PodSpecArgs,
    PodTemplateSpecArgs,
    TolerationArgs,
)
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs

from .config import FilebeatConfig, OnDelete, UpdateStrategy


def update_strategy_args(strategy: UpdateStrategy) -> DaemonSetUpdateStrategyArgs:
    """The strategy exactly as configured: OnDelete carries no rollingUpdate block
    (the API server would keep one, unused), RollingUpdate carries both knobs."""
    if isinstance(strategy, OnDelete):
        return DaemonSetUpdateStrategyArgs(type="OnDelete")
    return DaemonSetUpdateStrategyArgs(
        type="RollingUpdate",
        rolling_update=RollingUpdateDaemonSetArgs(
            max_unavailable=strategy.max_unavailable,
            max_surge=strategy.max_surge,
        ),
    )


class Filebeat(pulumi.ComponentResource):
    """Ships each node's logs to redis.

    REDIS_HOST and REDIS_PORT come from the redis Service's outputs, never
    from hand-typed config, so renaming the Service or the namespace cannot
    leave filebeat shipping into the void.
    """

    daemon_set: DaemonSet
    name: pulumi.Output[str]
    """The DaemonSet's name, for `kubectl rollout status ds/<name>`."""

    def __init__(
        self,
        config: FilebeatConfig,
        namespace: pulumi.Input[str],
        redis_host: pulumi.Input[str],
        redis_port: pulumi.Input[int],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("redis-filebeat:components:Filebeat", config.name, None, opts)
        labels = config.labels
        env = [
            EnvVarArgs(name="REDIS_HOST", value=redis_host),
            EnvVarArgs(name="REDIS_PORT", value=pulumi.Output.from_input(redis_port).apply(str)),
            *(EnvVarArgs(name=k, value=v) for k, v in sorted(config.env.items())),
        ]
        self.daemon_set = DaemonSet(
            config.name,
            metadata=ObjectMetaArgs(name=config.name, namespace=namespace, labels=labels),
            spec=DaemonSetSpecArgs(
                selector=LabelSelectorArgs(match_labels=labels),
                update_strategy=update_strategy_args(config.update_strategy),
                template=PodTemplateSpecArgs(
                    metadata=ObjectMetaArgs(labels=labels),
                    spec=PodSpecArgs(
                        # A DaemonSet refuses any other restart policy.
                        restart_policy="Always",
                        # Otherwise the kubelet adds docker-link variables for
                        # every Service in the namespace (one named redis brings
                        # REDIS_SERVICE_HOST, REDIS_PORT_6379_TCP, ...), which
                        # filebeat's ${VAR} expansion could pick up by mistake.
                        enable_service_links=False,
                        node_selector=config.node_selector or None,
                        tolerations=[
                            TolerationArgs(**t.model_dump(exclude_none=True))
                            for t in config.tolerations
                        ] or None,
                        containers=[
                            ContainerArgs(
                                name=config.container_name,
                                image=config.image,
                                image_pull_policy=config.image_pull_policy,
                                args=config.args or None,
                                env=env,
                                resources=config.resources.to_kubernetes(),
                            )
                        ],
                    ),
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.name = self.daemon_set.metadata.name
        self.register_outputs({"name": self.name})
