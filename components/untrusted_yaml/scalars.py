"""What a scalar becomes: its tag (resolved as PyYAML resolves plain scalars)
and its value, for the JSON-like core only.

Separate from the builder so the one place that decides which tags are read
is short enough to audit: str, int, float, bool, null and timestamp (kept as
its text); everything else is refused with a reason.
"""

from typing import Any, Final

from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from .limits import Limits
from .problems import SNIPPET, snippet

_T = "tag:yaml.org,2002:"
STR, NULL, BOOL, INT, FLOAT = _T + "str", _T + "null", _T + "bool", _T + "int", _T + "float"
TIMESTAMP, MERGE, VALUE, SEQ, MAP = (_T + "timestamp", _T + "merge", _T + "value",
                                     _T + "seq", _T + "map")
_CONSTRUCTOR: Final = SafeConstructor()
MERGE_KEY: Final = object()
"""What a `<<` scalar builds; only a key position turns it into a merge."""
_IMPLICIT: Final = Resolver.yaml_implicit_resolvers


class Refused(Exception):
    """A scalar that is read on (for further problems) but not accepted."""


def resolve(plain: str) -> str:
    """The tag of a plain scalar, as PyYAML's Resolver gives it (without its
    per-call overhead: most scalars start with a letter no resolver claims)."""
    for tag, pattern in _IMPLICIT.get(plain[:1], ()):
        if pattern.match(plain):
            return str(tag)
    return STR


def short(tag: str) -> str:
    return "!!" + tag.removeprefix(_T) if tag.startswith(_T) else tag


def refused_tag(tag: str) -> str:
    if tag.startswith(_T + "python/"):
        return f"the tag {short(tag)[:SNIPPET]} is refused: it would run Python code"
    if tag.startswith(_T):
        return (f"the tag {short(tag)[:SNIPPET]} is not accepted: only text, numbers, "
                "booleans, null, lists and mappings are read")
    return f"unknown tag {tag[:SNIPPET]}: only YAML's own !!str, !!int and the like are read"


def construct(tag: str, value: str, limits: Limits) -> Any:
    """The value of a scalar tagged `tag`; raises `Refused` with the reason."""
    if tag in (STR, TIMESTAMP, VALUE):
        return value
    if tag == NULL:
        return None
    if tag == MERGE:
        return MERGE_KEY
    if tag == BOOL:
        if value.lower() in _CONSTRUCTOR.bool_values:
            return _CONSTRUCTOR.bool_values[value.lower()]
        raise Refused(f"{snippet(value)} is tagged !!bool but is not true or false")
    if tag == INT and value.isdecimal() and value.isascii() and len(value) <= 18 and (
            value[0] != "0" or value == "0"):
        return int(value)  # the common case, ten times quicker than PyYAML's
    if tag in (INT, FLOAT):
        kind = "int" if tag == INT else "float"
        if len(value) > limits.max_number_chars:
            # Before any conversion: int() of 5000 digits is fine, str() of it
            # (json.dumps) is a ValueError, and 10^6 digits take seconds.
            raise Refused(f"a number of {len(value)} characters; at most "
                          f"{limits.max_number_chars} are read (quote it if it is text)")
        try:
            node = ScalarNode(tag, value)
            if tag == INT:
                return _CONSTRUCTOR.construct_yaml_int(node)
            return _CONSTRUCTOR.construct_yaml_float(node)
        except ValueError:
            raise Refused(f"{snippet(value)} is tagged !!{kind} but is not "
                          "a number of that kind") from None
    raise Refused(refused_tag(tag))
