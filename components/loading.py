"""From raw stack config to a validated `StackConfig`, or to one line per problem.

Both roads into the program pass through `parse_config`: the Pulumi engine
(which hands the program every value as a string, objects as JSON) and the
offline renderer (which reads the stack file and hands values over the same
way). So a stack that renders offline is a stack that `pulumi up` accepts.
"""

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, SecretStr, ValidationError

from .config import SECRET_KEYS, UPDATE_STRATEGY_TYPES, StackConfig, config_aliases
from .config_base import KeyedError
from .kube_types import quoted

PROJECT = "redis-filebeat"
"""The Pulumi project name, and so the config namespace of every key we read."""
STACK_CONFIG_DIR = "stacks"
UNDECRYPTED = "[secret: only the Pulumi CLI can decrypt it]"
"""What the offline reader passes on for a `secure:` value. It satisfies the
password rules, so validation goes on; the engine checks the real value."""
"""Where Pulumi.yaml's `stackConfigDir` puts the stack files."""


def stack_file(stack: str) -> str:
    """The stack file Pulumi reads for a stack, as a path an operator can open."""
    return f"{STACK_CONFIG_DIR}/Pulumi.{stack}.yaml"


@dataclass(frozen=True)
class Problem:
    key: str
    """Where, as a dotted path below the namespace: `filebeat.updateStrategy.maxSurge`."""
    message: str


class ConfigError(Exception):
    """Config that must not reach the cluster. One line per problem, each naming
    the stack file and the key, so it reads well in a terminal and in CI logs."""

    def __init__(self, origin: str, problems: Iterable[Problem]):
        self.origin = origin
        self.problems = list(problems)
        super().__init__(self.lines())

    def lines(self) -> str:
        return "\n".join(_printable(f"{self.origin}: {p.key}: {p.message}")
                         for p in self.problems)


def _printable(line: str) -> str:
    # A line break inside a problem (from a key or value the operator typed)
    # would split it in two and break one-line-per-problem for CI logs.
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)


def readable_key(part: str) -> str:
    """A config key as an error names it: quoted when it would not read as one."""
    plain = part and part.isprintable() and " " not in part and len(part) <= 60
    return part if plain else quoted(part)


@dataclass(frozen=True)
class RawConfig:
    """Config as the engine hands it over: full keys, string values."""

    values: Mapping[str, str | None]
    secret_keys: frozenset[str] = frozenset()


def parse_config(raw: RawConfig, origin: str) -> StackConfig:
    """Validate the project's keys; raise `ConfigError` listing every problem."""
    problems: list[Problem] = []
    data: dict[str, Any] = {}
    known = {field.alias: field for field in StackConfig.model_fields.values()}
    for full_key, text in sorted(raw.values.items()):
        namespace, colon, key = full_key.partition(":")
        if not colon:
            # Pulumi reads stack-file keys as <namespace>:<name>; a bare name
            # would be no key of ours, and a typo must not pass in silence.
            problems.append(Problem(readable_key(full_key),
                                    f"has no namespace; write {PROJECT}:{full_key}"))
            continue
        if namespace != PROJECT:
            continue  # other packages' config, e.g. kubernetes:context
        if key not in known:
            problems.append(Problem(readable_key(key), "unknown key" + _did_you_mean(key, known)))
        elif text is None:
            problems.append(Problem(key, "is empty; give it a value or remove the key"))
        elif key in SECRET_KEYS and full_key not in raw.secret_keys:
            problems.append(Problem(key, (
                "is stored in plain text in the stack file; set it with "
                f"`pulumi config set --secret {full_key}` so it is encrypted"
            )))
        elif full_key in raw.secret_keys and key not in SECRET_KEYS:
            problems.append(Problem(key, (
                "is stored as a secret, but this key is written into the manifests "
                "in plain text; set it without --secret"
            )))
        else:
            annotation = known[key].annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                try:
                    data[key] = json.loads(text)
                except json.JSONDecodeError:
                    problems.append(Problem(key, (
                        "must be an object; set its fields with `pulumi config set --path`"
                    )))
            else:
                data[key] = _scalar(text, annotation)
    try:
        # Stack files use the camelCase keys only; snake_case names are for Python.
        config = StackConfig.model_validate(data, by_alias=True, by_name=False)
    except ValidationError as error:
        refused = {p.key for p in problems}
        problems.extend(
            p for p in map(_problem, error.errors())
            if p.key not in refused  # "is required" adds nothing to why it was refused
        )
        config = None
    if problems:
        raise ConfigError(origin, problems)
    return config


def _scalar(text: str, annotation: Any) -> Any:
    # The engine passes `true` as the string "true"; Config.get_bool would too.
    if annotation is bool and text in ("true", "false"):
        return text == "true"
    return text


def _problem(error: Mapping[str, Any]) -> Problem:
    loc = list(error["loc"])
    kind, message = error["type"], error["msg"]
    if "updateStrategy" in loc:
        # The discriminated union adds its tag to the path; operators never wrote it.
        at = loc.index("updateStrategy") + 1
        if at < len(loc) and loc[at] in UPDATE_STRATEGY_TYPES:
            strategy = loc.pop(at)
            if kind == "extra_forbidden" and strategy == "OnDelete":
                kind, message = "onDelete", (
                    "is not allowed with type OnDelete: pods are replaced only when "
                    "you delete them, so there is no rollout to tune"
                )
    broken = (error.get("ctx") or {}).get("error")
    if isinstance(broken, KeyedError):
        loc.extend(broken.key.split("."))
    if loc and loc[-1] == "[key]":
        loc = loc[:-2]  # a bad dict key: the message already quotes it
    key = ".".join(readable_key(part) if isinstance(part, str) else f"[{part}]" for part in loc)
    key = key.replace(".[", "[") or "(stack)"
    if kind == "extra_forbidden":
        message = "unknown key" + _did_you_mean(str(loc[-1]), config_aliases())
    elif kind == "missing":
        message = "is required"
    elif kind == "unknown_strategy":
        given = error["input"]
        message = (
            f"unknown update strategy type {given.get('type')!r}; use RollingUpdate or OnDelete"
            if isinstance(given, dict)
            else f"must be a mapping such as {{type: RollingUpdate}} (got {quoted(given)})"
        )
    elif kind in ("too_short", "too_long") and isinstance(error["input"], (str, SecretStr)):
        # A SecretStr's length errors speak of "items"; say characters.
        ctx = error.get("ctx") or {}
        message = (f"must have at least {ctx.get('min_length')} characters"
                   if kind == "too_short"
                   else f"must have at most {ctx.get('max_length')} characters")
    elif kind == "too_short":
        message = "must not be empty"
    elif kind == "value_error":
        message = message.removeprefix("Value error, ")
    elif kind == "literal_error":
        message = f"{message.replace('Input should be', 'must be')} (got {quoted(error['input'])})"
    elif kind != "onDelete":
        message = message.replace("Input should", "should")
        if not (loc and loc[0] in SECRET_KEYS):  # an error must never print a secret
            message += f" (got {quoted(error['input'])})"
    return Problem(key, message)


def _did_you_mean(key: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.7)
    return f"; did you mean {close[0]!r}?" if close else ""


class StackFileError(Exception):
    """A stack file that cannot be read at all: missing, or not YAML."""


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that refuses a key given twice in one mapping, as Pulumi's
    own YAML reader does, rather than silently keeping the last one. It
    parses with libyaml where PyYAML has it: ten times the pure-Python
    parser's speed, which a stack with hundreds of node classes notices."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_stack_file(path: Path) -> RawConfig:
    """Read a `Pulumi.<stack>.yaml` the way the engine would present it.

    Secure values cannot be decrypted without the Pulumi CLI, so their keys
    are only marked secret; the value handed on is a placeholder.
    """
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}
    except OSError as error:
        raise StackFileError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise StackFileError(f"{path}: is not UTF-8 text") from None
    except yaml.YAMLError as error:
        raise StackFileError(f"{path}: is not valid YAML: {_one_line(error)}") from None
    config = document.get("config") if isinstance(document, dict) else None
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise StackFileError(f"{path}: config: must be a mapping of keys to values")
    values: dict[str, str | None] = {}
    secret_keys: set[str] = set()
    for key, value in config.items():
        full_key = str(key)
        if _holds_secret(value):
            secret_keys.add(full_key)
        values[full_key] = _as_engine_string(value)
    return RawConfig(values, frozenset(secret_keys))


def _holds_secret(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_holds_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_secret(v) for v in value)
    return False


def _as_engine_string(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value  # None: a bare `key:`, which parse_config refuses
    if isinstance(value, dict) and set(value) == {"secure"}:
        return UNDECRYPTED
    return json.dumps(value, default=str)


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
