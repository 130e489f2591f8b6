"""Rendered Kubernetes objects as plain data: one `Manifest` each, and a `Manifests` index.

Plain dicts only, with no Pulumi: the renderer makes them from what the
mocks captured, `diff` reads them from a folder, and both print them.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ..project import SECRET_PLACEHOLDER

__all__ = ["SECRET_PLACEHOLDER", "Manifest", "Manifests", "to_yaml"]


# The order `helm install` uses, so a folder applied top to bottom works:
# namespaces and identities first, then config, then what consumes it.
KIND_ORDER = (
    "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
    "PodDisruptionBudget", "ServiceAccount", "Secret", "ConfigMap", "StorageClass",
    "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition",
    "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service",
    "DaemonSet", "Pod", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler",
    "StatefulSet", "Job", "CronJob", "Ingress", "APIService",
)
CLUSTER_SCOPED = frozenset({
    "Namespace", "Node", "PersistentVolume", "StorageClass", "CustomResourceDefinition",
    "ClusterRole", "ClusterRoleBinding", "PriorityClass", "APIService",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "IngressClass",
    "RuntimeClass", "CSIDriver", "VolumeAttachment",
})


@dataclass(frozen=True)
class Manifest:
    body: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.body["kind"])

    @property
    def name(self) -> str:
        return str(self.body["metadata"]["name"])

    @property
    def namespace(self) -> str | None:
        """As the provider will apply it: a namespaced object without one lands
        in `default`, the namespace of the provider's usual kube context."""
        if self.kind in CLUSTER_SCOPED:
            return None
        return self.body["metadata"].get("namespace") or "default"

    def identity(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"


class Manifests(Mapping[str, dict[str, dict[str, Any]]]):
    """Rendered objects in apply order, also indexed as `manifests[kind][name]`.

    A name used by one kind in several namespaces is indexed as
    `manifests[kind]["<namespace>/<name>"]` instead, so a lookup never
    silently picks one of them.
    """

    objects: tuple[Manifest, ...]
    """Every object, in apply order. (Not `items`: that is the Mapping's
    `items()`, which gives (kind, {name: body}) pairs like any dict's.)"""

    def __init__(self, objects: Iterable[Manifest]):
        self.objects = tuple(sorted(objects, key=_apply_order))
        spread = Counter((m.kind, m.name) for m in self.objects)
        self._by_kind: dict[str, dict[str, dict[str, Any]]] = {}
        for m in self.objects:
            key = m.name if spread[(m.kind, m.name)] == 1 else f"{m.namespace}/{m.name}"
            self._by_kind.setdefault(m.kind, {})[key] = m.body

    def __getitem__(self, kind: str) -> dict[str, dict[str, Any]]:
        return self._by_kind[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_kind)

    def __len__(self) -> int:
        return len(self._by_kind)

    def documents(self) -> list[dict[str, Any]]:
        return [m.body for m in self.objects]

    def to_yaml(self) -> str:
        return to_yaml(self.documents())


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]  # a base chosen at import
    """Writes multi-line strings (a ConfigMap's files) as `|` blocks, so a
    reviewer reads redis.conf as redis.conf, not as one escaped line. Emits
    with libyaml where PyYAML has it, which is several times faster."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


def to_yaml(documents: Iterable[Mapping[str, Any]]) -> str:
    """One multi-document stream, byte-identical for equal input."""
    return yaml.dump_all(
        list(documents), Dumper=_Dumper, sort_keys=False, explicit_start=True,
        default_flow_style=False, width=4096, allow_unicode=True,
    )


def _apply_order(manifest: Manifest) -> tuple[int, str, str, str]:
    rank = KIND_ORDER.index(manifest.kind) if manifest.kind in KIND_ORDER else len(KIND_ORDER)
    return rank, manifest.kind, manifest.namespace or "", manifest.name
