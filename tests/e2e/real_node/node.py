"""The real node the modules of this folder share: `toolchain/cluster up
--real-node` (one kwok node and real-node, in a state folder of their own),
the commands they run against it, and why it cannot start here.

Needs root, the toolchain's control plane, kubelet, kube-proxy and coredns
on PATH (toolchain/build), what toolchain/images packs from (filebeat,
redis_exporter, pause or cc), and Debian's containerd, runc,
containernetworking-plugins, iptables, nftables and conntrack. Without one
every test of the folder skips, saying which; REAL_NODE_REQUIRED=1 turns
that skip into a failure.
"""

import json
import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import pytest
import yaml

from components.project import PROJECT
from tests.e2e import host_state
from tests.e2e.cluster import ROOT, e2e_stack_text

NAME = "real-node"
LABELS = {"type": "real", "redis-filebeat.dev/real-node": "true"}
SELECTOR = {"redis-filebeat.dev/real-node": "true"}
"""How a pod asks for the real node rather than the kwok one."""
UP_SECONDS = 300
TOOLS = ("kubectl", "kube-apiserver", "etcd", "kwok", "kubelet", "kube-proxy", "coredns",
         "filebeat", "redis_exporter")
DEBIAN = {"containerd": "containerd", "ctr": "containerd", "runc": "runc", "ip": "iproute2",
          "iptables": "iptables", "ip6tables": "iptables", "nft": "nftables",
          "conntrack": "conntrack", "unshare": "util-linux", "nsenter": "util-linux"}
T = TypeVar("T")


def why_not() -> str | None:
    if os.geteuid() != 0:
        return "a real node needs root (containerd, runc, iptables, a bridge)"
    for tool in TOOLS:
        if not shutil.which(tool):
            return f"{tool} is not on PATH (PATH=\"$(toolchain/build | tail -1):$PATH\")"
    if not shutil.which("pause") and not shutil.which("cc"):
        return "neither pause nor cc is on PATH (toolchain/build pause; apt-get install gcc)"
    for program, package in DEBIAN.items():
        if not shutil.which(program):
            return f"{program} is not on PATH (apt-get install {package})"
    if not Path("/usr/lib/cni/bridge").exists():
        return "no CNI bridge plugin in /usr/lib/cni (apt-get install containernetworking-plugins)"
    return None


def marks() -> list[pytest.MarkDecorator]:
    """Each module's pytestmark: e2e, one xdist group, and the skip (or, with
    REAL_NODE_REQUIRED=1, the failure) when the node cannot start here."""
    found = [pytest.mark.e2e, pytest.mark.xdist_group("real-node")]
    missing = why_not()
    if missing and os.environ.get("REAL_NODE_REQUIRED") == "1":
        pytest.fail(f"REAL_NODE_REQUIRED=1 but {missing}", pytrace=False)
    if missing:
        found.append(pytest.mark.skip(reason=f"{missing}; REAL_NODE_REQUIRED=1 makes this fail"))
    return found


class RealNode:
    def __init__(self, state: Path) -> None:
        self.state = state
        self.env = {**os.environ, "REDIS_FILEBEAT_CLUSTER_DIR": str(state)}
        self.before = host_state.snapshot(state)
        self.kubeconfig = ""
        self.context = ""
        self.images: dict[str, str] = {}
        self.down_result: subprocess.CompletedProcess[str] | None = None

    def up(self) -> None:
        run = subprocess.run([ROOT / "toolchain" / "cluster", "up", "--nodes", "1", "--real-node"],
                             capture_output=True, text=True, timeout=UP_SECONDS, env=self.env)
        assert run.returncode == 0, (
            f"toolchain/cluster up --real-node failed:\n{run.stderr[-3000:]}")
        self.kubeconfig = run.stdout.strip().splitlines()[-1]
        self.context = self.kubectl("config", "current-context").stdout.strip()
        # toolchain/images' NAME=IMAGE lines, as imported into the node's containerd.
        lines = (self.state / "real-node" / "images").read_text().split()
        self.images = dict(line.split("=", 1) for line in lines)

    def down(self) -> subprocess.CompletedProcess[str]:
        if self.down_result is None:
            self.down_result = subprocess.run([ROOT / "toolchain" / "cluster", "down"],
                                              capture_output=True, text=True, timeout=180,
                                              env=self.env)
        return self.down_result

    def kubectl(self, *args: str, check: bool = True, stdin: str | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return self.run(["kubectl", *args], check=check, stdin=stdin, timeout=timeout)

    def command(self, command: Sequence[str]) -> list[str]:
        """A kubectl command, as tests/e2e/rendered.py's Rendered writes them, aimed
        at this cluster."""
        assert command[0] == "kubectl", command
        return ["kubectl", "--kubeconfig", self.kubeconfig, *command[1:]]

    def run(self, command: Sequence[str], check: bool = True, stdin: str | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """`command` (see `command`) run, and by default required to succeed."""
        run = subprocess.run(self.command(command), input=stdin, capture_output=True,
                             text=True, timeout=timeout)
        if check:
            assert run.returncode == 0, f"{shlex.join(command)}: {run.stderr.strip()}"
        return run

    def get(self, kind: str, name: str, namespace: str) -> dict:
        return json.loads(self.kubectl("-n", namespace, "get", kind, name, "-o", "json").stdout)

    def apply(self, *items: dict) -> None:
        self.kubectl("apply", "-f", "-",
                     stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": list(items)}))

    def tag(self, image: str, tag: str) -> str:
        """`image` under another tag in the node's containerd, as a registry
        serves one image under two tags: a new reference for a rollout that
        needs no pull. Returns the new reference."""
        new = f"{image.rpartition(':')[0]}:{tag}"
        sock = self.state / "real-node" / "containerd" / "containerd.sock"
        subprocess.run(["ctr", "--address", str(sock), "-n", "k8s.io", "images", "tag", "--force",
                        image, new], check=True, capture_output=True, timeout=30)
        return new

    @staticmethod
    def until(what: str, check: Callable[[], T], seconds: float = 90,
              explain: Callable[[], str] = lambda: "") -> T:
        deadline = time.monotonic() + seconds
        while True:
            found = check()
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what}"
                                     + (f"\n{explain()}" if explain else ""))
            time.sleep(1)


def pod(name: str, namespace: str, image: str, pull: str, *, command=None, probe=None,
        labels=None, restart: str = "Always", grace: int | None = None) -> dict:
    """A bare pod pinned to the real node; `grace` is its termination grace
    period in seconds (a shell idling as PID 1 ignores SIGTERM, and would
    hold its namespace's deletion for the default 30)."""
    container = {"name": "main", "image": image, "imagePullPolicy": pull}
    if command:
        container["command"] = command
    if probe:
        container["readinessProbe"] = {"exec": {"command": probe}, "periodSeconds": 2}
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
            "spec": {"nodeSelector": SELECTOR, "restartPolicy": restart,
                     "containers": [container],
                     **({} if grace is None else {"terminationGracePeriodSeconds": grace})}}


def stack_text(namespace: str, context: str, images: dict[str, str]) -> str:
    """Dev's stack file as the e2e suite deploys it (e2e_stack_text), on the
    stand-in images the node has imported, which it must never try to pull
    (`IfNotPresent`: `Always` would ask 127.0.0.1 and fail), with redis
    pinned to the real node so that the buffer runs where filebeat's pod
    can reach it. filebeat keeps dev's own node choice: it runs on both
    nodes, really on one of them."""
    document = yaml.safe_load(e2e_stack_text(namespace, context))
    config = document["config"]
    config[f"{PROJECT}:redis"].update(image=images["redis"], imagePullPolicy="IfNotPresent",
                                      nodeSelector={"kubernetes.io/os": "linux", **SELECTOR})
    config[f"{PROJECT}:filebeat"].update(image=images["filebeat"],
                                         imagePullPolicy="IfNotPresent")
    return "# Written by tests/e2e/real_node for one run, and removed after it.\n" + \
        yaml.safe_dump(document, sort_keys=False)
