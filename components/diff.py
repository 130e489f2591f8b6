"""`python -m components diff OLD NEW`: what changes, field by field, and what
it will do to running pods.

Objects are matched by kind, namespace and name, the identity Kubernetes
and Pulumi's provider go by. An object whose namespace alone changed is
reported as moved, not as one removal and one addition, because Pulumi
sees one resource being replaced.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from .field_diff import FieldChange, field_changes
from .impact import Change, impacts
from .manifests import KIND_ORDER, Manifest


@dataclass(frozen=True)
class ObjectDiff:
    change: Change
    fields: tuple[FieldChange, ...]
    impacts: tuple[str, ...]

    @property
    def status(self) -> str:
        old, new = self.change.old, self.change.new
        if old is None:
            return "added"
        if new is None:
            return "removed"
        return "moved" if old.namespace != new.namespace else "changed"

    @property
    def identity(self) -> str:
        old, new = self.change.old, self.change.new
        if old and new and old.namespace != new.namespace:
            return f"{new.kind} {old.namespace}/{old.name} → {new.namespace}/{new.name}"
        return (new or old).identity()  # type: ignore[union-attr]


def compare(old: Sequence[Manifest], new: Sequence[Manifest]) -> list[ObjectDiff]:
    """Every object that differs, in apply order, with its fields and impacts."""
    pairs = _pair(old, new)
    changes = [c for c in pairs if c.old is None or c.new is None or c.old.body != c.new.body]
    return [ObjectDiff(c, tuple(_fields(c)), tuple(impacts(c, pairs)))
            for c in sorted(changes, key=_order)]


def _pair(old: Sequence[Manifest], new: Sequence[Manifest]) -> list[Change]:
    def key(m: Manifest) -> tuple[str, str | None, str]:
        return m.kind, m.namespace, m.name

    old_by_key, new_by_key = {key(m): m for m in old}, {key(m): m for m in new}
    pairs = [Change(old_by_key.get(k), new_by_key.get(k))
             for k in [*old_by_key, *(k for k in new_by_key if k not in old_by_key)]]
    # One object of a kind and name left on each side: it changed namespace.
    alone_old = [p for p in pairs if p.new is None]
    alone_new = [p for p in pairs if p.old is None]
    for removed in alone_old:
        same = [p for p in alone_new if (p.kind, p.name) == (removed.kind, removed.name)]
        twins = [p for p in alone_old if (p.kind, p.name) == (removed.kind, removed.name)]
        if len(same) == 1 and len(twins) == 1:
            pairs[pairs.index(removed)] = Change(removed.old, same[0].new)
            pairs.remove(same[0])
    return pairs


def _fields(change: Change) -> list[FieldChange]:
    if change.old is None or change.new is None:
        return []  # the whole object is shown, not its fields
    return field_changes(change.old.body, change.new.body)


def _order(change: Change) -> tuple[int, str, str, str]:
    m = change.new or change.old
    assert m is not None
    rank = KIND_ORDER.index(m.kind) if m.kind in KIND_ORDER else len(KIND_ORDER)
    return rank, m.kind, m.namespace or "", m.name
