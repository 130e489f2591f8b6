"""`diff`: every impact rule with a minimal change, and the helpers its other tests share."""

import copy

from components.cli import main as cli_main
from components.render.manifests import Manifest
from components.review.pairing import compare
from tests.configs import minimal, render_config, with_filebeat, with_redis

DAEMON = "DaemonSet default/filebeat"
FILEBEAT_8_16 = "docker.elastic.co/beats/filebeat:8.16.0"
RESHIPPED = ("every filebeat starts with an empty registry and re-reads every container log "
             "still on its node: all retained logs are shipped again, on every node "
             "(duplicate events downstream)")


def diff(old_config: dict, new_config: dict):
    old = render_config(old_config).manifests.objects
    new = render_config(new_config).manifests.objects
    return compare(old, new)


def impacts(diffs) -> dict[str, list[str]]:
    return {d.identity: list(d.impacts) for d in diffs if d.impacts}


def fields(diffs, identity: str) -> dict[str, tuple]:
    [found] = [d for d in diffs if d.identity == identity]
    return {f.path: (f.old, f.new) for f in found.fields}


def cluster_section(text_report: str) -> list[str]:
    """The lines under "What happens in the cluster:" in a text report."""
    return text_report.split("What happens in the cluster:\n")[1].split("\n\n")[0].splitlines()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- the rules, one minimal change each ---------------------------------------

def test_template_change_under_rolling_update():
    diffs = diff(minimal(), with_filebeat(image=FILEBEAT_8_16))
    assert impacts(diffs) == {DAEMON: [
        "pod template changed → RollingUpdate replaces pods on every selected node, "
        "at most 1 unavailable at a time"]}
    image = "spec.template.spec.containers[filebeat].image"
    assert fields(diffs, DAEMON)[image] == (minimal()["filebeat"]["image"], FILEBEAT_8_16)


def test_rolling_update_by_percentage_counts_nodes():
    rolling = {"type": "RollingUpdate", "maxUnavailable": "10%"}
    diffs = diff(with_filebeat(updateStrategy=rolling),
                 with_filebeat(updateStrategy=rolling, image=FILEBEAT_8_16))
    assert impacts(diffs)[DAEMON] == [
        "pod template changed → RollingUpdate replaces pods on every selected node, "
        "at most 10% of the selected nodes unavailable at a time"]


def test_rolling_update_with_surge_starts_the_new_pod_first():
    surge = {"type": "RollingUpdate", "maxUnavailable": 0, "maxSurge": 2}
    old = with_filebeat(updateStrategy=surge, registryHostPath=None)
    new = with_filebeat(updateStrategy=surge, registryHostPath=None, image=FILEBEAT_8_16)
    assert impacts(diff(old, new))[DAEMON] == [
        "pod template changed → RollingUpdate starts each node's new pod before stopping "
        "the old one, on at most 2 node(s) at a time"]


def test_on_delete_changes_no_pod():
    on_delete = {"type": "OnDelete"}
    diffs = diff(with_filebeat(updateStrategy=on_delete),
                 with_filebeat(updateStrategy=on_delete, image=FILEBEAT_8_16))
    assert impacts(diffs) == {DAEMON: ["OnDelete → no pod changes until pods are deleted"]}


def test_selector_change_recreates_the_daemon_set_and_nothing_else_is_said():
    labels = {"app.kubernetes.io/name": "filebeat", "tier": "logging"}
    diffs = diff(minimal(), with_filebeat(labels=labels))
    assert impacts(diffs)[DAEMON] == [
        "selector changed → immutable field: Pulumi will delete and re-create the DaemonSet "
        "(log gap)"]


def test_selector_change_recreates_a_deployment():
    labels = {"app.kubernetes.io/name": "redis", "tier": "buffer"}
    diffs = diff(minimal(), with_redis(labels=labels))
    assert impacts(diffs)["Deployment default/redis"] == [
        "selector changed → immutable field: Pulumi will delete and re-create the Deployment "
        "(no pods until the new ones are ready)"]


def test_service_port_change_breaks_its_clients():
    diffs = diff(minimal(), with_redis(port=6380))
    assert impacts(diffs)["Service default/redis"] == [
        "Service port changed → clients of redis:6379 break"]
    # filebeat follows the Service's port, so its pods roll too.
    assert impacts(diffs)[DAEMON][0].startswith("pod template changed → RollingUpdate")


def test_service_target_port_change_keeps_clients():
    diffs = diff(minimal(), with_redis(containerPort=6390))
    assert "Service default/redis" not in impacts(diffs)
    assert "spec.ports[redis].targetPort" in fields(diffs, "Service default/redis")


def test_config_map_change_is_a_replace_and_rolls_pods_through_the_config_hash():
    diffs = diff(minimal(), with_filebeat(output={"key": "node-logs"}))
    assert impacts(diffs)["ConfigMap default/filebeat-config"] == [
        "ConfigMap content changed → Pulumi replaces it (delete, then create; ConfigMaps are "
        "immutable to the provider by default); pods of DaemonSet default/filebeat roll "
        "through the config hash"]
    assert list(fields(diffs, DAEMON)) == [
        'spec.template.metadata.annotations["checksum/config"]']


def test_config_map_change_that_no_pod_notices_says_so():
    # A workload that mounts the ConfigMap but carries no checksum of it.
    config_map = {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": "settings", "namespace": "ns"}, "data": {"a": "1"}}
    daemon = {"apiVersion": "apps/v1", "kind": "DaemonSet",
              "metadata": {"name": "agent", "namespace": "ns"},
              "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": {
                  "metadata": {"labels": {"app": "agent"}},
                  "spec": {"containers": [{"name": "agent", "image": "agent:1"}],
                           "volumes": [{"name": "s", "configMap": {"name": "settings"}}]}}}}
    changed = copy.deepcopy(config_map)
    changed["data"]["a"] = "2"
    diffs = compare([Manifest(config_map), Manifest(daemon)],
                    [Manifest(changed), Manifest(daemon)])
    assert impacts(diffs) == {"ConfigMap ns/settings": [
        "ConfigMap content changed → Pulumi replaces it (delete, then create; ConfigMaps are "
        "immutable to the provider by default); pods of DaemonSet ns/agent do not roll: "
        "they read the new content only when they restart"]}


def test_redis_template_change_with_recreate_keeps_the_data_on_its_claim():
    persistent = {"enabled": True, "size": "1Gi"}
    diffs = diff(with_redis(persistence=persistent),
                 with_redis(persistence=persistent, image="redis:7.4.1-alpine"))
    assert impacts(diffs)["Deployment default/redis"] == [
        "pod template changed → Recreate stops 1 pod before starting new ones: down until "
        "the new pods are ready; data on PersistentVolumeClaim redis-data carries over"]


def test_a_reclassed_claim_is_deleted_first_and_waits_for_redis():
    """The provider deletes a named object before re-creating it, and the
    pvc-protection finalizer holds the delete while a pod mounts the claim."""
    diffs = diff(with_redis(persistence={"enabled": True, "storageClassName": "fast"}),
                 with_redis(persistence={"enabled": True, "storageClassName": "slow"}))
    assert impacts(diffs) == {"PersistentVolumeClaim default/redis-data": [
        "spec.storageClassName changed → immutable for Pulumi: it will delete and re-create "
        "the PersistentVolumeClaim",
        "the old claim is deleted before the new one is created (the name stays): the data "
        "on it is lost unless its PersistentVolume's reclaimPolicy is Retain",
        "Kubernetes holds that delete while pods of Deployment default/redis mount the claim "
        "(pvc-protection): `pulumi up` waits until they stop, or fails when the delete "
        "times out"]}


def test_a_reclassed_claim_and_a_redis_change_agree_that_the_data_is_lost():
    persistent = {"enabled": True, "storageClassName": "fast"}
    diffs = diff(with_redis(persistence=persistent),
                 with_redis(persistence=persistent | {"storageClassName": "slow"},
                            image="redis:7.4.1-alpine"))
    found = impacts(diffs)
    assert "the data on it is lost" in found["PersistentVolumeClaim default/redis-data"][1]
    assert found["Deployment default/redis"] == [
        "pod template changed → Recreate stops 1 pod before starting new ones: down until the "
        "new pods are ready; PersistentVolumeClaim redis-data is deleted and re-created in "
        "this change, so the new pods start on an empty claim"]


def test_turning_persistence_off_drops_the_claim_and_its_data():
    diffs = diff(with_redis(persistence={"enabled": True, "size": "1Gi"}), with_redis())
    found = impacts(diffs)
    assert found["PersistentVolumeClaim default/redis-data"] == [
        "PersistentVolumeClaim removed → Pulumi deletes it, and the data on it is lost unless "
        "its PersistentVolume's reclaimPolicy is Retain"]
    assert found["Deployment default/redis"][0].endswith(
        "; the new pods no longer mount PersistentVolumeClaim redis-data: they start empty, "
        "and what they buffer is lost with each pod (no persistent volume)")


def test_redis_template_change_without_persistence_loses_the_buffer():
    diffs = diff(minimal(), with_redis(image="redis:7.4.1-alpine"))
    assert impacts(diffs)["Deployment default/redis"] == [
        "pod template changed → RollingUpdate replaces 1 pod, at most 25% unavailable and "
        "25% extra at a time; what the old pods hold in memory or emptyDir is lost "
        "(no persistent volume)"]


def test_namespace_move_replaces_new_first():
    diffs = diff(minimal(), minimal() | {"namespace": "logging"})
    # Cluster-scoped RBAC is named after the namespace, so it is new, not moved.
    assert {d.identity: d.status for d in diffs if d.status != "moved"} == {
        "ClusterRole default-filebeat": "removed", "ClusterRole logging-filebeat": "added",
        "ClusterRoleBinding default-filebeat": "removed",
        "ClusterRoleBinding logging-filebeat": "added"}
    lines = impacts(diffs)
    assert lines["DaemonSet default/filebeat → logging/filebeat"] == [
        "namespace changed default → logging → Pulumi replaces it, creating the new DaemonSet "
        "before deleting the old one: for a moment both ship the same node logs "
        "(duplicate entries)",
        "registry moved /var/lib/redis-filebeat/default/filebeat → "
        f"/var/lib/redis-filebeat/logging/filebeat → {RESHIPPED}"]
    assert "Service moved → clients of redis:6379 in default break" in \
        lines["Service default/redis → logging/redis"]


def test_removing_the_namespace_deletes_its_contents():
    old = minimal() | {"namespace": "logging", "createNamespace": True}
    diffs = diff(old, minimal() | {"namespace": "logging"})
    assert impacts(diffs) == {"Namespace logging": [
        "Namespace removed → Pulumi deletes it, and Kubernetes deletes everything in it, "
        "including objects this stack did not create"]}


def test_node_selection_change_is_called_out():
    diffs = diff(minimal(), with_filebeat(nodeSelector={"logging": "on"}))
    assert impacts(diffs)[DAEMON][1] == (
        "node selection changed → pods start on newly selected nodes and stop on nodes no "
        "longer selected")


def test_no_change_is_empty():
    assert diff(minimal(), minimal()) == []
