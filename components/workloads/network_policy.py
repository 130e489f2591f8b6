"""The ingress policy every workload of ours gets: only what it lists gets in.

Once any NetworkPolicy selects a pod, all ingress the policies don't allow
is dropped, so one policy per workload closes it to the rest of the cluster.
Policies only work where the network plugin enforces them (Calico, Cilium,
most managed clusters); kind's default kindnet ignores them. Each workload's
own policy lives beside it.
"""

import pulumi
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs
from pulumi_kubernetes.networking.v1 import (
    NetworkPolicy,
    NetworkPolicyIngressRuleArgs,
    NetworkPolicySpecArgs,
)

from .labels import WorkloadLabels

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""Set on every namespace by the API server since 1.21, so a namespace can be
selected by name."""


def ingress_policy(name: str, labels: WorkloadLabels, namespace: pulumi.Input[str],
                   ingress: list[NetworkPolicyIngressRuleArgs],
                   opts: pulumi.ResourceOptions) -> NetworkPolicy:
    """A policy on the workload's pods (its selector): only `ingress` gets in
    (nothing, if empty). An empty list is left out: with `policyTypes: [Ingress]`
    no rules already means none, and the provider drops `[]` when it writes the object."""
    return NetworkPolicy(
        name,
        metadata=ObjectMetaArgs(name=name, namespace=namespace, labels=labels.objects),
        spec=NetworkPolicySpecArgs(
            pod_selector=LabelSelectorArgs(match_labels=labels.selector),
            policy_types=["Ingress"],
            ingress=ingress or None,
        ),
        opts=opts,
    )
