"""Container logs written as a node writes them, with numbered lines.

containerd (CRI) writes `<RFC3339Nano> <stream> <F|P> <text>` to
/var/log/pods/<namespace>_<pod>_<uid>/<container>/0.log, a long line split
into P parts closed by an F; docker's json-file writes one JSON object a
line to /var/lib/docker/containers/<id>/<id>-json.log, a partial line
without its newline. The kubelet links /var/log/containers/<pod>_<namespace>_<container>-<id>.log
to the file, by its absolute path on the node, which the DaemonSet mounts at
the same path. Rotation is the kubelet's: rename to 0.log.<time>, then the
runtime reopens 0.log.
"""

import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")


class ContainerLog:
    def __init__(self, node_root: Path, pod: str, namespace: str = "apps",
                 container: str = "app", runtime: str = "cri"):
        self.runtime, self.pod, self.namespace = runtime, pod, namespace
        self.id = uuid.uuid4().hex + uuid.uuid4().hex
        self.uid = str(uuid.uuid4())
        if runtime == "cri":
            node_path = f"/var/log/pods/{namespace}_{pod}_{self.uid}/{container}/0.log"
        else:
            node_path = f"/var/lib/docker/containers/{self.id}/{self.id}-json.log"
        self.path = node_root / node_path.lstrip("/")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch()
        self.link = node_root / f"var/log/containers/{pod}_{namespace}_{container}-{self.id}.log"
        self.link.parent.mkdir(parents=True, exist_ok=True)
        self.link.symlink_to(node_path)
        self.rotations = 0

    def write(self, messages: list[str], part: int | None = None, stream: str = "stdout") -> None:
        """Each message is one line the container printed; `part` splits
        longer ones into pieces of that many characters, as the runtime does."""
        with open(self.path, "a") as out:
            for message in messages:
                size = part or max(len(message), 1)
                pieces = [message[i:i + size] for i in range(0, len(message), size)] or [""]
                for index, piece in enumerate(pieces):
                    last = index == len(pieces) - 1
                    if self.runtime == "cri":
                        out.write(f"{_now()} {stream} {'F' if last else 'P'} {piece}\n")
                    else:
                        text = piece + ("\n" if last else "")
                        entry = {"log": text, "stream": stream, "time": _now()}
                        out.write(json.dumps(entry) + "\n")

    def rotate(self) -> Path:
        """Rename the current file, and start a new one where it was."""
        self.rotations += 1
        stamp = time.strftime("%Y%m%d-%H%M%S") + f"{self.rotations:03d}"
        rotated = self.path.with_name(f"{self.path.name}.{stamp}")
        self.path.rename(rotated)
        self.path.touch()
        return rotated
