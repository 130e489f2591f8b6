"""`toolchain/cluster up --real-node`: one real kubelet node beside a kwok one,
whose pods really run (containerd, runc, the bridge CNI, kube-proxy, CoreDNS)
and reach nothing beyond the machine, and `down`, after which the host is as
it was before `up`.

Stands alone: it starts its own cluster (not the suite's `cluster` fixture),
in a state folder of its own. Needs root, the toolchain's control plane,
kubelet, kube-proxy and coredns on PATH (toolchain/build), what
toolchain/images packs from (filebeat, redis_exporter, pause or cc), and
Debian's containerd, runc, containernetworking-plugins, iptables, nftables and
conntrack. Without one it skips, saying which; REAL_NODE_REQUIRED=1 turns
that skip into a failure.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.e2e import host_state
from tests.e2e.cluster import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("real-node")]
STEPS_IN_ORDER = False
"""Each step needs only the fixtures it names; the last one (down) always runs."""

NODE = "real-node"
LABELS = {"type": "real", "redis-filebeat.dev/real-node": "true"}
REDIS = "localhost/redis-filebeat/redis:7.0.15-debian"
ABSENT = "docker.io/library/redis:7.0.15"
"""Not imported: an Always pull of it must fail at 127.0.0.1, never leave the machine."""
NS = "real-node-test"
UP_SECONDS = 300
TOOLS = ("kubectl", "kube-apiserver", "etcd", "kwok", "kubelet", "kube-proxy", "coredns",
         "filebeat", "redis_exporter")
DEBIAN = {"containerd": "containerd", "ctr": "containerd", "runc": "runc", "ip": "iproute2",
          "iptables": "iptables", "ip6tables": "iptables", "nft": "nftables",
          "conntrack": "conntrack", "unshare": "util-linux", "nsenter": "util-linux"}


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


MISSING = why_not()
if MISSING and os.environ.get("REAL_NODE_REQUIRED") == "1":
    pytest.fail(f"REAL_NODE_REQUIRED=1 but {MISSING}", pytrace=False)
if MISSING:
    pytestmark.append(pytest.mark.skip(reason=f"{MISSING}; REAL_NODE_REQUIRED=1 makes this fail"))


class RealNode:
    def __init__(self, state: Path) -> None:
        self.state = state
        self.env = {**os.environ, "REDIS_FILEBEAT_CLUSTER_DIR": str(state)}
        self.before = host_state.snapshot(state)
        self.kubeconfig = ""
        self.down_result: subprocess.CompletedProcess[str] | None = None

    def up(self) -> None:
        run = subprocess.run([ROOT / "toolchain" / "cluster", "up", "--nodes", "1", "--real-node"],
                             capture_output=True, text=True, timeout=UP_SECONDS, env=self.env)
        assert run.returncode == 0, (
            f"toolchain/cluster up --real-node failed:\n{run.stderr[-3000:]}")
        self.kubeconfig = run.stdout.strip().splitlines()[-1]

    def down(self) -> subprocess.CompletedProcess[str]:
        if self.down_result is None:
            self.down_result = subprocess.run([ROOT / "toolchain" / "cluster", "down"],
                                              capture_output=True, text=True, timeout=180,
                                              env=self.env)
        return self.down_result

    def kubectl(self, *args: str, check: bool = True, stdin: str | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess[str]:
        run = subprocess.run(["kubectl", "--kubeconfig", self.kubeconfig, *args], input=stdin,
                             capture_output=True, text=True, timeout=timeout)
        if check:
            assert run.returncode == 0, f"kubectl {' '.join(args)}: {run.stderr.strip()}"
        return run

    def get(self, kind: str, name: str, namespace: str = NS) -> dict:
        return json.loads(self.kubectl("-n", namespace, "get", kind, name, "-o", "json").stdout)

    def until(self, what: str, check, seconds: float = 90):
        deadline = time.monotonic() + seconds
        while True:
            found = check()
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what}")
            time.sleep(1)


@pytest.fixture(scope="module")
def node():
    node = RealNode(Path(tempfile.mkdtemp(prefix="real-node-")))
    try:
        node.up()
        node.kubectl("create", "namespace", NS)
        yield node
    finally:
        node.down()
        shutil.rmtree(node.state, ignore_errors=True)


def pod(name: str, image: str, pull: str, *, command=None, probe=None, labels=None,
        restart: str = "Always") -> dict:
    container = {"name": "main", "image": image, "imagePullPolicy": pull}
    if command:
        container["command"] = command
    if probe:
        container["readinessProbe"] = {"exec": {"command": probe}, "periodSeconds": 2}
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": NS, "labels": labels or {}},
            "spec": {"nodeSelector": {"redis-filebeat.dev/real-node": "true"},
                     "restartPolicy": restart, "containers": [container]}}


REDIS_PROBE = ["sh", "-c", "redis-cli ping | grep -q PONG"]


@pytest.fixture(scope="module")
def redis(node):
    """A redis pod on the real node, Ready through its exec probe, behind a Service;
    and a pod whose probe always fails, which a real kubelet keeps unready."""
    items = [
        pod("redis", REDIS, "IfNotPresent", labels={"app": "redis"}, probe=REDIS_PROBE,
            command=["redis-server", "--protected-mode", "no"]),
        pod("never-ready", REDIS, "IfNotPresent", probe=["sh", "-c", "exit 1"],
            command=["redis-server", "--protected-mode", "no"]),
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "redis", "namespace": NS},
         "spec": {"selector": {"app": "redis"}, "ports": [{"port": 6379}]}},
    ]
    node.kubectl("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List",
                                                       "items": items}))
    wait = node.kubectl("-n", NS, "wait", "--for=condition=Ready", "pod/redis", "--timeout=90s",
                        check=False, timeout=120)
    if wait.returncode != 0:
        described = node.kubectl("-n", NS, "describe", "pod", "redis", check=False).stdout
        raise AssertionError(f"redis did not become Ready:\n{described[-3000:]}")
    return node.get("pod", "redis")


def test_the_real_node_is_ready_beside_the_kwok_node(node):
    real = node.get("node", NODE, namespace="default")
    ready = {c["type"]: c["status"] for c in real["status"]["conditions"]}["Ready"]
    assert ready == "True"
    assert LABELS.items() <= real["metadata"]["labels"].items()
    assert real["status"]["nodeInfo"]["containerRuntimeVersion"].startswith("containerd://1.6.")
    kwok = node.get("node", "kwok-node-0", namespace="default")
    assert kwok["metadata"]["labels"]["type"] == "kwok"


def test_a_pod_becomes_ready_through_its_exec_probe_and_a_failing_one_does_not(node, redis):
    assert redis["spec"]["nodeName"] == NODE
    status = redis["status"]["containerStatuses"][0]
    assert status["ready"] and status["containerID"].startswith("containerd://")
    # kwok would call it Ready; a real kubelet runs the probe, which fails.
    time.sleep(6)  # three probe periods
    never = node.get("pod", "never-ready")
    assert never["status"]["containerStatuses"][0]["started"] is True
    assert not never["status"]["containerStatuses"][0]["ready"]


def test_kubectl_exec_runs_redis_cli_ping(node, redis):
    ping = node.kubectl("-n", NS, "exec", "redis", "--", "redis-cli", "ping")
    assert ping.stdout.strip() == "PONG"


def test_kubectl_logs_shows_the_server_start(node, redis):
    assert "Ready to accept connections" in node.kubectl("-n", NS, "logs", "redis").stdout


def test_another_pod_reaches_it_by_its_service_name(node, redis):
    """CoreDNS answers the Service's name, kube-proxy takes its ClusterIP to the
    pod; a name outside the cluster resolves to nothing (no forwarder)."""
    script = (f"redis-cli -h redis.{NS}.svc.cluster.local ping; "
              "redis-cli -h www.example.com ping 2>&1 || true")
    node.kubectl("apply", "-f", "-", stdin=json.dumps(
        pod("client", REDIS, "IfNotPresent", command=["sh", "-c", script], restart="Never")))
    node.until("the client pod to finish",
               lambda: node.get("pod", "client")["status"].get("phase") in ("Succeeded", "Failed"))
    lines = node.kubectl("-n", NS, "logs", "client").stdout.splitlines()
    assert lines[0] == "PONG", lines
    assert "www.example.com" in lines[1] and "PONG" not in lines[1], lines


LISTENER = """
import socket, sys
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", 7000))
server.listen(8)
while True:
    conn, peer = server.accept()
    print(peer[0], flush=True)
    conn.sendall(b"hello\\n")
    conn.close()
"""


@pytest.fixture
def outside(node, tmp_path):
    """A stand-in for the world beyond the machine: a network namespace of the
    test's own (held by a process, so no /run/netns entry), behind a veth pair,
    10.246.0.1 on the host's side, with a TCP listener at 10.246.0.2:7000 that
    records who connects. Yields that file."""
    holder = subprocess.Popen(["unshare", "--net", "sleep", "300"])
    peers = tmp_path / "peers"
    listener = None
    try:
        pid = str(holder.pid)
        ns = f"/proc/{pid}/ns/net"
        node.until("the namespace", lambda: os.readlink(ns) != os.readlink("/proc/self/ns/net"), 10)
        veth = ["ip", "link", "add", "rfb-outside0", "type", "veth", "peer", "name", "eth9"]
        for command in (veth, ["ip", "link", "set", "eth9", "netns", pid],
                        ["ip", "addr", "add", "10.246.0.1/24", "dev", "rfb-outside0"],
                        ["ip", "link", "set", "rfb-outside0", "up"]):
            subprocess.run(command, check=True)
        for command in (["ip", "addr", "add", "10.246.0.2/24", "dev", "eth9"],
                        ["ip", "link", "set", "eth9", "up"], ["ip", "link", "set", "lo", "up"],
                        ["ip", "route", "add", "default", "via", "10.246.0.1"]):
            subprocess.run(["nsenter", "-t", pid, "-n", *command], check=True)
        with peers.open("w") as out:  # the listener has its own copy of the descriptor
            listener = subprocess.Popen(["nsenter", "-t", pid, "-n", "python3", "-c", LISTENER],
                                        stdout=out)
        node.until("the listener", lambda: subprocess.run(
            ["nsenter", "-t", pid, "-n", "python3", "-c",
             "import socket; socket.create_connection(('127.0.0.1', 7000), 1)"],
            capture_output=True).returncode == 0, 10)
        yield peers
    finally:
        for process in (listener, holder):
            if process is not None:
                process.kill()
                process.wait()
        subprocess.run(["ip", "link", "del", "rfb-outside0"], capture_output=True)


def test_no_pod_reaches_beyond_the_machine(node, redis, outside):
    """The host reaches the stand-in outside; a pod on the bridge and a
    hostNetwork pod do not (the mangle FORWARD and the cgroup OUTPUT rules)."""
    with socket.create_connection(("10.246.0.2", 7000), timeout=5) as conn:
        assert conn.recv(16) == b"hello\n"
    hostnet = pod("hostnet", REDIS, "IfNotPresent", command=["sleep", "600"])
    hostnet["spec"]["hostNetwork"] = True
    node.kubectl("apply", "-f", "-", stdin=json.dumps(hostnet))
    node.kubectl("-n", NS, "wait", "--for=condition=Ready", "pod/hostnet", "--timeout=60s",
                 timeout=90)
    for name in ("redis", "hostnet"):
        tried = node.kubectl("-n", NS, "exec", name, "--", "timeout", "5", "redis-cli", "-h",
                             "10.246.0.2", "-p", "7000", "ping", check=False, timeout=30)
        assert '"h"' not in tried.stdout + tried.stderr, f"{name} reached it: {tried.stdout}"
    peers = [p for p in outside.read_text().split() if p != "127.0.0.1"]  # its own start check
    assert peers == ["10.246.0.1"], "only the host's connection"


def test_an_always_pull_of_an_absent_image_fails_at_127_0_0_1(node):
    node.kubectl("apply", "-f", "-", stdin=json.dumps(pod("pull", ABSENT, "Always")))

    def waiting():
        statuses = node.get("pod", "pull")["status"].get("containerStatuses") or []
        reason = (statuses[0]["state"].get("waiting") or {}).get("reason") if statuses else None
        return reason if reason in ("ErrImagePull", "ImagePullBackOff") else None

    node.until("ErrImagePull or ImagePullBackOff", waiting, seconds=60)
    events = node.kubectl("-n", NS, "get", "events", "--field-selector",
                          "involvedObject.name=pull", "-o", "json").stdout
    failed = [e["message"] for e in json.loads(events)["items"] if e["reason"] == "Failed"]
    # containerd asked 127.0.0.1:1, as its hosts.toml says, not the registry's address.
    assert any("127.0.0.1:1" in m for m in failed), failed


def test_down_leaves_the_host_as_found(node):
    """Last: stops the node and compares the host with the snapshot from before `up`."""
    down = node.down()
    assert down.returncode == 0, down.stderr[-3000:]
    after = host_state.snapshot(node.state)
    assert host_state.differences(node.before, after) == {}
