"""What a sequence or mapping becomes as its nodes come in.

Separate from the builder so the rules a mapping's keys follow read in one
place, apart from the limits and the event walk: a key is text or a number,
given once; `<<` merges as YAML 1.1 says. A refused key is reported and its
value still read (for its own problems) but dropped, so one bad key does not
hide the next. A sequence only appends.
"""

from typing import Any, Final

from .problems import snippet
from .scalars import MERGE_KEY

_BAD_KEY: Final = object()
"""A refused key: its value is read (for its problems) and dropped."""


class Collection:
    """An open sequence or mapping; `nodes` and `chars` sum its expanded size."""

    __slots__ = ("anchor", "chars", "has_key", "key", "mark", "merges", "nodes",
                 "places", "value")

    def __init__(self, value: list[Any] | dict[Any, Any], anchor: str | None,
                 mark: Any) -> None:
        self.value = value
        self.anchor = anchor
        self.mark = mark
        self.nodes = 1
        self.chars = 0
        self.has_key = False
        self.key: Any = None
        self.merges: list[dict[Any, Any]] = []
        self.places: dict[Any, tuple[int, int]] = {}
        """Where each key of a mapping stands, for naming both places of a duplicate."""

    def add(self, value: Any, mark: Any) -> str | None:
        """A finished node (or alias) goes in, at `mark`; what is wrong with it, if anything."""
        if isinstance(self.value, list):
            self.value.append("<<" if value is MERGE_KEY else value)
        elif not self.has_key:
            self.has_key, self.key = True, value
            if isinstance(value, (list, dict)):
                self.key = _BAD_KEY
                return ("a key must be text or a number, not a "
                        f"{'list' if isinstance(value, list) else 'mapping'} "
                        "(`? [a, b]`, `? {a: 1}`)")
            if value is not MERGE_KEY:
                if value in self.places:
                    line, column = self.places[value]
                    self.key = _BAD_KEY
                    return (f"the key {snippet(value)} appears twice in "
                            f"this mapping, first at line {line}, column {column}")
                self.places[value] = (mark.line + 1, mark.column + 1)
        else:
            self.has_key = False
            key = self.key
            if key is _BAD_KEY:
                return None
            if key is MERGE_KEY:
                return self._merge(value)
            self.value[key] = "<<" if value is MERGE_KEY else value
        return None

    def _merge(self, value: Any) -> str | None:
        if isinstance(value, dict):
            self.merges.append(value)
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            self.merges.extend(reversed(value))  # the first one listed wins
        else:
            return ("`<<` merges a mapping or a list of mappings, not "
                    f"{snippet(value)}")
        return None

    def finished(self) -> list[Any] | dict[Any, Any]:
        """The value, with what `<<` merged in under its own keys."""
        value = self.value
        if isinstance(value, list) or not self.merges:
            return value
        merged: dict[Any, Any] = {}
        for source in self.merges:  # later ones win, as PyYAML orders them
            merged.update(source)
        merged.update(value)
        return merged
