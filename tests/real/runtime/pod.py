"""A rendered pod on a node: its volumes, its init containers, its containers.

The node is a folder (its root, for hostPath volumes) and a name; it
outlives pods, as a node's disk does. A pod lays out its volumes, runs its
init containers to completion in order, then starts its containers, each
from the stand-in image named for it. Environment variables are resolved as
the kubelet resolves them, and a test may override one where this machine
has no cluster: REDIS_HOST, a Service's DNS name, is the usual one.
"""

import itertools
import random
import socket
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.real.runtime.container import Container
from tests.real.runtime.images import Image, stand_in
from tests.real.runtime.rendered import Rendered
from tests.real.runtime.volumes import lay_out, rewrite_secret

SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
NODE_DIRS = ("var/log/pods", "var/log/containers", "var/lib/docker/containers")
"""What a node has before any pod runs: the kubelet's log folders, and
docker's (which the DaemonSet mounts, as on a docker node)."""


@dataclass
class Api:
    """What the kubelet tells a pod about the API server: its address, and
    the service account's token and CA, projected into every pod that
    automounts them."""

    host: str
    port: int
    token: str
    ca: str


@dataclass
class Node:
    name: str
    root: Path
    """The node's filesystem, where hostPath volumes live."""
    api: Api
    claims: Path = field(init=False)
    _pods: itertools.count = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        for folder in NODE_DIRS:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        self.claims = self.root.parent / "claims"

    def pod_dir(self) -> Path:
        folder = self.root.parent / "pods" / str(next(self._pods))
        folder.mkdir(parents=True)
        return folder


def free_port() -> int:
    """A port nothing listens on now. Containers share this machine's network,
    so a test gives each pod's ports free ones, through the stack config.

    Chosen below the kernel's ephemeral range, at random: a port the kernel
    hands out (bind to 0) can be handed out again, as the source port of any
    outgoing connection, before the container binds it. Never the same port
    twice in one process."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for port in random.sample(range(10000, max(10001, low)), 200):
        if port in _given:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _given.add(port)
        return port
    raise RuntimeError("no free port below the kernel's ephemeral range")


_given: set[int] = set()


class Pod:
    def __init__(self, rendered: Rendered, kind: str, name: str, node: Node,
                 images: dict[str, Image], env: dict[str, str] | None = None):
        manifest = rendered.manifests[kind][name]
        self.spec = rendered.pod_spec(kind, name)
        self.namespace = manifest["metadata"].get("namespace", "default")
        self.name = f"{name}-{uuid.uuid4().hex[:5]}"
        self.uid = str(uuid.uuid4())
        self.node, self.dir = node, node.pod_dir()
        volumes = lay_out(self.spec, rendered, self.dir, node.root, node.claims)
        if self.spec.get("automountServiceAccountToken", True):
            volumes["kube-api-access"] = self._service_account()
        facts = {"metadata.name": self.name, "metadata.namespace": self.namespace,
                 "metadata.uid": self.uid, "spec.nodeName": node.name,
                 "spec.serviceAccountName": self.spec.get("serviceAccountName", "default"),
                 "status.hostIP": "127.0.0.1", "status.podIP": "127.0.0.1"}
        injected = {"HOSTNAME": self.name, "KUBERNETES_SERVICE_HOST": node.api.host,
                    "KUBERNETES_SERVICE_PORT": str(node.api.port)}

        def container(spec: dict[str, Any]) -> Container:
            if "kube-api-access" in volumes:
                spec = {**spec, "volumeMounts": [
                    *spec.get("volumeMounts", []),
                    {"name": "kube-api-access", "mountPath": SERVICE_ACCOUNT_DIR,
                     "readOnly": True}]}
            resolved = {**injected, **_env(spec, facts, rendered), **(env or {})}
            return Container(spec, self.spec, stand_in(images, spec["image"]), volumes, resolved,
                             self.name, self.dir / spec["name"])

        self.init_containers = [container(s) for s in self.spec.get("initContainers", [])]
        self.containers = {s["name"]: container(s) for s in self.spec["containers"]}

    def _service_account(self) -> Path:
        folder = self.dir / "volumes" / "kube-api-access"
        folder.mkdir(parents=True)
        for name, text in (("token", self.node.api.token), ("ca.crt", self.node.api.ca),
                           ("namespace", self.namespace)):
            (folder / name).write_text(text)
            (folder / name).chmod(0o644)
        return folder

    def start(self, init_timeout: float = 60) -> None:
        self.initialize(init_timeout)
        for running in self.containers.values():
            running.start()

    def initialize(self, init_timeout: float = 60) -> None:
        """Run the init containers to completion, in order, as the kubelet does
        before it starts any container."""
        for init in self.init_containers:
            init.start()
            assert init.process is not None
            try:
                code = init.process.wait(timeout=init_timeout)
            except subprocess.TimeoutExpired:
                init.kill()
                raise AssertionError(f"init container {init.name} did not finish: "
                                     f"{init.output()}") from None
            if code != 0:
                raise AssertionError(f"init container {init.name} exited {code}: {init.output()}")

    def secret_changed(self, name: str, data: dict[str, str]) -> None:
        """The Secret `name` now holds `data`, and the kubelet has updated
        this pod's volumes of it, as it does in a running pod: each Secret
        volume's folder shows the new files, and a subPath mount keeps the
        file its container started with."""
        rewrite_secret(self.spec, self.dir, name, data)

    def __getitem__(self, name: str) -> Container:
        return self.containers[name]

    def stop(self) -> None:
        grace = self.spec.get("terminationGracePeriodSeconds", 30)
        for running in self.containers.values():
            running.stop(grace)


def _env(spec: dict[str, Any], facts: dict[str, str], rendered: Rendered) -> dict[str, str]:
    env: dict[str, str] = {}
    for item in spec.get("env", []):
        source = item.get("valueFrom")
        if source is None:
            env[item["name"]] = item.get("value", "")
        elif "fieldRef" in source:
            env[item["name"]] = facts[source["fieldRef"]["fieldPath"]]
        elif "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            env[item["name"]] = rendered.secrets[ref["name"]][ref["key"]]
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            env[item["name"]] = rendered.config_map(ref["name"])[ref["key"]]
        else:
            raise AssertionError(f"env {item['name']}: {sorted(source)} is not resolved here")
    return env
