"""Whether a grown claim can grow, from the cluster's StorageClasses.

Kubernetes grows a bound claim only when its StorageClass has
`allowVolumeExpansion: true`; otherwise the API server refuses the patch and
`pulumi up` fails. Which class a claim has, and what that class allows,
only the cluster knows. So `diff --storage-classes FILE` reads what
`kubectl get storageclass -o json` prints, and the claim's line says which
case applies instead of naming both.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .shape import get

DEFAULT_CLASS = ("storageclass.kubernetes.io/is-default-class",
                 "storageclass.beta.kubernetes.io/is-default-class")
"""The annotations that make a class the default for claims that name none
(the DefaultStorageClass admission plugin reads both)."""


class StorageClassError(Exception):
    """The file holds no StorageClasses as kubectl prints them; one line per problem."""


@dataclass(frozen=True)
class StorageClasses:
    expands: Mapping[str, bool]
    """Each class, and whether it sets allowVolumeExpansion."""
    defaults: tuple[str, ...]
    origin: str
    """The file they were read from, which the lines name."""

    def growing(self, class_name: str | None) -> str:
        """What growing a claim of `class_name` (None: the claim names none) does."""
        if class_name is None:
            if len(self.defaults) != 1:
                return (f"the claim names no StorageClass and {self.origin} marks "
                        f"{_count(self.defaults)} default: Kubernetes grows a claim only "
                        "when its class has allowVolumeExpansion")
            class_name = self.defaults[0]
        if class_name not in self.expands:
            return (f"StorageClass {class_name} is not in {self.origin}: Kubernetes grows "
                    "the claim only if that class has allowVolumeExpansion")
        if self.expands[class_name]:
            return (f"StorageClass {class_name} allows volume expansion: Pulumi patches the "
                    "claim and the volume grows with its data (a smaller size is refused)")
        return (f"`pulumi up` fails: StorageClass {class_name} does not allow volume "
                "expansion, so Kubernetes refuses the new size; set allowVolumeExpansion "
                "on the class if its provisioner can, or move the data to a new claim")


def storage_classes_of(document: Any, origin: str) -> StorageClasses:
    """From `kubectl get storageclass -o json` (a List, or one StorageClass)."""
    listed = isinstance(document, dict) and "items" in document
    items = document["items"] if listed else [document]
    if not isinstance(items, list):
        raise StorageClassError(f"{origin}: items: must be a list of StorageClasses")
    expands: dict[str, bool] = {}
    defaults, problems = [], []
    for index, item in enumerate(items):
        where = f"{origin}: items[{index}]" if listed else origin
        name = get(item, "metadata.name") if isinstance(item, dict) else None
        if not isinstance(item, dict) or item.get("kind") != "StorageClass" \
                or not isinstance(name, str):
            problems.append(f"{where}: not a StorageClass with a metadata.name")
            continue
        expands[name] = item.get("allowVolumeExpansion") is True
        annotations = get(item, "metadata.annotations") or {}
        if isinstance(annotations, Mapping) and any(
                annotations.get(key) == "true" for key in DEFAULT_CLASS):
            defaults.append(name)
    if problems:
        raise StorageClassError("\n".join(problems))
    return StorageClasses(expands, tuple(defaults), origin)


def _count(names: tuple[str, ...]) -> str:
    return "none" if not names else f"{len(names)} ({', '.join(names)})"
