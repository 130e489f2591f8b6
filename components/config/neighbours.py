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

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ..project import RawConfig
from .errors import ConfigError, Problem
from .parse import parse_leaving_password_to_pulumi
from .stack import StackConfig
from .stack_file import StackFileError, read_stack_file

CONTEXT_KEY: Final = "kubernetes:context"
MAX_NEIGHBOURS: Final = 100
"""Stack files read beside the one checked. Each is bounded like any stack
file; a folder of thousands (from a pull request) is refused, not read."""


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
    clashes = [n for n in neighbours(path) if n.context == context and n.registry == registry]
    return [Problem("filebeat.registryHostPath", (
        f"({registry}) is also the registry of stack {_stack_name(n.path)} ({n.path}), "
        f"on the same kube context {context!r}: two filebeats on one node refuse to share "
        "it (\"data path already locked by another beat\"); give one stack another "
        "namespace or registryHostPath")) for n in clashes]


def neighbours(path: Path) -> list[Neighbour]:
    """The other stack files in `path`'s folder that name a kube context and
    keep a node registry. A file that does not validate is skipped: it gets
    its own errors when it is rendered or deployed."""
    here = path.resolve()
    others = sorted(p for p in here.parent.glob("Pulumi.*.y*ml") if p.resolve() != here)
    if len(others) > MAX_NEIGHBOURS:
        raise ConfigError(str(path), [Problem("filebeat.registryHostPath", (
            f"cannot be compared with other stacks: {len(others)} other stack files are "
            f"beside this one, and at most {MAX_NEIGHBOURS} are read"))])
    found = []
    for other in others:
        try:
            raw = read_stack_file(other)
        except StackFileError:
            continue
        context = raw.values.get(CONTEXT_KEY)
        config = _validated(raw, str(other))
        if context is None or config is None or config.filebeat.registry_host_path is None:
            continue
        found.append(Neighbour(other, context, config.filebeat.registry_host_path))
    return found


def _validated(raw: RawConfig, origin: str) -> StackConfig | None:
    """The stack's config, with a stand-in for a password it leaves to `pulumi
    config set --secret` (as the renderer does), or None if it is invalid."""
    try:
        return parse_leaving_password_to_pulumi(raw, origin).config
    except ConfigError:
        return None


def _stack_name(path: Path) -> str:
    return path.name.removeprefix("Pulumi.").rsplit(".", 1)[0]
