"""Who may connect to a node daemon: nobody to a push daemon, anyone to an exposed one's ports."""

import pulumi
from pulumi_kubernetes.networking.v1 import (
    NetworkPolicy,
    NetworkPolicyIngressRuleArgs,
    NetworkPolicyPortArgs,
)

from ...config.kube.daemon import NodeDaemonConfig
from ..labels import WorkloadLabels
from ..network_policy import ingress_policy


def daemon_network_policy(
    config: NodeDaemonConfig,
    labels: WorkloadLabels,
    namespace: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> NetworkPolicy:
    """A push daemon (filebeat) accepts no connections at all: its probes run
    inside the pod. An exposed one accepts its own ports, from anywhere."""
    ingress = [] if config.expose == "push" else [NetworkPolicyIngressRuleArgs(
        ports=[NetworkPolicyPortArgs(port=p.container_port, protocol=p.protocol)
               for p in config.ports],
    )]
    # The daemon's own labels match every node class's pods.
    return ingress_policy(config.name, labels, namespace, ingress, opts)
