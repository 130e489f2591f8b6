"""What a ConfigMap's or Secret's change does to the pods that read it.

Every line says that Pulumi replaces the object, because the engine does
(tests/e2e/test_diff_engine.py's filebeat-yml and redis-conf rows), even
though our program names it: a named object's data change is a replace, not
an update, while the provider treats ConfigMaps and Secrets as immutable.
"""

from collections.abc import Sequence
from typing import Any

from ..conventions import CHECKSUM_ANNOTATION
from ..render.manifests import Manifest
from .change import Change, Changed, after, before
from .fields import ABSENT
from .replacement import replaced_fields
from .rollout import WORKLOADS
from .shape import get


def mounted_data(change: Changed, everything: Sequence[Change]) -> list[str]:
    """A ConfigMap's or Secret's content change, as the workloads that read it feel it."""
    kind, name = change.new.kind, change.new.name
    if not replaced_fields(change):
        return []
    head = (f"{kind} content changed → Pulumi replaces it (delete, then create; "
            f"{kind}s are immutable to the provider by default)")
    consumers = [c for c in everything if (new := after(c)) is not None
                 and new.kind in WORKLOADS and new.namespace == change.new.namespace
                 and _mounts(new.body, kind, name)]
    if not consumers:
        return [head + "; no workload here mounts it"]
    lines = []
    for consumer in consumers:
        old, new = before(consumer), consumer.latest
        who = f"{new.kind} {new.namespace}/{new.name}"
        old_template = get(old.body, "spec.template") if old else ABSENT
        if old_template == get(new.body, "spec.template"):
            lines.append(f"{head}; pods of {who} do not roll: they read the new content only "
                         "when they restart")
        elif _checksum(old) != _checksum(new):
            lines.append(f"{head}; pods of {who} roll through the config hash")
        else:
            lines.append(f"{head}; pods of {who} roll with their other template changes")
    return lines


def _checksum(workload: Manifest | None) -> Any:
    if workload is None:
        return ABSENT
    annotations = get(workload.body, "spec.template.metadata.annotations", {}) or {}
    return annotations.get(CHECKSUM_ANNOTATION, ABSENT)


def _mounts(body: dict[str, Any], kind: str, name: str) -> bool:
    """Does the pod template read ConfigMap/Secret `name`, as a volume or as env?"""
    ref = "configMap" if kind == "ConfigMap" else "secret"
    ref_key = "name" if kind == "ConfigMap" else "secretName"
    pod = get(body, "spec.template.spec", {}) or {}
    for volume in pod.get("volumes", []) or []:
        sources = [volume] + [s for s in (volume.get("projected") or {}).get("sources", [])]
        for source in sources:
            found = source.get(ref) or {}
            if found.get(ref_key if source is volume else "name") == name:
                return True
    for container in [*(pod.get("containers") or []), *(pod.get("initContainers") or [])]:
        for env_from in container.get("envFrom", []) or []:
            if (env_from.get(f"{ref}Ref") or {}).get("name") == name:
                return True
        for env in container.get("env", []) or []:
            if ((env.get("valueFrom") or {}).get(f"{ref}KeyRef") or {}).get("name") == name:
                return True
    return False
