"""What every workload of ours is configured with, redis and the node daemons alike."""

from typing import Any

from pydantic import model_validator

from .base import CamelModel, KeyedError, default_labels
from .kube_types import Digest, Image, Labels, digest_conflict
from .pod import ImagePullPolicy, Resources


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
    """Pod labels, also the workload's selector. Default
    {app.kubernetes.io/name: <name>}."""
    image_pull_policy: ImagePullPolicy | None = None
    """Default unset: Kubernetes picks Always for ':latest', else IfNotPresent."""
    resources: Resources = Resources()
    """Default: no requests or limits."""

    @model_validator(mode="before")
    @classmethod
    def _labels_default(cls, data: Any) -> Any:
        default_name = cls.model_fields["name"].default
        return default_labels(data, default_name if isinstance(default_name, str) else "")

    @model_validator(mode="after")
    def _one_digest(self) -> "WorkloadConfig":
        conflict = digest_conflict(self.image, self.image_digest)
        if conflict:
            raise KeyedError("imageDigest", conflict)
        return self

    @property
    def config_map_name(self) -> str:
        return f"{self.name}-config"
