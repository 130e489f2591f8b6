"""The shapes the impact rules read, checked once where a manifest is read.

A rendered stack has them by construction; a hand-edited folder can hold
any YAML, so `--dir` checks every object here and refuses one whose fields
Kubernetes would refuse too, one line per field, rather than letting a rule
trip over a list where a mapping belongs.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# A mapping lists the keys to check inside a mapping; a one-item list means
# "a list, each item checked against this"; `str` means text, and a _Scalar
# its own test. Any field may be absent or null: the rules read those as empty.


@dataclass(frozen=True)
class _Scalar:
    test: Callable[[Any], bool]
    must_be: str


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


_COUNT = _Scalar(_whole, "a whole number")
_BUDGET = _Scalar(lambda value: _whole(value) or (
    isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}%", value) is not None),
    "a count or a percentage")
"""maxUnavailable and maxSurge, as Kubernetes' intstr reads them: `1`, `10%`."""
_REFS: dict[str, Any] = {"configMap": {}, "secret": {}}
_CONTAINER: dict[str, Any] = {
    "image": str,
    "volumeMounts": [{"name": str}],
    "envFrom": [{"configMapRef": {}, "secretRef": {}}],
    "env": [{"valueFrom": {"configMapKeyRef": {}, "secretKeyRef": {}}}],
}
_VOLUME: dict[str, Any] = {
    **_REFS,
    "name": str,
    "hostPath": {"path": str},
    "persistentVolumeClaim": {"claimName": str},
    "projected": {"sources": [_REFS]},
}
_OBJECT: dict[str, Any] = {"spec": {
    "minReadySeconds": _COUNT,
    "ports": [{}],
    "updateStrategy": {"rollingUpdate": {"maxUnavailable": _BUDGET, "maxSurge": _BUDGET}},
    "strategy": {"rollingUpdate": {}},
    "template": {
        "metadata": {"annotations": {}},
        "spec": {"volumes": [_VOLUME], "containers": [_CONTAINER],
                 "initContainers": [_CONTAINER]},
    },
}}


def shape_problems(body: dict[str, Any]) -> list[str]:
    """`<field>: must be ...` for each field the rules read that has the wrong shape."""
    return list(_check(body, _OBJECT, ""))


def _check(value: Any, shape: Any, path: str) -> list[str]:
    if value is None:
        return []
    if shape is str:
        return [] if isinstance(value, str) else [f"{path}: must be text"]
    if isinstance(shape, _Scalar):
        return [] if shape.test(value) else [f"{path}: must be {shape.must_be}"]
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{path}: must be a list"]
        return [p for i, item in enumerate(value) for p in _check(item, shape[0], f"{path}[{i}]")]
    if not isinstance(value, dict):
        return [f"{path}: must be a mapping"]
    return [p for key, inner in shape.items() if key in value
            for p in _check(value[key], inner, f"{path}.{key}" if path else key)]


def get(body: dict[str, Any], path: str, default: Any = None) -> Any:
    """The value at a dotted `path`, or `default` where the path ends early."""
    value: Any = body
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return default
        value = value[key]
    return value
