"""A diff as data, for a pipeline to read rather than a person: `diff --format json`.

The same facts as the text report, each object with its changed fields, the
lines of what happens in the cluster, whether Pulumi replaces it, and, with
`--nodes`, its rollout's waves. A field absent on one side has no `old` (or
`new`) key, so an explicit null stays distinguishable from a missing field.
"""

import json
from collections.abc import Sequence
from typing import Any

from .fields import ABSENT, FieldChange
from .pairing import ObjectDiff


def as_json(diffs: Sequence[ObjectDiff], old: str, new: str, nodes: str | None = None) -> str:
    counts = {status: sum(d.status == status for d in diffs)
              for status in ("changed", "moved", "added", "removed")}
    report = {"old": old, "new": new, "nodes": nodes, "summary": counts,
              "objects": [_object(d) for d in diffs]}
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _object(d: ObjectDiff) -> dict[str, Any]:
    latest = d.change.latest
    return {"identity": d.identity, "kind": latest.kind, "namespace": latest.namespace,
            "name": latest.name, "status": d.status, "replaced": d.replaced,
            "impacts": list(d.impacts), "fields": [_field(f) for f in d.fields],
            "rollout": d.rollout.as_dict() if d.rollout else None}


def _field(change: FieldChange) -> dict[str, Any]:
    field: dict[str, Any] = {"path": change.path}
    if change.old is not ABSENT:
        field["old"] = change.old
    if change.new is not ABSENT:
        field["new"] = change.new
    return field
