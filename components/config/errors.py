"""Problems with a stack's config, as one line each that names the file and the key."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Nothing here may import pydantic: a stack file and its overrides are read,
# and their origins recorded by `readable_key`, before any model is loaded.


@dataclass(frozen=True)
class Problem:
    key: str
    """Where, as a dotted path below the namespace: `filebeat.updateStrategy.maxSurge`."""
    message: str
    also: tuple[str, ...] = ()
    """The other keys the broken rule compares `key` with (`KeyedError.also`)."""


class ConfigError(Exception):
    """Config that must not reach the cluster. One line per problem, each naming
    the stack file and the key, so it reads well in a terminal and in CI logs."""

    def __init__(self, origin: str, problems: Iterable[Problem],
                 origins: Mapping[str, str] | None = None):
        """`origins`: where keys came from when not from `origin` (RawConfig.origins)."""
        self.origin = origin
        self.problems = list(problems)
        self.origins = dict(origins or {})
        super().__init__(self.lines())

    def lines(self) -> str:
        return "\n".join(printable(f"{self.origin_of(key)}: {key}: {p.message}")
                         for p in self.problems for key in [self.blamed_key(p)])

    def blamed_key(self, problem: Problem) -> str:
        """The key a problem is named by: its own, unless an override left it
        alone but changed another key the rule compares it with. A rule that
        broke because of a `--set filebeat.image` is the --set's doing, and
        naming the stack file's filebeat.generateConfig would send the
        operator to a line they never touched."""
        if self._overridden(problem.key):
            return problem.key
        return next((key for key in problem.also if self._overridden(key)), problem.key)

    def _overridden(self, key: str) -> bool:
        return any(key == path or key.startswith((f"{path}.", f"{path}["))
                   or path.startswith((f"{key}.", f"{key}[")) for path in self.origins)

    def origin_of(self, key: str) -> str:
        """The source that set `key` (or the part of the config around it), and
        when sources set values below it, the stack file "with" those."""
        for path in sorted(self.origins, key=len, reverse=True):
            if key == path or key.startswith((f"{path}.", f"{path}[")):
                return self.origins[path]
        below = sorted({source for path, source in self.origins.items()
                        if path.startswith((f"{key}.", f"{key}["))})
        return f"{self.origin} with {', '.join(below)}" if below else self.origin


def printable(line: str) -> str:
    """`line` with every unprintable character escaped.

    A line break inside a problem (from a key or value the operator typed)
    would split it in two and break one-line-per-problem for CI logs.
    """
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)


def readable_key(part: str) -> str:
    """A config key as an error names it: quoted when it would not read as one."""
    plain = part and part.isprintable() and " " not in part and len(part) <= 60
    return part if plain else quoted(part)


def quoted(value: object, limit: int = 60) -> str:
    """Quote a bad value, cut short so that its error stays one readable line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
