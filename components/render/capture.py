"""What the mocks captured, turned into plain Kubernetes manifests.

Three things separate a mock's inputs from a manifest: ints arrive as floats,
secrets arrive wrapped in a Pulumi signature, and components and providers
are registered beside the Kubernetes objects. Everything else is passed on
as the SDK serialized it.
"""

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from .manifests import SECRET_PLACEHOLDER, Manifest, Manifests
from .mockrun import Registered

_FIRST_KEYS = ("apiVersion", "kind", "metadata")
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


class RenderError(Exception):
    """The program built something that cannot be applied as it stands."""


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
        _autoname(body, resource)
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


AUTONAMED_ANNOTATION = "pulumi.com/autonamed"


def _autoname(body: dict[str, Any], resource: Registered) -> None:
    """Name an object declared without `metadata.name` as pulumi-kubernetes
    would, `<resource name>-<8 hex digits>`, marked with the provider's
    annotation, so a program written in the ordinary Pulumi style renders.

    The provider's digits are random, chosen at `pulumi up`; these are a
    stand-in derived from the resource's type and name, so every render of a
    program names the object alike and a test can look it up.
    """
    metadata = body.setdefault("metadata", {})
    if not isinstance(metadata, dict) or metadata.get("name"):
        return  # named, or a secret as a whole, which from_capture refuses
    digest = hashlib.sha256(f"{resource.type}::{resource.name}".encode()).hexdigest()
    metadata["name"] = f"{resource.name}-{digest[:8]}"
    metadata["annotations"] = {**(metadata.get("annotations") or {}),
                               AUTONAMED_ANNOTATION: "true"}


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
