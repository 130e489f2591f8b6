"""A diff as a reviewer reads it: in a terminal, or as a pull-request comment.

Both formats lead with what the change does in the cluster, then list the
fields. Values are shown on one line each; a multi-line value (a ConfigMap's
file) is shown as a unified diff of its lines.
"""

import re
from collections.abc import Callable, Sequence

from ..render.manifests import to_yaml
from .fields import FieldChange, show, text_diff
from .pairing import ObjectDiff

_MARK = {"added": "+", "removed": "-", "changed": "~", "moved": "~"}
COMMENT_LIMIT = 60_000
"""GitHub refuses a comment over 65,536 characters; keep clear of it."""


def summary(diffs: Sequence[ObjectDiff]) -> str:
    if not diffs:
        return "no changes"
    counts = {status: sum(d.status == status for d in diffs)
              for status in ("changed", "moved", "added", "removed")}
    return ", ".join(f"{n} {status}" for status, n in counts.items() if n)


def as_text(diffs: Sequence[ObjectDiff], old: str, new: str) -> str:
    lines = [f"diff {old} → {new}: {summary(diffs)}"]
    with_impacts = [d for d in diffs if d.impacts]
    if with_impacts:
        lines += ["", "What happens in the cluster:"]
        lines += [f"  {d.identity}: {line}" for d in with_impacts for line in d.impacts]
    for d in diffs:
        lines += ["", f"{_MARK[d.status]} {d.identity} ({d.status})"]
        lines += [f"    {line}" for line in _field_lines(d)]
    return "\n".join(lines) + "\n"


def as_markdown(diffs: Sequence[ObjectDiff], old: str, new: str,
                limit: int = COMMENT_LIMIT) -> str:
    """A comment of at most `limit` characters, so GitHub takes it. The
    consequences take up to half of it and the objects' fields the rest; what
    does not fit is counted, with the command that shows it all, and that
    count is paid for out of the same budget."""
    again = f"run `python -m components diff {old} {new}` to see them"
    lines = [f"### redis-filebeat: `{old}` → `{new}`", "", f"**{summary(diffs)}**"]
    consequences = [[f"- **{_escape(d.identity)}**: {_escape(line)}"]
                    for d in diffs for line in d.impacts]
    if consequences:
        lines += ["", "#### What happens in the cluster", ""]
        lines += _cut(consequences, limit // 2 - _size(lines), lambda left: [
            f"- …and {left} more, left out to fit a comment: {again}"])
    if diffs:
        lines += ["", "#### Objects", ""]
    lines += _cut([_details(d) for d in diffs], limit - _size(lines), lambda left: [
        "", f"…and {left} more objects, left out to fit a comment: {again}"])
    return "\n".join(lines) + "\n"


def _size(lines: Sequence[str]) -> int:
    """What `lines` add to the report, each with its newline."""
    return sum(len(line) + 1 for line in lines)


def _cut(items: Sequence[list[str]], budget: int,
         left_out: Callable[[int], list[str]]) -> list[str]:
    """The items, from the first, that fit in `budget` characters; when some do
    not, fewer, so that the lines `left_out` says about the rest fit too."""
    if _size([line for item in items for line in item]) <= budget:
        return [line for item in items for line in item]
    budget -= _size(left_out(len(items)))  # the longest count it can say
    used, shown = 0, 0
    for item in items:
        used += _size(item)
        if used > budget:
            break
        shown += 1
    return [line for item in items[:shown] for line in item] + left_out(len(items) - shown)


def _details(d: ObjectDiff) -> list[str]:
    body = _field_lines(d)
    fence = _fence("\n".join(body))
    return [
        "<details>",
        f"<summary>{_MARK[d.status]} {_html(d.identity)} ({d.status}, "
        f"{_count(d, body)})</summary>",
        "",
        f"{fence}diff",
        *(_diff_line(d, line) for line in body),
        fence,
        "",
        "</details>",
    ]


SHOWN_NODES = 20_000
"""The most values of an added or removed object shown as YAML. A rendered
object has a few hundred; one at the reader's limit (a million, through
aliases) took 30 s to print as YAML and 9 MB of report, so past this its
fields are shown one short line each instead."""


def _field_lines(d: ObjectDiff) -> list[str]:
    if d.status in ("added", "removed"):
        manifest = d.change.latest
        assert manifest is not None
        if _more_nodes_than(manifest.body, SHOWN_NODES):
            return [f"(over {SHOWN_NODES} values: each field on one line)"] + [
                f"{key}: {show(value)}" for key, value in manifest.body.items()]
        return to_yaml([manifest.body]).removeprefix("---\n").splitlines()
    lines = []
    for change in d.fields:
        lines += _one_field(change)
    return lines


def _one_field(change: FieldChange) -> list[str]:
    if change.is_text():
        return [f"{change.path}:"] + [f"  {line}" for line in text_diff(change)]
    return [f"{change.path}: {show(change.old)} → {show(change.new)}"]


def _diff_line(d: ObjectDiff, line: str) -> str:
    """Colour the block for GitHub's `diff` highlighter: whole objects by their
    status; a field's text diff keeps its own +/- lines."""
    if d.status == "added":
        return f"+ {line}"
    if d.status == "removed":
        return f"- {line}"
    if line.startswith(("  +", "  -")):
        # A line of a unified diff: text_diff has dropped its headers, so even
        # `---` or `+++c` is a line of the file.
        return line[2:]
    return f"  {line}"


def _count(d: ObjectDiff, body: list[str]) -> str:
    if d.status in ("added", "removed"):
        return f"{len(body)} lines"
    return f"{len(d.fields)} field" + ("" if len(d.fields) == 1 else "s")


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in the text."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _escape(text: str) -> str:
    return re.sub(r"([\\`*_<>\[\]|])", r"\\\1", text)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _more_nodes_than(value: object, limit: int) -> bool:
    """Whether `value` holds more than `limit` values, counting aliases
    each time they appear; stops counting there."""
    stack, seen = [value], 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > limit:
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


_HUNK_INDENT = 6
"""Where `as_text` puts a unified diff's marker column (under a field, in an object)."""
_COLOURS = {"+": "32", "-": "31", "~": "33", "@": "36"}
"""ANSI SGR codes: green for what is added, red for removed, yellow for
changed objects, cyan for a hunk's place, as `git diff --color` does."""


def coloured(text: str) -> str:
    """The text report with ANSI colour: object headers by status, and the
    lines of multi-line values as a unified diff colours them."""
    def paint(line: str) -> str:
        if line[:2] in ("+ ", "- ", "~ "):  # an object's header
            indent = 0
        elif line[:_HUNK_INDENT].isspace() and line[_HUNK_INDENT:][:1] in ("+", "-", "@"):
            indent = _HUNK_INDENT  # a line of a unified diff: its marker comes first
        else:
            return line
        return f"{line[:indent]}\x1b[{_COLOURS[line[indent]]}m{line[indent:]}\x1b[0m"

    return "\n".join(paint(line) for line in text.split("\n"))
