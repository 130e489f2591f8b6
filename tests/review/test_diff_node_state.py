"""`diff` on what filebeat keeps on the node: a registry moved, shared or in the pod."""

import json

from components.render.manifests import Manifest
from components.review.pairing import compare
from components.review.report import as_markdown, as_text
from tests.configs import minimal, render_config, with_filebeat
from tests.review.test_diff import (
    DAEMON,
    RESHIPPED,
    cluster_section,
    diff,
    impacts,
    run,
)

# --- state kept on the node ---------------------------------------------------


def test_moving_the_registry_reships_every_retained_log():
    diffs = diff(with_filebeat(registryHostPath="/var/lib/a"),
                 with_filebeat(registryHostPath="/var/lib/b"))
    assert impacts(diffs) == {DAEMON: [
        "pod template changed → RollingUpdate replaces pods on every selected node, "
        "at most 1 unavailable at a time",
        f"registry moved /var/lib/a → /var/lib/b → {RESHIPPED}"]}
    # Said as the impact it is, in both reports.
    assert f"  {DAEMON}: registry moved /var/lib/a → /var/lib/b → {RESHIPPED}" in \
        cluster_section(as_text(diffs, "a", "b"))
    assert f"- **{DAEMON}**: registry moved /var/lib/a → /var/lib/b → {RESHIPPED}" in \
        as_markdown(diffs, "a", "b")


def test_a_renamed_filebeat_moves_the_default_registry():
    lines = impacts(diff(minimal(), with_filebeat(name="shipper")))
    assert lines["DaemonSet default/shipper"] == [
        "added → a pod starts on every selected node",
        "registry moved /var/lib/redis-filebeat/default/filebeat → "
        f"/var/lib/redis-filebeat/default/shipper → {RESHIPPED}"]


def test_a_registry_in_the_pod_is_reshipped_on_every_restart():
    lines = impacts(diff(minimal(), with_filebeat(registryHostPath=None)))
    assert lines[DAEMON][1] == (
        "registry no longer kept on the node (/var/lib/redis-filebeat/default/filebeat) → "
        f"{RESHIPPED}, and again each time a pod restarts")


def test_node_classes_share_the_registry_so_nothing_is_reshipped():
    classes = {"arm": {"nodeSelector": {"kubernetes.io/arch": "arm64"}}}
    lines = impacts(diff(minimal(), with_filebeat(nodeClasses=classes)))
    # One line, the shared registry's lock (test_diff_shared_state.py), and none of a move.
    [line] = lines["DaemonSet default/filebeat-arm"]
    assert "registry moved" not in line and RESHIPPED not in line
    # A stack new to the cluster has nothing to re-ship: no line either.
    assert impacts(compare([], render_config(minimal()).manifests.objects))[DAEMON] == [
        "added → a pod starts on every selected node"]


def test_another_daemons_moved_host_state_is_named_as_such():
    def agent(path: str, read_only: bool = False) -> Manifest:
        return Manifest({"apiVersion": "apps/v1", "kind": "DaemonSet",
                         "metadata": {"name": "agent", "namespace": "ns"},
                         "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": {
                             "metadata": {"labels": {"app": "agent"}},
                             "spec": {"containers": [{
                                 "name": "agent", "image": "example.com/agent:1",
                                 "volumeMounts": [{"name": "state", "mountPath": "/s",
                                                   "readOnly": read_only}]}],
                                 "volumes": [{"name": "state", "hostPath": {"path": path}}]}}}})

    diffs = compare([agent("/var/a")], [agent("/var/b")])
    assert impacts(diffs)["DaemonSet ns/agent"][1] == (
        "hostPath volume state moved /var/a → /var/b → the new pods start on an empty "
        "directory on every node; what the old pods kept stays behind in /var/a")
    # A path the pods only read holds no state of theirs.
    read_only = compare([agent("/var/a", read_only=True)], [agent("/var/b", read_only=True)])
    assert len(impacts(read_only)["DaemonSet ns/agent"]) == 1


def test_a_host_path_that_is_not_text_is_refused_where_it_is_read(capsys, tmp_path):
    daemon = {"apiVersion": "apps/v1", "kind": "DaemonSet",
              "metadata": {"name": "d", "namespace": "ns"},
              "spec": {"template": {"spec": {
                  "volumes": [{"name": "v", "hostPath": {"path": ["/a"]}}],
                  "containers": [{"image": 1, "volumeMounts": [{"name": {"v": 1}}]}]}}}}
    (tmp_path / "ds.yaml").write_text(json.dumps(daemon))
    code, _, err = run(capsys, "diff", "--dir", str(tmp_path), "--stack", "dev")
    assert code == 2
    assert [line.split(": document 1: ")[1] for line in err.splitlines()] == [
        "spec.template.spec.volumes[0].hostPath.path: must be text, as Kubernetes requires",
        "spec.template.spec.containers[0].image: must be text, as Kubernetes requires",
        "spec.template.spec.containers[0].volumeMounts[0].name: must be text, as Kubernetes "
        "requires"]
