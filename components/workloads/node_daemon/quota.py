"""The ResourceQuota that lets a node-critical daemon run outside kube-system.

Kubernetes' ResourceQuota admission can be set to allow pods of the critical
priority classes only where a quota covers them, and GKE (among others) sets
it so for every namespace but kube-system: without a quota, every filebeat
pod is refused ("insufficient quota to match these scopes"; cilium#13852 is
the same failure), and a DaemonSet with no pods fails no deploy loudly. A
quota scoped to the class is harmless where the admission is not so set.
"""

import pulumi
from pulumi_kubernetes.core.v1 import (
    ResourceQuota,
    ResourceQuotaSpecArgs,
    ScopedResourceSelectorRequirementArgs,
    ScopeSelectorArgs,
)
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from ...config.kube.daemon import NodeDaemonConfig
from ..labels import WorkloadLabels

CRITICAL_PRIORITY_CLASSES = frozenset({"system-node-critical", "system-cluster-critical"})
CRITICAL_POD_LIMIT = "10k"
"""Twice the 5,000 nodes of the largest cluster Kubernetes supports: one pod
per node, and a second on each node while a surge replaces it. Written as
the API server stores the quantity, so a render compares equal to the cluster."""


def critical_pods_quota(config: NodeDaemonConfig, labels: WorkloadLabels,
                        namespace: pulumi.Input[str],
                        opts: pulumi.ResourceOptions) -> ResourceQuota | None:
    """A quota admitting the daemon's pods, when its class needs one here.

    In kube-system the critical classes are always admitted, and a quota
    there would count kube-system's own critical pods too, so none is made.
    A namespace this stack creates (an Output) is never kube-system.
    """
    if config.priority_class_name not in CRITICAL_PRIORITY_CLASSES or namespace == "kube-system":
        return None
    return ResourceQuota(
        config.critical_quota_name,
        metadata=ObjectMetaArgs(name=config.critical_quota_name, namespace=namespace,
                                labels=labels.objects),
        spec=ResourceQuotaSpecArgs(
            hard={"pods": CRITICAL_POD_LIMIT},
            scope_selector=ScopeSelectorArgs(match_expressions=[
                ScopedResourceSelectorRequirementArgs(
                    scope_name="PriorityClass", operator="In",
                    values=[config.priority_class_name]),
            ]),
        ),
        opts=opts,
    )
