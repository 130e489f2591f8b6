"""`diff --nodes`: how many waves a DaemonSet's rollout takes, and the least time they need.

The waves are `rollout_waves`' (the policy pack's and the e2e rollouts'); the
nodes are a count the user gives, or an inventory whose nodes each DaemonSet's
own rules select, as `coverage` decides.
"""

import json
from pathlib import Path

import pytest
import yaml

from components.cli import main as cli_main
from tests.configs import ROOT

FILEBEAT_8_16 = "docker.elastic.co/beats/filebeat:8.16.0"
PROD_DAEMON = "DaemonSet logging/filebeat"
START_UP = "plus the time each wave's pods take to start and become ready"


def changed_stack(tmp_path, stack: str, **filebeat) -> str:
    """A copy of a committed stack with filebeat's image (and `filebeat`) changed."""
    document = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    document["config"]["redis-filebeat:filebeat"].update(image=FILEBEAT_8_16, **filebeat)
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump(document))
    return str(path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def node(name: str, **labels: str) -> dict:
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/os": "linux", **labels}}}


def inventory(tmp_path, *nodes: dict) -> str:
    """What `kubectl get nodes -o json` prints."""
    path = tmp_path / "nodes.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": list(nodes)}))
    return str(path)


def test_a_node_count_gives_the_waves_and_their_least_time(capsys, tmp_path):
    code, out, _ = run(capsys, "diff", "--stack", "prod", "--config",
                       changed_stack(tmp_path, "prod"), "--nodes", "50")
    assert code == 1
    # prod: maxUnavailable 10%, minReadySeconds 10.
    assert (f"  {PROD_DAEMON}: rollout over 50 nodes (--nodes 50): about 10 waves, 5 nodes "
            f"at a time; at least 1 min 40 s (10 waves × minReadySeconds 10), {START_UP}\n"
            ) in out


def test_without_a_node_count_no_waves_are_guessed(capsys, tmp_path):
    out = run(capsys, "diff", "--stack", "prod", "--config", changed_stack(tmp_path, "prod"))[1]
    assert "waves" not in out


def test_without_min_ready_seconds_each_wave_is_a_start_up(capsys, tmp_path):
    out = run(capsys, "diff", "--stack", "dev", "--config", changed_stack(tmp_path, "dev"),
              "--nodes", "3")[1]
    assert ("  DaemonSet logging/filebeat: rollout over 3 nodes (--nodes 3): about 3 waves, "
            "1 node at a time; each as long as its pods take to start and become ready "
            "(minReadySeconds 0)\n") in out


def test_a_rollout_longer_than_pulumi_waits_says_it_fails(capsys, tmp_path):
    out = run(capsys, "diff", "--stack", "dev", "--config",
              changed_stack(tmp_path, "dev", minReadySeconds=30), "--nodes", "40")[1]
    assert ("rollout over 40 nodes (--nodes 40): about 40 waves, 1 node at a time; at least "
            f"20 min (40 waves × minReadySeconds 30), {START_UP}; longer than `pulumi up` "
            "waits for it (10 min, pulumi.com/timeoutSeconds): it fails at its timeout\n"
            ) in out


def test_an_inventory_counts_the_nodes_each_daemon_set_runs_on(capsys, tmp_path):
    nodes = inventory(tmp_path, *(node(f"ingest-{n}", **{"node.example.com/pool": "ingest"})
                                  for n in range(2)),
                      *(node(f"general-{n}", **{"node.example.com/pool": "general"})
                        for n in range(3)),
                      node("windows", **{"kubernetes.io/os": "windows"}))
    out = run(capsys, "diff", "--stack", "mixed-nodes", "--config",
              changed_stack(tmp_path, "mixed-nodes"), "--nodes", nodes)[1]
    for name, count in (("ingest", 2), ("general", 3)):
        assert (f"  DaemonSet logging/filebeat-{name}: rollout over {count} nodes ({nodes}): "
                f"about {count} waves, 1 node at a time; at least {count * 10} s ({count} "
                f"waves × minReadySeconds 10), {START_UP}\n") in out


def test_markdown_and_json_give_the_waves_too(capsys, tmp_path):
    sides = ["diff", "--stack", "prod", "--config", changed_stack(tmp_path, "prod"),
             "--nodes", "50"]
    markdown = run(capsys, *sides, "--format", "markdown")[1]
    assert (f"- **{PROD_DAEMON}**: rollout over 50 nodes (--nodes 50): about 10 waves, 5 nodes "
            "at a time;") in markdown
    code, out, _ = run(capsys, *sides, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert (report["old"], report["nodes"]) == ("--stack prod", "--nodes 50")
    [daemon] = [o for o in report["objects"] if o["kind"] == "DaemonSet"]
    assert daemon["rollout"] == {"nodes": 50, "waves": 10, "atATime": 5, "minReadySeconds": 10,
                                 "minimumSeconds": 100, "timeoutSeconds": 600}
    assert daemon["status"] == "changed" and daemon["replaced"] is False
    assert any(line.startswith("rollout over 50 nodes") for line in daemon["impacts"])
    image = "spec.template.spec.containers[filebeat].image"
    assert {"path": image, "old": "docker.elastic.co/beats/filebeat:9.3.8",
            "new": FILEBEAT_8_16} in daemon["fields"]
    assert all(o["rollout"] is None for o in report["objects"] if o["kind"] != "DaemonSet")


def test_on_delete_has_no_waves(capsys, tmp_path):
    on_delete = {"type": "OnDelete"}
    old = changed_stack(tmp_path, "dev", updateStrategy=on_delete)
    new = tmp_path / "new" / "Pulumi.dev.yaml"
    new.parent.mkdir()
    new.write_text(Path(old).read_text().replace(FILEBEAT_8_16, FILEBEAT_8_16 + "-1"))
    out = run(capsys, "diff", "--config", old, "--config", str(new), "--nodes", "50",
              "--format", "json")[1]
    [daemon] = [o for o in json.loads(out)["objects"] if o["kind"] == "DaemonSet"]
    assert daemon["rollout"] is None
    assert daemon["impacts"] == ["OnDelete → no pod changes until pods are deleted"]


@pytest.mark.parametrize(("value", "message"), [
    ("0", "--nodes: at least 1 node"),
    ("10000001", "--nodes: at most 1000000 nodes"),
])
def test_a_node_count_out_of_range_is_refused(capsys, value, message):
    with pytest.raises(SystemExit) as exit:
        cli_main(["diff", "--stack", "dev", "--stack", "prod", "--nodes", value])
    assert exit.value.code == 2
    assert message in capsys.readouterr().err


def test_an_unreadable_inventory_is_refused(capsys, tmp_path):
    code, out, err = run(capsys, "diff", "--stack", "dev", "--stack", "prod", "--nodes",
                         str(tmp_path / "none.json"))
    assert (code, out) == (2, "")
    assert err.startswith(str(tmp_path / "none.json"))
    (tmp_path / "bad.json").write_text('{"kind": "List", "items": [{"kind": "Node"}]}')
    code, _, err = run(capsys, "diff", "--stack", "dev", "--stack", "prod", "--nodes",
                       str(tmp_path / "bad.json"))
    assert code == 2 and "metadata.name: must be text" in err


def test_a_budget_kubernetes_would_refuse_is_refused_where_the_folder_is_read(
        capsys, tmp_path):
    daemon = {"apiVersion": "apps/v1", "kind": "DaemonSet",
              "metadata": {"name": "d", "namespace": "ns"},
              "spec": {"minReadySeconds": "10", "updateStrategy": {
                  "rollingUpdate": {"maxUnavailable": "ten", "maxSurge": True}}}}
    (tmp_path / "ds.yaml").write_text(json.dumps(daemon))
    code, _, err = run(capsys, "diff", "--dir", str(tmp_path), "--stack", "dev")
    assert code == 2
    assert [line.split(": document 1: ")[1] for line in err.splitlines()] == [
        "spec.minReadySeconds: must be a whole number, as Kubernetes requires",
        "spec.updateStrategy.rollingUpdate.maxUnavailable: must be a count or a percentage, "
        "as Kubernetes requires",
        "spec.updateStrategy.rollingUpdate.maxSurge: must be a count or a percentage, as "
        "Kubernetes requires"]
