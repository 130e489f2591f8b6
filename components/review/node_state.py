"""What a DaemonSet keeps on its nodes, and what a change does to it.

A hostPath a container mounts writable is state that outlives the pod:
filebeat's registry, how far it has read each log file. A new pod that finds
it carries on where the old one stopped; one that finds an empty directory
starts over. So moving the path (`filebeat.registryHostPath`, or the
namespace or `filebeat.name` it defaults from) makes every filebeat re-read
every container log still on its node and ship it all again, on every node.
The field diff shows one changed path, and the rollout line a template
change; this says what that costs.

The old state is the same object's before the change, or, for a DaemonSet
that is new (a renamed `filebeat.name`), that of the DaemonSets the change
removes: node classes of one stack share one registry, so splitting a
DaemonSet into classes moves nothing. Sharing it is what keeps that split
from finishing in one `up` (shared_state.py).
"""

import re
from collections.abc import Sequence
from typing import Any

from .change import Change, Changed, Removed, after
from .shape import get

_FILEBEAT_IMAGE = re.compile(r"(?:^|/)filebeat[^/:@]*(?:[:@]|$)")
"""filebeat, filebeat-oss, filebeat-wolfi, from any registry."""
_RESHIPPED = ("every filebeat starts with an empty registry and re-reads every container log "
              "still on its node: all retained logs are shipped again, on every node "
              "(duplicate events downstream)")


def node_state(change: Change, everything: Sequence[Change]) -> list[str]:
    """A line for each piece of node state the change leaves behind."""
    new = after(change)
    if new is None or new.kind != "DaemonSet":
        return []
    if isinstance(change, Changed):
        old_bodies = [change.old.body]
    else:
        old_bodies = [c.old.body for c in everything
                      if isinstance(c, Removed) and c.old.kind == "DaemonSet"]
    kept = kept_on_node(new.body)
    lines: list[str] = []
    for volume, path in sorted({item for body in old_bodies
                                for item in kept_on_node(body).items()}):
        if path in kept.values():
            continue  # the same directory, whatever the volume is called now
        filebeat = is_filebeat(new.body, volume) or any(
            is_filebeat(body, volume) for body in old_bodies)
        line = _moved(volume, path, kept[volume], filebeat) if volume in kept else (
            _left(volume, path, filebeat))
        if line not in lines:
            lines.append(line)
    return lines


def kept_on_node(body: dict[str, Any]) -> dict[str, str]:
    """Volume name → node path, for each hostPath a container mounts writable."""
    pod = get(body, "spec.template.spec", {}) or {}
    writable = {mount.get("name") for container in _containers(pod)
                for mount in container.get("volumeMounts") or [] if not mount.get("readOnly")}
    return {volume["name"]: volume["hostPath"]["path"] for volume in pod.get("volumes") or []
            if volume.get("name") and volume.get("name") in writable
            and (volume.get("hostPath") or {}).get("path")}


def _moved(volume: str, old: str, new: str, filebeat: bool) -> str:
    if filebeat:
        return f"registry moved {old} → {new} → {_RESHIPPED}"
    return (f"hostPath volume {volume} moved {old} → {new} → the new pods start on an empty "
            f"directory on every node; what the old pods kept stays behind in {old}")


def _left(volume: str, old: str, filebeat: bool) -> str:
    if filebeat:
        return (f"registry no longer kept on the node ({old}) → {_RESHIPPED}, and again each "
                "time a pod restarts")
    return (f"hostPath volume {volume} ({old}) no longer mounted → the new pods start without "
            "what the old pods kept there")


def is_filebeat(body: dict[str, Any], volume: str) -> bool:
    """Whether a filebeat container mounts `volume`: its state is then the registry."""
    pod = get(body, "spec.template.spec", {}) or {}
    return any(_FILEBEAT_IMAGE.search(str(container.get("image") or ""))
               and any(m.get("name") == volume for m in container.get("volumeMounts") or [])
               for container in _containers(pod))


def _containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*(pod.get("containers") or []), *(pod.get("initContainers") or [])]
