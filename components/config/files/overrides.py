"""`-f/--values FILE` and `--set key.path=value`: a stack file changed for one run, as helm does.

Overlays are deep-merged onto the stack file's `config:` in the order given,
later winning: mappings merge key by key, anything else (a list included)
replaces. `--set` comes last; its value is read as a YAML scalar would be in
the stack file, so `--set redis.replicas=0` is a number and
`--set 'redis.labels.tier="1"'` is text. Every problem names the overlay
file or the `--set` argument it came from.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...project import PROJECT
from ...untrusted_yaml import (
    Limits,
    UnreadableFileError,
    UntrustedYamlError,
    load_document,
    printable,
    read_file,
)
from ..errors import readable_key


class OverrideError(Exception):
    """An overlay or a --set that cannot be applied; one line per problem."""


@dataclass(frozen=True)
class Overrides:
    values: tuple[Path, ...] = ()
    """`-f/--values` files, each shaped like a stack file (`config:` and its keys)."""
    sets: tuple[str, ...] = ()
    """`--set` arguments, `key.path=value`; the key's namespace may be left out."""

    def __bool__(self) -> bool:
        return bool(self.values or self.sets)


NO_OVERRIDES = Overrides()


def apply(config: Mapping[str, Any], overrides: Overrides, limits: Limits,
          origins: Mapping[str, str] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """The config with the overrides merged in, and where each value came from:
    `origins` (what set `config`'s values, if not the stack file) with each
    value an override set, or replaced, marked as its `-f FILE` or `--set ...`,
    by dotted path below the namespace."""
    merged, origins = dict(config), dict(origins or {})
    for path in overrides.values:
        merged = _merge(merged, _overlay(path, limits), str(path), origins)
    for argument in overrides.sets:
        merged = _merge(merged, _set(argument, limits), _where(argument), origins)
    return merged, origins


SHOWN = 80
"""About how much of a --set a message quotes: enough to find it on the command line."""
KEY_SHOWN = 200


def _where(argument: str) -> str:
    """The --set as a message quotes it: the key whole, so it can be found, unless
    no one could read it in a line; the value in what room is left, at least 20
    characters. A cut is marked, so no one takes the rest for missing."""
    key, equals, value = argument.partition("=")
    key = _cut(printable(key), KEY_SHOWN)
    room = max(SHOWN - len(key) - len(equals), 20)
    return f"--set {key}{equals}{_cut(printable(value), room)}"


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"


def _overlay(path: Path, limits: Limits) -> dict[str, Any]:
    origin = str(path)
    try:
        document = load_document(read_file(path, origin, limits=limits), origin, limits=limits)
    except (UnreadableFileError, UntrustedYamlError) as error:
        raise OverrideError(str(error)) from None
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict) or set(document) - {"config"}:
        raise OverrideError(f"{origin}: an overlay is shaped like a stack file: a mapping with "
                            "the keys to change under config:")
    return {_full(str(key)): value for key, value in config.items()}


def _set(argument: str, limits: Limits) -> dict[str, Any]:
    """The one value of a --set, as a nested mapping to merge."""
    where = _where(argument)
    key_path, equals, text = argument.partition("=")
    parts = key_path.split(".")
    if not equals or not all(parts):
        raise OverrideError(f"{where}: write key.path=value, e.g. "
                            "--set filebeat.updateStrategy.maxUnavailable=2")
    try:
        value = load_document(text, where, limits=limits) if text else ""
    except UntrustedYamlError as error:
        raise OverrideError(str(error)) from None
    nested: Any = value
    for part in reversed(parts[1:]):
        nested = {part: nested}
    return {_full(parts[0]): nested}


def _full(key: str) -> str:
    return key if ":" in key else f"{PROJECT}:{key}"


def _merge(base: Mapping[str, Any], overlay: Mapping[str, Any], source: str,
           origins: dict[str, str], at: str = "") -> dict[str, Any]:
    """`overlay` deep-merged onto `base`, lists replaced; each value it sets is
    recorded in `origins` as coming from `source`, by the key as a problem
    names it (`readable_key`): a long key is shortened there, and a path kept
    whole would match no problem, so the stack file would be blamed."""
    merged = dict(base)
    for key, value in overlay.items():
        part = readable_key(str(key) if at else str(key).removeprefix(f"{PROJECT}:"))
        path = f"{at}.{part}" if at else part
        below = merged.get(key)
        if isinstance(below, Mapping) and isinstance(value, Mapping) and not _secure(value):
            merged[key] = _merge(below, value, source, origins, path)
        else:
            merged[key] = value
            for older in [p for p in origins if p.startswith((f"{path}.", f"{path}["))]:
                del origins[older]  # replaced whole, by this source
            origins[path] = source
    return merged


def _secure(value: Mapping[str, Any]) -> bool:
    """`{secure: ...}` is one value, never merged into."""
    return set(value) == {"secure"}
