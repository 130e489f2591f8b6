"""A new DaemonSet on the node directory of one that the same `up` deletes.

Pulumi's engine runs every create first and its deletes last, once the
program's creates have finished, and a DaemonSet that moves namespace is
replaced new-first (docs/rollouts.md#a-new-daemonset-on-an-old-ones-node-directory).
So an added DaemonSet's pods start while those of the DaemonSet it takes
over still run. When both mount one node directory writable, as node classes
of one stack share filebeat's registry, the new filebeat finds it locked
("data path already locked by another beat") and crash-loops: the new
DaemonSet is never ready, `up` waits for it until its timeout and fails
before the delete. Saying "a pod starts on every selected node" and "those
nodes no longer ship logs" would then both be false.

Two DaemonSets meet on a node unless their nodeSelectors tell it apart (a
key both set to different values), the rule that keeps node classes apart.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from ..render.manifests import Manifest
from .change import Added, Change, Changed, Removed
from .node_state import is_filebeat, kept_on_node
from .shape import get
from .waves import await_seconds, duration

_SAFELY = ("do it in two steps: `pulumi destroy --target` the old DaemonSet's URN, then "
           "`pulumi up` (docs/rollouts.md#a-new-daemonset-on-an-old-ones-node-directory)")


@dataclass(frozen=True)
class _Meeting:
    new: Manifest
    old: Manifest
    path: str
    filebeat: bool


def locked_out(change: Change, everything: Sequence[Change]) -> str | None:
    """What the new pods of an added or moved DaemonSet meet, after its lead-in
    (`added → `); None when no old DaemonSet holds a directory it needs."""
    if not _takes_over(change):
        return None
    meetings = _meetings(change, _removed_daemon_sets(everything))
    if not meetings:
        return None
    moved = isinstance(change, Changed)
    olds = "the old ones" if moved else "those of " + _names(m.old for m in meetings) + (
        ", which this change removes,")
    paths = ", ".join(sorted({m.path for m in meetings}))
    line = f"its pods cannot start while {olds} hold {paths} on the same nodes: "
    line += ("a second filebeat refuses a locked registry (\"data path already locked by "
             "another beat\") and crash-loops" if any(m.filebeat for m in meetings) else
             "a daemon that locks its state there, as filebeat locks its registry, "
             "crash-loops")
    deleted = "the old DaemonSet" if moved else _names(m.old for m in meetings)
    timeout = await_seconds(change.new.body)
    if timeout is None:
        return (f"{line}. Pulumi does not wait for them (pulumi.com/skipAwait) and deletes "
                f"{deleted} at the end of `up`; they start at their next restart after that "
                "(a crash-loop back-off of up to 5 minutes), their nodes shipping nothing "
                "meanwhile and nothing twice")
    return (f"{line}. Pulumi deletes {deleted} only after this one is ready, so `pulumi up` "
            f"waits {duration(timeout)} (pulumi.com/timeoutSeconds), fails, and leaves it "
            f"running; {_SAFELY}")


def holding(change: Change, everything: Sequence[Change]) -> str | None:
    """What a removed DaemonSet does to the new ones it locks out; None when it
    locks out none."""
    if not isinstance(change, Removed):
        return None
    meetings = [m for other in everything if _takes_over(other)
                for m in _meetings(other, [change.old])]
    if not meetings:
        return None
    waiting = [m.new for m in meetings]
    names, verb = _names(waiting), "is" if len(waiting) == 1 else "are"
    if any(await_seconds(new.body) is not None for new in waiting):
        return (f"removed → not in this `up`: Pulumi deletes it only after {names} {verb} "
                f"ready, which {'it' if len(waiting) == 1 else 'they'} cannot be while its "
                f"pods hold {', '.join(sorted({m.path for m in meetings}))}; `up` fails "
                "first, and it keeps shipping")
    return (f"removed → Pulumi deletes it at the end of `up`; {names}, locked out of its node "
            "directory until then, start on its nodes at their next restart")


def _takes_over(change: Change) -> TypeGuard[Added | Changed]:
    """A DaemonSet whose pods one `up` starts while others may still run:
    added, or moved namespace (created before its old self is deleted). One
    patched in place, or deleted before it is re-created, meets nothing."""
    return (isinstance(change, Added | Changed) and change.new.kind == "DaemonSet"
            and (isinstance(change, Added) or change.moved))


def _removed_daemon_sets(everything: Sequence[Change]) -> list[Manifest]:
    return [c.old for c in everything if isinstance(c, Removed) and c.old.kind == "DaemonSet"]


def _meetings(change: Added | Changed, removed: Sequence[Manifest]) -> list[_Meeting]:
    """Each directory that the new DaemonSet of `change` needs and one of the
    old DaemonSets that run beside it (those `removed`, and its own old self
    when it moved) holds on a node they may share. Worked out for one change
    at a time: for every DaemonSet at once, each of a thousand node classes'
    lines paid for all the others'."""
    olds = [*removed, *([change.old] if isinstance(change, Changed) else [])]
    new_paths = kept_on_node(change.new.body)
    meetings = []
    for old in olds:
        if not _may_share_nodes(old.body, change.new.body):
            continue
        for volume, path in kept_on_node(old.body).items():
            if path in new_paths.values():
                filebeat = is_filebeat(old.body, volume) or any(
                    is_filebeat(change.new.body, v) for v, p in new_paths.items() if p == path)
                meetings.append(_Meeting(change.new, old, path, filebeat))
    return meetings


def _may_share_nodes(a: dict[str, Any], b: dict[str, Any]) -> bool:
    selector = "spec.template.spec.nodeSelector"
    first, second = get(a, selector, {}) or {}, get(b, selector, {}) or {}
    return all(first[key] == second[key] for key in first.keys() & second.keys())


def _names(manifests: Any) -> str:
    return " and ".join(sorted({f"DaemonSet {m.namespace}/{m.name}" for m in manifests}))
