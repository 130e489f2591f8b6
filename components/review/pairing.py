"""`python -m components diff OLD NEW`: what changes, field by field, and what
it will do to running pods.

Objects are matched by kind, namespace and name, the identity Kubernetes
and Pulumi's provider go by. An object whose namespace alone changed is
reported as moved, not as one removal and one addition, because Pulumi
sees one resource being replaced.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from ..render.manifests import KIND_ORDER, Manifest
from .capacity import change_line
from .change import Added, Change, Changed, Removed
from .fields import FieldChange, field_changes
from .impact import impacts
from .replacement import replaced_fields
from .storage import StorageClasses
from .waves import Nodes, Waves, waves


@dataclass(frozen=True)
class ObjectDiff:
    change: Change
    fields: tuple[FieldChange, ...]
    impacts: tuple[str, ...]
    replaced: bool
    """Pulumi replaces the object rather than patching it (replacement.py)."""
    rollout: Waves | None = None
    """A DaemonSet's rollout, when the user named the nodes it crosses (waves.py)."""

    @property
    def status(self) -> str:
        match self.change:
            case Added():
                return "added"
            case Removed():
                return "removed"
            case Changed(moved=True):
                return "moved"
        return "changed"

    @property
    def identity(self) -> str:
        change = self.change
        if isinstance(change, Changed) and change.moved:
            old, new = change.old, change.new
            return f"{new.kind} {old.namespace}/{old.name} → {new.namespace}/{new.name}"
        return change.latest.identity()


def compare(old: Sequence[Manifest], new: Sequence[Manifest],
            storage: StorageClasses | None = None,
            nodes: Nodes | None = None, log_rate: int | None = None) -> list[ObjectDiff]:
    """Every object that differs, in apply order, with its fields and impacts;
    `storage`, the cluster's StorageClasses, when known (`impacts`); `nodes`,
    the nodes a rollout crosses, when known, for its waves; `log_rate`, the
    cluster's events/s, when known, for the outage a buffer outlasts."""
    pairs = pair(old, new)
    changes = [c for c in pairs if not isinstance(c, Changed) or c.old.body != c.new.body]
    return [_object_diff(c, pairs, storage, nodes, log_rate)
            for c in sorted(changes, key=_order)]


def _object_diff(change: Change, pairs: Sequence[Change], storage: StorageClasses | None,
                 nodes: Nodes | None, log_rate: int | None) -> ObjectDiff:
    rollout = waves(change, nodes) if nodes is not None else None
    lines = impacts(change, pairs, storage)
    if rollout is not None and nodes is not None:
        lines.append(rollout.line(nodes.given))
    if capacity := change_line(change, pairs, log_rate):
        lines.append(capacity)
    return ObjectDiff(change, tuple(_fields(change)), tuple(lines),
                      isinstance(change, Changed) and bool(replaced_fields(change)), rollout)


def pair(old: Sequence[Manifest], new: Sequence[Manifest]) -> list[Change]:
    """Every object of both sides, matched; changed or not."""
    def key(m: Manifest) -> tuple[str, str | None, str]:
        return m.kind, m.namespace, m.name

    old_by_key, new_by_key = {key(m): m for m in old}, {key(m): m for m in new}
    pairs: list[Change] = [
        Changed(old_by_key[k], new_by_key[k]) if k in old_by_key and k in new_by_key
        else Removed(old_by_key[k]) if k in old_by_key else Added(new_by_key[k])
        for k in [*old_by_key, *(k for k in new_by_key if k not in old_by_key)]
    ]
    # One object of a kind and name left on each side: it changed namespace.
    removed = [p for p in pairs if isinstance(p, Removed)]
    added = [p for p in pairs if isinstance(p, Added)]
    for gone in removed:
        same = [p for p in added if (p.new.kind, p.new.name) == (gone.old.kind, gone.old.name)]
        twins = [p for p in removed if (p.old.kind, p.old.name) == (gone.old.kind, gone.old.name)]
        if len(same) == 1 and len(twins) == 1:
            pairs[pairs.index(gone)] = Changed(gone.old, same[0].new)
            pairs.remove(same[0])
    return pairs


def _fields(change: Change) -> list[FieldChange]:
    if not isinstance(change, Changed):
        return []  # the whole object is shown, not its fields
    return field_changes(change.old.body, change.new.body)


def _order(change: Change) -> tuple[int, str, str, str]:
    m = change.latest
    rank = KIND_ORDER.index(m.kind) if m.kind in KIND_ORDER else len(KIND_ORDER)
    return rank, m.kind, m.namespace or "", m.name
