"""A meta path finder that changes how some modules load, not where from.

The CLI's two (cli.deferred, cli.lazy_annotations) each find a module as the
finders after them do, then hand it a loader of their own.
"""

import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType


class FinderAfter:
    """Finds a module it `handles` as the finders after it do, then lets
    `adapt` change the spec. While it asks them, it answers nothing for that
    name (`_asking`), so a finder that in turn asks every finder, this one
    included, cannot send the two round in a loop."""

    def __init__(self) -> None:
        self._asking: set[str] = set()

    def handles(self, fullname: str) -> bool:
        raise NotImplementedError

    def adapt(self, spec: importlib.machinery.ModuleSpec) -> importlib.machinery.ModuleSpec:
        raise NotImplementedError

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname in self._asking or not self.handles(fullname):
            return None
        self._asking.add(fullname)
        try:
            spec = self._find_after(fullname, path, target)
        finally:
            self._asking.discard(fullname)
        return None if spec is None else self.adapt(spec)

    def _find_after(self, fullname: str, path: Sequence[str] | None,
                    target: ModuleType | None) -> importlib.machinery.ModuleSpec | None:
        after = sys.meta_path[sys.meta_path.index(self) + 1:] if self in sys.meta_path else []
        for finder in after:
            find_spec = getattr(finder, "find_spec", None)
            spec: importlib.machinery.ModuleSpec | None = (
                find_spec(fullname, path, target) if find_spec else None)
            if spec is not None:
                return spec
        return None
