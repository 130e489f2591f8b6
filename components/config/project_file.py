"""The `config:` block of Pulumi.yaml, which Pulumi applies to every stack of the project.

Since Pulumi 3.44 a project file may give config for all its stacks: a key of
the project's own namespace written bare (`namespace:`) declares it, with a
`default` (and a `type`, a `description`); a key of any namespace may carry
a `value`, or be the value itself. A stack's own file wins over both. The
offline renderer reads them the same way, so a project default is not a
difference between `render` and `pulumi up`.
"""

from pathlib import Path
from typing import Any, Final

from ..project import PROJECT
from ..untrusted_yaml import UnreadableFileError, UntrustedYamlError, load_document, read_file

PROJECT_FILES: Final = ("Pulumi.yaml", "Pulumi.yml")
_DECLARATION: Final = frozenset({"type", "description", "default", "value", "secret", "items"})


class ProjectFileError(Exception):
    """Pulumi.yaml's config cannot be read; one line per problem."""


def project_file_of(stack_file: Path) -> Path | None:
    """The Pulumi.yaml of the project a stack file belongs to: beside it, or
    one folder up (`stackConfigDir: stacks`)."""
    for folder in (stack_file.parent, stack_file.parent.parent):
        for name in PROJECT_FILES:
            if (folder / name).is_file():
                return folder / name
    return None


def project_config(path: Path) -> dict[str, Any]:
    """Full key to value, for the keys Pulumi.yaml gives a value or a default."""
    origin = str(path)
    try:
        document = load_document(read_file(path, origin), origin)
    except (UnreadableFileError, UntrustedYamlError) as error:
        raise ProjectFileError(str(error)) from None
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
