"""Where redis keeps its append-only file: our claim, someone else's, or an emptyDir.

A claim changes how the Deployment rolls as well as what the pod mounts, so
both are decided here, from `redis.persistence` alone.
"""

from typing import Any

import pulumi
from pulumi_kubernetes.apps.v1 import DeploymentStrategyArgs
from pulumi_kubernetes.core.v1 import (
    EmptyDirVolumeSourceArgs,
    PersistentVolumeClaim,
    PersistentVolumeClaimSpecArgs,
    PersistentVolumeClaimVolumeSourceArgs,
    VolumeArgs,
    VolumeResourceRequirementsArgs,
)
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from ...config.redis.model import RedisConfig


def data_volume(config: RedisConfig) -> VolumeArgs:
    """The append-only file's claim when persistence is on, else an emptyDir."""
    if not config.persistence.enabled:
        return VolumeArgs(name="data", empty_dir=EmptyDirVolumeSourceArgs())
    return VolumeArgs(name="data", persistent_volume_claim=(
        PersistentVolumeClaimVolumeSourceArgs(claim_name=config.claim_name)))


def data_claim(config: RedisConfig, metadata: dict[str, Any],
               child: pulumi.ResourceOptions) -> PersistentVolumeClaim | None:
    if not config.persistence.enabled or config.persistence.existing_claim:
        return None  # someone else's claim: mounted by name, never managed here
    return PersistentVolumeClaim(
        config.claim_name,
        metadata=ObjectMetaArgs(name=config.claim_name, **metadata),
        spec=PersistentVolumeClaimSpecArgs(
            access_modes=list(config.persistence.access_modes),
            storage_class_name=config.persistence.storage_class_name,
            resources=VolumeResourceRequirementsArgs(
                requests={"storage": config.persistence.size}),
        ),
        opts=child,
    )


def deployment_strategy(config: RedisConfig) -> DeploymentStrategyArgs | None:
    # A ReadWriteOnce volume attaches to one pod: the old pod must
    # be gone before the new one can start.
    return DeploymentStrategyArgs(type="Recreate") if config.persistence.enabled else None
