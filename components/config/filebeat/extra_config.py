"""`filebeat.extraConfig`: raw filebeat settings merged into the generated filebeat.yml.

The escape hatch for what is not typed here (the queue, global processors,
autodiscover, ...). filebeat reads `a.b: x` and `a: {b: x}` alike, so every
key is read in both spellings before it is checked: it must not touch a
setting the generated file owns, and it must start with a namespace that
filebeat knows. What is below a known namespace is not checked.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from ..base import KeyedError
from ..suggestions import did_you_mean

# filebeat's top-level settings, and those under `filebeat.`, as filebeat.reference.yml
# in elastic/beats documents them (filebeat/filebeat.reference.yml, read at commit
# 4504244970c0879a3b1d0f66c346287e422a0371, of the 8.x line). A namespace filebeat adds
# later is refused until it is added here.
TOP_LEVEL_NAMESPACES = frozenset({
    "filebeat", "name", "tags", "fields", "fields_under_root", "queue", "max_procs",
    "processors", "cloud", "output", "path", "keystore", "setup", "logging", "monitoring",
    "http", "seccomp", "instrumentation", "migration",
})
FILEBEAT_NAMESPACES = frozenset({
    "modules", "inputs", "autodiscover", "registry", "overwrite_pipelines",
    "shutdown_timeout", "config",
})

OWNED: Mapping[str, str] = {
    "filebeat.inputs": "holds the generated inputs; add yours as filebeat.extraInputs",
    "filebeat.registry.path": ("is the registry, which lives on the node at "
                               "registryHostPath; set that instead"),
    "output": ("is generated (output.redis from filebeat.output, the password from its "
               "Secret), and filebeat ships to one output only"),
    "http": "is the endpoint the liveness probe reads; set monitoringPort instead",
    "path": ("places the registry (path.data) where registryMountPath mounts it, and "
             "the config; set those instead"),
    "logging.level": "is generated; set filebeat.logLevel instead",
}
"""The settings the generated filebeat.yml owns, each with what to set instead."""


def check_extra_config(settings: Mapping[str, Any]) -> None:
    """Raise a `KeyedError` naming the first setting that is owned or unknown."""
    if "processors" in settings and not isinstance(settings["processors"], list):
        # Appended to the generated global processors, which a mapping cannot be.
        raise KeyedError("processors", "must be a list of processors, as in filebeat.yml")
    for key, path in _settings(settings):
        owner = next((owned for owned in OWNED if _overlaps(path, owned.split("."))), None)
        if owner:
            raise KeyedError(key, f"{owner} {OWNED[owner]}")
        if path[0] not in TOP_LEVEL_NAMESPACES:
            raise KeyedError(key, (
                f"{path[0]!r} is not a filebeat setting" + did_you_mean(
                    path[0], TOP_LEVEL_NAMESPACES)))
        if path[0] == "filebeat" and len(path) > 1 and path[1] not in FILEBEAT_NAMESPACES:
            raise KeyedError(key, (
                f"'filebeat.{path[1]}' is not a filebeat setting" + did_you_mean(
                    path[1], FILEBEAT_NAMESPACES)))


def _settings(settings: Mapping[str, Any], prefix: str = "",
              path: tuple[str, ...] = ()) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every leaf setting: the key as written, and its path as filebeat reads it."""
    for key, value in settings.items():
        written = f"{prefix}{key}"
        here = (*path, *key.split("."))
        if isinstance(value, Mapping) and value:
            yield from _settings(value, f"{written}.", here)
        else:
            yield written, here


def _overlaps(path: tuple[str, ...], owned: list[str]) -> bool:
    """Is `path` the owned setting, inside it, or a mapping around it?"""
    common = min(len(path), len(owned))
    return list(path[:common]) == owned[:common]
