"""Reading a `Pulumi.<stack>.yaml` as the engine would present it to the program.

A stack file may come from a pull request, so it is read by the project's one
reader for untrusted YAML (components.untrusted_yaml): bounded in size, nodes,
depth, aliases and numbers, duplicate keys refused as Pulumi's own reader
refuses them, and every problem one line, `<file>:<line>:<column>: <what>`.
"""

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from ...project import PROJECT, UNDECRYPTED, RawConfig
from ...untrusted_yaml import (
    Limits,
    MiB,
    UnreadableFileError,
    UntrustedYamlError,
    load_document,
    printable,
    read_file,
)
from ..errors import readable_key
from ..suggestions import did_you_mean
from .overrides import NO_OVERRIDES, OverrideError, Overrides, apply
from .project_file import ProjectFileError, project_config, project_file_of


class StackFileError(Exception):
    """A stack file that cannot be read at all: missing, not a regular file,
    or not YAML. The message is one line per problem, naming the file."""


STACK_FILE_LIMITS: Final = Limits(max_bytes=1 * MiB, max_nodes=50_000,
                                  max_expanded_nodes=200_000, max_expanded_chars=4 * MiB)
"""Tighter than the reader's defaults, which are sized for rendered folders:
our stack files are 1-3 KB and ~100 nodes, and one with a few hundred node
classes is ~100 KB and ~10,000 nodes. So hostile ones are refused sooner
(a bomb or a flood of keys in well under a second) and smaller."""
MAX_CONFIG_KEYS: Final = 1000
"""Keys under `config:`. A stack has about fifteen; each unknown one costs a
did-you-mean search, so ten thousand of them would take seconds to refuse."""


STDIN: Final = Path("-")
"""`--config -`: the stack file comes on standard input."""
STDIN_ORIGIN: Final = "<stdin>"


def read_stack_file(path: Path, overrides: Overrides = NO_OVERRIDES) -> RawConfig:
    """Read a `Pulumi.<stack>.yaml` the way the engine would present it.

    Secure values cannot be decrypted without the Pulumi CLI, so their keys
    are only marked secret; the value handed on is a placeholder. `STDIN`
    reads standard input, with the project file of the working directory.
    """
    if path == STDIN:
        # One byte past the limit, so an oversized input is refused, never read whole.
        data = sys.stdin.buffer.read(STACK_FILE_LIMITS.max_bytes + 1)
        project = project_file_of(Path.cwd() / "stacks" / "stdin.yaml")
        origin = STDIN_ORIGIN
    else:
        try:
            data = read_file(path, limits=STACK_FILE_LIMITS)
        except UnreadableFileError as error:
            raise StackFileError(str(error)) from None
        project, origin = project_file_of(path), str(path)
    try:
        defaults = project_config(project) if project else {}
    except ProjectFileError as error:
        raise StackFileError(str(error)) from None
    return stack_config(data, origin, defaults, overrides,
                        project_origin=str(project) if project else None)


def stack_config(text: str | bytes, origin: str, project: Mapping[str, Any] | None = None,
                 overrides: Overrides = NO_OVERRIDES,
                 project_origin: str | None = None) -> RawConfig:
    """The engine's view of a stack file's text; `origin` names it in errors.
    `project` is the project file's config, which the stack's own keys override;
    `project_origin` names that file in the errors of the keys it alone sets."""
    try:
        document = load_document(text, origin, limits=STACK_FILE_LIMITS)
    except UntrustedYamlError as error:
        raise StackFileError("\n".join(error.lines())) from None
    if document is None and not project:
        raise StackFileError(f"{origin}: is empty; a stack file gives the stack's keys under "
                             f"config:, and {PROJECT}:redis and {PROJECT}:filebeat are required")
    document = {} if document is None else document
    if not isinstance(document, dict):
        raise StackFileError(f"{origin}: must be a mapping, with the stack's keys under config: "
                             f"(got a {_kind(document)})")
    unknown = [str(key) for key in document if key not in STACK_FILE_KEYS]
    if unknown:
        raise StackFileError("\n".join(
            f"{origin}: {printable(key)}: not a key of a stack file"
            + did_you_mean(key, STACK_FILE_KEYS, cutoff=0.6) for key in unknown))
    config = document.get("config")
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise StackFileError(f"{origin}: config: must be a mapping of keys to values")
    origins = {} if project_origin is None else {
        readable_key(str(key).removeprefix(f"{PROJECT}:")): project_origin
        for key in (project or {}) if key not in config}
    config = {**(project or {}), **config}
    if overrides:
        try:
            config, origins = apply(config, overrides, STACK_FILE_LIMITS, origins)
        except OverrideError as error:
            raise StackFileError(str(error)) from None
    if len(config) > MAX_CONFIG_KEYS:
        raise StackFileError(f"{origin}: config: holds {len(config)} keys; at most "
                             f"{MAX_CONFIG_KEYS} are read")
    values: dict[str, str | None] = {}
    secret_keys: set[str] = set()
    for key, value in config.items():
        full_key = str(key)
        if _holds_secret(value):
            secret_keys.add(full_key)
        values[full_key] = _as_engine_string(value)
    return RawConfig(values, frozenset(secret_keys), origins)


STACK_FILE_KEYS: Final = ("config", "secretsprovider", "encryptedkey", "encryptionsalt",
                           "environment")
"""What Pulumi reads from a stack file; anything else is a typo Pulumi would ignore."""


def _kind(value: Any) -> str:
    return "list" if isinstance(value, list) else type(value).__name__


def _holds_secret(value: Any) -> bool:
    # Recursive, but over a document the reader has bounded to 100 levels.
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_holds_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_secret(v) for v in value)
    return False


def _as_engine_string(value: Any) -> str | None:
    """The engine hands the program every value as a string, objects as JSON.

    The reader gives only JSON's kinds of value (timestamps stay text), so no
    `default=` is needed. A key that is not text inside a value is written
    as JSON writes it: YAML 1.1's `on:` becomes "true" and `1:` "1" (Pulumi's
    YAML 1.2 reader would keep "on"; no key of ours is spelt so)."""
    if value is None or isinstance(value, str):
        return value  # None: a bare `key:`, which parse_config refuses
    if isinstance(value, dict) and set(value) == {"secure"}:
        return UNDECRYPTED
    return json.dumps(value)
