"""Render a stack to manifests offline: the program, under mocks, with its stack file.

The CLI, the test kit and the tests all come through `render`, so there is
one road from config to manifests and it is the one `pulumi up` takes.
"""

import copy
import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from ..config.files.project_file import find_stack_file as locate_stack_file
from ..config.files.stack_file import STDIN, STDIN_ORIGIN, read_stack_file
from ..config.stack.neighbours import CONTEXT_KEY, check_neighbours
from ..config.stack.parse import (
    Parsed,
    parse_config,
    parse_leaving_password_to_pulumi,
    password_note,
)
from ..conventions import AUTH_CHECKSUM_ANNOTATION
from ..project import PROJECT, UNDECRYPTED, RawConfig, stack_file
from ..workloads.program import main
from .capture import RenderError, from_capture
from .manifests import SECRET_PLACEHOLDER, Manifests
from .mockrun import run_with_mocks


@dataclass(frozen=True)
class Rendered:
    manifests: Manifests
    outputs: dict[str, Any]
    """The stack's exports, secret ones replaced by a placeholder."""
    notes: tuple[str, ...] = ()
    """What the render assumed that `pulumi up` would not, one line each."""
    log_rate: int | None = None
    """redis.buffer.expectedRate: what the capacity line turns into minutes."""


def render(
    raw: RawConfig,
    stack: str,
    origin: str | None = None,
    program: Callable[[], Any] | None = None,
    *,
    leave_password_to_pulumi: bool = False,
) -> Rendered:
    """Validate `raw`, then run `program` under mocks and keep its manifests.

    Raises `ConfigError` (naming `origin`, the stack file by default) before
    anything runs, and `RenderError` for objects that cannot be applied.
    `program` defaults to the project's `main`, less its check of the stack
    files beside this one, which `render_stack_file` makes on the file itself.
    `leave_password_to_pulumi`: a required password that `raw` lacks renders
    as a placeholder, with a note (`parse_leaving_password_to_pulumi`).
    """
    where = origin or stack_file(stack)
    parsed = (parse_leaving_password_to_pulumi(raw, where) if leave_password_to_pulumi
              else Parsed(parse_config(raw, where), raw))
    return _render_parsed(parsed, stack, program, origin)


def _render_parsed(parsed: Parsed, stack: str, program: Callable[[], Any] | None,
                   origin: str | None) -> Rendered:
    """The render of a config validated already; the program validates it again
    under mocks, as it does under the engine."""
    program = program or partial(main, compare_neighbours=False)
    raw = parsed.raw
    rendered = _run(program, stack, raw)
    # A stack file's secrets arrive undecrypted, as a placeholder that is no
    # secret: only real values need the second run that looks for leaks.
    if any(raw.values.get(key) != UNDECRYPTED for key in raw.secret_keys):
        _refuse_plain_secrets(rendered, _run(program, stack, _with_stand_ins(raw)))
    if parsed.password_left_to_pulumi:
        rendered = replace(rendered, notes=(*rendered.notes, password_note(origin)))
    return replace(rendered, log_rate=parsed.config.redis.buffer.expected_rate)


def _run(program: Callable[[], Any], stack: str, raw: RawConfig) -> Rendered:
    capture = run_with_mocks(program, stack, raw)
    outputs = {
        name: SECRET_PLACEHOLDER if name in capture.secret_outputs else value
        for name, value in sorted(capture.outputs.items())
    }
    return Rendered(from_capture(capture.resources), outputs)


def _refuse_plain_secrets(rendered: Rendered, with_stand_ins: Rendered) -> None:
    """Fail if a secret's value reached the output without its secret mark.

    The program ran a second time with every secret swapped for a stand-in.
    Marked secrets print as `[secret]` both times, so an object or output
    that differs depends on a secret in plain text. Comparing two renders
    instead of searching the output for the value also catches values derived
    from a secret, and never mistakes a password for a path it happens to spell.
    """
    def by_identity(r: Rendered) -> dict[str, Any]:
        return {m.identity(): _without_auth_checksum(m.body) for m in r.manifests.objects} | {
            f"output {name}": value for name, value in r.outputs.items()}

    first, second = by_identity(rendered), by_identity(with_stand_ins)
    changed = sorted(k for k in first.keys() | second.keys() if first.get(k) != second.get(k))
    if changed:
        raise RenderError("\n".join(
            f"{identity}: would print a secret config value in plain text; it reached the "
            "output without being marked secret" for identity in changed))


def _without_auth_checksum(body: dict[str, Any]) -> dict[str, Any]:
    """The object without the one value derived from a secret on purpose:
    `secret_checksum`'s digest of the password, which is made to be published."""
    annotations = (((body.get("spec") or {}).get("template") or {}).get("metadata")
                   or {}).get("annotations") or {}
    if AUTH_CHECKSUM_ANNOTATION not in annotations:
        return body
    body = copy.deepcopy(body)
    del body["spec"]["template"]["metadata"]["annotations"][AUTH_CHECKSUM_ANNOTATION]
    return body


def _with_stand_ins(raw: RawConfig) -> RawConfig:
    def stand_in(text: str) -> str:
        return "stand-in-" + hashlib.sha256(text.encode()).hexdigest()[:24]

    def swap(text: str | None) -> str | None:
        if text is None:
            return None
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return stand_in(text)
        if not isinstance(value, (dict, list)):
            return stand_in(text)

        def walk(node: Any) -> Any:
            if isinstance(node, dict):
                return {k: walk(v) for k, v in node.items()}
            if isinstance(node, list):
                return [walk(v) for v in node]
            return stand_in(node) if isinstance(node, str) else node

        return json.dumps(walk(value))

    values = {k: swap(v) if k in raw.secret_keys else v for k, v in raw.values.items()}
    return RawConfig(values, raw.secret_keys)


def render_stack_file(path: str | os.PathLike[str], raw: RawConfig | None = None) -> Rendered:
    """Render `Pulumi.<stack>.yaml` at `path`, as that stack; `raw` is its
    config when the caller has read it already (`read_stack_file`): the file
    is read once and validated once, and that config is what the check of its
    neighbours and the program are handed. Errors and
    notes name the file as `path` names it.

    The renderer never holds a decrypted secret: it prints `[secret]` for
    them either way. So a required secret that the stack file lacks (the
    operator sets it just before `pulumi up`, or a pipeline renders without
    access to it) is rendered as a placeholder, with a note saying so.
    """
    path = Path(path)
    match = re.fullmatch(r"Pulumi\.(.+)\.ya?ml", path.name)
    stack = "stdin" if path == STDIN else match.group(1) if match else path.stem
    raw = raw if raw is not None else read_stack_file(path)
    origin = STDIN_ORIGIN if path == STDIN else str(path)
    parsed = parse_leaving_password_to_pulumi(raw, origin)
    if path != STDIN:
        # The program's own check of the stack files beside this one (`main`),
        # on the file rendered, before it runs; standard input has no folder
        # of stacks around it.
        check_neighbours(parsed.config, raw.values.get(CONTEXT_KEY), path)
    return _render_parsed(parsed, stack, None, origin)


def find_stack_file(stack: str, start: Path | None = None) -> Path:
    """The stack file of `stack` in the Pulumi project around `start` (the
    working directory): in its `stackConfigDir`, else beside its Pulumi.yaml;
    outside any project, in the project this package ships in."""
    return locate_stack_file(stack, start or Path.cwd()).path


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
