"""What the mocks captured, turned into plain Kubernetes manifests.

Three things separate a mock's inputs from a manifest: ints arrive as floats,
secrets arrive wrapped in a Pulumi signature, and components and providers
are registered beside the Kubernetes objects. Everything else is passed on
as the SDK serialized it.
"""

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from .mockrun import Registered

SECRET_PLACEHOLDER = "[secret]"
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

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
_FIRST_KEYS = ("apiVersion", "kind", "metadata")
CLUSTER_SCOPED = frozenset({
    "Namespace", "Node", "PersistentVolume", "StorageClass", "CustomResourceDefinition",
    "ClusterRole", "ClusterRoleBinding", "PriorityClass", "APIService",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "IngressClass",
    "RuntimeClass", "CSIDriver", "VolumeAttachment",
})


class RenderError(Exception):
    """The program built something that cannot be applied as it stands."""


@dataclass(frozen=True)
class Manifest:
    body: dict[str, Any]

    @property
    def kind(self) -> str:
        return self.body["kind"]

    @property
    def name(self) -> str:
        return self.body["metadata"]["name"]

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

    def __init__(self, items: Iterable[Manifest]):
        self.items = sorted(items, key=_apply_order)
        spread = Counter((m.kind, m.name) for m in self.items)
        self._by_kind: dict[str, dict[str, dict[str, Any]]] = {}
        for m in self.items:
            key = m.name if spread[(m.kind, m.name)] == 1 else f"{m.namespace}/{m.name}"
            self._by_kind.setdefault(m.kind, {})[key] = m.body

    def __getitem__(self, kind: str) -> dict[str, dict[str, Any]]:
        return self._by_kind[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_kind)

    def __len__(self) -> int:
        return len(self._by_kind)

    def documents(self) -> list[dict[str, Any]]:
        return [m.body for m in self.items]

    def to_yaml(self) -> str:
        return to_yaml(self.documents())


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
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


def from_capture(resources: Iterable[Registered]) -> Manifests:
    """Keep the Kubernetes objects and make them plain.

    A Secret's data prints as `[secret]`. A secret anywhere else fails the
    render: never print, never guess. (A secret that lost its mark on the
    way is `render`'s to catch, by rendering twice.)
    """
    manifests = []
    for resource in resources:
        if not (resource.custom and resource.type.startswith("kubernetes:")):
            continue  # components, providers
        # Top-level `__` keys are the SDK's bookkeeping, never a manifest field.
        body = {key: _plain(value, key if _is_secret_kind(resource) else None)
                for key, value in resource.inputs.items() if not key.startswith("__")}
        manifest = Manifest(_ordered(body))
        # A secret outside a Secret's data; JSON text searches as thoroughly
        # as a walk over every key and value, and at C speed.
        if _SECRET_SIG in json.dumps(body):
            raise RenderError(
                f"{manifest.identity()}: holds a secret value outside a Secret's data or "
                "stringData, where it cannot be printed safely; reference a Secret instead"
            )
        manifests.append(manifest)
    _refuse_duplicates(manifests)
    return Manifests(manifests)


def _is_secret_kind(resource: Registered) -> bool:
    return resource.type == "kubernetes:core/v1:Secret"


def _plain(value: Any, secret_field: str | None = None) -> Any:
    if isinstance(value, dict):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            if secret_field in ("data", "stringData"):
                # A Secret's data is secret as a whole: keep the keys, hide the values.
                inner = value["value"]
                return {k: SECRET_PLACEHOLDER for k in inner} if isinstance(inner, dict) \
                    else SECRET_PLACEHOLDER
            # Anywhere else Pulumi wraps the whole enclosing property (all of
            # `metadata` for one secret annotation), and a value derived from
            # the secret cannot be told from the rest. Leave the mark for
            # `from_capture` to refuse, rather than guess what to hide.
            return _SECRET_SIG
        return {k: _plain(v, secret_field) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, secret_field) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # mocks hand every number over as a float
    if value == _UNKNOWN:
        raise RenderError("a value is unknown until deployment; mocks should resolve every value")
    return value


def _ordered(body: dict[str, Any]) -> dict[str, Any]:
    """apiVersion, kind and metadata first, as people write them; the rest sorted."""
    def sort(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: sort(value[k]) for k in sorted(value)}
        if isinstance(value, list):
            return [sort(v) for v in value]
        return value

    first = {k: sort(body[k]) for k in _FIRST_KEYS if k in body}
    rest = {k: sort(body[k]) for k in sorted(body) if k not in _FIRST_KEYS}
    return first | rest


def _apply_order(manifest: Manifest) -> tuple[int, str, str, str]:
    rank = KIND_ORDER.index(manifest.kind) if manifest.kind in KIND_ORDER else len(KIND_ORDER)
    return rank, manifest.kind, manifest.namespace or "", manifest.name


def _refuse_duplicates(manifests: list[Manifest]) -> None:
    seen: set[tuple[str, str | None, str]] = set()
    twice = []
    for m in manifests:
        key = (m.kind, m.namespace, m.name)
        if key in seen:
            twice.append(m.identity())
        seen.add(key)
    if twice:
        raise RenderError("\n".join(
            f"{identity}: defined twice; the second would overwrite the first in the cluster"
            for identity in sorted(set(twice))
        ))
