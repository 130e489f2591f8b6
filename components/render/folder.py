"""Rendered manifests as a folder Argo CD, Flux and `kubectl kustomize` read as is."""

from collections import Counter
from pathlib import Path

import yaml

from .manifests import Manifest, Manifests, to_yaml

KUSTOMIZATION = "kustomization.yaml"
HEADER = "# Rendered by `python -m components render`. Edit the stack config, not these files.\n"


def file_names(manifests: Manifests) -> dict[str, Manifest]:
    """A stable file name for each object: `<kind>-<name>.yaml`, with the
    namespace added only where two objects would otherwise share a name."""
    shared = Counter((m.kind, m.name) for m in manifests.objects)
    names = {}
    for m in manifests.objects:
        parts = [m.kind.lower(), m.name]
        if shared[(m.kind, m.name)] > 1 and m.namespace:
            parts.insert(1, m.namespace)
        names["-".join(parts) + ".yaml"] = m
    return names


def folder_contents(manifests: Manifests) -> dict[str, str]:
    """File name to file text, kustomization included, in apply order."""
    files = {name: HEADER + to_yaml([m.body]) for name, m in file_names(manifests).items()}
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": list(files),
    }
    files[KUSTOMIZATION] = HEADER + yaml.safe_dump(kustomization, sort_keys=False)
    return files


class FolderError(Exception):
    """The folder holds files this renderer did not write; one line per file."""


def write_folder(manifests: Manifests, folder: Path) -> list[str]:
    """Write the folder, and remove files an earlier render listed that this
    one no longer produces, so a deleted object leaves the folder too.

    A file that is there already must be one we wrote (it starts with our
    header): a hand-written kustomization or manifest in the folder is
    refused rather than replaced, and so is a second kustomization beside
    ours, which kustomize would refuse.
    """
    files = folder_contents(manifests)
    theirs = [f"{folder / name}: was not written by this renderer; render into a folder of "
              "its own, or remove the file" for name in files if _foreign(folder / name)]
    theirs += [f"{folder / name}: a kustomization of someone else's; kustomize refuses a "
               "folder with two, so render into a folder of its own"
               for name in ("kustomization.yml", "Kustomization") if (folder / name).exists()]
    if theirs:
        raise FolderError("\n".join(theirs))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in sorted(set(_listed(folder)) - set(files)):
        (folder / stale).unlink(missing_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return list(files)


def _foreign(path: Path) -> bool:
    if not path.exists():
        return False
    if not path.is_file():
        return True
    with path.open("rb") as file:
        return file.read(len(HEADER.encode())) != HEADER.encode()


def _listed(folder: Path) -> list[str]:
    """Files a kustomization we wrote earlier lists; none if someone else wrote it."""
    path = folder / KUSTOMIZATION
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    if not text.startswith(HEADER):
        return []
    listed = (yaml.safe_load(text) or {}).get("resources", [])
    return [name for name in listed if isinstance(name, str) and "/" not in name]


def stale_files(manifests: Manifests, folder: Path) -> list[str]:
    """What `write_folder` would change in `folder`, one line per file: for a
    pipeline that checks the committed manifests still match the code."""
    files = folder_contents(manifests)
    problems = []
    for name, text in files.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path}: differs")
    problems += [f"{folder / name}: no longer rendered"
                 for name in sorted(set(_listed(folder)) - set(files)) if (folder / name).exists()]
    return problems
