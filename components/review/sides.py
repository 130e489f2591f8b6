"""The two sides `diff` compares: a stack rendered now, or a folder rendered before.

This module reads folders; the CLI renders stacks and hands their manifests
in, so `diff` itself never imports the program or its config models.

A pipeline renders the base branch into a folder with `render --out` and
compares it with the pull request's stack, so a folder is read the way
`kubectl kustomize` would read it: the files its kustomization lists, in that
order, or every YAML file when there is no kustomization. A kustomization that
transforms what it lists is refused: reading its files as they are would
compare objects the cluster never gets.
"""

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..render.folder import KUSTOMIZATION
from ..render.manifests import Manifest
from .shape import shape_problems

SIDE_KINDS = ("stack", "config", "dir")


class SideError(Exception):
    """A side cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class Side:
    label: str
    """How the user named it, e.g. `--stack dev`."""
    manifests: tuple[Manifest, ...]
    notes: tuple[str, ...] = ()


def read_folder(folder: Path) -> tuple[Manifest, ...]:
    if not folder.is_dir():
        raise SideError(f"{folder}: not a folder")
    manifests = []
    for path in _files(folder):
        try:
            documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except OSError as error:
            raise SideError(f"{path}: cannot be read: {error.strerror}") from None
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            problem = " ".join(str(error).split())
            raise SideError(f"{path}: not valid YAML: {problem}") from None
        for number, document in enumerate(documents, start=1):
            if document is None:
                continue
            try:
                # As the API server would hold it: JSON. Dates and bytes become
                # text, YAML 1.1's `on:` key becomes "true"; anchors that loop fail.
                document = json.loads(json.dumps(document, default=str))
            except (TypeError, ValueError) as error:
                raise SideError(f"{path}: document {number}: cannot be read as JSON, as "
                                f"Kubernetes would: {error}") from None
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


# The names kustomize recognises, in the order it looks for them.
KUSTOMIZATION_NAMES = (KUSTOMIZATION, "kustomization.yml", "Kustomization")
# Keys that neither add objects nor change them; any other (namePrefix,
# patches, images, generators...) would make the folder's files not what
# kustomize applies.
PLAIN_KEYS = {"apiVersion", "kind", "metadata", "resources", "sortOptions"}


def _files(folder: Path) -> list[Path]:
    found = [folder / name for name in KUSTOMIZATION_NAMES if (folder / name).is_file()]
    if len(found) > 1:
        raise SideError(f"{folder}: {' and '.join(p.name for p in found)}: kustomize "
                        "refuses a folder with more than one kustomization; keep one")
    if not found:
        return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    kustomization = found[0]
    try:
        listed = (yaml.safe_load(kustomization.read_text(encoding="utf-8")) or {})
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        raise SideError(f"{kustomization}: cannot be read as YAML") from None
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
    files = []
    for resource in resources:
        path = folder / resource
        if not path.is_file():
            raise SideError(f"{kustomization}: resources: {resource}: not a file in the "
                            "folder (only plain files are read, not bases or URLs)")
        files.append(path)
    return files
