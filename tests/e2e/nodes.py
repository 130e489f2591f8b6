"""kwok's fake nodes, added by a test module to the simulated cluster and removed after it.

kwok takes any Node carrying its annotation: it marks it Ready and makes
the pods scheduled there Running and Ready, with no container runtime.
"""

import json
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import pytest
import yaml

from components.project import PROJECT
from tests.e2e.cluster import FAKE_NODE_ANNOTATION, e2e_stack_text

READY_SECONDS = 90

NODE_LABEL = "redis-filebeat-e2e/rollouts"
"""On the fake nodes a stack of `stack_text` runs on, with a value of the run's own."""

Taint = tuple[str, str | None, str]
"""key, value (None for none), effect."""


def kubectl(*args: str, input: str | None = None, timeout: float = 120
            ) -> subprocess.CompletedProcess:
    return subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=timeout,
                          input=input)


def node(name: str, labels: Mapping[str, str], taints: Sequence[Taint] = ()) -> dict:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {
        "name": name, "annotations": {FAKE_NODE_ANNOTATION: "fake"},
        "labels": {"kubernetes.io/os": "linux", "kubernetes.io/hostname": name, **labels}},
        "spec": {"taints": [{"key": k, **({"value": v} if v else {}), "effect": e}
                            for k, v, e in taints]}}


@contextmanager
def fake_nodes(documents: Sequence[dict]) -> Iterator[list[str]]:
    """The nodes, Ready; deleted afterwards whatever happened."""
    names = [d["metadata"]["name"] for d in documents]
    applied = kubectl("apply", "-f", "-", input=json.dumps(
        {"apiVersion": "v1", "kind": "List", "items": list(documents)}))
    try:
        assert applied.returncode == 0, applied.stderr
        wait_until_ready(names)
        yield names
    finally:
        kubectl("delete", "node", *names, "--ignore-not-found", "--wait=false")


def wait_until_ready(names: Sequence[str], seconds: float = READY_SECONDS) -> None:
    """A node that is not Ready yet carries the node controller's
    `node.kubernetes.io/not-ready` taints, which a snapshot of the inventory
    would keep while the controller, moments later, no longer sees them;
    and the DaemonSet controller skips the node until they are gone."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        nodes = json.loads(kubectl("get", "node", *names, "-o", "json").stdout or "{}")
        ready = [n for n in nodes.get("items", [])
                 if any(c["type"] == "Ready" and c["status"] == "True"
                        for c in n.get("status", {}).get("conditions", []))
                 and not any(t["key"].startswith("node.kubernetes.io/")
                             for t in n["spec"].get("taints", []))]
        if len(ready) == len(names):
            return
        time.sleep(1)
    pytest.fail(f"the fake nodes were not Ready, without the node controller's taints, within "
                f"{seconds:g} s")


def stack_text(namespace: str, context: str, strategy: dict, label_value: str) -> str:
    """The suite's dev stack file, with this strategy, on the labelled nodes only."""
    document = yaml.safe_load(e2e_stack_text(namespace, context))
    filebeat = document["config"][f"{PROJECT}:filebeat"]
    filebeat["nodeSelector"] = {**filebeat.get("nodeSelector", {}), NODE_LABEL: label_value}
    filebeat["updateStrategy"] = strategy
    return "# Written by tests/e2e for one run, and removed after it.\n" + \
        yaml.safe_dump(document, sort_keys=False)
