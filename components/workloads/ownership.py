"""Who owns a field once another tool changed it: the stack, by default.

pulumi-kubernetes applies server-side, so after `kubectl set image` the
image field belongs to kubectl, and the next `pulumi up` fails with a field
conflict rather than put the stack's value back. The stack's objects carry
`pulumi.com/patchForce` unless the stack asks otherwise (`forceConflicts`).
"""

from typing import Any

import pulumi
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from ..conventions import PATCH_FORCE


def force_conflicts(
        args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
    """Annotate every Kubernetes object of the stack; components pass the
    option down to their children, so this one transformation covers them."""
    metadata = args.props.get("metadata")
    if not args.type_.startswith("kubernetes:"):
        return None
    if isinstance(metadata, ObjectMetaArgs):
        metadata.annotations = _with_force(metadata.annotations)
    elif isinstance(metadata, dict):
        metadata = {**metadata, "annotations": _with_force(metadata.get("annotations"))}
    else:  # every object of ours sets its metadata as one of the two
        return None
    return pulumi.ResourceTransformationResult({**args.props, "metadata": metadata}, args.opts)


def _with_force(annotations: Any) -> Any:
    if isinstance(annotations, pulumi.Output):
        return annotations.apply(lambda given: {**(given or {}), PATCH_FORCE: "true"})
    return {**(annotations or {}), PATCH_FORCE: "true"}
