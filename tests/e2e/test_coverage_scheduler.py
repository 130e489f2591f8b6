"""`coverage` against the real DaemonSet controller: where the pods land is what it predicted.

On the simulated cluster, fake nodes are added that exercise each rule (a
tainted control-plane node, a node missing its class label, NoExecute, a
toleration without a key, required affinity with NotIn and DoesNotExist).
A stack's render is applied with kubectl, the controller and scheduler place
the pods, and every node of the cluster, these and the suite's own, is
compared with `coverage`'s answer for `kubectl get nodes -o json`.
"""

import json
import secrets
import time

import pytest

from components.coverage.check import coverage
from components.coverage.inventory import nodes_of
from tests.configs import render_config, with_filebeat
from tests.e2e import nodes
from tests.e2e.nodes import kubectl

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
STEPS_IN_ORDER = False
SETTLE_SECONDS = 90

NO_SCHEDULE, NO_EXECUTE = "NoSchedule", "NoExecute"
NODES = {  # name suffix: labels, taints
    "a": ({"pool": "a"}, []),
    "b": ({"pool": "b"}, []),
    "unlabelled": ({}, []),
    "control-plane": ({"pool": "a", "node-role.kubernetes.io/control-plane": ""},
                      [("node-role.kubernetes.io/control-plane", None, NO_SCHEDULE)]),
    "noexecute": ({"pool": "b"}, [("dedicated", "batch", NO_EXECUTE)]),
    "tolerated": ({"pool": "a"}, [("dedicated", "logs", NO_SCHEDULE)]),
    "gpu": ({"pool": "a", "gpu": "true"}, []),
    "retired": ({"pool": "b", "retired": "yes"}, []),
    "spot": ({"pool": "b"}, [("spot", None, "PreferNoSchedule")]),
}
STACKS = {
    "classes": with_filebeat(
        nodeClasses={"a": {"nodeSelector": {"pool": "a"}}, "b": {"nodeSelector": {"pool": "b"}}},
        tolerations=[{"key": "dedicated", "operator": "Equal", "value": "logs",
                      "effect": "NoSchedule"}],
        nodeAffinity={"requiredTerms": [{"matchExpressions": [
            {"key": "gpu", "operator": "NotIn", "values": ["true"]},
            {"key": "retired", "operator": "DoesNotExist"}]}]}),
    # An Exists toleration without a key: every taint, control plane and NoExecute too.
    "everywhere": with_filebeat(tolerateAllTaints=True),
}


@pytest.fixture(scope="module")
def fake_nodes(cluster):
    if not cluster.simulated:
        pytest.skip("adds kwok's fake nodes, which only the simulated cluster runs")
    prefix = f"cov-{secrets.token_hex(2)}"
    with nodes.fake_nodes([nodes.node(f"{prefix}-{suffix}", labels, taints)
                           for suffix, (labels, taints) in NODES.items()]) as names:
        yield names


def placed(namespace: str) -> dict[str, set[str]]:
    """Node name to the DaemonSets with a pod there."""
    pods = json.loads(kubectl("get", "pods", "-n", namespace, "-o", "json").stdout)["items"]
    found: dict[str, set[str]] = {}
    for pod in pods:
        owner = next((o["name"] for o in pod["metadata"].get("ownerReferences", [])
                      if o["kind"] == "DaemonSet"), None)
        where = pod["spec"].get("nodeName")
        if owner and where and not pod["metadata"].get("deletionTimestamp"):
            found.setdefault(where, set()).add(owner)
    return found


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_coverage_predicts_where_the_controller_puts_the_pods(fake_nodes, stack):
    namespace = f"cov-{stack}-{secrets.token_hex(2)}"
    config = STACKS[stack] | {"namespace": namespace, "createNamespace": True}
    manifests = render_config(config).manifests
    cluster_wide = [m for m in manifests.objects if m.namespace is None]
    applied = kubectl("apply", "-f", "-", input=json.dumps(
        {"apiVersion": "v1", "kind": "List", "items": manifests.documents()}))
    try:
        assert applied.returncode == 0, applied.stderr
        inventory = nodes_of(json.loads(kubectl("get", "nodes", "-o", "json").stdout), "nodes")
        predicted = {n.node.name: set(n.daemon_sets)
                     for n in coverage(manifests.objects, inventory).nodes}
        expected = {name: sets for name, sets in predicted.items() if sets}
        assert {name for name in fake_nodes if name in expected}, "no fake node is covered"
        deadline, actual = time.monotonic() + SETTLE_SECONDS, {}
        while time.monotonic() < deadline:
            actual = placed(namespace)
            if actual == expected:
                break
            time.sleep(2)
        assert actual == expected, {
            "predicted only": {n: sorted(s) for n, s in expected.items() if actual.get(n) != s},
            "placed only": {n: sorted(s) for n, s in actual.items() if expected.get(n) != s}}
    finally:
        kubectl("delete", "namespace", namespace, "--ignore-not-found", "--wait=false")
        for m in cluster_wide:
            if m.kind != "Namespace":
                kubectl("delete", m.kind.lower(), m.name, "--ignore-not-found")
