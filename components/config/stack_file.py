"""Reading a `Pulumi.<stack>.yaml` as the engine would present it to the program."""

import json
from pathlib import Path
from typing import Any

import yaml

from ..project import UNDECRYPTED, RawConfig


class StackFileError(Exception):
    """A stack file that cannot be read at all: missing, or not YAML."""


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that refuses a key given twice in one mapping, as Pulumi's
    own YAML reader does, rather than silently keeping the last one. It
    parses with libyaml where PyYAML has it: ten times the pure-Python
    parser's speed, which a stack with hundreds of node classes notices."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice", key_node.start_mark)
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


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
