"""A stack's pods on the real node, and what went wrong with them: the
probes' failures as the kubelet reported them, and the last log lines of a
container that keeps restarting, for the message of a step that failed."""

import json
from typing import Any

from tests.e2e.real_node.node import NAME, RealNode
from tests.e2e.rendered import selector

WARNINGS = ("Unhealthy", "BackOff", "Failed", "FailedMount", "FailedScheduling")


def _manifest(stack, workload: str) -> dict[str, Any]:
    rendered = stack.rendered
    [found] = [m for m in (rendered.deployment, rendered.daemon_set)
               if m["metadata"]["name"] == workload]
    return found


def real_pod(node: RealNode, stack, workload: str, missing_ok: bool = False) -> dict[str, Any]:
    """The workload's pod on the real node that is not on its way out."""
    pods = json.loads(node.kubectl("-n", stack.namespace, "get", "pods",
                                   "-l", selector(_manifest(stack, workload)),
                                   "--field-selector", f"spec.nodeName={NAME}",
                                   "-o", "json").stdout)["items"]
    live = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
    if not live and missing_ok:
        return {}
    assert len(live) == 1, [p["metadata"]["name"] for p in pods]
    return live[0]


def container_status(pod: dict[str, Any]) -> dict[str, Any]:
    statuses = pod.get("status", {}).get("containerStatuses") or [{}]
    return statuses[0]


def pod_status(node: RealNode, stack, workload: str) -> dict[str, Any]:
    return container_status(real_pod(node, stack, workload))


def explain_pods(node: RealNode, stack) -> str:
    """The namespace's warnings (a failing probe names itself: "Readiness probe
    failed: ..."), and the previous log of each container that restarted."""
    events = json.loads(node.kubectl("-n", stack.namespace, "get", "events", "-o", "json",
                                     check=False).stdout or '{"items": []}')["items"]
    said = [f"{e['involvedObject']['name']}: {e['reason']}: {e.get('message', '').strip()}"
            for e in events if e.get("reason") in WARNINGS]
    pods = json.loads(node.kubectl("-n", stack.namespace, "get", "pods", "-o", "json",
                                   check=False).stdout or '{"items": []}')["items"]
    for pod in pods:
        for status in pod.get("status", {}).get("containerStatuses") or []:
            if status.get("restartCount"):
                logs = node.kubectl("-n", stack.namespace, "logs", pod["metadata"]["name"],
                                    "-c", status["name"], "--previous", "--tail", "5",
                                    check=False)
                said.append(f"{pod['metadata']['name']}/{status['name']} restarted "
                            f"{status['restartCount']}×; its last lines:\n{logs.stdout}")
    return "\n".join(said) or "no warning events and no restarts"
