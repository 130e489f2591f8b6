"""Where the buffer keeps what it holds across a restart: the append-only file and its claim."""

from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic.alias_generators import to_camel

from ..base import CamelModel, KeyedError
from ..kube.memory import size_text
from ..kube.names import DNS1123Subdomain
from ..kube.numbers import INT32_MAX, Quantity, quantity_value

AccessMode = Literal["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany", "ReadOnlyMany"]


class Snapshot(CamelModel):
    """One of redis' `save <seconds> <changes>` rules: snapshot when at least
    `changes` writes happened in the last `afterSeconds`."""

    after_seconds: Annotated[int, Field(ge=1, le=INT32_MAX)]
    changes: Annotated[int, Field(ge=1, le=INT32_MAX)]


class Persistence(CamelModel):
    """An append-only file on a PersistentVolumeClaim, so a restarted redis still
    holds the logs that were buffered but not yet read."""

    enabled: bool = False
    """Default false: the buffer lives in an emptyDir and a pod restart loses
    what was not yet drained. Turn it on wherever that matters."""
    size: Quantity = "1Gi"
    """The claim's size. Default 1Gi. The AOF grows to about twice the dataset
    between rewrites, and on a full disk redis refuses every write, so less
    than twice maxmemory is refused."""
    storage_class_name: DNS1123Subdomain | None = None
    """Default unset: the cluster's default StorageClass."""
    access_modes: list[AccessMode] = ["ReadWriteOnce"]
    """The claim's access modes. Default [ReadWriteOnce]: one node at a time,
    which the Recreate strategy respects. ReadWriteOncePod (one pod) must
    stand alone; ReadOnlyMany is refused, because redis writes."""
    existing_claim: DNS1123Subdomain | None = None
    """A PersistentVolumeClaim someone else made, in the stack's namespace, to
    mount instead of our own `<name>-data`. Default unset: the stack makes
    the claim. With it the stack creates no claim, so `size`,
    `storageClassName` and `accessModes` are refused: set them where the
    claim is made, and grow it there. Its size is not checked against
    maxmemory, since the stack never sees it; give it twice maxmemory too.
    Needs `enabled`."""
    snapshots: list[Snapshot] = []
    """RDB snapshots beside the append-only file, as redis' `save` rules.
    Default none (`save ""`, as Bitnami's chart does with the AOF on): the AOF
    already keeps every write, each snapshot forks redis inside its memory
    limit, and with redis' `stop-writes-on-bgsave-error yes` one failed
    snapshot makes redis refuse every write, so filebeat stalls. Needs
    `enabled`."""

    def too_small_for(self, maxmemory: int, shown: str) -> str | None:
        """Why our claim cannot hold the AOF of a buffer of `maxmemory` bytes
        (`shown` as the message names it), if it cannot. Without a claim, or
        with someone else's, there is no size of ours to check."""
        least = 2 * maxmemory
        if not self.enabled or self.existing_claim or quantity_value(self.size) >= least:
            return None
        return (f"persistence.size ({self.size}) must be at least twice maxmemory ({shown}): "
                f"{size_text(least)}; the AOF grows to about twice the dataset between "
                "rewrites, and on a full disk redis refuses every write")

    @model_validator(mode="after")
    def _snapshots_need_a_volume(self) -> "Persistence":
        if self.snapshots and not self.enabled:
            raise KeyedError("snapshots", (
                "snapshots need enabled true: without a volume they die with the pod"),
                also=("enabled",))
        return self

    @model_validator(mode="after")
    def _one_owner_of_the_claim(self) -> "Persistence":
        if self.existing_claim is None:
            return self
        if not self.enabled:
            raise KeyedError("existingClaim", "existingClaim needs enabled true, or nothing "
                             "mounts it", also=("enabled",))
        for field in ("size", "storage_class_name", "access_modes"):
            if field in self.model_fields_set:
                raise KeyedError(to_camel(field), (
                    f"{to_camel(field)} is the claim's own, and existingClaim names a claim "
                    "this stack does not make; set it where that claim is made"),
                    also=("existingClaim",))
        return self

    @model_validator(mode="after")
    def _access_modes_fit_redis(self) -> "Persistence":
        modes = self.access_modes
        if not modes or len(set(modes)) != len(modes):
            raise KeyedError("accessModes", "must name each mode once, and at least one")
        if "ReadOnlyMany" in modes:
            raise KeyedError("accessModes", "must not hold ReadOnlyMany: redis writes its AOF")
        if "ReadWriteOncePod" in modes and len(modes) > 1:
            raise KeyedError("accessModes", (
                "ReadWriteOncePod must stand alone; Kubernetes refuses it with other modes"))
        return self
