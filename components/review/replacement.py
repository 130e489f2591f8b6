"""Which changes Pulumi applies by replacing the object rather than patching it.

One place for the rule, because two readers need it: the impact lines that
warn a reviewer, and anyone who asks `ObjectDiff.replaced` (the end-to-end
suite compares it with the engine's own answer). The facts are
pulumi-kubernetes' (provider/pkg/provider/diff.go, `forceNew`): a change of
`metadata.name` or `metadata.namespace` always replaces, and so does a
change of one of the kind's own fields below.

An object replaced under the same name and namespace cannot coexist with
its replacement, so the provider has the engine delete it first
(deleteBeforeReplace). The engine then also deletes first, and re-creates
after, each resource whose inputs depend on it and that would be replaced
were those inputs unknown (`calculateDependentReplacements` in the engine's
step_generator.go). Our program hands a workload the names of its
ConfigMaps, Secrets and claims as those objects' outputs, and the input
that holds them, `spec`, holds the immutable selector too: so a workload
that reads an object Pulumi deletes first is re-created with it, whatever
its own change. Dependencies no manifest shows (filebeat's REDIS_HOST is
built from the redis Service's and Deployment's outputs) are beyond this.
"""

from collections.abc import Mapping, Sequence

from ..render.manifests import Manifest
from .change import Change, Changed
from .references import reads
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


def deleted_first(change: Change) -> bool:
    """Replaced under the same name and namespace: deleted before its replacement exists."""
    return isinstance(change, Changed) and not change.moved and bool(replaced_fields(change))


def replaced_with(change: Change, everything: Sequence[Change]) -> list[Manifest]:
    """The objects deleted first that a workload reads now, and is re-created with.

    Read from the workload as it is (the engine goes by the dependencies in
    its state), and only for one that stays in its namespace: a moved or a
    new workload is created anyway, a removed one deleted anyway.
    """
    if not isinstance(change, Changed) or change.moved or change.old.kind not in WORKLOADS:
        return []
    old = change.old
    return [c.old for c in everything
            if deleted_first(c) and isinstance(c, Changed) and c.old.namespace == old.namespace
            and reads(old.body, c.old.kind, c.old.name)]


def replaced(change: Change, everything: Sequence[Change]) -> bool:
    """Pulumi replaces the object rather than patching it: for its own change, or with
    an object it reads."""
    return isinstance(change, Changed) and bool(
        replaced_fields(change) or replaced_with(change, everything))
