"""Which changes Pulumi applies by replacing the object rather than patching it.

One place for the rule, because two readers need it: the impact lines that
warn a reviewer, and anyone who asks `ObjectDiff.replaced` (the end-to-end
suite compares it with the engine's own answer). The facts are
pulumi-kubernetes' (provider/pkg/provider/diff.go, `forceNew`): a change of
`metadata.name` or `metadata.namespace` always replaces, and so does a
change of one of the kind's own fields below.
"""

from collections.abc import Mapping

from .change import Changed
from .rollout import SELECTOR, WORKLOADS
from .shape import get

# Fields whose impact line is the generic "immutable for Pulumi" one; a workload's
# SELECTOR and DATA_FIELDS have lines of their own (rollout.py, mounts.py).
REPLACED_ON_CHANGE: Mapping[str, tuple[str, ...]] = {
    "Service": ("spec.clusterIP",),
    # Not its size: Kubernetes patches spec.resources.requests in place.
    "PersistentVolumeClaim": ("spec.accessModes", "spec.selector", "spec.storageClassName",
                              "spec.volumeName"),
    "ClusterRoleBinding": ("roleRef",),
    "RoleBinding": ("roleRef",),
    "StatefulSet": ("spec.podManagementPolicy", "spec.revisionHistoryLimit",
                    "spec.serviceName", "spec.volumeClaimTemplates"),
}
DATA_FIELDS: Mapping[str, tuple[str, ...]] = {
    "ConfigMap": ("data", "binaryData"),
    "Secret": ("data", "stringData", "type"),
}
"""Replaced on any change, because the provider's enableConfigMapMutable and
enableSecretMutable are off by default: mounts.py words what it does."""


def replaced_fields(change: Changed) -> list[str]:
    """The changed fields that make Pulumi replace the object; empty when it patches it."""
    if change.moved:
        return ["metadata.namespace"]
    kind, old, new = change.new.kind, change.old.body, change.new.body
    paths = [*REPLACED_ON_CHANGE.get(kind, ()), *DATA_FIELDS.get(kind, ()),
             *([SELECTOR] if kind in WORKLOADS else [])]
    return [path for path in paths if get(old, path) != get(new, path)]
