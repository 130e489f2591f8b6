"""The redis log buffer: a Deployment and the Service that `kubectl expose` would make."""

import pulumi
from pulumi_kubernetes.apps.v1 import Deployment, DeploymentSpecArgs
from pulumi_kubernetes.core.v1 import (
    ContainerArgs,
    ContainerPortArgs,
    PodSpecArgs,
    PodTemplateSpecArgs,
    Service,
    ServicePortArgs,
    ServiceSpecArgs,
)
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs

from .config import RedisConfig

PORT_NAME = "redis"


class Redis(pulumi.ComponentResource):
    """Runs redis and gives it a stable DNS name.

    The pod labels feed the Deployment's selector, its template and the
    Service's selector from one value, so the three cannot drift apart, and
    the Service selects exactly the Deployment's pods.
    """

    deployment: Deployment
    service: Service
    host: pulumi.Output[str]
    """The Service's cluster DNS name: `<service>.<namespace>.svc.<clusterDomain>`."""
    port: pulumi.Output[int]
    """The Service port clients connect to."""

    def __init__(
        self,
        config: RedisConfig,
        namespace: pulumi.Input[str],
        cluster_domain: str,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("redis-filebeat:components:Redis", config.name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        labels = config.labels

        self.deployment = Deployment(
            config.name,
            metadata=ObjectMetaArgs(name=config.name, namespace=namespace, labels=labels),
            spec=DeploymentSpecArgs(
                replicas=config.replicas,
                selector=LabelSelectorArgs(match_labels=labels),
                template=PodTemplateSpecArgs(
                    metadata=ObjectMetaArgs(labels=labels),
                    spec=PodSpecArgs(
                        restart_policy="Always",
                        containers=[
                            ContainerArgs(
                                name="redis",
                                image=config.image,
                                image_pull_policy=config.image_pull_policy,
                                ports=[ContainerPortArgs(
                                    name=PORT_NAME, container_port=config.container_port
                                )],
                                resources=config.resources.to_kubernetes(),
                            )
                        ],
                    ),
                ),
            ),
            opts=child,
        )
        self.service = Service(
            config.name,
            metadata=ObjectMetaArgs(name=config.name, namespace=namespace, labels=labels),
            spec=ServiceSpecArgs(
                type="ClusterIP",
                selector=labels,
                ports=[ServicePortArgs(
                    name=PORT_NAME,
                    port=config.port,
                    target_port=config.container_port,
                    protocol="TCP",
                )],
            ),
            opts=child,
        )
        # Read the name back from the Service rather than from config, so that
        # whoever uses `host` depends on the Service and is created after it.
        self.host = pulumi.Output.concat(
            self.service.metadata.name, ".", self.service.metadata.namespace,
            ".svc.", cluster_domain,
        )
        self.port = self.service.spec.ports.apply(lambda ports: int(ports[0].port))
        self.register_outputs({"host": self.host, "port": self.port})
