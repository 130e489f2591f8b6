"""What a command reads: a stack rendered now, or a folder rendered before.

Pulumi and pydantic are imported only once a command needs them, and the
stack file is read before either: most hostile input is refused there, in a
fraction of the ~0.5 s (3 s on a loaded machine) that importing Pulumi
takes, and `diff --dir A --dir B` never imports them at all. Likewise what
only `diff` and `coverage` read (folders, StorageClasses, nodes) is imported
by them alone: `render`, the default job, never needs it.
"""

import argparse
import contextlib
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config.files.overrides import Overrides
    from ..render.renderer import Rendered
    from ..review.sides import Side
    from ..review.storage import StorageClasses
    from ..review.waves import Nodes

freeze_heap = False
"""Import Pulumi, pydantic and the models with the cycle collector paused,
then freeze the heap, before the render; defer what a render never runs
(cli.deferred) and leave pulumi_kubernetes' annotations unevaluated
(cli.lazy_annotations): `python -m components` sets it, and no library caller or
test process, whose collector and imports are theirs to tune."""


@contextlib.contextmanager
def imports_kept_to_exit() -> Iterator[None]:
    """Imports whose objects (some 110,000 for Pulumi and the models) live
    until the process exits. The collector has nothing to find in them, yet
    while they are made it runs a hundred passes over the growing heap,
    ~80 ms of CPU for the Pulumi imports alone; paused, it runs none. Frozen
    afterwards, neither the pass after a mocks run nor the interpreter's at
    exit walks them again. (The CLI froze its heap at start-up when it
    imported them there; since it reads the stack file first, that freeze
    came before them and saved nothing.)"""
    if not freeze_heap:
        yield
        return
    from .deferred import deferring
    from .lazy_annotations import lazy_annotations

    enabled = gc.isenabled()
    gc.disable()
    try:
        # and what a render never runs left for first use, and
        # pulumi_kubernetes' annotations for the SDK to read when it needs them
        with deferring(), lazy_annotations():
            yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def load_side(kind: str, value: str, overrides: "Overrides | None" = None) -> "Side":
    """Render a stack, or read a rendered folder.

    Raises SideError for a folder that cannot be read, and the renderer's own
    ConfigError, StackFileError and RenderError for a stack that cannot be rendered.
    """
    from ..review.sides import Side, SideError, read_folder

    label = f"--{kind} {value}"
    if kind == "dir":
        if overrides:
            raise SideError(f"{label}: -f/--values and --set change a stack file; a rendered "
                            "folder has none")
        return Side(label, read_folder(Path(value)))
    rendered = render_file(stack_path(value) if kind == "stack" else Path(value), overrides)
    return Side(label, rendered.manifests.objects, rendered.notes, rendered.log_rate)


def render_file(path: Path, overrides: "Overrides | None" = None) -> "Rendered":
    from ..config.files.overrides import NO_OVERRIDES
    from ..config.files.stack_file import read_stack_file

    raw = read_stack_file(path, overrides or NO_OVERRIDES)
    with imports_kept_to_exit():
        from ..render.renderer import render_stack_file
    return render_stack_file(path, raw)


def stack_path(stack: str) -> Path:
    """The stack file of `--stack NAME`, where Pulumi would look for it
    (`find_stack_file`); a name with no file is refused with where it looked
    and the names that have one, since a typo is the usual cause."""
    from ..config.files.project_file import ProjectFileError, find_stack_file
    from ..config.files.stack_file import StackFileError

    try:
        found = find_stack_file(stack, Path.cwd())
    except ProjectFileError as error:
        raise StackFileError(str(error)) from None
    path = found.path
    if path.is_file():
        return path
    names = sorted(p.name.removeprefix("Pulumi.").rsplit(".", 1)[0]
                   for p in path.parent.glob(f"Pulumi.*{path.suffix}"))
    folder = f"{path.parent} ({found.why})"
    here = f"the stacks in {folder} are {', '.join(names)}" if names else (
        f"{folder} holds no stack files")
    raise StackFileError(f"{path}: no stack {stack!r}; {here}; or name a stack file with "
                         "--config PATH")


def read_storage_classes(path: Path) -> "StorageClasses":
    """`diff --storage-classes FILE`: `kubectl get storageclass -o json` (or -o yaml)."""
    from ..review.storage import StorageClassError, storage_classes_of
    from ..untrusted_yaml import UnreadableFileError, UntrustedYamlError, load_document, read_file

    try:
        return storage_classes_of(load_document(read_file(path), str(path)), str(path))
    except (UnreadableFileError, UntrustedYamlError) as error:
        raise StorageClassError(str(error)) from None


def read_nodes(given: int | Path) -> "Nodes":
    """`diff --nodes N|FILE`: N nodes for every DaemonSet, or an inventory read
    by coverage's reader, whose nodes each DaemonSet's own rules select."""
    from ..review.waves import Nodes

    if isinstance(given, int):
        return Nodes(f"--nodes {given}", lambda _: given)
    from ..coverage.check import selected_nodes
    from ..coverage.inventory import read_inventory

    return Nodes(str(given), selected_nodes(read_inventory(given)))


def overrides_of(args: "argparse.Namespace") -> "Overrides | None":
    """The -f/--values and --set of a command, or None when it has neither."""
    values, sets = getattr(args, "values", []), getattr(args, "set", [])
    if not (values or sets):
        return None
    from ..config.files.overrides import Overrides

    return Overrides(tuple(values), tuple(sets))


def is_refusal(error: Exception) -> bool:
    """Whether `error` refuses the input (exit 2) rather than being a crash.
    Whatever raised a config or render error has imported its module already."""
    from ..review.sides import SideError
    from ..review.storage import StorageClassError

    if isinstance(error, (SideError, StorageClassError)):
        return True
    from ..coverage.inventory import InventoryError

    if isinstance(error, InventoryError):
        return True
    from ..config.errors import ConfigError
    from ..config.files.stack_file import StackFileError
    from ..render.capture import RenderError

    return isinstance(error, (ConfigError, StackFileError, RenderError))
