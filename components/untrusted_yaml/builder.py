"""The builder: Python values from the parser's events, every limit checked as
the input reaches it.

It does not use PyYAML's composer: that recursion is bounded only by the
parser, and the composed node graph costs ~300 bytes a node (618 MB for a
4 MiB flow list) before any limit could be checked on it. Walking the events
instead, in one pass with an explicit stack and no recursion, memory stays
proportional to what has been accepted so far.

Aliases are counted, not expanded: an anchor's expanded size (nodes, and
scalar characters) is summed once when its node ends, and an alias adds that
sum. An alias bomb is cheap to parse and even to construct (aliases share one
Python object); it blows up in whatever walks the result later (json.dumps,
diffing), so it is refused here on that count, in time linear in the text.
"""

from typing import Any, Final

import yaml
from yaml import events

from .limits import Limits
from .mappings import Collection
from .problems import SNIPPET, Problem, UntrustedYamlError, parse_error
from .scalars import MAP, MERGE_KEY, SEQ, STR, Refused, construct, refused_tag, resolve, short

_Parser: Final[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""Only its parser is used (`get_event`): libyaml's where PyYAML has it,
about five times the speed of composing the same text."""


class _Fatal(Exception):
    """Stops the build: the problem is already recorded."""


class Builder:
    """One call's build: `run` fills `documents`, or raises `UntrustedYamlError`."""

    def __init__(self, origin: str, limits: Limits) -> None:
        self.origin = origin
        self.limits = limits
        self.problems: list[Problem] = []
        self.nodes = 0
        self.expanded_nodes = 0
        self.expanded_chars = 0
        self.stack: list[Collection] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}
        self.documents: list[Any] = []
        self.starts: list[tuple[int, int]] = []
        """Where each document starts."""

    def restart(self, origin: str) -> None:
        """Ready for the next text of a batch: its counts go on from here."""
        self.origin = origin
        self.problems, self.stack = [], []
        self.anchors, self.documents, self.starts = {}, [], []

    def run(self, text: str) -> "Builder":
        try:
            self._build(text)
        except _Fatal:
            pass
        except yaml.MarkedYAMLError as error:
            try:
                self._problem(error.problem_mark or error.context_mark,
                              parse_error(error, text), fatal=False)
            except _Fatal:  # the parse error was one past max_problems
                pass
        except yaml.YAMLError as error:
            self.problems.append(Problem(1, 1, " ".join(str(error).split())))
        except RecursionError:  # not expected: nothing here recurses
            self.problems.append(Problem(1, 1, "nests too deep to read"))
        if self.problems:
            raise UntrustedYamlError(self.origin, self.problems[:self.limits.max_problems + 1])
        return self

    def _problem(self, mark: Any, message: str, *, fatal: bool = True) -> None:
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        self.problems.append(Problem(line, column, message))
        if len(self.problems) > self.limits.max_problems:
            self.problems[-1] = Problem(line, column, f"stopped after "
                                        f"{self.limits.max_problems} problems")
            raise _Fatal
        if fatal:
            raise _Fatal

    def _count(self, mark: Any) -> None:
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            self._problem(mark, f"holds more than {self.limits.max_nodes} nodes "
                          "(values, lists, mappings); refused")

    def _build(self, text: str) -> None:
        parser = _Parser(text)
        try:
            while True:
                event = parser.get_event()
                kind = type(event)
                if kind is events.ScalarEvent:
                    self._scalar(event)
                elif kind is events.AliasEvent:
                    self._alias(event)
                elif kind is events.SequenceStartEvent or kind is events.MappingStartEvent:
                    self._start(event, kind is events.MappingStartEvent)
                elif kind is events.SequenceEndEvent or kind is events.MappingEndEvent:
                    self._end()
                elif kind is events.DocumentStartEvent:
                    self._count(event.start_mark)
                    self.starts.append((event.start_mark.line + 1, event.start_mark.column + 1))
                    self.anchors = {}  # anchors do not reach across documents
                elif kind is events.StreamEndEvent:
                    return
        finally:
            parser.dispose()

    def _expand(self, mark: Any, nodes: int, chars: int) -> None:
        self.expanded_nodes += nodes
        self.expanded_chars += chars
        if self.expanded_nodes > self.limits.max_expanded_nodes:
            self._problem(mark, f"would have more than {self.limits.max_expanded_nodes} "
                          "nodes with its aliases expanded (an alias bomb?); refused")
        if self.expanded_chars > self.limits.max_expanded_chars:
            self._problem(mark, f"would hold more than {self.limits.max_expanded_chars} "
                          "characters with its aliases expanded; refused")

    def _scalar(self, event: Any) -> None:
        # The hot path: _count and _expand inlined, the limits checked after.
        mark = event.start_mark
        value: str = event.value
        self.nodes += 1
        self.expanded_nodes += 1
        self.expanded_chars += len(value)
        limits = self.limits
        if (self.nodes > limits.max_nodes or self.expanded_nodes > limits.max_expanded_nodes
                or self.expanded_chars > limits.max_expanded_chars):
            self.nodes -= 1
            self._count(mark)
            self._expand(mark, 0, 0)
        if len(value) > limits.max_scalar_chars:
            self._problem(mark, f"a value of {len(value)} characters; at most "
                          f"{limits.max_scalar_chars} are read")
        tag = event.tag
        if tag is None or tag == "!":
            tag = resolve(value) if event.implicit[0] else STR
        built: Any = value
        if tag != STR:
            try:
                built = construct(tag, value, limits)
            except Refused as refused:
                self._problem(mark, str(refused), fatal=False)
                built = None
        self._add(built, 1, len(value), mark, event.anchor)

    def _alias(self, event: Any) -> None:
        mark = event.start_mark
        self._count(mark)
        name = event.anchor
        if name not in self.anchors:
            if any(c.anchor == name for c in self.stack):
                self._problem(mark, f"the alias *{name[:SNIPPET]} is inside its own "
                              "anchor: a value that contains itself has no end")
            self._problem(mark, f"the alias *{name[:SNIPPET]} has no anchor "
                          f"&{name[:SNIPPET]} before it in this document")
        value, nodes, chars = self.anchors[name]
        self._expand(mark, nodes, chars)
        self._add(value, nodes, chars, mark, None)

    def _start(self, event: Any, mapping: bool) -> None:
        mark = event.start_mark
        self._count(mark)
        self._expand(mark, 1, 0)
        if len(self.stack) >= self.limits.max_depth:
            self._problem(mark, f"nests more than {self.limits.max_depth} lists and "
                          "mappings deep; refused")
        tag = event.tag
        expected = MAP if mapping else SEQ
        if tag not in (None, "!", expected):
            if tag in (MAP, SEQ):
                self._problem(mark, f"the tag {short(tag)} is on a "
                              f"{'mapping' if mapping else 'sequence'}", fatal=False)
            else:
                self._problem(mark, refused_tag(tag), fatal=False)
        if event.anchor is not None:
            self.anchors.pop(event.anchor, None)  # a redefined anchor: the new one
        self.stack.append(Collection({} if mapping else [], event.anchor, mark))

    def _end(self) -> None:
        done = self.stack.pop()
        self._add(done.finished(), done.nodes, done.chars, done.mark, done.anchor)

    def _add(self, value: Any, nodes: int, chars: int, mark: Any,
             anchor: str | None) -> None:
        """A finished node (or alias) goes into whatever is open around it."""
        if anchor is not None:
            self.anchors[anchor] = (value, nodes, chars)
        if not self.stack:
            # libyaml gives an empty document an empty scalar: None.
            self.documents.append("<<" if value is MERGE_KEY else value)
            return
        parent = self.stack[-1]
        parent.nodes += nodes
        parent.chars += chars
        problem = parent.add(value, mark)
        if problem is not None:
            self._problem(mark, problem, fatal=False)
