"""Stacks of one project that deploy to one cluster, and the node directory they must not share.

Two filebeats on one node refuse a shared registry: the second crash-loops
with "data path already locked by another beat". The default path is
qualified by namespace and name, so stacks meet only when a stack file says
so (`registryHostPath`), or when one stack is deployed twice under two names.

A stack file cannot say which nodes another stack runs on; the kube context
it names is the nearest thing. So stacks are compared when both name the same
`kubernetes:context`. A stack without one deploys wherever its kubeconfig
points, as a pipeline's does from a secret, and two such stacks are usually on
two clusters: comparing them would refuse the common staging/prod pair.
Node classes of one stack share its registry safely, as their nodes are
disjoint (`NodeDaemonConfig`'s rule).
"""

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Final

from ...project import RawConfig
from ..errors import ConfigError, Problem
from ..files.project_file import project_file_of
from ..files.stack_file import StackFileError, read_stack_file
from .model import StackConfig
from .parse import parse_leaving_password_to_pulumi

CONTEXT_KEY: Final = "kubernetes:context"
MAX_NEIGHBOURS: Final = 100
"""Stack files read beside the one checked. Each is bounded like any stack
file; a folder of thousands (from a pull request) is refused, not read."""
MAX_REMEMBERED: Final = 4 * MAX_NEIGHBOURS
"""Stack files whose reading `_remembered` keeps, across every folder checked."""


@dataclass(frozen=True)
class Neighbour:
    path: Path
    context: str
    registry: str


def check_neighbours(config: StackConfig, context: str | None, path: Path) -> None:
    """Raise `ConfigError` (naming `path`) if another stack file beside `path`,
    on the same kube context, keeps filebeat's registry in the same node directory."""
    problems = registry_clashes(config, context, path)
    if problems:
        raise ConfigError(str(path), problems)


def registry_clashes(config: StackConfig, context: str | None, path: Path) -> list[Problem]:
    registry = config.filebeat.registry_host_path
    if context is None or registry is None:
        return []
    clashes = [n for n in neighbours(path, context) if n.registry == registry]
    return [Problem("filebeat.registryHostPath", (
        f"({registry}) is also the registry of stack {_stack_name(n.path)} ({n.path}), "
        f"on the same kube context {context!r}: two filebeats on one node refuse to share "
        "it (\"data path already locked by another beat\"); give one stack another "
        "namespace or registryHostPath")) for n in clashes]


def neighbours(path: Path, context: str) -> list[Neighbour]:
    """The other stack files in `path`'s folder that name kube context
    `context` and keep a node registry. A file that does not validate is
    skipped: it gets its own errors when it is rendered or deployed.

    Only those on `context` are validated, as only they can clash; and each
    file's reading is kept while it and its project file are unchanged, so a
    process that renders or previews again (a test suite, `diff` of two
    stacks) does not read and validate every neighbour again."""
    here = path.resolve()
    others = sorted(p for p in here.parent.glob("Pulumi.*.y*ml") if p.resolve() != here)
    if len(others) > MAX_NEIGHBOURS:
        raise ConfigError(str(path), [Problem("filebeat.registryHostPath", (
            f"cannot be compared with other stacks: {len(others)} other stack files are "
            f"beside this one, and at most {MAX_NEIGHBOURS} are read"))])
    found = []
    for other in others:
        reading = _remembered(other)
        if reading is None or reading.context != context:
            continue
        registry = reading.registry
        if registry is not None:
            found.append(Neighbour(other, context, registry))
    return found


class _Reading:
    """One neighbour's stack file, read, and validated on first need."""

    def __init__(self, path: Path, raw: RawConfig):
        self.path, self.raw = path, raw
        self.context = raw.values.get(CONTEXT_KEY)

    @cached_property
    def registry(self) -> str | None:
        """Its filebeat registry, or None if it keeps none or does not validate.
        A password left to `pulumi config set --secret` is read as the renderer
        reads it: the stack is still compared."""
        try:
            config = parse_leaving_password_to_pulumi(self.raw, str(self.path)).config
        except ConfigError:
            return None
        return config.filebeat.registry_host_path


_READINGS: dict[Path, tuple[tuple[int, ...], _Reading | None]] = {}


def _remembered(path: Path) -> "_Reading | None":
    """`path` read as a stack file (None if it cannot be), from memory while
    neither it nor its project file (whose config it inherits) has changed:
    same modification time, size and inode."""
    project = project_file_of(path)
    try:
        stamp = _stamp(path) + (_stamp(project) if project else ())
    except OSError:
        stamp = None
    if stamp is not None and path in _READINGS and _READINGS[path][0] == stamp:
        return _READINGS[path][1]
    try:
        reading: _Reading | None = _Reading(path, read_stack_file(path))
    except StackFileError:
        reading = None
    if stamp is not None:
        if len(_READINGS) >= MAX_REMEMBERED:
            del _READINGS[next(iter(_READINGS))]  # the oldest
        _READINGS[path] = (stamp, reading)
    return reading


def _stamp(path: Path) -> tuple[int, ...]:
    status = os.stat(path)
    return status.st_mtime_ns, status.st_size, status.st_ino


def _stack_name(path: Path) -> str:
    return path.name.removeprefix("Pulumi.").rsplit(".", 1)[0]
