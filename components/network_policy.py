"""Who may connect to what: redis admits filebeat and its clients, a daemon only its ports.

Once any NetworkPolicy selects a pod, all ingress the policies don't allow
is dropped, so one policy per workload closes it to the rest of the cluster.
Policies only work where the network plugin enforces them (Calico, Cilium,
most managed clusters); kind's default kindnet ignores them.
"""

from collections.abc import Mapping

import pulumi
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs
from pulumi_kubernetes.networking.v1 import (
    NetworkPolicy,
    NetworkPolicyIngressRuleArgs,
    NetworkPolicyPeerArgs,
    NetworkPolicyPortArgs,
    NetworkPolicySpecArgs,
)

from .daemon_config import NodeDaemonConfig
from .redis_config import RedisConfig

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""Set on every namespace by the API server since 1.21, so a namespace can be
selected by name."""


def redis_network_policy(
    config: RedisConfig,
    namespace: pulumi.Input[str],
    filebeat_labels: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> NetworkPolicy:
    # A bare podSelector matches pods in the policy's own namespace only.
    peers = [NetworkPolicyPeerArgs(pod_selector=LabelSelectorArgs(match_labels=labels))
             for labels in (filebeat_labels, *(c.pod_labels for c in config.clients if
                                               c.namespace is None)) if labels]
    peers += [NetworkPolicyPeerArgs(
        pod_selector=LabelSelectorArgs(match_labels=c.pod_labels),
        namespace_selector=LabelSelectorArgs(match_labels={NAMESPACE_NAME_LABEL: c.namespace}),
    ) for c in config.clients if c.namespace is not None]
    return _ingress_policy(config.name, config.labels, namespace, [NetworkPolicyIngressRuleArgs(
        from_=peers,
        ports=[NetworkPolicyPortArgs(port=config.container_port, protocol="TCP")],
    )], opts)


def daemon_network_policy(
    config: NodeDaemonConfig,
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
    return _ingress_policy(config.name, config.labels, namespace, ingress, opts)


def _ingress_policy(name: str, labels: Mapping[str, str], namespace: pulumi.Input[str],
                    ingress: list[NetworkPolicyIngressRuleArgs],
                    opts: pulumi.ResourceOptions) -> NetworkPolicy:
    """A policy on the pods with `labels`: only `ingress` gets in (nothing, if empty)."""
    return NetworkPolicy(
        name,
        metadata=ObjectMetaArgs(name=name, namespace=namespace, labels=dict(labels)),
        spec=NetworkPolicySpecArgs(
            pod_selector=LabelSelectorArgs(match_labels=dict(labels)),
            policy_types=["Ingress"],
            ingress=ingress,
        ),
        opts=opts,
    )
