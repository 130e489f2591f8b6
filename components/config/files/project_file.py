"""The `config:` block of Pulumi.yaml, which Pulumi applies to every stack of the project.

Since Pulumi 3.44 a project file may give config for all its stacks: a key of
the project's own namespace written bare (`namespace:`) declares it, with a
`default` (and a `type`, a `description`); a key of any namespace may carry
a `value`, or be the value itself. A stack's own file wins over both. The
offline renderer reads them the same way, so a project default is not a
difference between `render` and `pulumi up`.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ...project import PROJECT, STACK_CONFIG_DIR
from ...untrusted_yaml import UnreadableFileError, UntrustedYamlError, load_document, read_file

PROJECT_FILES: Final = ("Pulumi.yaml", "Pulumi.yml")
CHECKOUT: Final = Path(__file__).resolve().parents[2]
"""The project this package ships in, when it runs from a checkout (an
installed package has no Pulumi.yaml there)."""
_DECLARATION: Final = frozenset({"type", "description", "default", "value", "secret", "items"})


class ProjectFileError(Exception):
    """Pulumi.yaml's config cannot be read; one line per problem."""


def project_file_of(stack_file: Path) -> Path | None:
    """The Pulumi.yaml of the project a stack file belongs to: beside it, one
    folder up (`stackConfigDir: stacks`), or further up, where its
    `stackConfigDir` leads to the stack file's folder."""
    for folder in (stack_file.parent, stack_file.parent.parent):
        if found := _project_file_in(folder):
            return found
    here = stack_file.parent.resolve()
    for folder in here.parents[1:]:
        if found := _project_file_in(folder):
            try:
                return found if stack_folder(found).resolve() == here else None
            except ProjectFileError:
                return None
    return None


def _project_file_in(folder: Path) -> Path | None:
    return next((folder / name for name in PROJECT_FILES if (folder / name).is_file()), None)


@dataclass(frozen=True)
class StackLookup:
    """Where `--stack NAME` leads, and why there, for the message when it is missing."""

    path: Path
    why: str


def find_stack_file(stack: str, start: Path) -> StackLookup:
    """The stack file of stack `stack` as Pulumi finds it: in the `stackConfigDir`
    of the nearest project file at or above `start`, else beside that file.
    Outside any project, in the checkout this package runs from, if it does;
    else in `stacks/` below `start`, as in this project's own layout."""
    here = start.resolve()
    for folder in (here, *here.parents, CHECKOUT):
        if project := _project_file_in(folder):
            configured = _stack_config_dir(project)
            why = (f"the stackConfigDir of {project}" if configured else
                   f"beside {project}, which sets no stackConfigDir")
            # Pulumi names a stack file with its project file's extension.
            name = f"Pulumi.{stack}{project.suffix}"
            return StackLookup(project.parent / (configured or "") / name, why)
    return StackLookup(here / STACK_CONFIG_DIR / f"Pulumi.{stack}.yaml",
                       f"no {PROJECT_FILES[0]} in {here} or any folder above it")


def stack_folder(project: Path) -> Path:
    """Where Pulumi keeps the stack files of the project file `project`."""
    return project.parent / (_stack_config_dir(project) or "")


def _stack_config_dir(project: Path) -> str | None:
    document = _document(project)
    folder = document.get("stackConfigDir") if isinstance(document, dict) else None
    if folder is not None and not (isinstance(folder, str) and folder.strip()):
        raise ProjectFileError(f"{project}: stackConfigDir: must be a folder, relative to "
                               "the project file")
    return folder


def _document(path: Path) -> Any:
    origin = str(path)
    try:
        return load_document(read_file(path, origin), origin)
    except (UnreadableFileError, UntrustedYamlError) as error:
        raise ProjectFileError(str(error)) from None


def project_config(path: Path) -> dict[str, Any]:
    """Full key to value, for the keys Pulumi.yaml gives a value or a default."""
    origin = str(path)
    document = _document(path)
    block = document.get("config") if isinstance(document, dict) else None
    if block is None:
        return {}
    if not isinstance(block, dict):
        raise ProjectFileError(f"{origin}: config: must be a mapping of keys")
    values: dict[str, Any] = {}
    problems = []
    for key, entry in block.items():
        key = str(key)
        full = key if ":" in key else f"{PROJECT}:{key}"
        if isinstance(entry, dict) and entry and set(entry) <= _DECLARATION:
            if entry.get("secret") and ("value" in entry or "default" in entry):
                problems.append(f"{origin}: config: {key}: a secret has no place in the "
                                "project file; set it per stack with `pulumi config set "
                                "--secret`")
            elif "value" in entry:
                values[full] = entry["value"]
            elif "default" in entry:
                values[full] = entry["default"]
        elif ":" not in key:
            # Pulumi: a key of the project's own namespace is a declaration.
            problems.append(f"{origin}: config: {key}: give it as {{default: ...}} (a key "
                            "without a namespace declares the project's own config)")
        else:
            values[full] = entry
    if problems:
        raise ProjectFileError("\n".join(problems))
    return values
