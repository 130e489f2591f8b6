"""What a change does to running pods: the lines a reviewer needs beside a diff.

A field diff says `image: 8.15.3 → 8.15.4`; it does not say that this
restarts filebeat on every node, one node at a time, or that a new label in
a selector makes Pulumi delete the DaemonSet first. The rules here say so,
from Kubernetes' rollout semantics and pulumi-kubernetes' replace rules:

- A workload's pod template change rolls its pods as its update strategy
  says (`updateStrategy` for a DaemonSet, `strategy` for a Deployment).
- Some fields Pulumi never patches: it replaces the object instead
  (replacement.py). An explicitly named object cannot coexist with its
  replacement, so the provider deletes it first, unless it also moved
  namespace, in which case the new one is created first.
- A DaemonSet added or moved onto a node directory that one the same `up`
  deletes still holds cannot start before it is gone (shared_state.py).
- ConfigMaps and Secrets are replaced on any change of their data (the
  provider's `enableConfigMapMutable`/`enableSecretMutable` are off by
  default), deleted first; a workload that reads one rolls through its
  checksum annotation. It is not re-created with it: our program names what
  a workload reads as plain values, ordered by depends_on (docs/diff.md).
"""

from collections.abc import Sequence
from typing import Any

from ..render.manifests import Manifest
from .change import Added, Change, Changed, Removed, before
from .fields import show
from .mounts import mounted_data
from .node_state import node_state
from .replacement import REPLACED_ON_CHANGE, replaced_fields
from .rollout import WORKLOADS, claims, lost_buffer, pods, workload_rollout
from .shape import get
from .shared_state import holding, locked_out
from .storage import StorageClasses


def impacts(change: Change, everything: Sequence[Change],
            storage: StorageClasses | None = None) -> list[str]:
    """The cluster-side consequences of `change`, one line each.

    `everything` pairs every object of both sides, changed or not, for rules
    that cross objects (a ConfigMap's change is felt by the workloads that
    mount it, whether or not they changed themselves). The objects' fields
    have the shapes `shape.shape_problems` checks. `storage`: the cluster's
    StorageClasses, when known, to say whether a grown claim can grow.
    """
    return [*_object_impacts(change, everything, storage), *node_state(change, everything)]


def _object_impacts(change: Change, everything: Sequence[Change],
                    storage: StorageClasses | None) -> list[str]:
    if isinstance(change, Added):
        locked = locked_out(change, everything)
        return [f"added → {locked}"] if locked else _added(change.new)
    if isinstance(change, Removed):
        held = holding(change, everything)
        return [held] if held else _removed(change.old)
    if change.moved:
        return _moved(change.old, change.new, locked_out(change, everything))
    old, new = change.old.body, change.new.body
    kind = change.new.kind
    lines = [f"{path} changed → immutable for Pulumi: it will delete and re-create the "
             f"{kind}" for path in REPLACED_ON_CHANGE.get(kind, ())
             if get(old, path) != get(new, path)]
    if kind in WORKLOADS:
        lines += workload_rollout(kind, old, new, _replaced_claims(change, everything),
                                  _foreign_claims(change, everything))
    elif kind == "PersistentVolumeClaim":
        lines += _resized_claim(old, new, storage)
        if replaced_fields(change):
            lines += _replaced_claim(change, everything)
    elif kind == "Service":
        lines += _service(old, new)
    elif kind in ("ConfigMap", "Secret"):
        lines += mounted_data(change, everything)
    return lines


def _added(new: Manifest) -> list[str]:
    if new.kind == "DaemonSet":
        return ["added → a pod starts on every selected node"]
    if new.kind in WORKLOADS:
        return [f"added → {pods(get(new.body, 'spec.replicas', 1))} start"]
    return []


def _removed(old: Manifest) -> list[str]:
    if old.kind == "DaemonSet":
        return ["removed → Pulumi deletes it and its pods stop: the nodes it selected "
                "no longer ship logs"]
    if old.kind in WORKLOADS:
        return ["removed → Pulumi deletes it and its pods stop"]
    if old.kind == "Namespace":
        return ["Namespace removed → Pulumi deletes it, and Kubernetes deletes everything "
                "in it, including objects this stack did not create"]
    if old.kind == "Service":
        return [f"Service removed → clients of {_endpoint(old.body, port)} break"
                for port in _ports(old.body)]
    if old.kind == "PersistentVolumeClaim":
        return ["PersistentVolumeClaim removed → Pulumi deletes it, and the data on it is "
                f"lost{_UNLESS_RETAINED}"]
    return []


_UNLESS_RETAINED = " unless its PersistentVolume's reclaimPolicy is Retain"


def _replaced_claims(change: Changed, everything: Sequence[Change]) -> frozenset[str]:
    """The claims in the workload's namespace that this change replaces."""
    return frozenset(
        c.old.name for c in everything
        if isinstance(c, Changed) and c.old.kind == "PersistentVolumeClaim" and not c.moved
        and c.old.namespace == change.new.namespace and replaced_fields(c))


def _foreign_claims(change: Changed, everything: Sequence[Change]) -> frozenset[str]:
    """The claims the workload mounts that the stack's new side does not create."""
    ours = {c.new.name for c in everything if not isinstance(c, Removed)
            and c.new.kind == "PersistentVolumeClaim" and c.new.namespace == change.new.namespace}
    return frozenset(claims(change.new.body) - ours)


def _resized_claim(old: dict[str, Any], new: dict[str, Any],
                   storage: StorageClasses | None) -> list[str]:
    """Kubernetes refuses a smaller size, and a larger one unless the volume's
    class can expand; which the claim's class is, only the cluster knows."""
    size = "spec.resources.requests.storage"
    if get(old, size) == get(new, size):
        return []
    change = f"size {show(get(old, size))} → {show(get(new, size))} → "
    if storage is not None:
        return [change + storage.growing(get(new, "spec.storageClassName"))]
    return [change + "Pulumi patches the claim in place: Kubernetes only grows a claim, and "
            "only when its StorageClass has allowVolumeExpansion; otherwise `pulumi up` "
            "fails (`diff --storage-classes` with the cluster's says which)"]


def _replaced_claim(change: Changed, everything: Sequence[Change]) -> list[str]:
    """A claim keeps its name, so the provider deletes the old one before it
    creates the new (deleteBeforeReplace in provider.go's Diff), and Kubernetes'
    pvc-protection finalizer holds that delete while a pod mounts the claim."""
    lines = ["the old claim is deleted before the new one is created (the name stays): "
             f"the data on it is lost{_UNLESS_RETAINED}"]
    namespace, name = change.old.namespace, change.old.name
    users = sorted(f"{old.kind} {namespace}/{old.name}" for c in everything
                   if (old := before(c)) is not None and old.kind in WORKLOADS
                   and old.namespace == namespace and name in claims(old.body))
    if users:
        lines.append(f"Kubernetes holds that delete while pods of {', '.join(users)} mount "
                     "the claim (pvc-protection): `pulumi up` waits until they stop, or fails "
                     "when the delete times out")
    return lines


def _moved(old: Manifest, new: Manifest, locked: str | None) -> list[str]:
    """`locked`: what the new pods meet while the old ones hold their node directory."""
    line = (f"namespace changed {old.namespace} → {new.namespace} → Pulumi replaces it, "
            f"creating the new {new.kind} before deleting the old one")
    if locked:
        line += f": {locked}"
    elif new.kind == "DaemonSet":
        line += ": for a moment both ship the same node logs (duplicate entries)"
    elif new.kind in WORKLOADS:
        line += lost_buffer(new.body, before={})  # a claim in another namespace is new
    elif new.kind == "Service":
        return [line] + [f"Service moved → clients of {_endpoint(old.body, port)} in "
                         f"{old.namespace} break" for port in _ports(old.body)]
    return [line]


def _service(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = []
    new_ports = {(p.get("port"), p.get("protocol", "TCP")) for p in _ports(new)}
    for port in _ports(old):
        if (port.get("port"), port.get("protocol", "TCP")) not in new_ports:
            lines.append(f"Service port changed → clients of {_endpoint(old, port)} break")
    if get(old, "spec.selector") != get(new, "spec.selector"):
        lines.append(f"Service selector changed → traffic goes to pods labelled "
                     f"{show(get(new, 'spec.selector'))}")
    return lines


def _ports(body: dict[str, Any]) -> list[dict[str, Any]]:
    return get(body, "spec.ports", []) or []


def _endpoint(body: dict[str, Any], port: dict[str, Any]) -> str:
    return f"{body['metadata']['name']}:{port.get('port')}"


