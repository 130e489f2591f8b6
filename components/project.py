"""The project's own names and places, shared by every layer.

A leaf: it imports nothing of ours, so the config contract, the program, the
renderer and `diff` can all name the project and its stack files the same way.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

PROJECT = "redis-filebeat"
"""The Pulumi project name, and so the config namespace of every key we read."""
VERSION = "0.1.0"
"""SemVer, 0.x while the API settles: a minor release may change it, a patch
never does. The one place the version is written, in this leaf so that every
layer can read it without importing the package face (`components/__init__.py`
re-exports it as `__version__`); pyproject.toml reads it too (CHANGELOG.md says
what each release changed)."""
STACK_CONFIG_DIR = "stacks"
"""Where Pulumi.yaml's `stackConfigDir` puts the stack files."""
SCHEMA_FILE = f"{STACK_CONFIG_DIR}/stack-config.schema.json"
"""The committed JSON Schema of a stack file, which the stack files name."""
SECRET_PLACEHOLDER = "[secret]"
"""What a render prints for a secret value."""
UNDECRYPTED = "[secret: only the Pulumi CLI can decrypt it]"
"""What the offline reader passes on for a `secure:` value. It satisfies the
password rules, so validation goes on; the engine checks the real value."""


def stack_file(stack: str) -> str:
    """The stack file Pulumi reads for a stack, as a path an operator can open."""
    return f"{STACK_CONFIG_DIR}/Pulumi.{stack}.yaml"


@dataclass(frozen=True)
class RawConfig:
    """Config as the engine hands it over: full keys, string values."""

    values: Mapping[str, str | None]
    secret_keys: frozenset[str] = frozenset()
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)
    """Where a key's value came from when not from the stack file itself (an
    overlay, a `--set`, the project file), by dotted path below the namespace
    (`redis.port`): its errors then name that source."""
