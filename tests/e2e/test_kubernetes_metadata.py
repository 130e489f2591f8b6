"""add_kubernetes_metadata, with a real filebeat, against the simulated cluster's API.

The rendered filebeat pod runs as its container (tests/real/runtime/), with the
service-account token the kubelet would project: the stack's own
ServiceAccount's, bound to the rendered ClusterRole. A pod the test creates
on a kwok node names the log file, as the kubelet's link does; the events in
redis must carry that pod's name, namespace and labels, read from the API.
Without an API server (every other runtime test) shipping goes on regardless.
"""

import base64
import json
import secrets
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from tests.configs import minimal
from tests.e2e.nodes import kubectl
from tests.real.runtime.images import MissingTool, load
from tests.real.runtime.node_logs import ContainerLog
from tests.real.runtime.pipeline import Pipeline, numbered
from tests.real.runtime.pod import Api, Node

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
STEPS_IN_ORDER = False
LABELS = {"app": "shop", "tier": "web"}


def ok(result):
    assert result.returncode == 0, result.stderr
    return result.stdout


def api_of_current_context() -> tuple[str, int, str]:
    config = json.loads(ok(kubectl("config", "view", "--raw", "--minify", "-o", "json")))
    cluster = config["clusters"][0]["cluster"]
    host, _, port = cluster["server"].removeprefix("https://").rpartition(":")
    if "certificate-authority-data" in cluster:
        ca = base64.b64decode(cluster["certificate-authority-data"]).decode()
    else:  # toolchain/cluster's kubeconfig names the file
        ca = Path(cluster["certificate-authority"]).read_text()
    return host, int(port), ca


def test_events_carry_the_pods_name_namespace_and_labels(cluster):
    try:
        images = {name: load(name) for name in ("filebeat", "redis", "redis-exporter")}
    except MissingTool as missing:
        pytest.fail(f"the runtime stand-ins: {missing}", pytrace=False)
    namespace = f"meta-{secrets.token_hex(3)}"
    config = minimal()
    config["namespace"] = namespace
    config["createNamespace"] = True
    # debug: add_kubernetes_metadata says why it has no client only at debug level.
    config["filebeat"] = {**config["filebeat"], "logLevel": "debug"}
    node_name = ok(kubectl("get", "nodes", "-o", "jsonpath={.items[0].metadata.name}"))
    pod_name, container_id = f"shop-{secrets.token_hex(3)}", secrets.token_hex(32)
    root = Path(tempfile.mkdtemp(prefix="meta-"))
    pipe = None
    try:
        host, port, ca = api_of_current_context()
        node = Node(node_name, root / "node", Api(host, port, "", ca))
        pipe = Pipeline(node, images, config)
        # The stack's own identity: its Namespace, ServiceAccount, ClusterRole and binding.
        wanted = {"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding"}
        documents = [m.body for m in pipe.rendered.manifests.objects if m.kind in wanted]
        ok(kubectl("apply", "-f", "-", input=yaml.safe_dump_all(documents)))
        token = ok(kubectl("create", "token", "filebeat", "-n", namespace)).strip()
        node.api = Api(host, port, token, ca)
        pipe.filebeat = pipe.new_filebeat()
        # The pod whose log filebeat reads, Running on the node, with the
        # container ID the runtime would report (kwok reports none).
        ok(kubectl("run", pod_name, "-n", namespace, "--image", "busybox",
                   "--labels", ",".join(f"{k}={v}" for k, v in LABELS.items()),
                   "--overrides", json.dumps({"spec": {"nodeName": node_name}})))
        ok(kubectl("wait", "-n", namespace, f"pod/{pod_name}", "--timeout=60s",
                   "--for=jsonpath={.status.phase}=Running"))
        status = json.loads(ok(kubectl("get", "pod", pod_name, "-n", namespace, "-o", "json")))
        statuses = status["status"]["containerStatuses"]
        statuses[0]["containerID"] = f"containerd://{container_id}"
        ok(kubectl("patch", "pod", pod_name, "-n", namespace, "--subresource=status",
                   "--type=merge", "-p", json.dumps({"status": {"containerStatuses": statuses}})))
        pipe.redis.start()
        pipe.wait_redis_ready()
        log = ContainerLog(node.root, pod_name, namespace=namespace, container=pod_name)
        log.id = container_id
        log.link.unlink()
        log.link = log.link.with_name(f"{pod_name}_{namespace}_{pod_name}-{container_id}.log")
        log.link.symlink_to("/" + str(log.path.relative_to(node.root)))
        pipe.filebeat.start()
        sent = numbered("metadata", 100, width=200)
        deadline = time.monotonic() + 45
        event = None
        while time.monotonic() < deadline and event is None:
            log.write(sent)  # until the watch has the pod: earlier lines carry no metadata
            time.sleep(2)
            event = next((e for e in pipe.events() if "kubernetes" in e
                          and e["kubernetes"].get("pod", {}).get("name") == pod_name), None)
        said = [line for line in pipe.filebeat["filebeat"].output().splitlines()
                if "add_kubernetes_metadata" in line or "kubernetes.go" in line]
        sample = (pipe.events() or [{}])[-1]
        assert event is not None, "\n".join([*said[-12:], json.dumps(sample)[:1500]])
        assert event["kubernetes"]["namespace"] == namespace
        assert event["kubernetes"]["labels"] == LABELS
        assert event["kubernetes"]["node"]["name"] == node_name
        assert event["kubernetes"]["container"]["name"] == pod_name
    finally:
        if pipe is not None:
            pipe.stop()
        kubectl("delete", "namespace", namespace, "--wait=false")
        kubectl("delete", "clusterrole,clusterrolebinding", f"{namespace}-filebeat",
                "--ignore-not-found")
