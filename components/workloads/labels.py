"""The labels of a workload's objects, built once from its config and the stack.

Three sets, so none can be used where another belongs:
- `selector`: the config's `labels`, exactly; what the Deployment, DaemonSet,
  Service and NetworkPolicy select by. Nothing is ever added to it, since a
  workload's selector is immutable and a new one re-creates the workload.
- `objects`: every object's `metadata.labels`: Kubernetes' recommended labels
  (conventions.py), under the selector's, so a stack that set one keeps its value.
- `pods`: the pod template's: the objects' and `podLabels`, under the selector's
  too (config refuses a `podLabels` key of the selector's).
"""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from ..config.kube.names import is_label_value
from ..config.kube.workload import WorkloadConfig
from ..conventions import recommended_labels
from ..project import PROJECT


@dataclass(frozen=True)
class WorkloadLabels:
    selector: dict[str, str]
    objects: dict[str, str]
    pods: dict[str, str]

    @classmethod
    def of(cls, config: WorkloadConfig) -> "WorkloadLabels":
        recommended = recommended_labels(config.name, stack_instance())
        return cls(selector=dict(config.labels), objects={**recommended, **config.labels},
                   pods={**recommended, **config.pod_labels, **config.labels})

    def selecting(self, selector: Mapping[str, str]) -> "WorkloadLabels":
        """The same labels with a narrower selector, which holds this one (a node
        class's: the daemon's labels and `node-class`)."""
        return WorkloadLabels(dict(selector), {**self.objects, **selector},
                              {**self.pods, **selector})


def stack_labels() -> dict[str, str]:
    """The labels of what the stack shares rather than one workload owns (its Namespace)."""
    return recommended_labels(PROJECT, stack_instance())


def stack_instance() -> str:
    """The stack's name as a label value. `pulumi.get_stack()` is the stack under
    the engine, and the render's stack name (`render --stack dev`: dev) under mocks.

    Pulumi allows up to 100 characters and a leading or trailing `_`, `-` or `.`;
    a label value does not. Such a name gets a valid one, its first characters
    and a digest of the whole, so two long names stay apart and a render stays
    what `pulumi up` applies, rather than every object being refused.
    """
    stack = pulumi.get_stack()
    if stack and is_label_value(stack):
        return stack
    digest = hashlib.sha256(stack.encode()).hexdigest()[:10]
    stem = re.sub(r"[^-_.A-Za-z0-9]", "-", stack)[:52].strip("-_.")
    return f"{stem}-{digest}" if stem else digest
