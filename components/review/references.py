"""What a workload's pod template reads by name: ConfigMaps, Secrets and claims.

The replace rules need it (a workload is re-created with an object Pulumi
deletes first, replacement.py), and so do the lines about what a changed
ConfigMap or Secret does to the pods (mounts.py).
"""

from typing import Any

from .rollout import claims
from .shape import get


def reads(body: dict[str, Any], kind: str, name: str) -> bool:
    """Does the pod template read `kind` `name`, as a volume or as env?"""
    if kind == "PersistentVolumeClaim":
        return name in claims(body)
    if kind not in ("ConfigMap", "Secret"):
        return False
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
