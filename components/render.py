"""Render a stack to manifests offline: the program, under mocks, with its stack file.

The CLI, the test kit and the tests all come through `render`, so there is
one road from config to manifests and it is the one `pulumi up` takes.
"""

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .config import PASSWORD_REQUIRED
from .loading import (
    PROJECT,
    UNDECRYPTED,
    ConfigError,
    Problem,
    RawConfig,
    parse_config,
    read_stack_file,
    stack_file,
)
from .manifests import SECRET_PLACEHOLDER, Manifests, from_capture
from .mockrun import run_with_mocks
from .program import main

PASSWORD_KEY = "redisPassword"


@dataclass(frozen=True)
class Rendered:
    manifests: Manifests
    outputs: dict[str, Any]
    """The stack's exports, secret ones replaced by a placeholder."""
    notes: tuple[str, ...] = ()
    """What the render assumed that `pulumi up` would not, one line each."""


def render(
    raw: RawConfig,
    stack: str,
    origin: str | None = None,
    program: Callable[[], Any] = main,
) -> Rendered:
    """Validate `raw`, then run `program` under mocks and keep its manifests.

    Raises `ConfigError` (naming `origin`, the stack file by default) before
    anything runs, and `RenderError` for objects that cannot be applied.
    """
    parse_config(raw, origin or stack_file(stack))
    capture = run_with_mocks(program, stack, raw)
    secrets = [v for key in raw.secret_keys for v in _leaves(raw.values.get(key, ""))]
    outputs = {
        name: SECRET_PLACEHOLDER if name in capture.secret_outputs else value
        for name, value in sorted(capture.outputs.items())
    }
    return Rendered(from_capture(capture.resources, secrets), outputs)


def render_stack_file(path: Path) -> Rendered:
    """Render `Pulumi.<stack>.yaml` at `path`, as that stack.

    The renderer never holds a decrypted secret: it prints `[secret]` for
    them either way. So a required secret that the stack file lacks (the
    operator sets it just before `pulumi up`, or a pipeline renders without
    access to it) is rendered as a placeholder, with a note saying so.
    """
    match = re.fullmatch(r"Pulumi\.(.+)\.ya?ml", path.name)
    stack = match.group(1) if match else path.stem
    raw, origin = read_stack_file(path), str(path)
    try:
        parse_config(raw, origin)
    except ConfigError as error:
        if Problem(PASSWORD_KEY, PASSWORD_REQUIRED) not in error.problems:
            raise
        full_key = f"{PROJECT}:{PASSWORD_KEY}"
        raw = RawConfig({**raw.values, full_key: UNDECRYPTED}, raw.secret_keys | {full_key})
        rendered = render(raw, stack, origin=origin)
        note = (f"{origin}: {PASSWORD_KEY}: not set; rendered as {SECRET_PLACEHOLDER}. "
                f"`pulumi up` needs it: pulumi config set --secret {full_key} <password>")
        return replace(rendered, notes=(*rendered.notes, note))
    return render(raw, stack, origin=origin)


def find_stack_file(stack: str, start: Path | None = None) -> Path:
    """`stacks/Pulumi.<stack>.yaml` of the Pulumi project around `start` (the
    working directory), else of the project this package ships in."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents, Path(__file__).resolve().parent.parent):
        if (folder / "Pulumi.yaml").is_file():
            return folder / stack_file(stack)
    return here / stack_file(stack)


def raw_config(config: Mapping[str, Any], secrets: Mapping[str, Any] | None = None) -> RawConfig:
    """Build engine-style config from a stack file's `config:` mapping.

    Keys may omit the `redis-filebeat:` namespace. `secrets` are set the way
    `pulumi config set --secret` would, in plain text, for tests that prove
    a secret never reaches the output.
    """
    def full(key: str) -> str:
        return key if ":" in key else f"{PROJECT}:{key}"

    def text(value: Any) -> str:
        return value if isinstance(value, str) else json.dumps(value)

    values = {full(k): text(v) for k, v in config.items()}
    secret_values = {full(k): text(v) for k, v in (secrets or {}).items()}
    return RawConfig(values | secret_values, frozenset(secret_values))


def _leaves(text: str) -> list[str]:
    """The string values inside a config value, however deeply nested."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return [text]
    if not isinstance(value, (dict, list)):
        return [text]
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, str):
            found.append(node)  # numbers would match every port and count

    walk(value)
    return found
