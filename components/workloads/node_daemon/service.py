"""The Service in front of an exposed node daemon: headless, or one ClusterIP."""

import pulumi
from pulumi_kubernetes.core.v1 import Service, ServicePortArgs, ServiceSpecArgs
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from ...config.kube.daemon import NodeDaemonConfig
from ..labels import WorkloadLabels


def daemon_service(config: NodeDaemonConfig, labels: WorkloadLabels,
                   namespace: pulumi.Input[str], opts: pulumi.ResourceOptions) -> Service:
    """A Service with the DaemonSet's own selector, so it reaches exactly its pods.

    Headless (clusterIP None): DNS answers with one A record per daemon pod,
    for clients that must talk to every node's daemon. ClusterIP: one virtual
    IP that reaches the daemon of some node, for clients that need any one.
    """
    return Service(
        config.name,
        metadata=ObjectMetaArgs(name=config.name, namespace=namespace, labels=labels.objects),
        spec=ServiceSpecArgs(
            type="ClusterIP",
            cluster_ip="None" if config.expose == "headless" else None,
            selector=labels.selector,
            ports=[ServicePortArgs(name=p.name, port=p.container_port, target_port=p.name,
                                   protocol=p.protocol) for p in config.ports],
        ),
        opts=opts,
    )
