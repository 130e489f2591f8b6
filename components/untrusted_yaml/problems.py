"""How a refusal is reported: one printable line per problem, with its place.

Everything a problem echoes (a key, a value, the origin) passes through
`printable`, so a line break or escape sequence in a hostile file cannot split
a line in a CI log or forge one.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import yaml


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
        return [f"{printable(self.origin)}:{p.line}:{p.column}: "
                f"{printable(p.message)[:MESSAGE]}" for p in self.problems]


SNIPPET = 40
"""The most of a key or value a message echoes."""
MESSAGE = 300
"""The most of a line a message takes, so a CI log line stays readable."""


def printable(line: str) -> str:
    # A line break inside a problem would split it in two in a CI log.
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)


def snippet(value: object) -> str:
    text = repr(value)
    return text if len(text) <= SNIPPET else text[:SNIPPET] + "..."


def place(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `offset` in `text`."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1



TAB = "holds a tab, and YAML indents with spaces only: replace the tab with spaces"


def parse_error(error: yaml.MarkedYAMLError, text: str) -> str:
    """What the parser refused in `text`, in one line. At a tab, a line that
    says so: PyYAML's own ("found character that cannot start any token")
    never names the character, which an editor shows as spaces."""
    mark = error.problem_mark or error.context_mark
    if mark is not None and text[mark.index:mark.index + 1] == "\t":
        return TAB
    what = " ".join(f"{error.problem or error.context or 'not valid YAML'}".split())
    if error.context and error.problem:
        what = f"{what} ({' '.join(error.context.split())})"
    return what
