"""The pack's rules as plain functions of a resource's inputs (camelCase, as
the engine hands them over), so the unit tests run them without the CLI."""

from collections.abc import Mapping, Sequence
from typing import Any

SKIP_AWAIT = "pulumi.com/skipAwait"


def plain(value: Any) -> Any:
    """The SDK's read-only proxies of the inputs as dicts, lists and ints. Reading a
    value the engine does not know yet raises the SDK's UnknownValueError, and
    the SDK then skips the rule for that resource, as it should in a preview."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [plain(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire has only doubles: a port or a count, as written
    return value


def _get(node: Any, *path: str) -> Any:
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _pod(props: dict[str, Any], resource_type: str = "") -> dict[str, Any]:
    if resource_type.endswith(":Pod"):
        return props.get("spec") or {}
    return _get(props, "spec", "template", "spec") or {}


def _surges(props: dict[str, Any]) -> bool:
    strategy = _get(props, "spec", "updateStrategy") or {}
    surge = _get(strategy, "rollingUpdate", "maxSurge")
    if strategy.get("type", "RollingUpdate") != "RollingUpdate" or surge in (None, 0, "0", "0%"):
        return False
    return not (isinstance(surge, str) and surge.rstrip("%").strip("0") == "")


def surge_shares_the_node(props: dict[str, Any]) -> list[str]:
    """With maxSurge, old and new pod run on one node at once: what they would share."""
    if not _surges(props):
        return []
    pod = _pod(props)
    problems = []
    containers = [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]
    # On the node's network every port is the node's: Kubernetes gives each
    # containerPort a hostPort of the same number, after the pack has looked.
    on_the_node = pod.get("hostNetwork") is True
    if on_the_node and not any(container.get("ports") for container in containers):
        # A port need not be declared to be bound on the node's network; with
        # none declared, silence would pass a pod whose ports the pack never saw.
        # Declared, each is named below, still with maxUnavailable as the fix.
        problems.append(
            "hostNetwork with maxSurge and no port declared: the pack cannot tell which ports "
            "the pod binds on the node, and the new pod cannot bind one while the old one "
            "holds it; declare them in ports so each is named, and roll with maxUnavailable "
            "(maxSurge: 0)")
    for container in containers:
        for port in container.get("ports") or []:
            host_port = port.get("hostPort") or (on_the_node and port.get("containerPort"))
            if host_port:
                how = "hostPort" if port.get("hostPort") else "port (hostNetwork)"
                problems.append(
                    f"container {container.get('name')}: {how} {host_port} with "
                    "maxSurge: the new pod cannot bind it while the old one holds it, so the "
                    "rollout stops; roll with maxUnavailable (maxSurge: 0)")
    host_paths = {v.get("name"): _get(v, "hostPath", "path")
                  for v in pod.get("volumes") or [] if _get(v, "hostPath", "path")}
    for container in containers:
        for mount in container.get("volumeMounts") or []:
            if mount.get("name") in host_paths and not mount.get("readOnly"):
                problems.append(
                    f"container {container.get('name')}: writes hostPath "
                    f"{host_paths[mount['name']]} with maxSurge: old and new pod share it at "
                    "once (a registry or a lock, e.g. filebeat's \"data path already locked\"); "
                    "roll with maxUnavailable (maxSurge: 0)")
    return problems


def on_delete_without_skip_await(props: dict[str, Any]) -> bool:
    if _get(props, "spec", "updateStrategy", "type") != "OnDelete":
        return False
    return (_get(props, "metadata", "annotations") or {}).get(SKIP_AWAIT) != "true"


def pod_security_gaps(resource_type: str, props: dict[str, Any]) -> list[str]:
    """One line per container, naming every rule it misses."""
    pod = _pod(props, resource_type)
    pod_seccomp = _get(pod, "securityContext", "seccompProfile", "type")
    problems = []
    for container in [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]:
        security = container.get("securityContext") or {}
        missing = []
        if security.get("privileged"):
            missing.append("privileged: false")
        if security.get("allowPrivilegeEscalation") is not False:
            missing.append("allowPrivilegeEscalation: false")
        if "ALL" not in (_get(security, "capabilities", "drop") or []):
            missing.append("capabilities.drop: [ALL]")
        added = _get(security, "capabilities", "add") or []
        if added:
            # Dropping ALL and adding one back keeps that one.
            missing.append(f"capabilities.add: [] (it adds {', '.join(map(str, added))})")
        if security.get("readOnlyRootFilesystem") is not True:
            missing.append("readOnlyRootFilesystem: true")
        if not _get(container, "resources", "limits", "memory"):
            missing.append("resources.limits.memory")
        seccomp = _get(security, "seccompProfile", "type") or pod_seccomp
        if seccomp not in ("RuntimeDefault", "Localhost"):
            missing.append("seccompProfile RuntimeDefault (pod or container)")
        if missing:
            problems.append(f"container {container.get('name')}: set {', '.join(missing)}")
    return problems
