"""What every workload of ours is configured with, redis and the node daemons alike."""

from typing import Any, ClassVar

from pydantic import model_validator

from ...conventions import OWNED_POD_ANNOTATION_PREFIXES, recommended_labels
from ..base import CamelModel, KeyedError, default_labels
from .image import Digest, Image, digest_conflict, is_pinned
from .memory import MemoryFloor
from .names import AnnotationKey, DNS1123Subdomain, LabelKey, Labels, LabelValue
from .pod import ImagePullPolicy, Resources

MAX_ANNOTATIONS_BYTES = 256 * 1024
"""Kubernetes refuses an object whose annotations, keys and values, exceed 256 KiB."""


class WorkloadConfig(CamelModel):
    """The image a workload runs, its pod labels and its resources.

    A subclass declares `name`, which names its objects and, by default, its labels.
    """

    name: str
    image: Image
    """The container image. Required: no default is right for every cluster."""
    image_digest: Digest | None = None
    """The image's digest, `sha256:` and 64 lowercase hex digits, which pins
    the image as `<image>@<digest>` and drops checkov's CKV_K8S_43 waiver.
    Default unset: the tag alone decides, and a re-pushed tag changes what
    runs. Set it once you have looked it up."""
    labels: Labels = {}
    """Pod labels, also the workload's selector, and on every object of it. Default
    {app.kubernetes.io/name: <name>}. Kubernetes' recommended labels join them
    everywhere but in the selector ([labels](rendering.md#labels-on-every-object))."""
    pod_labels: dict[LabelKey, LabelValue] = {}
    """More labels on the pods only (cost centre, team), never in the selector,
    so adding or changing one rolls the pods but keeps the workload. Default
    none. A key of `labels` is refused: it would change what the selector
    matches."""
    pod_annotations: dict[AnnotationKey, str] = {}
    """Annotations on the pod template, e.g. for a log or mesh agent. Default
    none. Changing one rolls the pods. Keys under `checksum/` are ours (they
    roll the pods when their config or password changes) and are refused."""
    image_pull_policy: ImagePullPolicy | None = None
    """Default: IfNotPresent once the image is pinned (`imageDigest` set, or
    the image names `@sha256:`), because a digest always means the same bytes
    and with Always a registry outage blocks restarts on exactly the nodes in
    trouble. Unpinned, unset: Kubernetes picks Always for ':latest' or no tag,
    else IfNotPresent. Always stays an explicit choice."""
    image_pull_secrets: list[DNS1123Subdomain] = []
    """Names of Secrets (type kubernetes.io/dockerconfigjson) in the stack's
    namespace that the kubelet pulls the image with. Default none: the
    node's or the service account's credentials. The stack does not create
    them."""
    resources: Resources = Resources()
    """Default: no requests or limits."""

    memory_floor: ClassVar[MemoryFloor | None] = None
    """The least memory the workload's containers are given; None for a
    daemon we know nothing of, which only every container's mebibyte binds."""

    @model_validator(mode="before")
    @classmethod
    def _labels_default(cls, data: Any) -> Any:
        default_name = cls.model_fields["name"].default
        return default_labels(data, default_name if isinstance(default_name, str) else "")

    @model_validator(mode="after")
    def _one_digest(self) -> "WorkloadConfig":
        conflict = digest_conflict(self.image, self.image_digest)
        if conflict:
            raise KeyedError("imageDigest", conflict, also=("image",))
        return self

    @model_validator(mode="after")
    def _pod_metadata_is_ours_to_add(self) -> "WorkloadConfig":
        for key in sorted(self.pod_labels):
            if key in self.labels:
                raise KeyedError(f"podLabels.{key}", (
                    "is a key of both podLabels and labels, the selector: set it in labels "
                    "only, or pick another key"), also=(f"labels.{key}",))
        for key in sorted(self.pod_annotations):
            if key.startswith(OWNED_POD_ANNOTATION_PREFIXES):
                raise KeyedError(f"podAnnotations.{key}", (
                    "is written by the stack itself (checksum/* rolls the pods when "
                    "their config changes); pick another key"))
        size = sum(len(k) + len(v.encode()) for k, v in self.pod_annotations.items())
        if size > MAX_ANNOTATIONS_BYTES:
            raise KeyedError("podAnnotations", (
                f"hold {size} bytes; Kubernetes refuses more than 256 KiB"))
        if len(set(self.image_pull_secrets)) != len(self.image_pull_secrets):
            raise KeyedError("imagePullSecrets", "names a Secret twice")
        return self

    @model_validator(mode="after")
    def _memory_above_floor(self) -> "WorkloadConfig":
        for key, resources in self.resources_by_key().items():
            problem = self.memory_floor and resources.memory_below(self.memory_floor)
            if problem:
                raise KeyedError(f"{key}.{problem[0]}", problem[1])
        return self

    def resources_by_key(self) -> dict[str, Resources]:
        """Every set of resources the config gives the workload's containers, by key."""
        return {"resources": self.resources}

    @property
    def pull_policy(self) -> ImagePullPolicy | None:
        """The policy the container gets: the configured one, else IfNotPresent
        for a pinned image, else none (Kubernetes' own default)."""
        if self.image_pull_policy is not None:
            return self.image_pull_policy
        return "IfNotPresent" if is_pinned(self.image, self.image_digest) else None

    @property
    def all_pod_labels(self) -> dict[str, str]:
        """What the pods carry, as far as config can tell: Kubernetes' recommended
        labels, then `podLabels` and the selector's over them, as the pod template
        has them (workloads/labels.py). Less `app.kubernetes.io/instance`, the
        stack's name, which config is not told: both workloads carry the same."""
        return {**recommended_labels(self.name, None), **self.pod_labels, **self.labels}

    @property
    def config_map_name(self) -> str:
        return f"{self.name}-config"
