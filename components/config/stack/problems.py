"""pydantic's errors as an operator reads them: the key as written in the
stack file, and a message that says what to write instead."""

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import SecretStr
from pydantic_core import ErrorDetails

from ..base import KeyedError
from ..errors import Problem, quoted, readable_key
from ..filebeat.processors import PROCESSOR_TYPES
from ..kube.rollout import UPDATE_STRATEGY_TYPES
from ..suggestions import did_you_mean
from .model import SECRET_KEYS, config_aliases


@dataclass(frozen=True)
class _Where:
    """Where pydantic found a problem, as the operator wrote the keys."""

    loc: list[str | int]
    strategy: str | None
    """The update strategy type, when the problem is inside one."""
    also: list[list[str | int]]
    """Where the other keys a broken rule compares are (`KeyedError.also`)."""


def problem(error: ErrorDetails) -> Problem:
    where = _where(error)
    translate = _MESSAGES.get(error["type"], _plain_message)
    return Problem(_dotted(where.loc) or "(stack)", translate(error, where),
                   tuple(_dotted(loc) for loc in where.also))


def _dotted(loc: list[str | int]) -> str:
    key = ".".join(readable_key(part) if isinstance(part, str) else f"[{part}]" for part in loc)
    return key.replace(".[", "[")


def _where(error: ErrorDetails) -> _Where:
    loc, strategy = list(error["loc"]), None
    if "updateStrategy" in loc:
        # The discriminated union adds its tag to the path; operators never wrote it.
        at = loc.index("updateStrategy") + 1
        if at < len(loc) and loc[at] in UPDATE_STRATEGY_TYPES:
            strategy = str(loc.pop(at))
    # A processor's type is added to the path the same way.
    loc = [part for at, part in enumerate(loc)
           if not (part in PROCESSOR_TYPES and at >= 2 and isinstance(loc[at - 1], int)
                   and loc[at - 2] == "processors")]
    broken = (error.get("ctx") or {}).get("error")
    also: list[list[str | int]] = []
    if isinstance(broken, KeyedError):
        also = [[*loc, *_parts(key)] for key in broken.also]
        loc.extend(_parts(broken.key))
    if loc and loc[-1] == "[key]":
        loc = loc[:-2]  # a bad dict key: the message already quotes it
    return _Where(loc, strategy, also)


def _parts(key: str) -> list[str | int]:
    return [int(part) if part.isdigit() else part for part in key.split(".")]


def _unknown_key(error: ErrorDetails, where: _Where) -> str:
    if where.strategy == "OnDelete":
        return ("is not allowed with type OnDelete: pods are replaced only when you delete "
                "them, so there is no rollout to tune")
    return "unknown key" + did_you_mean(str(where.loc[-1]), config_aliases())


def _unknown_strategy(error: ErrorDetails, where: _Where) -> str:
    given = error["input"]
    if isinstance(given, dict):
        return f"unknown update strategy type {given.get('type')!r}; use RollingUpdate or OnDelete"
    return f"must be a mapping such as {{type: RollingUpdate}} (got {quoted(given)})"


def _unknown_processor(error: ErrorDetails, where: _Where) -> str:
    tag = str((error.get("ctx") or {}).get("tag"))
    typed = ", ".join(PROCESSOR_TYPES)
    hint = did_you_mean(tag, PROCESSOR_TYPES) or f"; the typed ones are {typed}"
    return f"unknown processor type {quoted(tag)}{hint}"


def _length(error: ErrorDetails, where: _Where) -> str:
    ctx = error.get("ctx") or {}
    if isinstance(error["input"], (str, SecretStr)):
        # A SecretStr's length errors speak of "items"; say characters.
        if error["type"] == "too_short":
            return f"must have at least {ctx.get('min_length')} characters"
        return f"must have at most {ctx.get('max_length')} characters"
    if error["type"] == "too_short":
        return "must not be empty"
    return _plain_message(error, where)


def _literal(error: ErrorDetails, where: _Where) -> str:
    return f"{error['msg'].replace('Input should be', 'must be')} (got {quoted(error['input'])})"


def _not_text(error: ErrorDetails, where: _Where) -> str:
    given = error["input"]
    if isinstance(given, bool | int | float) and not (where.loc and where.loc[0] in SECRET_KEYS):
        # YAML reads true, yes, 1 and 1.5 unquoted as booleans and numbers.
        written = str(given).lower() if isinstance(given, bool) else str(given)
        return (f"must be text, but YAML read {written} as a "
                f"{'boolean' if isinstance(given, bool) else 'number'}: quote it, as '{written}'")
    return _plain_message(error, where)


def _plain_message(error: ErrorDetails, where: _Where) -> str:
    message = error["msg"].replace("Input should", "should")
    if where.loc and where.loc[0] in SECRET_KEYS:
        return message  # an error must never print a secret
    return f"{message} (got {quoted(error['input'])})"


_MESSAGES: dict[str, Callable[[ErrorDetails, _Where], str]] = {
    "extra_forbidden": _unknown_key,
    "missing": lambda error, where: "is required",
    "unknown_strategy": _unknown_strategy,
    "union_tag_invalid": _unknown_processor,
    "union_tag_not_found": lambda error, where: (
        f"needs a type, one of {', '.join(PROCESSOR_TYPES)}"),
    "too_short": _length,
    "too_long": _length,
    "value_error": lambda error, where: error["msg"].removeprefix("Value error, "),
    "literal_error": _literal,
    "string_type": _not_text,
}
"""pydantic's error types, and how each reads to an operator; any other type
keeps pydantic's message, with the value that was given."""
