"""Regular expressions as filebeat reads them: Go's regexp, whose syntax is RE2's.

Filebeat compiles every pattern a stack file gives it (a multiline `pattern`, a
condition's `regexp`, `excludeFiles`) with libbeat's `match.Compile`: Go's
`regexp/syntax.Parse(pattern, syntax.Perl)`, then a rewrite of the tree that
is compiled again from its text. A pattern it refuses stops filebeat on every
node, so this check must refuse it first, and must not refuse what filebeat reads.

RE2's own parser, through the google-re2 package, decides the syntax: Go's
regexp implements RE2's. What follows handles where the two differ, and where
filebeats differ by the Go they were built with (8.10 to 8.12 with Go 1.20,
8.13 with 1.21; toolchain/ builds main's with 1.26). The rule is what every
filebeat from 8.10 on (the oldest the generated config is for) reads, so a
pattern that one release would refuse is refused, with the spelling all read:

- `\\C` (any byte): RE2 has it, Go does not.
- group names: RE2 takes any word character, Go only ASCII letters, digits and `_`.
- `(?<name>...)`: Go 1.22 added it, so 8.13 and older refuse it; `(?P<name>...)`
  means the same to every release.
- `\\p{Name}`: Go 1.25 and later look a script up by a normalised name that
  misses every script with `_` (`Old_Italic`) or an inner capital
  (`SignWriting`), however spelt; and Go 1.20 has Unicode 13, so it lacks the
  scripts of 14 and 15 that RE2 knows. The long names Go 1.25 added
  (`\\p{Letter}`) are RE2's error. A google-re2 on a newer Unicode would know
  scripts no Go has: tests/config/test_re2.py holds it to Unicode 15.
- depth: Go refuses a tree more than 1000 levels deep, and filebeat's rewrite
  turns `x{n,m}` into m-n nested optional copies, two levels each, which RE2
  never sees. Lacking Go's tree, re2_depth.py bounds its height from the
  pattern's shape, over, never under: so `a{0,500}`, which Go nests exactly
  1000 deep, is refused, while a long pattern of any length is not, unless
  its ranges or its alternatives' shared leading pieces could nest that deep.
- size: RE2 compiles to bytes under an 8 MB cap where Go compiles to runes, so
  a big Unicode class repeated a thousand times (`\\pL{1000}`) is refused here
  though filebeat reads it; Go's own size cap is never reached within the depth.
"""

import re
from typing import Annotated, Any, NamedTuple

from pydantic import AfterValidator, Field

from .re2_depth import depth_bound

GO_MAX_DEPTH = 1000
"""Go's regexp/syntax maxHeight: deeper parse trees are refused."""
_ESCAPE = re.compile(r"\\(?:Q.*?(?:\\E|\Z)|[pP]\{\^?([^}]*)\}|.)", re.DOTALL)
"""A backslash escape, a \\Q...\\E quote whole, or \\p{Name} with its name:
read left to right, so an escaped backslash is never taken for an escape."""
_GROUP_NAME = re.compile(r"[A-Za-z0-9_]+")
_NOT_IN_GO_1_20 = frozenset({"Cypro_Minoan", "Kawi", "Nag_Mundari", "Old_Uyghur", "Tangsa",
                             "Toto", "Vithkuqi"})
"""The scripts of Unicode 14 and 15, which RE2 knows and Go 1.20 does not."""
_LOOKAROUND_OR_BACKREFERENCE = re.compile(r"invalid perl operator: \(\?<?[=!]|"
                                          r"invalid escape sequence: \\[1-9]")


class _Groups(NamedTuple):
    captures: int
    names: frozenset[str]


def _check_re2(pattern: str) -> str:
    groups = _read(pattern)
    problem = (_escape_problem(pattern) or _group_problem(pattern, groups)
               or _depth_problem(pattern))
    if problem:
        raise ValueError(problem)
    return pattern


def _read(pattern: str) -> _Groups:
    """The pattern's groups, once RE2 has read it, or a ValueError saying why
    it does not.

    re2 is imported here, not at the top: most stacks have no pattern, and
    the render pays for the C++ library's load only when one does."""
    import re2  # type: ignore[import-untyped]  # google-re2 ships no type hints

    options = re2.Options()
    options.log_errors = False  # the error is raised below; RE2 would print it too
    try:
        compiled: Any = re2.compile(pattern, options)
    except re2.error as error:
        reason = error.args[0].decode(errors="replace")
        if _LOOKAROUND_OR_BACKREFERENCE.match(reason):
            raise ValueError("uses a lookaround or backreference, which filebeat's RE2 "
                             "lacks") from None
        if reason.startswith("pattern too large"):
            raise ValueError("compiles beyond RE2's 8 MB, so it cannot be checked here; "
                             "repeat a smaller class, or fewer times") from None
        raise ValueError(f"is not a regular expression filebeat reads: {reason}") from None
    except UnicodeEncodeError:
        raise ValueError("holds a lone surrogate, which is not text") from None
    return _Groups(compiled.groups, frozenset(compiled.groupindex))


def _escape_problem(pattern: str) -> str | None:
    for escape in _ESCAPE.finditer(pattern):
        name = escape.group(1)
        if escape.group() == "\\C":
            return "uses \\C (any byte), which RE2 has and filebeat's Go regexp lacks"
        if name and ("_" in name or name == "SignWriting"):
            return (f"uses {escape.group()}, a script name filebeat built with Go 1.25 or "
                    "later cannot look up in any spelling; give the characters' range")
        if name in _NOT_IN_GO_1_20:
            return (f"uses {escape.group()}, a script of Unicode 14 or 15, which filebeat "
                    "8.10 to 8.12 (Go 1.20) lacks; give the characters' range")
    return None


def _group_problem(pattern: str, groups: _Groups) -> str | None:
    for name in sorted(groups.names):
        if not _GROUP_NAME.fullmatch(name):
            return (f"names a group {name!r}; filebeat's Go regexp takes only ASCII "
                    "letters, digits and '_' in a group's name")
    # Made non-capturing, a (?<name>...) group stops counting; a literal "(?<"
    # (in a class, after \( or inside \Q...\E) changes no group.
    if "(?<" in pattern and _groups_or_none(pattern.replace("(?<", "(?:<")) != groups:
        return ("spells a named group (?<name>...), which filebeat 8.13 and older "
                "(Go 1.21 and older) refuses; write (?P<name>...)")
    return None


def _groups_or_none(pattern: str) -> _Groups | None:
    try:
        return _read(pattern)
    except ValueError:
        return None


def _depth_problem(pattern: str) -> str | None:
    depth = depth_bound(pattern)
    if depth <= GO_MAX_DEPTH:
        return None
    return (f"may nest deeper than the {GO_MAX_DEPTH} levels filebeat's Go regexp allows "
            f"(up to {depth}: two for each of the m-n nested copies filebeat makes of an "
            "x{n,m}, two for each leading piece alternatives may share); narrow its {n,m} "
            "ranges or shorten its alternatives")


Re2Pattern = Annotated[str, Field(min_length=1), AfterValidator(_check_re2)]
"""A non-empty pattern in the syntax every filebeat from 8.10 on reads
(Go's regexp, RE2 syntax; the module's docstring lists the fine print)."""
