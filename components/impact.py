"""What a change does to running pods: the lines a reviewer needs beside a diff.

A field diff says `image: 8.15.3 → 8.15.4`; it does not say that this
restarts filebeat on every node, one node at a time, or that a new label in
a selector makes Pulumi delete the DaemonSet first. The rules here say so,
from Kubernetes' rollout semantics and pulumi-kubernetes' replace rules:

- A workload's pod template change rolls its pods as its update strategy
  says (`updateStrategy` for a DaemonSet, `strategy` for a Deployment).
- Some fields Pulumi never patches: it replaces the object instead (the
  provider's `forceNew` list). An explicitly named object cannot coexist
  with its replacement, so the provider deletes it first, unless it also
  moved namespace, in which case the new one is created first.
- ConfigMaps and Secrets are replaced on any change of their data (the
  provider's `enableConfigMapMutable`/`enableSecretMutable` are off by
  default); pods roll only if their template changes, which is what the
  `checksum/config` annotation is for.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .field_diff import ABSENT, show
from .manifests import Manifest
from .pod_security import CHECKSUM_ANNOTATION

WORKLOADS = frozenset({"DaemonSet", "Deployment", "StatefulSet"})

# pulumi-kubernetes replaces, rather than patches, an object when one of
# these changes (provider/pkg/provider/diff.go); `spec.selector` of the
# workloads and ConfigMap/Secret data have rules of their own below.
REPLACED_ON_CHANGE: Mapping[str, tuple[str, ...]] = {
    "Service": ("spec.clusterIP",),
    "PersistentVolumeClaim": ("spec",),
    "ClusterRoleBinding": ("roleRef",),
    "RoleBinding": ("roleRef",),
    "StatefulSet": ("spec.podManagementPolicy", "spec.revisionHistoryLimit",
                    "spec.serviceName", "spec.volumeClaimTemplates"),
}
_GAP = {
    "DaemonSet": "log gap",
    "Deployment": "no pods until the new ones are ready",
    "StatefulSet": "no pods until the new ones are ready",
}


@dataclass(frozen=True)
class Change:
    """One object on both sides of the diff; `old` or `new` is None when it
    was added or removed, and their namespaces differ when it moved."""

    old: Manifest | None
    new: Manifest | None

    @property
    def kind(self) -> str:
        return (self.new or self.old).kind  # type: ignore[union-attr]

    @property
    def name(self) -> str:
        return (self.new or self.old).name  # type: ignore[union-attr]


def impacts(change: Change, everything: Sequence[Change]) -> list[str]:
    """The cluster-side consequences of `change`, one line each.

    `everything` pairs every object of both sides, changed or not, for rules
    that cross objects (a ConfigMap's change is felt by the workloads that
    mount it, whether or not they changed themselves).
    """
    try:
        return _impacts(change, everything)
    except (AttributeError, KeyError, TypeError, IndexError):
        # A hand-edited folder can hold any YAML; Kubernetes would refuse it.
        return ["impact unknown: a field does not have the shape Kubernetes requires, so "
                "the API server would refuse this object"]


def _impacts(change: Change, everything: Sequence[Change]) -> list[str]:
    if change.old is None:
        return _added(change.new)  # type: ignore[arg-type]
    if change.new is None:
        return _removed(change.old)
    old, new = change.old.body, change.new.body
    if change.old.namespace != change.new.namespace:
        return _moved(change.old, change.new)
    lines = [f"{path} changed → immutable for Pulumi: it will delete and re-create the "
             f"{change.kind}" for path in REPLACED_ON_CHANGE.get(change.kind, ())
             if _get(old, path) != _get(new, path)]
    if change.kind in WORKLOADS:
        lines += _workload(change.kind, old, new)
    elif change.kind == "PersistentVolumeClaim" and _get(old, "spec") != _get(new, "spec"):
        lines += _replaced_claim(change, everything)
    elif change.kind == "Service":
        lines += _service(old, new)
    elif change.kind in ("ConfigMap", "Secret"):
        lines += _mounted_data(change, everything)
    return lines


def _added(new: Manifest) -> list[str]:
    if new.kind == "DaemonSet":
        return ["added → a pod starts on every selected node"]
    if new.kind in WORKLOADS:
        return [f"added → {_pods(_get(new.body, 'spec.replicas', 1))} start"]
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


def _replaced_claim(change: Change, everything: Sequence[Change]) -> list[str]:
    """A claim keeps its name, so the provider deletes the old one before it
    creates the new (deleteBeforeReplace in provider.go's Diff), and Kubernetes'
    pvc-protection finalizer holds that delete while a pod mounts the claim."""
    lines = ["the old claim is deleted before the new one is created (the name stays): "
             f"the data on it is lost{_UNLESS_RETAINED}"]
    namespace = change.old.namespace  # type: ignore[union-attr]
    users = sorted(f"{c.kind} {namespace}/{c.name}" for c in everything
                   if c.old is not None and c.kind in WORKLOADS
                   and c.old.namespace == namespace and change.name in _claims(c.old.body))
    if users:
        lines.append(f"Kubernetes holds that delete while pods of {', '.join(users)} mount "
                     "the claim (pvc-protection): `pulumi up` waits until they stop, or fails "
                     "when the delete times out")
    return lines


def _moved(old: Manifest, new: Manifest) -> list[str]:
    line = (f"namespace changed {old.namespace} → {new.namespace} → Pulumi replaces it, "
            f"creating the new {new.kind} before deleting the old one")
    if new.kind == "DaemonSet":
        line += ": for a moment both ship the same node logs (duplicate entries)"
    elif new.kind in WORKLOADS:
        line += _lost_buffer(new.body, before={})  # a claim in another namespace is new
    elif new.kind == "Service":
        return [line] + [f"Service moved → clients of {_endpoint(old.body, port)} in "
                         f"{old.namespace} break" for port in _ports(old.body)]
    return [line]


def _workload(kind: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    if _get(old, "spec.selector") != _get(new, "spec.selector"):
        # The pod template is moot: the whole object is re-created.
        return [f"selector changed → immutable field: Pulumi will delete and re-create the "
                f"{kind} ({_GAP[kind]})"]
    lines = []
    if kind == "Deployment" and _get(old, "spec.replicas", 1) != _get(new, "spec.replicas", 1):
        lines.append(f"replicas {_get(old, 'spec.replicas', 1)} → "
                     f"{_get(new, 'spec.replicas', 1)}")
    if _get(old, "spec.template") == _get(new, "spec.template"):
        return lines
    if kind == "DaemonSet":
        lines.append(_daemon_rollout(new))
        if _node_choice(old) != _node_choice(new):
            lines.append("node selection changed → pods start on newly selected nodes and "
                         "stop on nodes no longer selected")
    elif kind == "Deployment":
        lines.append(_deployment_rollout(old, new))
    else:
        lines.append("pod template changed → pods are replaced in order, as the "
                     "updateStrategy says")
    return lines


def _daemon_rollout(new: dict[str, Any]) -> str:
    strategy = _get(new, "spec.updateStrategy", {}) or {}
    if strategy.get("type") == "OnDelete":
        return "OnDelete → no pod changes until pods are deleted"
    rolling = strategy.get("rollingUpdate") or {}
    surge = rolling.get("maxSurge", 0)
    if surge not in (0, "0%"):
        nodes = _share(surge) if isinstance(surge, str) else f"{surge} node(s)"
        return ("pod template changed → RollingUpdate starts each node's new pod before "
                f"stopping the old one, on at most {nodes} at a time")
    unavailable = rolling.get("maxUnavailable", 1)  # Kubernetes' default
    return ("pod template changed → RollingUpdate replaces pods on every selected node, "
            f"at most {_share(unavailable)} unavailable at a time")


def _share(value: int | str) -> str:
    """`1`, or `10% of the selected nodes`: a DaemonSet's percentages count nodes."""
    return f"{value} of the selected nodes" if isinstance(value, str) else str(value)


def _deployment_rollout(old: dict[str, Any], new: dict[str, Any]) -> str:
    running = _get(old, "spec.replicas", 1)  # what is stopped is what runs now
    strategy = _get(new, "spec.strategy", {}) or {}
    if strategy.get("type") == "Recreate":
        return (f"pod template changed → Recreate stops {_pods(running)} before starting "
                "new ones: down until the new pods are ready" + _lost_buffer(new, old))
    rolling = strategy.get("rollingUpdate") or {}
    return (f"pod template changed → RollingUpdate replaces {_pods(running)}, at most "
            f"{rolling.get('maxUnavailable', '25%')} unavailable and "
            f"{rolling.get('maxSurge', '25%')} extra at a time" + _lost_buffer(new, old))


def _pods(count: int) -> str:
    return "1 pod" if count == 1 else f"{count} pods"


def _lost_buffer(body: dict[str, Any], before: dict[str, Any] | None = None) -> str:
    """What happens to the data of the pods being replaced. Only a claim the
    old pods already mounted carries anything over; a claim new in this change
    starts empty."""
    mounted, mounting = _claims(before if before is not None else body), _claims(body)
    kept = sorted(mounting & mounted)
    if kept:
        return f"; data on PersistentVolumeClaim {', '.join(kept)} carries over"
    if mounting:
        return ("; what the old pods hold is lost: their new PersistentVolumeClaim "
                f"{', '.join(sorted(mounting))} starts empty")
    if mounted:
        return (f"; the new pods no longer mount PersistentVolumeClaim "
                f"{', '.join(sorted(mounted))}: they start empty, and what they buffer is "
                "lost with each pod (no persistent volume)")
    return "; what the old pods hold in memory or emptyDir is lost (no persistent volume)"


def _claims(body: dict[str, Any]) -> set[str]:
    return {v["persistentVolumeClaim"]["claimName"]
            for v in _get(body, "spec.template.spec.volumes", []) or []
            if "persistentVolumeClaim" in v}


def _node_choice(body: dict[str, Any]) -> tuple[Any, ...]:
    pod = _get(body, "spec.template.spec", {}) or {}
    return pod.get("nodeSelector"), pod.get("affinity"), pod.get("tolerations")


def _service(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = []
    new_ports = {(p.get("port"), p.get("protocol", "TCP")) for p in _ports(new)}
    for port in _ports(old):
        if (port.get("port"), port.get("protocol", "TCP")) not in new_ports:
            lines.append(f"Service port changed → clients of {_endpoint(old, port)} break")
    if _get(old, "spec.selector") != _get(new, "spec.selector"):
        lines.append(f"Service selector changed → traffic goes to pods labelled "
                     f"{show(_get(new, 'spec.selector'))}")
    return lines


def _ports(body: dict[str, Any]) -> list[dict[str, Any]]:
    return _get(body, "spec.ports", []) or []


def _endpoint(body: dict[str, Any], port: dict[str, Any]) -> str:
    return f"{body['metadata']['name']}:{port.get('port')}"


def _mounted_data(change: Change, everything: Sequence[Change]) -> list[str]:
    assert change.old is not None and change.new is not None
    fields = ("data", "binaryData", "stringData", "type")
    if all(_get(change.old.body, f) == _get(change.new.body, f) for f in fields):
        return []
    head = (f"{change.kind} content changed → Pulumi replaces it (delete, then create; "
            f"{change.kind}s are immutable to the provider by default)")
    consumers = [c for c in everything if c.new is not None and c.new.kind in WORKLOADS
                 and c.new.namespace == change.new.namespace
                 and _mounts(c.new.body, change.kind, change.name)]
    if not consumers:
        return [head + "; no workload here mounts it"]
    lines = []
    for consumer in consumers:
        assert consumer.new is not None
        who = f"{consumer.new.kind} {consumer.new.namespace}/{consumer.new.name}"
        old_template = _get(consumer.old.body, "spec.template") if consumer.old else ABSENT
        if old_template == _get(consumer.new.body, "spec.template"):
            lines.append(f"{head}; pods of {who} do not roll: they read the new content only "
                         "when they restart")
        elif _checksum(consumer.old) != _checksum(consumer.new):
            lines.append(f"{change.kind} content changed → pods of {who} roll through the "
                         "config hash")
        else:
            lines.append(f"{head}; pods of {who} roll with their other template changes")
    return lines


def _checksum(workload: Manifest | None) -> Any:
    if workload is None:
        return ABSENT
    annotations = _get(workload.body, "spec.template.metadata.annotations", {}) or {}
    return annotations.get(CHECKSUM_ANNOTATION, ABSENT)


def _mounts(body: dict[str, Any], kind: str, name: str) -> bool:
    """Does the pod template read ConfigMap/Secret `name`, as a volume or as env?"""
    ref = "configMap" if kind == "ConfigMap" else "secret"
    ref_key = "name" if kind == "ConfigMap" else "secretName"
    pod = _get(body, "spec.template.spec", {}) or {}
    for volume in pod.get("volumes", []) or []:
        sources = [volume] + [s for s in (volume.get("projected") or {}).get("sources", [])]
        for source in sources:
            found = source.get(ref) or {}
            if found.get(ref_key if source is volume else "name") == name:
                return True
    for container in [*(pod.get("containers") or []), *(pod.get("initContainers") or [])]:
        for env_from in container.get("envFrom", []) or []:
            if (env_from.get(f"{ref}Ref") or {}).get("name") == name:
                return True
        for env in container.get("env", []) or []:
            if ((env.get("valueFrom") or {}).get(f"{ref}KeyRef") or {}).get("name") == name:
                return True
    return False


def _get(body: dict[str, Any], path: str, default: Any = None) -> Any:
    value: Any = body
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return default
        value = value[key]
    return value
