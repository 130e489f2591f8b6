"""One reader for YAML that comes from pull requests: bounded, and every bad
input ends in one line per problem, `<origin>:<line>:<column>: <what>`.

    documents = load_documents(text, "stacks/Pulumi.dev.yaml")   # like safe_load_all
    document = load_document(text, "stacks/Pulumi.dev.yaml")     # exactly one, or None

Either raises `UntrustedYamlError`; nothing else escapes (no traceback, no
RecursionError, no `ValueError: Exceeds the limit (4300 digits)`).

How: libyaml's C parser (PyYAML's pure-Python one where libyaml is missing)
turns the text into events, and this module builds the Python values from
those events itself, in one pass with an explicit stack, never recursing.
It does not use PyYAML's composer: that recursion is bounded only by the
parser, and the composed node graph costs ~300 bytes a node (618 MB for a
4 MiB flow list) before any limit could be checked on it. Walking the events
instead, each limit is checked as the input reaches it, so memory stays
proportional to what has been accepted so far.

Aliases are counted, not expanded: an anchor's expanded size (nodes, and
scalar characters) is summed once when its node ends, and an alias adds that
sum. An alias bomb is cheap to parse and even to construct (aliases share one
Python object); it blows up in whatever walks the result later (json.dumps,
diffing), so it is refused here on that count, in time linear in the text.

Values are what `yaml.safe_load` gives, except (all deliberate):
- timestamps stay the text they were written as (`2024-01-01` is the str
  "2024-01-01", not a date), as JSON, Kubernetes and Pulumi hold them;
- `<<` and `=` as values are the strings "<<" and "=" (safe_load fails);
- tags other than str, int, float, bool, null, seq, map and timestamp are
  refused, including the safe ones with no JSON form (!!binary, !!set,
  !!omap, !!pairs), every !!python/... tag and every local tag (`!foo`);
- keys that are sequences or mappings, and keys given twice in one mapping,
  are refused (safe_load fails with a TypeError, or keeps the last one).
Merge keys (`<<: *base`) resolve as YAML 1.1 says and PyYAML, Pulumi's
yaml.v3 and kubectl's go-yaml do: explicit keys win over merged ones, and in
`<<: [*a, *b]` the earlier mapping wins. Their cost is part of the count.
As with safe_load, an alias is the same Python object as its anchor.
Keys that are plain `on`, `yes`, `1` stay YAML 1.1's True, True and 1.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import yaml
from yaml import events
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

_Parser: Final[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""Only its parser is used (`get_event`): libyaml's where PyYAML has it,
about five times the speed of composing the same text."""

MiB: Final = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one call accepts. Our stack files are 1-3 KB, about 100 nodes and 6
    levels deep; the largest real YAML measured here, the 1.5 MB Pulumi Stack
    CRD (tests/crds), has 25,000 nodes and nests 35 collections deep."""

    max_bytes: int = 8 * MiB
    """UTF-8 bytes of the whole text, checked before parsing. A rendered folder
    of 1000 node classes is a few MB, and `kubectl kustomize` output saved as
    one file puts all of it in one file; one Kubernetes object is at most 3 MiB
    (the API server's request limit). 8 MiB is two to three times both, and
    reads in about 2 s."""
    max_nodes: int = 250_000
    """Scalars, collections, aliases and documents in the stream. Real YAML
    has ~60 bytes a node (the CRD: 25,000 in 1.5 MB), so 8 MiB of it is
    ~140,000; dense text (`[1,1,1,...]`, 2 bytes a node) would otherwise reach
    4 million: ~30 s and gigabytes of Python objects."""
    max_depth: int = 100
    """Nested collections. Kubernetes manifests nest ~15 deep and the deepest
    CRD schema measured 35; 100 also keeps far below Python's recursion limit
    for whatever walks the result recursively (json, deepcopy, pydantic)."""
    max_expanded_nodes: int = 1_000_000
    """Nodes the stream would have if every alias were expanded, which is what
    json.dumps or a diff walks. A real file with a few merge keys expands by a
    few per cent; "billion laughs" by 10^9. Four times max_nodes, so a file at
    the node limit may still reuse anchors; a million nodes dump to JSON in ~1 s."""
    max_expanded_chars: int = 32 * MiB
    """Scalar characters with every alias expanded: one 1 MiB scalar aliased
    a thousand times is a small node count but a 1 GB JSON. Four times
    max_bytes, which bounds an alias-free file."""
    max_scalar_chars: int = 1 * MiB
    """One scalar. Kubernetes refuses a ConfigMap or Secret over 1 MiB, so no
    field of an object it would accept is longer."""
    max_number_chars: int = 100
    """An int or float as written. int64 has 19 digits and a float64 needs
    at most 17 significant ones; Python refuses ints of over 4300 digits only
    when they are converted (to str, so in json.dumps), with a ValueError. 100
    leaves room for underscores, exponents and long decimal fractions."""
    max_problems: int = 20
    """Problems reported before giving up: enough to fix a file in one round,
    few enough for a CI log."""


DEFAULT_LIMITS: Final = Limits()


@dataclass(frozen=True)
class Problem:
    line: int
    """1-based."""
    column: int
    """1-based, in characters."""
    message: str


class UntrustedYamlError(ValueError):
    """YAML that was refused; `lines()` is one line per problem, each
    `<origin>:<line>:<column>: <what>`, printable and of bounded length."""

    def __init__(self, origin: str, problems: Iterable[Problem]) -> None:
        self.origin = origin
        self.problems = list(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{_printable(self.origin)}:{p.line}:{p.column}: "
                f"{_printable(p.message)[:_MESSAGE]}" for p in self.problems]


def load_documents(text: str | bytes, origin: str, *,
                   limits: Limits = DEFAULT_LIMITS) -> list[Any]:
    """Every document in `text`, as `yaml.safe_load_all` would give them (see
    the module's docstring for the differences); an empty document is None.
    `origin` names the text in error lines, a path as the operator would type
    it. Bytes must be UTF-8; a leading BOM is dropped. Raises
    `UntrustedYamlError` for anything refused, listing every problem found."""
    return _Builder(origin, limits).run(_decode(text, origin, limits)).documents


def load_document(text: str | bytes, origin: str, *,
                  limits: Limits = DEFAULT_LIMITS) -> Any:
    """The one document in `text`, or None for an empty text (or one holding
    only comments). Refuses a text of two or more documents."""
    built = _Builder(origin, limits).run(_decode(text, origin, limits))
    documents = built.documents
    if len(documents) > 1:
        raise UntrustedYamlError(origin, [Problem(*built.starts[1], (
            f"holds {len(documents)} documents (`---`); only one is expected here"))])
    return documents[0] if documents else None


_SNIPPET = 40
"""The most of a key or value a message echoes."""
_MESSAGE = 300
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters YAML 1.1 does not allow anywhere in a stream."""


def _printable(line: str) -> str:
    # A line break inside a problem would split it in two in a CI log.
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)


def _snippet(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SNIPPET else text[:_SNIPPET] + "..."


def _place(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _decode(text: str | bytes, origin: str, limits: Limits) -> str:
    def refuse(line: int, column: int, message: str) -> UntrustedYamlError:
        return UntrustedYamlError(origin, [Problem(line, column, message)])

    if isinstance(text, str):
        if len(text) > limits.max_bytes:  # never fewer bytes than characters
            raise refuse(*_place(text, limits.max_bytes),
                         f"is longer than {limits.max_bytes} bytes; refused unread")
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise refuse(*_place(text, error.start), "holds a lone surrogate "
                         f"{text[error.start]!r}, which is not text") from None
    else:
        data = text
    if len(data) > limits.max_bytes:
        # The place is where the limit was crossed, counted in the raw bytes.
        head = data[:limits.max_bytes]
        raise refuse(head.count(b"\n") + 1, len(head) - head.rfind(b"\n"),
                     f"is longer than {limits.max_bytes} bytes; refused unread")
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _place(data[:error.start].decode("utf-8"), error.start)
        raise refuse(line, column, f"is not UTF-8: byte 0x{data[error.start]:02x} "
                     "cannot start or continue a character") from None
    decoded = decoded.removeprefix("\ufeff")
    bad = _NOT_YAML.search(decoded)
    if bad:
        raise refuse(*_place(decoded, bad.start()), f"holds the control character "
                     f"U+{ord(bad.group()):04X}, which YAML does not allow")
    return decoded


_T = "tag:yaml.org,2002:"
STR, NULL, BOOL, INT, FLOAT = _T + "str", _T + "null", _T + "bool", _T + "int", _T + "float"
TIMESTAMP, MERGE, VALUE, SEQ, MAP = (_T + "timestamp", _T + "merge", _T + "value",
                                     _T + "seq", _T + "map")
_CONSTRUCTOR: Final = SafeConstructor()
_MERGE_KEY: Final = object()
"""What a `<<` scalar builds; only a key position turns it into a merge."""


_IMPLICIT: Final = Resolver.yaml_implicit_resolvers


def _resolve(plain: str) -> str:
    """The tag of a plain scalar, as PyYAML's Resolver gives it (without its
    per-call overhead: most scalars start with a letter no resolver claims)."""
    for tag, pattern in _IMPLICIT.get(plain[:1], ()):
        if pattern.match(plain):
            return str(tag)
    return STR


class _Fatal(Exception):
    """Stops the build: the problem is already recorded."""


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix(_T) if tag.startswith(_T) else tag


def _refused_tag(tag: str) -> str:
    if tag.startswith(_T + "python/"):
        return f"the tag {_short(tag)[:_SNIPPET]} is refused: it would run Python code"
    if tag.startswith(_T):
        return (f"the tag {_short(tag)[:_SNIPPET]} is not accepted: only text, numbers, "
                "booleans, null, lists and mappings are read")
    return f"unknown tag {tag[:_SNIPPET]}: only YAML's own !!str, !!int and the like are read"


class _Collection:
    """An open sequence or mapping; `nodes` and `chars` sum its expanded size."""

    __slots__ = ("anchor", "chars", "has_key", "key", "key_mark", "mark",
                 "merges", "nodes", "value")

    def __init__(self, value: list[Any] | dict[Any, Any], anchor: str | None,
                 mark: Any) -> None:
        self.value = value
        self.anchor = anchor
        self.mark = mark
        self.nodes = 1
        self.chars = 0
        self.has_key = False
        self.key: Any = None
        self.key_mark: Any = None
        self.merges: list[dict[Any, Any]] = []


class _Builder:
    def __init__(self, origin: str, limits: Limits) -> None:
        self.origin = origin
        self.limits = limits
        self.problems: list[Problem] = []
        self.nodes = 0
        self.expanded_nodes = 0
        self.expanded_chars = 0
        self.stack: list[_Collection] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}
        self.documents: list[Any] = []
        self.starts: list[tuple[int, int]] = []
        """Where each document starts."""
        self.key_places: list[dict[Any, tuple[int, int]]] = []

    def run(self, text: str) -> "_Builder":
        try:
            self._build(text)
        except _Fatal:
            pass
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            what = " ".join(f"{error.problem or error.context or 'not valid YAML'}".split())
            if error.context and error.problem:
                what = f"{what} ({' '.join(error.context.split())})"
            self._problem(mark, what, fatal=False)
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
            tag = _resolve(value) if event.implicit[0] else STR
        built = value if tag == STR else self._construct(tag, value, mark)
        self._add(built, 1, len(value), mark, event.anchor)

    def _construct(self, tag: str, value: str, mark: Any) -> Any:
        if tag in (STR, TIMESTAMP, VALUE):
            return value
        if tag == NULL:
            return None
        if tag == MERGE:
            return _MERGE_KEY
        if tag == BOOL:
            if value.lower() in _CONSTRUCTOR.bool_values:
                return _CONSTRUCTOR.bool_values[value.lower()]
            self._problem(mark, f"{_snippet(value)} is tagged !!bool but is not "
                          "true or false", fatal=False)
            return None
        if tag == INT and value.isdecimal() and value.isascii() and len(value) <= 18 and (
                value[0] != "0" or value == "0"):
            return int(value)  # the common case, ten times quicker than PyYAML's
        if tag in (INT, FLOAT):
            kind = "int" if tag == INT else "float"
            if len(value) > self.limits.max_number_chars:
                self._problem(mark, f"a number of {len(value)} characters; at most "
                              f"{self.limits.max_number_chars} are read (quote it if it "
                              "is text)", fatal=False)
                return None
            try:
                node = ScalarNode(tag, value)
                if tag == INT:
                    return _CONSTRUCTOR.construct_yaml_int(node)
                return _CONSTRUCTOR.construct_yaml_float(node)
            except ValueError:
                self._problem(mark, f"{_snippet(value)} is tagged !!{kind} but is not "
                              "a number of that kind", fatal=False)
                return None
        self._problem(mark, _refused_tag(tag), fatal=False)
        return None

    def _alias(self, event: Any) -> None:
        mark = event.start_mark
        self._count(mark)
        name = event.anchor
        if name not in self.anchors:
            if any(c.anchor == name for c in self.stack):
                self._problem(mark, f"the alias *{name[:_SNIPPET]} is inside its own "
                              "anchor: a value that contains itself has no end")
            self._problem(mark, f"the alias *{name[:_SNIPPET]} has no anchor "
                          f"&{name[:_SNIPPET]} before it in this document")
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
                self._problem(mark, f"the tag {_short(tag)} is on a "
                              f"{'mapping' if mapping else 'sequence'}", fatal=False)
            else:
                self._problem(mark, _refused_tag(tag), fatal=False)
        if event.anchor is not None:
            self.anchors.pop(event.anchor, None)  # a redefined anchor: the new one
        self.stack.append(_Collection({} if mapping else [], event.anchor, mark))
        if mapping:
            self.key_places.append({})

    def _end(self) -> None:
        done = self.stack.pop()
        value = done.value
        if isinstance(value, dict):
            self.key_places.pop()
            if done.merges:
                merged: dict[Any, Any] = {}
                for source in done.merges:  # later ones win, as PyYAML orders them
                    merged.update(source)
                merged.update(value)
                value = merged
        self._add(value, done.nodes, done.chars, done.mark, done.anchor)

    def _add(self, value: Any, nodes: int, chars: int, mark: Any,
             anchor: str | None) -> None:
        """A finished node (or alias) goes into whatever is open around it."""
        if anchor is not None:
            self.anchors[anchor] = (value, nodes, chars)
        if not self.stack:
            # libyaml gives an empty document an empty scalar: None.
            self.documents.append("<<" if value is _MERGE_KEY else value)
            return
        parent = self.stack[-1]
        parent.nodes += nodes
        parent.chars += chars
        if isinstance(parent.value, list):
            parent.value.append("<<" if value is _MERGE_KEY else value)
        elif not parent.has_key:
            parent.has_key, parent.key, parent.key_mark = True, value, mark
            if isinstance(value, (list, dict)):
                parent.key = _BAD_KEY
                self._problem(mark, "a key must be text or a number, not a "
                              f"{'list' if isinstance(value, list) else 'mapping'} "
                              "(`? [a, b]`, `? {a: 1}`)", fatal=False)
            elif value is not _MERGE_KEY:
                places = self.key_places[-1]
                if value in places:
                    line, column = places[value]
                    parent.key = _BAD_KEY
                    self._problem(mark, f"the key {_snippet(value)} appears twice in "
                                  f"this mapping, first at line {line}, column {column}",
                                  fatal=False)
                else:
                    places[value] = (mark.line + 1, mark.column + 1)
        else:
            parent.has_key = False
            key = parent.key
            if key is _BAD_KEY:
                return
            if key is _MERGE_KEY:
                self._merge(parent, value, mark)
                return
            parent.value[key] = "<<" if value is _MERGE_KEY else value

    def _merge(self, parent: _Collection, value: Any, mark: Any) -> None:
        if isinstance(value, dict):
            parent.merges.append(value)
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            parent.merges.extend(reversed(value))  # the first one listed wins
        else:
            self._problem(mark, "`<<` merges a mapping or a list of mappings, not "
                          f"{_snippet(value)}", fatal=False)


_BAD_KEY: Final = object()
"""A refused key: its value is read (for its problems) and dropped."""
