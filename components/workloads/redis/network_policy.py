"""Who may connect to redis: filebeat's pods, the clients the config lists, and the scraper."""

from collections.abc import Mapping

import pulumi
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs
from pulumi_kubernetes.networking.v1 import (
    NetworkPolicy,
    NetworkPolicyIngressRuleArgs,
    NetworkPolicyPeerArgs,
    NetworkPolicyPortArgs,
)

from ...config.redis.model import RedisConfig
from ..labels import WorkloadLabels
from ..network_policy import NAMESPACE_NAME_LABEL, ingress_policy


def redis_network_policy(
    config: RedisConfig,
    labels: WorkloadLabels,
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
    rules = [NetworkPolicyIngressRuleArgs(
        from_=peers,
        ports=[NetworkPolicyPortArgs(port=config.container_port, protocol="TCP")],
    )]
    scraper = config.monitoring.scraper_namespace
    if config.monitoring.enabled and scraper is not None:
        # The exporter's port, from any pod of the scraper's namespace: not the
        # redis port, so a compromised scraper reads metrics and nothing else.
        rules.append(NetworkPolicyIngressRuleArgs(
            from_=[NetworkPolicyPeerArgs(namespace_selector=LabelSelectorArgs(
                match_labels={NAMESPACE_NAME_LABEL: scraper}))],
            ports=[NetworkPolicyPortArgs(port=config.monitoring.port, protocol="TCP")],
        ))
    return ingress_policy(config.name, labels, namespace, rules, opts)
