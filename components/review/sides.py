"""The two sides `diff` compares: a stack rendered now, or a folder rendered before.

This module reads folders; the CLI renders stacks and hands their manifests
in, so `diff` itself never imports the program or its config models.

A pipeline renders the base branch into a folder with `render --out` and
compares it with the pull request's stack, so a folder is read the way
`kubectl kustomize` would read it: the files its kustomization lists, in that
order, or every YAML file when there is no kustomization. A kustomization that
transforms what it lists is refused: reading its files as they are would
compare objects the cluster never gets.

The folder may come from a pull request, so it is read as kustomize's
default (root-only) load restrictor reads one, and no file outside it is
ever opened: a listed entry with `..`, an absolute path, a folder or a
symlink that leads out is refused, and so is anything but a regular file
(a FIFO would block the read). The YAML goes through the project's one
reader for untrusted YAML, with one budget for the whole folder. Every
refusal is one line, `<path>: <why>` or `<path>:<line>:<column>: <why>`.
"""

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..render.folder import KUSTOMIZATION
from ..render.manifests import Manifest
from ..untrusted_yaml import (
    Batch,
    UnreadableFileError,
    UntrustedYamlError,
    load_document,
    printable,
    read_file,
)
from .shape import shape_problems


class SideError(Exception):
    """A side cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class Side:
    label: str
    """How the user named it, e.g. `--stack dev`."""
    manifests: tuple[Manifest, ...]
    notes: tuple[str, ...] = ()
    log_rate: int | None = None
    """The stack's redis.buffer.expectedRate; none for a folder."""


def read_folder(folder: Path) -> tuple[Manifest, ...]:
    if not folder.is_dir():
        raise SideError(f"{folder}: not a folder")
    manifests = []
    batch = Batch()
    for path, origin in _files(folder):
        try:
            data = read_file(path, origin, within=folder, limits=batch.remaining())
            documents = batch.load_documents(data, str(path))
        except UnreadableFileError as error:
            raise SideError(str(error)) from None
        except UntrustedYamlError as error:
            raise SideError("\n".join(error.lines())) from None
        for number, document in enumerate(documents, start=1):
            if document is None:
                continue
            document = _as_json(document, f"{path}: document {number}")
            if not (isinstance(document, dict) and isinstance(document.get("kind"), str)
                    and isinstance(document.get("metadata"), dict)
                    and isinstance(document["metadata"].get("name"), str)
                    and isinstance(document["metadata"].get("namespace", ""), str)):
                raise SideError(f"{path}: document {number}: not a Kubernetes object "
                                "(it needs kind and metadata.name, and a namespace that is text)")
            problems = shape_problems(document)
            if problems:
                raise SideError("\n".join(f"{path}: document {number}: {problem}, as "
                                          "Kubernetes requires" for problem in problems))
            manifests.append(Manifest(document))
    twice = sorted(i for i, n in Counter(m.identity() for m in manifests).items() if n > 1)
    if twice:
        raise SideError("\n".join(f"{folder}: {identity}: defined twice" for identity in twice))
    return tuple(manifests)


def _as_json(document: Any, where: str) -> Any:
    """`document` as the API server would hold it: JSON.

    The reader gives only JSON's kinds of value (timestamps stay text, no
    bytes, no sets), so what is left is keys: a key that is not text becomes
    the text JSON gives it, as kubectl's YAML-to-JSON does (YAML 1.1's `on:`
    is "true", `1:` is "1"). Two keys that become the same text are refused
    rather than one silently kept."""
    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping = dict(pairs)
        if len(mapping) < len(pairs):
            seen = Counter(key for key, _ in pairs)
            key = next(key for key, n in seen.items() if n > 1)
            raise SideError(f"{where}: two keys are both {json.dumps(key)[:40]} once written "
                            "as JSON text (e.g. `on:` and `\"true\":`)")
        return mapping

    return json.loads(json.dumps(document), object_pairs_hook=unique)


# The names kustomize recognises, in the order it looks for them.
KUSTOMIZATION_NAMES = (KUSTOMIZATION, "kustomization.yml", "Kustomization")
# Keys that neither add objects nor change them; any other (namePrefix,
# patches, images, generators...) would make the folder's files not what
# kustomize applies.
PLAIN_KEYS = {"apiVersion", "kind", "metadata", "resources", "sortOptions"}
YAML_SUFFIXES = (".yaml", ".yml")


def _files(folder: Path) -> list[tuple[Path, str]]:
    """The files to read, each with how a refusal to read it names it."""
    # Not is_file(): a kustomization that is a FIFO, a folder or a dangling
    # link is refused when it is read, not skipped for the folder's YAML files.
    found = [folder / name for name in KUSTOMIZATION_NAMES if (folder / name).is_symlink()
             or (folder / name).exists()]
    if len(found) > 1:
        raise SideError(f"{folder}: {' and '.join(p.name for p in found)}: kustomize "
                        "refuses a folder with more than one kustomization; keep one")
    if not found:
        # Every YAML file: each is checked as it is read (regular, inside).
        files = [(p, str(p)) for p in sorted(folder.iterdir()) if p.suffix in YAML_SUFFIXES]
        return _few(files, folder)
    kustomization = found[0]
    try:
        listed = load_document(read_file(kustomization, within=folder), str(kustomization))
    except UnreadableFileError as error:
        raise SideError(str(error)) from None
    except UntrustedYamlError as error:
        raise SideError("\n".join(error.lines())) from None
    if not isinstance(listed, dict):
        raise SideError(f"{kustomization}: not a kustomization (a mapping with resources)")
    transforms = sorted(str(key) for key in listed if key not in PLAIN_KEYS)
    if transforms:
        raise SideError("\n".join(
            f"{kustomization}: {key}: diff reads the listed files as they are and does not "
            "apply kustomize's changes; compare what `kubectl kustomize` prints instead, "
            "saved in a folder of its own" for key in transforms))
    resources = listed.get("resources", [])
    if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
        raise SideError(f"{kustomization}: resources: must be a list of file names")
    refused = [printable(f"{kustomization}: resources: {r}: {why}") for r in resources
               if (why := _refused_entry(r))]
    if refused:
        raise SideError("\n".join(refused[:20]))
    return _few([(folder / r, f"{kustomization}: resources: {r}") for r in resources], folder)


MAX_FILES = 10_000
"""Files one folder may hold. A rendered stack has a few per node class; a
million empty ones would pass the size limits yet take a minute to open."""


def _few(files: list[tuple[Path, str]], folder: Path) -> list[tuple[Path, str]]:
    if len(files) > MAX_FILES:
        raise SideError(f"{folder}: holds {len(files)} YAML files; at most {MAX_FILES} are read")
    return files


def _refused_entry(resource: str) -> str | None:
    """Why kustomize's root-only restrictor (or this reader) would not load it."""
    entry = PurePosixPath(resource)
    if entry.is_absolute() or resource.startswith("\\") or resource[1:3] == ":\\":
        return ("an absolute path; only files inside the folder are read, as kustomize "
                "reads them")
    if ".." in entry.parts:
        return ("leads out of the folder (`..`); only files inside it are read, as kustomize "
                "reads them")
    if not resource.isprintable():
        return "not a file name (it holds a control character)"
    if "://" in resource or not resource.strip():
        return "not a file in the folder (only plain files are read, not bases or URLs)"
    return None
