"""What a workload's change does to its pods: which roll, how many at a time, what is lost."""

from typing import Any

from .shape import get

WORKLOADS = frozenset({"DaemonSet", "Deployment", "StatefulSet"})
SELECTOR = "spec.selector"
"""Immutable in Kubernetes, so Pulumi replaces a workload whose selector changes."""
_GAP = {
    "DaemonSet": "log gap",
    "Deployment": "no pods until the new ones are ready",
    "StatefulSet": "no pods until the new ones are ready",
}


def workload_rollout(kind: str, old: dict[str, Any], new: dict[str, Any],
                     replaced_claims: frozenset[str] = frozenset(),
                     foreign_claims: frozenset[str] = frozenset()) -> list[str]:
    """`replaced_claims`: the claims this change deletes and re-creates;
    `foreign_claims`: claims the pods mount that the new side does not hold
    (an `existingClaim`, made by someone else)."""
    if get(old, SELECTOR) != get(new, SELECTOR):
        # The pod template is moot: the whole object is re-created.
        return [f"selector changed → immutable field: Pulumi will delete and re-create the "
                f"{kind} ({_GAP[kind]})"]
    lines = []
    if kind == "Deployment" and get(old, "spec.replicas", 1) != get(new, "spec.replicas", 1):
        lines.append(f"replicas {get(old, 'spec.replicas', 1)} → "
                     f"{get(new, 'spec.replicas', 1)}")
    if get(old, "spec.template") == get(new, "spec.template"):
        return lines
    if kind == "DaemonSet":
        lines.append(_daemon_rollout(new))
        if _node_choice(old) != _node_choice(new):
            lines.append("node selection changed → pods start on newly selected nodes and "
                         "stop on nodes no longer selected")
    elif kind == "Deployment":
        lines.append(_deployment_rollout(old, new, replaced_claims, foreign_claims))
    else:
        lines.append("pod template changed → pods are replaced in order, as the "
                     "updateStrategy says")
    return lines


def _daemon_rollout(new: dict[str, Any]) -> str:
    budget = _budget(new)
    if budget is None:
        return "OnDelete → no pod changes until pods are deleted"
    how, value = budget
    if how == "surge":
        nodes = _share(value) if isinstance(value, str) else f"{value} node(s)"
        return ("pod template changed → RollingUpdate starts each node's new pod before "
                f"stopping the old one, on at most {nodes} at a time")
    return ("pod template changed → RollingUpdate replaces pods on every selected node, "
            f"at most {_share(value)} unavailable at a time")


def rollout_waves(daemon_set: dict[str, Any], nodes: int) -> int | None:
    """How many waves a pod template change takes over `nodes` selected nodes:
    ceil(nodes / the nodes replaced at a time), the estimate docs/rollouts.md
    gives. None under OnDelete, which replaces only the pods someone deletes."""
    at_a_time = replaced_at_a_time(daemon_set, nodes)
    return None if at_a_time is None else -(-nodes // at_a_time)


def replaced_at_a_time(daemon_set: dict[str, Any], nodes: int) -> int | None:
    """How many of `nodes` a RollingUpdate replaces at once (None under OnDelete).

    A percentage counts nodes and rounds up, as the DaemonSet controller
    scales it; a budget of zero replaces one at a time, as the controller
    does rather than stall.
    """
    budget = _budget(daemon_set)
    if budget is None:
        return None
    _, at_a_time = budget
    if isinstance(at_a_time, str):
        at_a_time = -(-int(at_a_time.rstrip("%")) * nodes // 100)
    return max(1, at_a_time)


def _budget(body: dict[str, Any]) -> tuple[str, int | str] | None:
    """("surge", maxSurge) or ("unavailable", maxUnavailable), with Kubernetes'
    defaults; None under OnDelete."""
    strategy = get(body, "spec.updateStrategy", {}) or {}
    if strategy.get("type") == "OnDelete":
        return None
    rolling = strategy.get("rollingUpdate") or {}
    surge = rolling.get("maxSurge", 0)
    if surge not in (0, "0%"):
        return "surge", surge
    return "unavailable", rolling.get("maxUnavailable", 1)  # Kubernetes' default


def _share(value: int | str) -> str:
    """`1`, or `10% of the selected nodes`: a DaemonSet's percentages count nodes."""
    return f"{value} of the selected nodes" if isinstance(value, str) else str(value)


def _deployment_rollout(old: dict[str, Any], new: dict[str, Any],
                        replaced_claims: frozenset[str], foreign_claims: frozenset[str]) -> str:
    running = get(old, "spec.replicas", 1)  # what is stopped is what runs now
    strategy = get(new, "spec.strategy", {}) or {}
    buffer = lost_buffer(new, old, replaced_claims, foreign_claims)
    if strategy.get("type") == "Recreate":
        return (f"pod template changed → Recreate stops {pods(running)} before starting "
                "new ones: down until the new pods are ready" + buffer)
    rolling = strategy.get("rollingUpdate") or {}
    return (f"pod template changed → RollingUpdate replaces {pods(running)}, at most "
            f"{rolling.get('maxUnavailable', '25%')} unavailable and "
            f"{rolling.get('maxSurge', '25%')} extra at a time" + buffer)


def pods(count: int) -> str:
    return "1 pod" if count == 1 else f"{count} pods"


def lost_buffer(body: dict[str, Any], before: dict[str, Any] | None = None,
                replaced_claims: frozenset[str] = frozenset(),
                foreign_claims: frozenset[str] = frozenset()) -> str:
    """What happens to the data of the pods being replaced. Only a claim the
    old pods already mounted carries anything over; a claim new in this change
    starts empty, unless someone else made it (an existing claim holds what
    it holds)."""
    mounted, mounting = claims(before if before is not None else body), claims(body)
    kept = sorted(mounting & mounted - replaced_claims)
    adopted = sorted((mounting - mounted) & foreign_claims)
    emptied = sorted(mounting & mounted & replaced_claims)
    if emptied:
        return (f"; PersistentVolumeClaim {', '.join(emptied)} is deleted and re-created in "
                "this change, so the new pods start on an empty claim")
    if kept:
        return f"; data on PersistentVolumeClaim {', '.join(kept)} carries over"
    if adopted:
        return (f"; the new pods mount PersistentVolumeClaim {', '.join(adopted)}, which this "
                "stack does not create: they start on whatever it holds, and what the old "
                "pods buffered stays where it was")
    if mounting:
        return ("; what the old pods hold is lost: their new PersistentVolumeClaim "
                f"{', '.join(sorted(mounting))} starts empty")
    if mounted:
        return (f"; the new pods no longer mount PersistentVolumeClaim "
                f"{', '.join(sorted(mounted))}: they start empty, and what they buffer is "
                "lost with each pod (no persistent volume)")
    return "; what the old pods hold in memory or emptyDir is lost (no persistent volume)"


def claims(body: dict[str, Any]) -> set[str]:
    return {v["persistentVolumeClaim"]["claimName"]
            for v in get(body, "spec.template.spec.volumes", []) or []
            if "persistentVolumeClaim" in v}


def _node_choice(body: dict[str, Any]) -> tuple[Any, ...]:
    pod = get(body, "spec.template.spec", {}) or {}
    return pod.get("nodeSelector"), pod.get("affinity"), pod.get("tolerations")
