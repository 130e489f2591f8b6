"""One object on both sides of a diff: added, removed, or present on both.

Three shapes rather than one pair of optionals, so no change can be
"neither side", and each rule reads the side it needs without asking.
"""

from dataclasses import dataclass

from ..render.manifests import Manifest


@dataclass(frozen=True)
class Added:
    new: Manifest

    @property
    def latest(self) -> Manifest:
        return self.new


@dataclass(frozen=True)
class Removed:
    old: Manifest

    @property
    def latest(self) -> Manifest:
        return self.old


@dataclass(frozen=True)
class Changed:
    """On both sides; their namespaces differ when the object moved."""

    old: Manifest
    new: Manifest

    @property
    def latest(self) -> Manifest:
        return self.new

    @property
    def moved(self) -> bool:
        return self.old.namespace != self.new.namespace


Change = Added | Removed | Changed


def before(change: Change) -> Manifest | None:
    """The object as it is now, in the cluster; None when it is new."""
    return None if isinstance(change, Added) else change.old


def after(change: Change) -> Manifest | None:
    """The object as the change leaves it; None when it is removed."""
    return None if isinstance(change, Removed) else change.new
