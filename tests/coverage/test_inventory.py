"""Node inventories as coverage reads them: kubectl's output and a plan file,
and one line per problem in either."""

import pytest

from components.coverage.inventory import InventoryError, nodes_of
from tests.coverage.test_coverage import taint


def test_inventory_from_kubectl_and_from_a_plan_read_the_same():
    kubectl = {"apiVersion": "v1", "kind": "List", "items": [{
        "kind": "Node", "metadata": {"name": "cp", "labels": {"role": "cp"}},
        "spec": {"taints": [taint("node-role.kubernetes.io/control-plane", "NoSchedule")]}}]}
    plan = [{"name": "cp", "labels": {"role": "cp"},
             "taints": [taint("node-role.kubernetes.io/control-plane", "NoSchedule")]}]
    assert nodes_of(kubectl, "k.yaml") == nodes_of(plan, "p.yaml") == nodes_of(
        {"nodes": plan}, "p.yaml")


def test_a_bad_inventory_gets_one_line_per_problem():
    with pytest.raises(InventoryError) as caught:
        nodes_of([{"name": "a", "labels": {"gpu": True}},
                  {"name": "b", "taints": [{"key": "x", "effect": "Sometimes"}]},
                  {"labels": {}}, {"name": "a"}], "nodes.yaml")
    assert str(caught.value).splitlines() == [
        "nodes.yaml: node 'a': labels: must map text to text (quote values like 'true')",
        "nodes.yaml: node 'b': taints[0]: effect: must be one of NoSchedule, "
        "PreferNoSchedule, NoExecute",
        "nodes.yaml: nodes[2]: name: must be text",
    ]


def test_a_plan_node_refuses_a_key_it_does_not_know():
    with pytest.raises(InventoryError) as caught:
        nodes_of([{"name": "w-1", "lables": {"os": "linux"}},
                  {"name": "w-2", "taint": [taint("dedicated", "NoSchedule", "x")]},
                  {"name": "w-3", "zone": "a"}], "typo.yaml")
    assert str(caught.value).splitlines() == [
        "typo.yaml: node 'w-1': lables: unknown key; did you mean 'labels'?",
        "typo.yaml: node 'w-2': taint: unknown key; did you mean 'taints'?",
        "typo.yaml: node 'w-3': zone: unknown key",
    ]


def kubectl_list(*items: dict, kind: str = "List") -> dict:
    return {"apiVersion": "v1", "kind": kind, "items": list(items)}


def test_a_list_of_anything_but_nodes_is_refused_once_per_kind():
    pod = {"kind": "Pod", "metadata": {"name": "redis-0", "labels": {"app": "redis"}}}
    node = {"kind": "Node", "metadata": {"name": "n1"}}
    with pytest.raises(InventoryError) as caught:
        nodes_of(kubectl_list(pod, node, pod, {"metadata": {"name": "x"}}), "pods.json")
    assert str(caught.value).splitlines() == [
        "pods.json: items[0]: kind: Pod, not Node (and 1 more): give the output of "
        "`kubectl get nodes -o yaml`",
        "pods.json: items[3]: kind: (none), not Node: give the output of "
        "`kubectl get nodes -o yaml`",
    ]


def test_a_node_list_from_the_api_leaves_the_kind_of_its_items_out():
    [node] = nodes_of(kubectl_list({"metadata": {"name": "n1"}}, kind="NodeList"), "n.json")
    assert node.name == "n1"


@pytest.mark.parametrize("document", [kubectl_list(), kubectl_list(kind="NodeList"), [],
                                      {"nodes": []}])
def test_an_inventory_without_nodes_says_so(document):
    with pytest.raises(InventoryError, match=r"^n\.json: holds no nodes"):
        nodes_of(document, "n.json")


def test_kubectl_taint_problems_name_the_key_as_kubectl_writes_it():
    bad = {"kind": "Node", "metadata": {"name": "n1"},
           "spec": {"taints": [{"key": "a", "effect": "NoExecut"}]}}
    not_a_list = {"kind": "Node", "metadata": {"name": "n2"}, "spec": {"taints": "a"}}
    with pytest.raises(InventoryError) as caught:
        nodes_of(kubectl_list(bad, not_a_list, {"kind": "Node"}), "n.json")
    assert str(caught.value).splitlines() == [
        "n.json: node 'n1': spec.taints[0]: effect: must be one of NoSchedule, "
        "PreferNoSchedule, NoExecute",
        "n.json: node 'n2': spec.taints: must be a list",
        "n.json: items[2]: metadata.name: must be text",
    ]
