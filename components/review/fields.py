"""Field-by-field differences between two versions of one Kubernetes object.

Paths read the way people write them in review: `spec.template.spec.
containers[filebeat].image`, not `spec.template.spec.containers[0].image`,
because a list of named items (containers, env, volumes, ports) is a map in
everything but syntax, and an index shifts when an item is added in front.
"""

import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final


class _Absent:
    """A field missing on one side; distinct from an explicit `null`."""

    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Final = _Absent()
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PLAIN_VALUE = re.compile(r"[\w./:@%+=,-]+")
_LONGEST_VALUE = 160


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any
    """`ABSENT` when the field was added."""
    new: Any
    """`ABSENT` when the field was removed."""

    def is_text(self) -> bool:
        """Both sides are strings and one spans lines: a file, best read as a diff."""
        sides = [v for v in (self.old, self.new) if v is not ABSENT]
        return all(isinstance(v, str) for v in sides) and any("\n" in v for v in sides)


def field_changes(old: Any, new: Any) -> list[FieldChange]:
    """Every leaf that differs, in the order the fields appear."""
    return list(_walk(old, new, ""))


def _walk(old: Any, new: Any, path: str) -> Iterator[FieldChange]:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            yield from _walk(old.get(key, ABSENT), new.get(key, ABSENT), _child(path, key))
    elif isinstance(old, list) and isinstance(new, list):
        old_keys, new_keys = _item_keys(old), _item_keys(new)
        if old_keys is not None and new_keys is not None:
            old_items = dict(zip(old_keys, old, strict=True))
            new_items = dict(zip(new_keys, new, strict=True))
            for key in [*old_keys, *(k for k in new_keys if k not in old_items)]:
                yield from _walk(old_items.get(key, ABSENT), new_items.get(key, ABSENT),
                                 f"{path}[{key}]")
            # Order can matter (init containers run in it, env refers back),
            # and it changes a pod template, so a reorder alone is a change.
            if ([k for k in old_keys if k in new_items]
                    != [k for k in new_keys if k in old_items]):
                yield FieldChange(f"{path} (order)", old_keys, new_keys)
        else:
            for index in range(max(len(old), len(new))):
                yield from _walk(old[index] if index < len(old) else ABSENT,
                                 new[index] if index < len(new) else ABSENT, f"{path}[{index}]")
    else:
        yield FieldChange(path, old, new)


def _item_keys(items: list[Any]) -> list[str] | None:
    """The items' `name`s, when every item has a distinct one."""
    names = [item.get("name") for item in items if isinstance(item, dict)]
    keys = [n for n in names if isinstance(n, str)]
    if len(keys) == len(items) and len(set(keys)) == len(keys):
        return keys
    return None


def _child(path: str, key: str) -> str:
    if _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def show(value: Any) -> str:
    """One short line for a value: plain words bare, anything else as JSON."""
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, str) and _PLAIN_VALUE.fullmatch(value):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    return text if len(text) <= _LONGEST_VALUE else text[:_LONGEST_VALUE - 1] + "…"


def text_diff(change: FieldChange) -> list[str]:
    """A unified diff of a multi-line field, without the file headers."""
    old = "" if change.old is ABSENT else change.old
    new = "" if change.new is ABSENT else change.new
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1))
    return lines[2:]  # the `---`/`+++` file headers; a line of the file may start so too
