"""Node coverage: the DaemonSet controller's rules, one per test, then the command."""

import json

import pytest

from components.coverage.check import coverage, parse_expectation
from components.coverage.rules import Node, tolerates, verdict
from tests.cli import cli
from tests.configs import render_config, with_filebeat

WORKER = Node("w1", {"kubernetes.io/os": "linux", "pool": "a"}, [])


def pod(**spec) -> dict:
    return spec


def reasons(pod_spec: dict, node: Node) -> tuple[str, ...]:
    return verdict(pod_spec, node).reasons


def test_a_plain_pod_runs_on_a_plain_node():
    assert verdict(pod(), WORKER).runs


def test_node_selector_names_the_key_that_does_not_match():
    assert reasons(pod(nodeSelector={"pool": "b"}), WORKER) == (
        "nodeSelector pool=b: the node has pool=a",)
    assert reasons(pod(nodeSelector={"gpu": "true"}), WORKER) == (
        "nodeSelector gpu=true: the node has no label gpu",)


def affinity(*terms) -> dict:
    return {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": list(terms)}}}}


def term(*expressions) -> dict:
    return {"matchExpressions": [dict(zip(("key", "operator", "values"), e, strict=False))
                                 for e in expressions]}


@pytest.mark.parametrize(("expression", "runs"), [
    (("pool", "In", ["a", "b"]), True), (("pool", "In", ["b"]), False),
    (("pool", "NotIn", ["b"]), True), (("pool", "NotIn", ["a"]), False),
    (("gpu", "NotIn", ["true"]), True),  # an absent label is not in any set
    (("pool", "Exists"), True), (("gpu", "Exists"), False),
    (("gpu", "DoesNotExist"), True), (("pool", "DoesNotExist"), False),
    (("cores", "Gt", ["8"]), True), (("cores", "Lt", ["8"]), False),
    (("pool", "Gt", ["1"]), False),  # not an integer: matches neither way
])
def test_required_affinity_with_every_operator(expression, runs):
    node = Node("w", {"pool": "a", "cores": "16"}, [])
    assert verdict(affinity(term(expression)), node).runs is runs


def test_affinity_terms_are_ored_and_say_which_requirement_failed():
    either = affinity(term(("pool", "In", ["b"])), term(("zone", "Exists")))
    assert reasons(either, WORKER) == (
        "required node affinity: no term matches (pool In ['b']: the node has pool=a; "
        "zone Exists: the node has no label zone)",)
    assert verdict(affinity(term(("pool", "In", ["b"])), term(("pool", "Exists"))), WORKER).runs


def test_an_empty_term_matches_no_node():
    assert not verdict(affinity({}), WORKER).runs


def taint(key: str, effect: str, value: str | None = None) -> dict:
    return {"key": key, "effect": effect, **({"value": value} if value else {})}


@pytest.mark.parametrize("effect", ["NoSchedule", "NoExecute"])
def test_an_untolerated_taint_keeps_the_pod_off(effect):
    node = Node("cp", {}, [taint("node-role.kubernetes.io/control-plane", effect)])
    assert reasons(pod(), node) == (
        f"taint node-role.kubernetes.io/control-plane:{effect} is not tolerated",)


def test_prefer_no_schedule_is_ignored_and_reported():
    found = verdict(pod(), Node("w", {}, [taint("spot", "PreferNoSchedule", "yes")]))
    assert found.runs and found.notes == (
        "taint spot=yes:PreferNoSchedule is ignored: PreferNoSchedule keeps no daemon pod away",)


@pytest.mark.parametrize("key", ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"])
def test_the_controllers_own_no_execute_tolerations(key):
    assert verdict(pod(), Node("w", {}, [taint(key, "NoExecute")])).runs


@pytest.mark.parametrize("key", ["disk-pressure", "memory-pressure", "pid-pressure",
                                 "unschedulable"])
def test_the_controllers_own_no_schedule_tolerations(key):
    assert verdict(pod(), Node("w", {}, [taint(f"node.kubernetes.io/{key}", "NoSchedule")])).runs


def test_network_unavailable_is_tolerated_only_with_host_network():
    node = Node("w", {}, [taint("node.kubernetes.io/network-unavailable", "NoSchedule")])
    assert not verdict(pod(), node).runs
    assert verdict(pod(hostNetwork=True), node).runs


@pytest.mark.parametrize(("toleration", "matches"), [
    ({"operator": "Exists"}, True),  # empty key: every taint, every effect
    ({"key": "dedicated", "operator": "Exists"}, True),
    ({"key": "dedicated", "operator": "Equal", "value": "infra"}, True),
    ({"key": "dedicated", "value": "infra"}, True),  # Equal is the default
    ({"key": "dedicated", "operator": "Equal", "value": "gpu"}, False),
    ({"key": "dedicated", "operator": "Exists", "effect": "NoExecute"}, False),
    ({"key": "other", "operator": "Exists"}, False),
])
def test_toleration_matching(toleration, matches):
    assert tolerates(toleration, taint("dedicated", "NoSchedule", "infra")) is matches


def classes(**extra) -> dict:
    return with_filebeat(nodeClasses={
        "a": {"nodeSelector": {"pool": "a"}}, "b": {"nodeSelector": {"pool": "b"}}}, **extra)


def test_a_stack_against_nodes_counts_gaps_doubles_and_expectations():
    manifests = render_config(classes()).manifests.objects
    nodes = [Node("a1", {"pool": "a"}, []), Node("b1", {"pool": "b"}, []),
             Node("c1", {"pool": "c"}, []),
             Node("cp", {"node-role.kubernetes.io/control-plane": ""},
                  [taint("node-role.kubernetes.io/control-plane", "NoSchedule")])]
    control_plane = parse_expectation("node-role.kubernetes.io/control-plane")
    result = coverage(manifests, nodes, [control_plane])
    assert {n.node.name: (n.status, n.daemon_sets) for n in result.nodes} == {
        "a1": ("covered", ("filebeat-a",)), "b1": ("covered", ("filebeat-b",)),
        "c1": ("uncovered", ()), "cp": ("expected", ())}
    assert result.counts == {"covered": 2, "uncovered": 1, "doubled": 0, "expected": 1}
    assert not result.ok
    [c1] = [n for n in result.nodes if n.node.name == "c1"]
    assert c1.reasons == {"filebeat-a": ("nodeSelector pool=a: the node has pool=c",),
                          "filebeat-b": ("nodeSelector pool=b: the node has pool=c",)}


def test_tolerate_all_taints_covers_tainted_nodes():
    manifests = render_config(with_filebeat(tolerateAllTaints=True)).manifests.objects
    tainted = Node("cp", {}, [taint("node-role.kubernetes.io/control-plane", "NoSchedule"),
                              taint("dedicated", "NoExecute", "x")])
    assert coverage(manifests, [tainted]).ok


@pytest.mark.parametrize(("text", "labels", "matches"), [
    ("role", {"role": ""}, True), ("role=cp", {"role": "cp"}, True),
    ("role=cp", {"role": "w"}, False), ("!gpu", {}, True), ("!gpu", {"gpu": "1"}, False),
    ("role=cp,!gpu", {"role": "cp", "gpu": "1"}, False),
    ("role==cp", {"role": "cp"}, True), ("role==cp", {"role": "w"}, False),
    ("os!=linux", {"os": "windows"}, True), ("os!=linux", {"os": "linux"}, False),
    ("os!=linux", {}, True), ("role=", {"role": ""}, True), ("role!=", {"role": ""}, False),
])
def test_expectations_are_label_selectors(text, labels, matches):
    assert parse_expectation(text).matches(labels) is matches


@pytest.mark.parametrize("text", ["!a=b", "!a!=b", "a===b", "a=b=c", "a!b", "a b", "", "a,,b",
                                  "a=b c"])
def test_an_expectation_that_is_no_selector_is_refused(text):
    with pytest.raises(ValueError, match="key!=value, joined by commas"):
        parse_expectation(text)


def test_json_is_one_object_per_node():
    manifests = render_config(classes()).manifests.objects
    from components.coverage.report import as_json
    found = json.loads(as_json(coverage(manifests, [Node("a1", {"pool": "a"}, [])])))
    assert found == [{"node": "a1", "daemonSets": ["filebeat-a"], "status": "covered",
                      "reasons": {"filebeat-b": ["nodeSelector pool=b: the node has pool=a"]}}]


NODES = """\
- name: cp-1
  labels: {node-role.kubernetes.io/control-plane: ""}
  taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]
- name: w-1
  labels: {kubernetes.io/os: linux}
"""


def test_the_command_exits_1_on_a_gap_and_0_when_it_is_expected(tmp_path):
    nodes = tmp_path / "nodes.yaml"
    nodes.write_text(NODES)
    gap = cli("coverage", "--stack", "dev", "--nodes", str(nodes))
    assert gap.returncode == 1, gap.stderr
    assert "cp-1: no DaemonSet runs here: its logs are never shipped" in gap.stdout
    assert gap.stdout.endswith("1 covered once, 1 uncovered (a log gap), 0 covered more than "
                               "once (duplicate shipping), 0 uncovered as expected\n")
    expected = cli("coverage", "--stack", "dev", "--nodes", str(nodes),
                   "--expect-uncovered", "node-role.kubernetes.io/control-plane")
    assert expected.returncode == 0, expected.stdout
    assert "cp-1: no DaemonSet, as expected (node-role.kubernetes.io/control-plane)" in \
        expected.stdout


def test_the_command_reads_kubectl_json_and_prints_json(tmp_path):
    nodes = tmp_path / "nodes.json"
    nodes.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"kind": "Node", "metadata": {"name": "w-1", "labels": {"kubernetes.io/os": "linux"}}}]}))
    result = cli("coverage", "--stack", "dev", "--nodes", str(nodes), "--format", "json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == [
        {"node": "w-1", "daemonSets": ["filebeat"], "reasons": {}, "status": "covered"}]


def test_a_rendered_folder_is_a_source_too(tmp_path):
    assert cli("render", "--stack", "dev", "--out", str(tmp_path / "dev")).returncode == 0
    nodes = tmp_path / "nodes.yaml"
    nodes.write_text(NODES)
    from_dir = cli("coverage", "--dir", str(tmp_path / "dev"), "--nodes", str(nodes))
    from_stack = cli("coverage", "--stack", "dev", "--nodes", str(nodes))
    assert from_dir.returncode == from_stack.returncode == 1
    assert from_dir.stdout.splitlines()[1:] == from_stack.stdout.splitlines()[1:]


@pytest.mark.parametrize(("text", "message"), [
    ("- {name: a, labels: {gpu: true}}\n",
     "node 'a': labels: must map text to text (quote values like 'true')"),
    ("a: [1\n", "2:1: "),
    ("{}\n", "not a node inventory"),
    ('{"apiVersion": "v1", "kind": "List", "items": []}', "holds no nodes"),
    ("- {name: a, lables: {os: linux}}\n", "node 'a': lables: unknown key; did you mean"),
])
def test_a_bad_inventory_exits_2_with_one_line(tmp_path, text, message):
    nodes = tmp_path / "nodes.yaml"
    nodes.write_text(text)
    result = cli("coverage", "--stack", "dev", "--nodes", str(nodes))
    assert (result.returncode, result.stdout) == (2, "")
    [line] = result.stderr.splitlines()
    assert line.startswith(str(nodes)) and message in line, line


def test_a_bad_expectation_is_a_usage_error(tmp_path):
    result = cli("coverage", "--stack", "dev", "--nodes", str(tmp_path / "n.yaml"),
                 "--expect-uncovered", "!a=b")
    assert result.returncode == 2 and "write key, !key, key=value" in result.stderr


def test_a_negated_expectation_takes_the_nodes_it_names(tmp_path):
    nodes = tmp_path / "nodes.yaml"
    nodes.write_text(NODES + "- name: win-1\n  labels: {kubernetes.io/os: windows}\n")
    result = cli("coverage", "--stack", "dev", "--nodes", str(nodes), "--expect-uncovered",
                 "kubernetes.io/os!=linux,!node-role.kubernetes.io/control-plane")
    assert "win-1: no DaemonSet, as expected (kubernetes.io/os!=linux," in result.stdout
    assert result.stdout.endswith("1 uncovered as expected\n"), result.stdout
