"""A new DaemonSet on the node directory of one the same `up` deletes.

Node classes added or removed, or a namespace move under a fixed
`registryHostPath`: the engine creates before it deletes, and the new
filebeats find the registry locked (docs/rollouts.md).
"""

from components.review.pairing import compare
from components.review.report import as_markdown
from tests.configs import minimal, render_config, with_filebeat

CLASSES = {"arm": {"nodeSelector": {"kubernetes.io/arch": "arm64"}},
           "amd": {"nodeSelector": {"kubernetes.io/arch": "amd64"}}}
REGISTRY = "/var/lib/redis-filebeat/default/filebeat"
LOCKED = ("its pods cannot start while those of DaemonSet default/filebeat, which this change "
          f"removes, hold {REGISTRY} on the same nodes: a second filebeat refuses a locked "
          "registry (\"data path already locked by another beat\") and crash-loops")
FAILS = ("Pulumi deletes DaemonSet default/filebeat only after this one is ready, so "
         "`pulumi up` waits 10 min (pulumi.com/timeoutSeconds), fails, and leaves it running")
SAFELY = ("do it in two steps: `pulumi destroy --target` the old DaemonSet's URN, then "
          "`pulumi up` (docs/rollouts.md#a-new-daemonset-on-an-old-ones-node-directory)")


def impacts(old: dict, new: dict) -> dict[str, list[str]]:
    diffs = compare(render_config(old).manifests.objects, render_config(new).manifests.objects)
    return {d.identity: list(d.impacts) for d in diffs if d.impacts}


def test_added_node_classes_are_locked_out_by_the_daemon_set_they_replace():
    lines = impacts(minimal(), with_filebeat(nodeClasses=CLASSES))
    for added in ("DaemonSet default/filebeat-arm", "DaemonSet default/filebeat-amd"):
        assert lines[added] == [f"added → {LOCKED}. {FAILS}; {SAFELY}"]
    assert lines["DaemonSet default/filebeat"] == [
        "removed → not in this `up`: Pulumi deletes it only after DaemonSet "
        "default/filebeat-amd and DaemonSet default/filebeat-arm are ready, which they cannot "
        f"be while its pods hold {REGISTRY}; `up` fails first, and it keeps shipping"]


def test_removed_node_classes_lock_out_the_daemon_set_that_replaces_them():
    lines = impacts(with_filebeat(nodeClasses=CLASSES), minimal())
    [line] = lines["DaemonSet default/filebeat"]
    assert line.startswith("added → its pods cannot start while those of DaemonSet "
                           "default/filebeat-amd and DaemonSet default/filebeat-arm, which "
                           "this change removes, hold")
    assert "the nodes it selected no longer ship logs" not in str(lines)


def test_a_namespace_move_with_a_fixed_registry_is_locked_out_by_itself():
    old = with_filebeat(registryHostPath="/var/lib/fb")
    lines = impacts(old, old | {"namespace": "logging"})
    assert lines["DaemonSet default/filebeat → logging/filebeat"] == [
        "namespace changed default → logging → Pulumi replaces it, creating the new DaemonSet "
        "before deleting the old one: its pods cannot start while the old ones hold "
        "/var/lib/fb on the same nodes: a second filebeat refuses a locked registry "
        "(\"data path already locked by another beat\") and crash-loops. Pulumi deletes the "
        "old DaemonSet only after this one is ready, so `pulumi up` waits 10 min "
        f"(pulumi.com/timeoutSeconds), fails, and leaves it running; {SAFELY}"]


def test_without_a_wait_up_deletes_the_old_one_and_the_new_pods_start_after_it():
    on_delete = with_filebeat(nodeClasses=CLASSES, updateStrategy={"type": "OnDelete"})
    lines = impacts(with_filebeat(updateStrategy={"type": "OnDelete"}), on_delete)
    assert lines["DaemonSet default/filebeat-arm"] == [
        f"added → {LOCKED}. Pulumi does not wait for them (pulumi.com/skipAwait) and deletes "
        "DaemonSet default/filebeat at the end of `up`; they start at their next restart "
        "after that (a crash-loop back-off of up to 5 minutes), their nodes shipping nothing "
        "meanwhile and nothing twice"]
    assert lines["DaemonSet default/filebeat"] == [
        "removed → Pulumi deletes it at the end of `up`; DaemonSet default/filebeat-amd and "
        "DaemonSet default/filebeat-arm, locked out of its node directory until then, start "
        "on its nodes at their next restart"]


def test_daemon_sets_on_other_nodes_or_other_paths_do_not_meet():
    arm_only = with_filebeat(nodeClasses={"arm": CLASSES["arm"]})
    both = with_filebeat(nodeClasses=CLASSES)
    # filebeat-amd's nodes are not filebeat-arm's, and filebeat-arm stays.
    assert impacts(arm_only, both)["DaemonSet default/filebeat-amd"] == [
        "added → a pod starts on every selected node"]
    moved = impacts(minimal(), with_filebeat(nodeClasses=CLASSES, registryHostPath="/var/lib/x"))
    assert moved["DaemonSet default/filebeat-arm"][0] == (
        "added → a pod starts on every selected node")
    assert moved["DaemonSet default/filebeat"][0].endswith(
        "the nodes it selected no longer ship logs")


def test_every_report_says_so():
    diffs = compare(render_config(minimal()).manifests.objects,
                    render_config(with_filebeat(nodeClasses=CLASSES)).manifests.objects)
    assert "- **DaemonSet default/filebeat-arm**: added → its pods cannot start" in \
        as_markdown(diffs, "a", "b")
