"""Our diff's answer and the engine's, in one vocabulary: one op per object.

The engine names a resource by its URN (type and logical name); our diff
reads manifests only, so it names an object by kind, namespace and name.
They meet at (kind, metadata.name), which both sides know:

- an object our diff sees on one side only is a `create` or a `delete`;
- one it sees on both sides is a `replace` when it says Pulumi replaces it
  (`ObjectDiff.replaced`; a namespace move is one), an `update` when it
  changed otherwise, and `same` when it is not in the diff at all;
- the engine's `replace`, `create-replacement` and `delete-replaced` steps
  are all one `replace`. A replace that renames the object (a ClusterRole
  named after the namespace, when the namespace moves) keeps its URN, since
  the logical name stays, but in the cluster it is the old object deleted
  and a new one created, in the order an unrelated delete and create take
  (creates in dependency order, deletes last). So it counts as exactly
  that: a `delete` of the old name and a `create` of the new.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import yaml

from components.project import PROJECT
from components.render.manifests import Manifest
from components.review.change import Added, Removed
from components.review.pairing import ObjectDiff
from tests.e2e.cluster import e2e_stack_text

Key = tuple[str, str]
"""(kind, metadata.name)."""
ABSENT = "absent"
"""The op of an object one side does not mention."""
REPLACE_STEPS = frozenset({"replace", "create-replacement", "delete-replaced"})
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""What the engine's JSON holds for a value known only after the update."""


def expected_ops(diffs: Iterable[ObjectDiff], old: Sequence[Manifest],
                 new: Sequence[Manifest]) -> dict[Key, str]:
    """What our diff says the engine will do to each object of either side."""
    ops: dict[Key, str] = {}
    for side in (old, new):
        names = Counter((m.kind, m.name) for m in side)
        if twice := sorted(f"{kind} {name}" for (kind, name), n in names.items() if n > 1):
            raise ValueError(f"in two namespaces of one side, so (kind, name) is not one "
                             f"object: {', '.join(twice)}")
        ops |= dict.fromkeys(names, "same")
    for diff in diffs:
        latest = diff.change.latest
        ops[(latest.kind, latest.name)] = _op(diff)
    return ops


def _op(diff: ObjectDiff) -> str:
    if isinstance(diff.change, Added):
        return "create"
    if isinstance(diff.change, Removed):
        return "delete"
    return "replace" if diff.replaced else "update"


def engine_ops(preview: Mapping[str, Any]) -> dict[Key, str]:
    """Each object's op in `pulumi preview --json --show-sames`.

    Kubernetes objects are keyed by kind and name; anything else (the stack,
    our components, providers) by its type and logical name, and only when
    the engine does more than keep it: our diff predicts no such change.
    """
    ops: dict[Key, str] = {}

    def put(key: Key, op: str) -> None:
        if ops.setdefault(key, op) != op:
            raise ValueError(f"{key[0]} {key[1]}: both {ops[key]} and {op} in one preview")

    for step in preview["steps"]:
        op = "replace" if step["op"] in REPLACE_STEPS else step["op"]
        _, _, types, logical = step["urn"].split("::", 3)
        type_ = types.rpartition("$")[2]  # after the parents' types
        if not type_.startswith("kubernetes:"):
            if op != "same":
                put((type_, logical), op)
            continue
        kind = type_.rpartition(":")[2]
        old, new = _name(step.get("oldState")), _name(step.get("newState"))
        if op == "replace" and old != new and None not in (old, new):
            put((kind, str(old)), "delete")
            put((kind, str(new)), "create")
        else:
            name = new if new is not None else old
            put((kind, name if name is not None else f"(logical {logical})"), op)
    return ops


def _name(state: Mapping[str, Any] | None) -> str | None:
    if not state:
        return None
    for side in ("inputs", "outputs"):
        name = ((state.get(side) or {}).get("metadata") or {}).get("name")
        if isinstance(name, str) and name != UNKNOWN:
            return name
    return None


def disagreements(expected: Mapping[Key, str], engine: Mapping[Key, str]) -> list[str]:
    """One line per object the two do not agree on."""
    return [f"{kind} {name}: engine {engine.get(key, ABSENT)}, diff {expected.get(key, ABSENT)}"
            for key in sorted(expected.keys() | engine.keys())
            if expected.get(key, ABSENT) != engine.get(key, ABSENT)
            for kind, name in [key]]


def changed(ops: Mapping[Key, str]) -> list[str]:
    """`<kind> <name>: <op>` for each object not kept as it is, sorted."""
    return sorted(f"{kind} {name}: {op}" for (kind, name), op in ops.items() if op != "same")


# The stack files the table compares.

Edit = Callable[[Any], Any]
"""The new value of a config key, from its current one (None when unset)."""


def edited(stack_text: str, path: str, edit: Edit) -> str:
    """The stack file with `redis-filebeat:<path>` (dotted) set to `edit(old value)`,
    everything else (the encrypted password, its salt) kept as it was."""
    document = yaml.safe_load(stack_text)
    first, *rest = path.split(".")
    parent, key = document["config"], f"{PROJECT}:{first}"
    for part in rest:
        parent, key = parent.setdefault(key, {}), part
    parent[key] = edit(parent.get(key))
    return yaml.safe_dump(document, sort_keys=False)


def base_stack_text(namespace: str, context: str) -> str:
    """The stack the table changes: dev in its own namespace, as the rest of
    the suite deploys it, with redis' persistence on, so a claim exists to resize."""
    return edited(e2e_stack_text(namespace, context), "redis.persistence",
                  lambda _: {"enabled": True})


def claim_volume(namespace: str, claim: str, capacity: str) -> dict[str, Any]:
    """A PersistentVolume bound in advance to the stack's claim.

    pulumi-kubernetes waits for a new claim to be Bound (five minutes, then
    `up` fails), and a cluster without a provisioner, as the simulated one
    is, binds nothing by itself. A volume of no StorageClass that names the
    claim binds to exactly that claim, which has no class either where the
    cluster has no default one, and to nothing else. (Where it has one, as
    kind does, the claim takes that class, its provisioner serves it, and
    this volume stays unused.) hostPath, so it needs no storage driver;
    Retain, since no controller here could delete what it holds: the suite
    deletes the volume itself.
    """
    return {
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": f"{namespace}-{claim}"},
        "spec": {
            "capacity": {"storage": capacity},
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": "",
            "persistentVolumeReclaimPolicy": "Retain",
            "claimRef": {"namespace": namespace, "name": claim},
            "hostPath": {"path": f"/var/lib/redis-filebeat/{namespace}/{claim}",
                         "type": "DirectoryOrCreate"},
        },
    }
