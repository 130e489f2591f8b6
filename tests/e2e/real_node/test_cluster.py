"""The real node itself (`toolchain/cluster up --real-node`): it is Ready
beside the kwok node, and its pods really run (containerd, runc, the bridge
CNI, kube-proxy, CoreDNS) and reach nothing beyond the machine. Bare pods on
the redis stand-in, in a namespace of their own; the stack itself is
test_stack.py's.
"""

import json
import os
import socket
import subprocess
import time

import pytest

from tests.e2e.real_node import node as real
from tests.e2e.real_node.node import LABELS, NAME

pytestmark = real.marks()
STEPS_IN_ORDER = False
"""Each test needs only the fixtures it names."""

NS = "real-node-test"
ABSENT = "docker.io/library/redis:7.0.15"
"""Not imported: an Always pull of it must fail at 127.0.0.1, never leave the machine."""


def pod(name: str, image: str, pull: str, **more) -> dict:
    return real.pod(name, NS, image, pull, **more)


REDIS_PROBE = ["sh", "-c", "redis-cli ping | grep -q PONG"]


@pytest.fixture(scope="module")
def namespaced(node):
    node.kubectl("create", "namespace", NS)
    return node


@pytest.fixture(scope="module")
def redis(node, namespaced):
    """A redis pod on the real node, Ready through its exec probe, behind a Service;
    and a pod whose probe always fails, which a real kubelet keeps unready."""
    items = [
        pod("redis", node.images["redis"], "IfNotPresent", labels={"app": "redis"},
            probe=REDIS_PROBE, command=["redis-server", "--protected-mode", "no"]),
        pod("never-ready", node.images["redis"], "IfNotPresent", probe=["sh", "-c", "exit 1"],
            command=["redis-server", "--protected-mode", "no"]),
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "redis", "namespace": NS},
         "spec": {"selector": {"app": "redis"}, "ports": [{"port": 6379}]}},
    ]
    node.apply(*items)
    wait = node.kubectl("-n", NS, "wait", "--for=condition=Ready", "pod/redis", "--timeout=90s",
                        check=False, timeout=120)
    if wait.returncode != 0:
        described = node.kubectl("-n", NS, "describe", "pod", "redis", check=False).stdout
        raise AssertionError(f"redis did not become Ready:\n{described[-3000:]}")
    return node.get("pod", "redis", NS)


def test_the_real_node_is_ready_beside_the_kwok_node(node):
    found = node.get("node", NAME, "default")
    ready = {c["type"]: c["status"] for c in found["status"]["conditions"]}["Ready"]
    assert ready == "True"
    assert LABELS.items() <= found["metadata"]["labels"].items()
    assert found["status"]["nodeInfo"]["containerRuntimeVersion"].startswith("containerd://1.6.")
    kwok = node.get("node", "kwok-node-0", "default")
    assert kwok["metadata"]["labels"]["type"] == "kwok"


def test_a_pod_becomes_ready_through_its_exec_probe_and_a_failing_one_does_not(node, redis):
    assert redis["spec"]["nodeName"] == NAME
    status = redis["status"]["containerStatuses"][0]
    assert status["ready"] and status["containerID"].startswith("containerd://")
    # kwok would call it Ready; a real kubelet runs the probe, which fails.
    time.sleep(6)  # three probe periods
    never = node.get("pod", "never-ready", NS)
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
    node.apply(pod("client", node.images["redis"], "IfNotPresent", command=["sh", "-c", script],
                   restart="Never"))
    node.until("the client pod to finish",
               lambda: node.get("pod", "client", NS)["status"].get("phase")
               in ("Succeeded", "Failed"))
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
    hostnet = pod("hostnet", node.images["redis"], "IfNotPresent", command=["sleep", "600"])
    hostnet["spec"]["hostNetwork"] = True
    node.apply(hostnet)
    node.kubectl("-n", NS, "wait", "--for=condition=Ready", "pod/hostnet", "--timeout=60s",
                 timeout=90)
    for name in ("redis", "hostnet"):
        tried = node.kubectl("-n", NS, "exec", name, "--", "timeout", "5", "redis-cli", "-h",
                             "10.246.0.2", "-p", "7000", "ping", check=False, timeout=30)
        assert '"h"' not in tried.stdout + tried.stderr, f"{name} reached it: {tried.stdout}"
    peers = [p for p in outside.read_text().split() if p != "127.0.0.1"]  # its own start check
    assert peers == ["10.246.0.1"], "only the host's connection"


def test_an_always_pull_of_an_absent_image_fails_at_127_0_0_1(node, namespaced):
    node.apply(pod("pull", ABSENT, "Always"))

    def waiting():
        statuses = node.get("pod", "pull", NS)["status"].get("containerStatuses") or []
        reason = (statuses[0]["state"].get("waiting") or {}).get("reason") if statuses else None
        return reason if reason in ("ErrImagePull", "ImagePullBackOff") else None

    node.until("ErrImagePull or ImagePullBackOff", waiting, seconds=60)
    events = node.kubectl("-n", NS, "get", "events", "--field-selector",
                          "involvedObject.name=pull", "-o", "json").stdout
    failed = [e["message"] for e in json.loads(events)["items"] if e["reason"] == "Failed"]
    # containerd asked 127.0.0.1:1, as its hosts.toml says, not the registry's address.
    assert any("127.0.0.1:1" in m for m in failed), failed
